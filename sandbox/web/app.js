// The sandbox page: reads the workspace, renders it Slack-like, and sends what you do to the server,
// which turns it into Slack's signed requests to the bot.
"use strict";
(() => {
  const { el, plain } = Blocks;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  let me = params.get("as") || localStorage.getItem("qi-sandbox-as") || "";
  let place = params.get("at") || "channel";  // a channel id, or "home"
  let threadOf = null;
  let data = null;
  let modalErrors = {};

  async function post(path, body) {
    let res;
    try {
      res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch (e) {
      lost("The sandbox server is not answering: is `make run` still running? Start it again, then reload.");
      throw e;
    }
    const answer = await res.json().catch(() => ({ ok: res.ok, error: `HTTP ${res.status}` }));
    if (answer.error === "bot_unreachable") {
      lost("The bot is not answering: check the terminal running `make run`, restart it, then reload.");
    } else if (!answer.ok) {
      note(`That request failed with the error "${answer.error || "HTTP " + answer.status}".`);
    }
    return answer;
  }

  function lost(line) { $("banner").hidden = false; $("banner").textContent = line; }
  function note(line) { $("control-said").textContent = line; }

  async function refresh() {
    const res = await fetch(`/ui/state?user=${encodeURIComponent(me)}`);
    if (!res.ok) return note(`Reading the workspace failed with the error "HTTP ${res.status}".`);
    data = await res.json();
    me = data.me;
    render();
  }

  function ctxFor(source, extra = {}) {
    return {
      users: names(), members: data.members, channels: data.channels, errors: {},
      dispatches: () => source.kind !== "view" || true,
      confirm: showConfirm,
      act: (b, element, node) => sendAction(source, b, element, node),
      upload: uploadFile,
      ...extra,
    };
  }

  // A picked file as Slack keeps a member's upload: its content goes to the server, its file object comes back.
  async function uploadFile(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const answer = await post("/ui/file", { user: me, name: file.name, type: file.type, content: btoa(binary) });
    return answer.ok ? answer.file : null;
  }

  // Who and what `<@U…>` and `<#C…>` name: members by real name, channels by name.
  function names() {
    const channels = Object.fromEntries(data.channels.filter((c) => !c.is_im).map((c) => [c.id, c.name]));
    return { ...data.users, ...channels };
  }

  function sendAction(source, b, element, node) {
    const action = { action_id: element.action_id, block_id: b.block_id, type: element.type };
    if (element.type === "button") {
      if (element.value !== undefined) action.value = element.value;
    } else {
      Object.assign(action, Blocks.stateOf(element, node));
    }
    const body = { user: me, source, action };
    if (source.kind === "view") {
      const view = (data.modals.find((v) => v.id === source.view_id)) || data.home;
      body.values = Blocks.values(document.querySelector(`[data-view-id="${source.view_id}"]`) || document, view.blocks);
    }
    return post("/ui/action", body);
  }

  function channelName(c) {
    if (c.is_im) return c.with === me ? "QI Commons" : data.users[c.with] || c.name;
    // A group DM is named by the others in it, as Slack does (the bot included).
    if (c.is_mpim) return ["QI Commons", ...c.members.filter((u) => u !== me).map((u) => data.users[u] || u)].join(", ");
    return (c.is_private ? "(private) " : "# ") + c.name;
  }

  function render() {
    localStorage.setItem("qi-sandbox-as", me);
    const you = $("you");
    you.replaceChildren(...data.members.map((m) => el("option", { value: m.id, selected: m.id === me }, m.real_name)));
    $("you-title").textContent = data.titles[me] || "";
    if (place === "channel") place = data.community;
    const channels = data.channels.filter((c) => !c.is_im && !c.is_mpim);
    const dms = data.channels.filter((c) => c.is_im || c.is_mpim);
    const item = (id, label) => el("button", { class: `nav-item ${place === id ? "active" : ""}`, "data-place": id,
      onclick: () => { place = id; threadOf = null; render(); if (id === "home") post("/ui/home", { user: me }); } }, label);
    $("nav").replaceChildren(...[
      el("div", { class: "section-title" }, "Apps"), item("home", "QI Commons Home"),
      el("div", { class: "section-title" }, "Channels"), channels.map((c) => item(c.id, channelName(c))),
      el("div", { class: "section-title" }, "Direct messages"), dms.map((c) => item(c.id, channelName(c))),
    ].flat());
    const labels = { "post-prompt": "Post this week's prompt now", "post-digest": "Post this week's digest now",
      "advance-day": "Move the clock 1 day", "advance-week": "Move the clock 1 week", demo: "Seed the demo department", reset: "Reset sandbox" };
    $("controls").replaceChildren(...data.controls.map((name) => el("button", { "data-control": name, onclick: async () => {
      if (name === "reset" && !window.confirm("Delete everything in the sandbox: posts, CPD entries, mentors?")) return;
      note("…");
      const answer = await post(`/ui/control/${name}`, {});
      if (answer.ok) note(answer.said);
    } }, labels[name] || name)));
    if (!data.channels.find((c) => c.id === place) && place !== "home") place = data.community;
    renderPane();
    renderThread();
    renderModal();
  }

  function renderPane() {
    const pane = $("pane");
    const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 40;
    $("composer").hidden = place === "home";
    if (place === "home") {
      $("pane-title").textContent = "QI Commons — Home";
      const home = data.home;
      pane.replaceChildren(home
        ? el("div", { class: "home", "data-view-id": home.id }, Blocks.render(home.blocks, ctxFor({ kind: "view", view_id: home.id })))
        : el("p", { class: "empty" }, "Opening App Home…"));
      return;
    }
    const channel = data.channels.find((c) => c.id === place);
    $("pane-title").textContent = channelName(channel);
    const messages = data.messages[place] || [];
    const top = messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast);
    const eph = data.ephemerals.filter((e) => e.channel === place && !e.thread_ts)
      .map((e) => ({ ...e, ts: e.message_ts, ephemeral: true }));
    const all = [...top, ...eph].sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
    const nodes = all.length ? all.map((m) => cachedMessage(m, messages)) : [el("p", { class: "empty" }, "No messages yet. Try /qi-share.")];
    // Usually only new messages arrived: append them rather than re-laying-out the whole channel.
    const current = [...pane.children];
    if (current.length <= nodes.length && current.every((node, i) => node === nodes[i])) pane.append(...nodes.slice(current.length));
    else pane.replaceChildren(...nodes);
    forgetUnshown();
    if (atBottom || !pane.dataset.seen) pane.scrollTop = pane.scrollHeight;
    pane.dataset.seen = "1";
  }

  // A message that has not changed keeps its DOM node: a busy channel re-renders only what changed.
  let rendered = new Map();
  function cachedMessage(m, all) {
    const replies = all.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).length;
    const key = `${me}|${place}|${replies}|${JSON.stringify(m)}`;
    const node = rendered.get(key) || message(m, all);
    rendered.set(key, node);
    return node;
  }
  function forgetUnshown() {
    const shown = new Set($("pane").children);
    rendered = new Map([...rendered].filter(([, node]) => shown.has(node)));
  }

  function message(m, all) {
    // Ephemeral messages come from the app too: Slack shows them under its name, marked for you only.
    const fromBot = m.ephemeral || m.user === data.bot || m.bot_id;
    const name = fromBot ? data.users[data.bot] : data.users[m.user] || m.user;
    const source = m.ephemeral ? { kind: "ephemeral", channel: m.channel, ts: m.ts } : { kind: "message", channel: place, ts: m.ts };
    const content = m.blocks && m.blocks.length ? Blocks.render(m.blocks, ctxFor(source))
      : el("div", { class: "mrkdwn", html: Mrkdwn.render(m.text, names()) });
    const replies = all.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
    return el("div", { class: `message ${m.ephemeral ? "ephemeral" : ""}`, "data-ts": m.ts },
      el("div", { class: "avatar" }, name.replace(/^Dr\. /, "").slice(0, 1)),
      el("div", { class: "body" },
        el("div", {}, el("span", { class: "who" }, name), fromBot ? el("span", { class: "app-badge" }, "APP") : null),
        m.ephemeral ? el("div", { class: "only-you" }, "Only visible to you") : null,
        m.reply_broadcast && m.thread_ts !== m.ts ? el("div", { class: "also-sent" }, "replied to a thread, also sent to the channel") : null,
        content,
        (m.files || []).map(file),
        replies.length ? el("button", { class: "replies", onclick: () => { threadOf = m.ts; renderThread(); } },
          `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`) : null));
  }

  function file(f) {
    const link = el("a", { href: f.url, download: f.name }, `Download ${f.title || f.name}`);
    return el("div", { class: "file" }, link, f.mimetype === "image/png" ? el("img", { src: f.url, alt: f.title || f.name }) : null);
  }

  function renderThread() {
    const panel = $("thread");
    if (!threadOf || place === "home") { panel.hidden = true; return; }
    const messages = data.messages[place] || [];
    const parent = messages.find((m) => m.ts === threadOf);
    if (!parent) { panel.hidden = true; return; }
    const replies = messages.filter((m) => m.thread_ts === threadOf && m.ts !== threadOf);
    const input = el("input", { placeholder: "Reply…", "aria-label": "Reply" });
    const broadcast = el("input", { type: "checkbox" });
    panel.hidden = false;
    panel.replaceChildren(
      el("header", { class: "pane-header" }, el("h1", {}, "Thread"), el("button", { class: "x", onclick: () => { threadOf = null; renderThread(); } }, "×")),
      el("section", { class: "pane" }, message(parent, []), replies.map((r) => message(r, []))),
      el("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); if (input.value.trim()) post("/ui/message", { user: me, channel: place, text: input.value, thread_ts: threadOf, broadcast: broadcast.checked }); input.value = ""; } },
        input, el("label", { class: "hint" }, broadcast, " Also send to channel"), el("button", { class: "btn primary" }, "Reply")));
  }

  function renderModal() {
    const layer = $("modal-layer");
    const view = data.modals[data.modals.length - 1];
    if (!view) { layer.hidden = true; layer.replaceChildren(); modalErrors = {}; return; }
    if (layer.dataset.hash === view.hash && !layer.hidden) return;  // keep what the person typed
    layer.dataset.hash = view.hash;
    const ctx = ctxFor({ kind: "view", view_id: view.id }, { errors: modalErrors });
    const body = el("div", { class: "modal-body", "data-view-id": view.id }, Blocks.render(view.blocks, ctx));
    const close = () => post("/ui/close", { user: me, view_id: view.id });
    const submit = async () => {
      await Blocks.uploaded(body);
      const answer = await post("/ui/submit", { user: me, view_id: view.id, values: Blocks.values(body, view.blocks) });
      if (answer.errors) { modalErrors = answer.errors; layer.dataset.hash = ""; renderModal(); }
      else modalErrors = {};
    };
    layer.hidden = false;
    layer.replaceChildren(el("div", { class: "modal", role: "dialog", "aria-label": plain(view.title) },
      el("div", { class: "modal-head" }, el("h2", {}, plain(view.title)), el("button", { class: "x", "aria-label": "Close", onclick: close }, "×")),
      body,
      el("div", { class: "modal-foot" },
        el("button", { class: "btn", onclick: close }, plain(view.close) || "Cancel"),
        view.submit ? el("button", { class: "btn primary", "data-submit": "1", onclick: submit }, plain(view.submit)) : null)));
  }

  function showConfirm(confirm, go) {
    const layer = el("div", { class: "modal-layer confirm" });
    const done = (yes) => { layer.remove(); if (yes) go(); };
    layer.append(el("div", { class: "modal", role: "alertdialog" },
      el("div", { class: "modal-head" }, el("h2", {}, plain(confirm.title) || "Are you sure?")),
      el("div", { class: "modal-body mrkdwn", html: Mrkdwn.render(plain(confirm.text), names()) }),
      el("div", { class: "modal-foot" },
        el("button", { class: "btn", onclick: () => done(false) }, plain(confirm.deny) || "Cancel"),
        el("button", { class: `btn ${confirm.style === "danger" ? "danger" : "primary"}`, onclick: () => done(true) }, plain(confirm.confirm) || "Yes"))));
    document.body.append(layer);
  }

  // The composer: slash commands (suggested from the manifest) go to the bot; anything else is a message.
  const compose = $("compose");
  const suggestions = $("suggestions");
  compose.addEventListener("input", () => {
    const typed = compose.value;
    const matches = typed.startsWith("/") && !typed.includes(" ") ? data.commands.filter((c) => c.command.startsWith(typed)) : [];
    suggestions.hidden = !matches.length;
    suggestions.replaceChildren(...matches.map((c) => el("li", { onclick: () => { compose.value = c.command + " "; suggestions.hidden = true; compose.focus(); } },
      el("b", {}, c.command), el("span", { class: "hint" }, c.usage_hint || ""), el("div", { class: "hint" }, c.description))));
  });
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const typed = compose.value.trim();
    if (!typed) return;
    compose.value = "";
    suggestions.hidden = true;
    const command = typed.match(/^(\/[\w-]+)\s*([\s\S]*)$/);
    if (command && data.commands.some((c) => c.command === command[1])) {
      await post("/ui/command", { user: me, channel: place, command: command[1], text: command[2] });
    } else if (command) {
      note(`${command[1]} is not a valid command. In Slack, messages that start with "/" are commands.`);
    } else {
      await post("/ui/message", { user: me, channel: place, text: typed });
    }
  });
  $("you").addEventListener("change", (e) => { me = e.target.value; threadOf = null; $("modal-layer").dataset.hash = ""; refresh().then(() => place === "home" && post("/ui/home", { user: me })); });

  // Live: every change in the workspace arrives as an event; losing the stream is said on the page.
  // One read at a time; changes that arrive meanwhile are folded into one more read.
  let reading = null;
  let again = false;
  function changed() {
    if (reading) { again = true; return; }
    reading = refresh().finally(() => { reading = null; if (again) { again = false; changed(); } });
  }
  const events = new EventSource("/ui/events");
  events.addEventListener("change", () => { $("banner").hidden = true; changed(); });
  events.onerror = () => lost("Lost the connection to the sandbox: is `make run` still running? Start it again; this page reconnects by itself.");
  if (place === "home") refresh().then(() => post("/ui/home", { user: me }));
})();
