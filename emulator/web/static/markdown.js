// Discord's message markdown, rendered safely: text is escaped first, then a small set of
// marks becomes HTML. Mentions and <t:unix:style> timestamps are resolved through `ctx`.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

// ---------------------------------------------------------------- time
export function formatTimestamp(seconds, style, ctx) {
  const when = new Date(Number(seconds) * 1000);
  if (Number.isNaN(when.getTime())) return "Invalid date";
  const zone = ctx.timeZone ? { timeZone: ctx.timeZone } : {};
  const fmt = (options) => new Intl.DateTimeFormat(undefined, { ...options, ...zone }).format(when);
  switch (style) {
    case "t": return fmt({ hour: "2-digit", minute: "2-digit" });
    case "T": return fmt({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
    case "d": return fmt({ day: "2-digit", month: "2-digit", year: "numeric" });
    case "D": return fmt({ day: "numeric", month: "long", year: "numeric" });
    case "F":
      return fmt({ weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" });
    case "R": return relativeTime(when, ctx.now());
    default: return fmt({ day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" });
  }
}

const UNITS = [
  ["year", 365 * 24 * 3600], ["month", 30 * 24 * 3600], ["week", 7 * 24 * 3600],
  ["day", 24 * 3600], ["hour", 3600], ["minute", 60], ["second", 1],
];

export function relativeTime(when, now) {
  const diff = (when.getTime() - now.getTime()) / 1000;
  const size = Math.abs(diff);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, span] of UNITS) {
    if (size >= span || unit === "second") {
      return format.format(Math.round(diff / span), unit);
    }
  }
  return "";
}

// ---------------------------------------------------------------- inline marks
function mention(kind, id, ctx) {
  if (kind === "@" || kind === "@!") {
    const name = ctx.userName(id);
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (kind === "@&") {
    const role = ctx.role(id);
    const style = role && role.color ? ` style="color:#${role.color.toString(16).padStart(6, "0")}"` : "";
    return `<span class="mention role"${style}>@${escapeHtml(role ? role.name : "deleted-role")}</span>`;
  }
  const channel = ctx.channel(id);
  const name = channel ? channel.name : "unknown";
  const icon = channel && channel.voice ? "🔊\u2009" : "#";
  return `<span class="mention channel-mention" data-channel="${escapeHtml(id)}">${icon}${escapeHtml(name)}</span>`;
}

function inline(text, ctx) {
  const stash = [];
  const keep = (html) => `\u0000${stash.push(html) - 1}\u0000`;
  let out = text;
  // Backslash escapes and inline code first: nothing inside them is markdown.
  out = out.replace(/\\([*_~`|\\<>#\-[\]()])/g, (_, ch) => keep(escapeHtml(ch)));
  out = out.replace(/``([^`]+)``|`([^`\n]+)`/g, (_, a, b) => keep(`<code>${escapeHtml(a ?? b)}</code>`));
  out = out.replace(/<t:(-?\d{1,13})(?::([tTdDfFR]))?>/g, (_, secs, style) => {
    const title = formatTimestamp(secs, "F", ctx);
    return keep(
      `<time class="ts" data-ts="${secs}" data-style="${style || "f"}" title="${escapeHtml(title)}">` +
        `${escapeHtml(formatTimestamp(secs, style || "f", ctx))}</time>`,
    );
  });
  out = out.replace(/<(@!?|@&|#)(\d{1,20})>/g, (_, kind, id) => keep(mention(kind, id, ctx)));
  out = out.replace(/<\/([\w\- ]{1,100}):(\d{1,20})>/g, (_, name) =>
    keep(`<span class="mention command">/${escapeHtml(name)}</span>`),
  );
  out = out.replace(/\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)/g, (_, label, url) =>
    keep(`<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${inline(label, ctx)}</a>`),
  );
  out = out.replace(/<?(https?:\/\/[^\s<>]+[^\s<>.,:;"')\]])>?/g, (_, url) =>
    keep(`<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(url)}</a>`),
  );
  out = escapeHtml(out);
  out = out.replace(/\*\*\*([^*]+?)\*\*\*/g, "<strong><em>$1</em></strong>");
  out = out.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  out = out.replace(/__(.+?)__/g, "<u>$1</u>");
  out = out.replace(/(^|[^*\w])\*(?!\s)([^*]+?)\*(?!\w)/g, "$1<em>$2</em>");
  out = out.replace(/(^|[^\w])_(?!\s)([^_]+?)_(?!\w)/g, "$1<em>$2</em>");
  out = out.replace(/~~(.+?)~~/g, "<s>$1</s>");
  out = out.replace(/\|\|(.+?)\|\|/g, '<span class="spoiler" tabindex="0">$1</span>');
  return out.replace(/\u0000(\d+)\u0000/g, (_, i) => stash[Number(i)]);
}

// ---------------------------------------------------------------- blocks
export function renderMarkdown(text, ctx, { embed = false } = {}) {
  const source = String(text ?? "");
  const parts = source.split(/```(?:[\w+-]*\n)?([\s\S]*?)```/g);
  let html = "";
  parts.forEach((part, index) => {
    if (index % 2 === 1) {
      html += `<pre class="codeblock"><code>${escapeHtml(part.replace(/\n$/, ""))}</code></pre>`;
    } else {
      html += blocks(part, ctx, embed);
    }
  });
  return html;
}

function blocks(text, ctx, embed) {
  const lines = text.split("\n");
  const out = [];
  let list = null;
  let quote = [];
  const flushList = () => {
    if (list) out.push(`<${list.tag} class="md-list">${list.items.join("")}</${list.tag}>`);
    list = null;
  };
  const flushQuote = () => {
    if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
    quote = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line.startsWith(">>> ")) {
      flushList();
      quote.push(...lines.slice(i).map((l, n) => inline(n === 0 ? l.slice(4) : l, ctx)));
      break;
    }
    const quoted = line.match(/^> ?(.*)$/);
    if (quoted) {
      flushList();
      quote.push(inline(quoted[1], ctx));
      continue;
    }
    flushQuote();
    const item = line.match(/^(\s*)(?:[-*]|(\d{1,3})\.) (.*)$/);
    if (item) {
      const tag = item[2] ? "ol" : "ul";
      if (!list || list.tag !== tag) {
        flushList();
        list = { tag, items: [] };
      }
      const nested = item[1].length >= 2 ? ' class="nested"' : "";
      list.items.push(`<li${nested}>${inline(item[3], ctx)}</li>`);
      continue;
    }
    flushList();
    const heading = line.match(/^(#{1,3}) (.+)$/);
    if (heading) {
      out.push(`<div class="md-h${heading[1].length}">${inline(heading[2], ctx)}</div>`);
      continue;
    }
    const sub = line.match(/^-# (.+)$/);
    if (sub) {
      out.push(`<div class="md-sub">${inline(sub[1], ctx)}</div>`);
      continue;
    }
    out.push(line === "" ? '<div class="md-gap"></div>' : `<div class="md-line">${inline(line, ctx)}</div>`);
  }
  flushList();
  flushQuote();
  // Trailing and leading empty lines carry no meaning.
  while (out.length && out[out.length - 1] === '<div class="md-gap"></div>') out.pop();
  while (out.length && out[0] === '<div class="md-gap"></div>') out.shift();
  return embed ? out.join("") : out.join("");
}
