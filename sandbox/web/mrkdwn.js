// Slack's mrkdwn to HTML. Slack sends <, > and & escaped (&lt; &gt; &amp;); they are shown as typed.
"use strict";
const Mrkdwn = (() => {
  const html = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const unescapeSlack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

  // The shortcodes QI Commons uses; any other stays as typed, as Slack shows an unknown one.
  const EMOJI = { clap: "👏", white_check_mark: "✅", warning: "⚠️", tada: "🎉", bulb: "💡", calendar: "📅",
    memo: "📝", chart_with_upwards_trend: "📈", wave: "👋", seedling: "🌱", mag: "🔍", lock: "🔒",
    hourglass_flowing_sand: "⏳", x: "❌", heavy_check_mark: "✔️", star: "⭐", books: "📚", handshake: "🤝",
    bell: "🔔", sparkles: "✨", information_source: "ℹ️", speech_balloon: "💬", thumbsup: "👍", "+1": "👍" };
  const emoji = (s) => s.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);

  function inline(text) {
    // Code spans first, so nothing inside them is formatted.
    const parts = text.split(/(`[^`\n]+`)/);
    return parts.map((part) => {
      if (/^`[^`\n]+`$/.test(part)) return `<code>${part.slice(1, -1)}</code>`;
      return part
        .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s.,!?:;)<])/g, "$1<b>$2</b>")
        .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s.,!?:;)<])/g, "$1<i>$2</i>")
        .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s.,!?:;)<])/g, "$1<s>$2</s>");
    }).join("");
  }

  // `<...>` is Slack's markup: links, mentions, channels; everything else is text.
  function tokens(text, users) {
    return text.replace(/<([^<>]+)>|([^<]+)/g, (whole, markup, plain) => {
      if (plain !== undefined) return emoji(html(unescapeSlack(plain)));
      const [target, label] = markup.split("|", 2);
      if (target.startsWith("@")) {
        const id = target.slice(1);
        return `<span class="mention">@${html(label || users[id] || id)}</span>`;
      }
      if (target.startsWith("#")) {
        const id = target.slice(1);
        return `<span class="mention">#${html(label || users[id] || id)}</span>`;
      }
      // <!date^…|fallback> is a date Slack formats in the reader's timezone; the fallback is that text.
      if (target.startsWith("!date^")) return html(unescapeSlack(label || ""));
      if (target.startsWith("!")) return `<span class="mention">@${html(label || target.slice(1))}</span>`;
      const href = unescapeSlack(target);
      const safe = /^(https?:|mailto:)/.test(href) ? href : "#";
      return `<a href="${html(safe)}" target="_blank" rel="noopener">${html(unescapeSlack(label || target))}</a>`;
    });
  }

  function render(text, users = {}) {
    const blocks = String(text || "").split(/```/);
    return blocks.map((chunk, i) => {
      if (i % 2 === 1) return `<pre>${tokens(chunk.replace(/^\n/, ""), users)}</pre>`;
      const lines = chunk.split("\n").map((line) => {
        const quoted = /^&gt;\s?/.test(line);
        const body = inline(tokens(quoted ? line.replace(/^&gt;\s?/, "") : line, users));
        return quoted ? `<blockquote>${body}</blockquote>` : body + "<br>";
      });
      return lines.join("").replace(/<br>$/, "");
    }).join("");
  }

  return { render, html, emoji };
})();
