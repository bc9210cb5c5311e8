// Block Kit to DOM, for every block and element QI Commons sends. Anything unknown is shown as a
// visible "not shown in the sandbox" marker and reported to the server log, never dropped.
"use strict";
const Blocks = (() => {
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "html") node.innerHTML = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  };

  function unsupported(kind, what) {
    console.warn(`sandbox: ${kind} ${what} is not rendered`);
    fetch("/ui/warn", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind, type: what }) }).catch(() => {});
    return el("div", { class: "unsupported", "data-unsupported": what }, `${kind} "${what}" not shown in the sandbox`);
  }

  function text(obj, ctx) {
    if (!obj) return el("span");
    if (obj.type === "mrkdwn") return el("div", { class: "mrkdwn", html: Mrkdwn.render(obj.text, ctx.users) });
    return el("span", {}, plain(obj));
  }
  const plain = (obj) => Mrkdwn.emoji((obj && obj.text) || "");

  function option(o) { return { text: { type: "plain_text", text: plain(o.text) }, value: o.value }; }

  function optionsOf(element) {
    if (element.option_groups) return element.option_groups.flatMap((g) => g.options);
    return element.options || [];
  }

  function select(element, ctx, { multiple = false } = {}) {
    const node = el("select", { "data-action-id": element.action_id, multiple });
    if (!multiple) node.append(el("option", { value: "" }, plain(element.placeholder) || "Select an item"));
    const kind = element.type.replace(/^multi_/, "");
    let choices;
    if (kind === "users_select") choices = ctx.members.map((m) => ({ value: m.id, label: m.real_name }));
    else if (kind === "conversations_select" || kind === "channels_select") choices = ctx.channels.map((c) => ({ value: c.id, label: c.is_im ? "DM" : "#" + c.name }));
    else choices = optionsOf(element).map((o) => ({ value: o.value, label: plain(o.text) }));
    const initial = new Set([
      element.initial_user, element.initial_conversation, element.initial_channel,
      element.initial_option && element.initial_option.value,
      ...(element.initial_users || []), ...(element.initial_conversations || []), ...(element.initial_channels || []),
      ...((element.initial_options || []).map((o) => o.value)),
    ].filter(Boolean));
    for (const c of choices) node.append(el("option", { value: c.value, selected: initial.has(c.value) }, c.label));
    return node;
  }

  // The value Slack puts in state.values (and in a block action) for one element.
  function stateOf(element, node) {
    const t = element.type;
    const byValue = (v) => optionsOf(element).find((o) => o.value === v);
    if (t === "plain_text_input" || t === "email_text_input" || t === "url_text_input") {
      return { type: t, value: node.value === "" ? null : node.value };
    }
    if (t === "number_input") return { type: t, value: node.value === "" ? null : node.value };
    if (t === "datepicker") return { type: t, selected_date: node.value || null };
    if (t === "file_input") return { type: t, files: node.picked || [] };
    if (t === "timepicker") return { type: t, selected_time: node.value || null };
    if (t === "static_select" || t === "overflow") {
      const o = byValue(node.value);
      return { type: t, selected_option: o ? option(o) : null };
    }
    if (t === "multi_static_select") {
      return { type: t, selected_options: [...node.selectedOptions].map((s) => option(byValue(s.value))) };
    }
    if (t === "users_select") return { type: t, selected_user: node.value || null };
    if (t === "multi_users_select") return { type: t, selected_users: [...node.selectedOptions].map((s) => s.value) };
    if (t === "conversations_select") return { type: t, selected_conversation: node.value || null };
    if (t === "channels_select") return { type: t, selected_channel: node.value || null };
    if (t === "checkboxes") {
      return { type: t, selected_options: [...node.querySelectorAll("input:checked")].map((i) => option(byValue(i.value))) };
    }
    if (t === "radio_buttons") {
      const checked = node.querySelector("input:checked");
      return { type: t, selected_option: checked ? option(byValue(checked.value)) : null };
    }
    return { type: t };
  }

  function choices(element, ctx, kind) {
    const group = `${element.action_id}-${Math.random().toString(36).slice(2)}`;
    const initial = new Set(kind === "radio"
      ? [element.initial_option && element.initial_option.value]
      : (element.initial_options || []).map((o) => o.value));
    return el("div", { "data-action-id": element.action_id, class: "choices" },
      element.options.map((o) => el("label", { class: "choice" },
        el("input", { type: kind === "radio" ? "radio" : "checkbox", name: group, value: o.value, checked: initial.has(o.value) }),
        " ", text(o.text, ctx), o.description ? el("span", { class: "hint" }, " ", plain(o.description)) : null)));
  }

  // One interactive element. `onAct(element, node)` fires when Slack would send a block action.
  function element(element, ctx, onAct) {
    const t = element.type;
    let node;
    if (t === "button") {
      node = el("button", { type: "button", class: `btn ${element.style || ""}`, "data-action-id": element.action_id,
        onclick: () => confirmThen(element.confirm, ctx, () => onAct(element, node)) }, plain(element.text));
      if (element.url) node.title = element.url;
      return node;
    }
    if (t === "static_select" || t === "users_select" || t === "conversations_select" || t === "channels_select" || t === "external_select") {
      if (t === "external_select") return unsupported("element", t);
      node = select(element, ctx);
    } else if (t.startsWith("multi_") && t.endsWith("_select")) {
      node = select(element, ctx, { multiple: true });
    } else if (t === "overflow") {
      node = el("select", { "data-action-id": element.action_id, class: "overflow", "aria-label": "More actions" },
        el("option", { value: "" }, "⋯"), element.options.map((o) => el("option", { value: o.value }, plain(o.text))));
      node.addEventListener("change", () => node.value && confirmThen(element.confirm, ctx, () => onAct(element, node)));
      return node;
    } else if (t === "datepicker") {
      node = el("input", { type: "date", "data-action-id": element.action_id, value: element.initial_date });
    } else if (t === "timepicker") {
      node = el("input", { type: "time", "data-action-id": element.action_id, value: element.initial_time });
    } else if (t === "number_input") {
      node = el("input", { type: "number", "data-action-id": element.action_id, value: element.initial_value,
        step: element.is_decimal_allowed ? "any" : "1", min: element.min_value, max: element.max_value,
        placeholder: plain(element.placeholder) });
    } else if (t === "plain_text_input" || t === "email_text_input" || t === "url_text_input") {
      const attrs = { "data-action-id": element.action_id, placeholder: plain(element.placeholder),
        maxlength: element.max_length, minlength: element.min_length };
      node = element.multiline ? el("textarea", attrs) : el("input", { type: "text", ...attrs });
      if (element.initial_value) node.value = element.initial_value;
    } else if (t === "file_input") {
      return fileInput(element, ctx);
    } else if (t === "checkboxes") {
      node = choices(element, ctx, "checkbox");
    } else if (t === "radio_buttons") {
      node = choices(element, ctx, "radio");
    } else if (t === "image") {
      return el("img", { src: element.image_url, alt: element.alt_text, class: "element-image" });
    } else {
      return unsupported("element", t);
    }
    node.addEventListener("change", () => ctx.dispatches(element) && onAct(element, node));
    return node;
  }

  // Slack uploads what a member picks at once and puts the files' objects in the form's state; here the
  // page hands each file to the sandbox server (ctx.upload), and `uploading` lets a submit wait for it.
  function fileInput(element, ctx) {
    const accept = (element.filetypes || []).map((f) => `.${f}`).join(",");
    const node = el("input", { type: "file", "data-action-id": element.action_id, accept: accept || undefined,
      multiple: (element.max_files || 10) > 1 });
    node.picked = [];
    node.addEventListener("change", () => {
      const chosen = [...node.files].slice(0, element.max_files || 10);
      node.uploading = Promise.all(chosen.map((f) => ctx.upload(f))).then((objects) => { node.picked = objects.filter(Boolean); });
    });
    return node;
  }

  // Resolves once every file picked in `root` has reached the server.
  function uploaded(root) {
    return Promise.all([...root.querySelectorAll("input[type=file]")].map((n) => n.uploading));
  }

  function confirmThen(confirm, ctx, go) {
    if (!confirm) return go();
    ctx.confirm(confirm, go);
  }

  function richText(block, ctx) {
    const inlineEl = (e) => {
      if (e.type === "text") {
        let n = document.createTextNode(e.text);
        const s = e.style || {};
        if (s.code) n = el("code", {}, n);
        if (s.bold) n = el("b", {}, n);
        if (s.italic) n = el("i", {}, n);
        if (s.strike) n = el("s", {}, n);
        return n;
      }
      if (e.type === "link") return el("a", { href: /^https?:|^mailto:/.test(e.url) ? e.url : "#", target: "_blank" }, e.text || e.url);
      if (e.type === "user") return el("span", { class: "mention" }, "@" + (ctx.users[e.user_id] || e.user_id));
      if (e.type === "channel") return el("span", { class: "mention" }, "#" + e.channel_id);
      if (e.type === "emoji") return el("span", {}, e.unicode ? String.fromCodePoint(...e.unicode.split("-").map((h) => parseInt(h, 16))) : `:${e.name}:`);
      if (e.type === "broadcast") return el("span", { class: "mention" }, "@" + e.range);
      if (e.type === "date") return el("span", {}, e.fallback || "");
      return unsupported("rich text element", e.type);
    };
    const part = (p) => {
      if (p.type === "rich_text_section") return el("div", {}, p.elements.map(inlineEl));
      if (p.type === "rich_text_list") return el(p.style === "ordered" ? "ol" : "ul", {}, p.elements.map((s) => el("li", {}, s.elements.map(inlineEl))));
      if (p.type === "rich_text_quote") return el("blockquote", {}, p.elements.map(inlineEl));
      if (p.type === "rich_text_preformatted") return el("pre", {}, p.elements.map(inlineEl));
      return unsupported("rich text part", p.type);
    };
    return el("div", { class: "mrkdwn" }, block.elements.map(part));
  }

  // ctx: { users, members, channels, errors, confirm(confirm, go), act(block, element, node), dispatches(element) }
  function block(b, ctx) {
    const act = (element, node) => ctx.act(b, element, node);
    const wrap = (cls, ...children) => el("div", { class: `block ${cls}`, "data-block-id": b.block_id }, ...children);
    switch (b.type) {
      case "header": return wrap("header", plain(b.text));
      case "divider": return el("hr", { class: "divider" });
      case "section": {
        const left = el("div", { class: "section-main" }, b.text ? text(b.text, ctx) : null,
          b.fields ? el("div", { class: "fields" }, b.fields.map((f) => text(f, ctx))) : null);
        return wrap("section", left, b.accessory ? element(b.accessory, ctx, act) : null);
      }
      case "context": return wrap("context", b.elements.map((e) =>
        e.type === "image" ? el("img", { src: e.image_url, alt: e.alt_text }) : text(e, ctx)));
      case "actions": return wrap("actions", b.elements.map((e) => element(e, ctx, act)));
      case "image": return wrap("block-image", b.title ? el("div", {}, plain(b.title)) : null,
        el("img", { src: b.image_url || (b.slack_file && b.slack_file.url), alt: b.alt_text }));
      case "rich_text": return wrap("rich-text", richText(b, ctx));
      case "input": {
        const control = element(b.element, { ...ctx, dispatches: () => Boolean(b.dispatch_action) }, act);
        const error = ctx.errors && ctx.errors[b.block_id];
        return el("div", { class: "block input-block", "data-block-id": b.block_id, "data-input": "1" },
          el("label", { class: "input-label" }, plain(b.label), b.optional ? el("span", { class: "optional" }, " (optional)") : null),
          control,
          b.hint ? el("div", { class: "hint" }, plain(b.hint)) : null,
          error ? el("div", { class: "field-error", role: "alert" }, error) : null);
      }
      default: return unsupported("block", b.type);
    }
  }

  function render(blocks, ctx) {
    return el("div", { class: "blocks" }, (blocks || []).map((b) => block(b, ctx)));
  }

  // Slack's view.state.values from a rendered view's inputs (and its actions' elements).
  function values(root, blocks) {
    const out = {};
    for (const b of blocks || []) {
      const elements = b.type === "input" ? [b.element] : b.type === "actions" ? b.elements : b.accessory ? [b.accessory] : [];
      for (const e of elements) {
        if (!e.action_id || e.type === "button" || e.type === "overflow" || e.type === "image") continue;
        const host = root.querySelector(`[data-block-id="${CSS.escape(b.block_id)}"]`);
        const node = host && host.querySelector(`[data-action-id="${CSS.escape(e.action_id)}"]`);
        if (!node) continue;
        (out[b.block_id] = out[b.block_id] || {})[e.action_id] = stateOf(e, node);
      }
    }
    return out;
  }

  return { render, values, stateOf, uploaded, el, plain };
})();
