// Messages as a Discord client shows them: author, content, embeds, files, buttons, selects.

import { avatar, colourOf, h } from "./dom.js";
import { escapeHtml, renderMarkdown } from "./markdown.js";
import { ButtonStyle, ComponentType, MessageFlag, MessageType } from "./kinds.js";

const { EPHEMERAL, LOADING } = MessageFlag;
const GROUP_MS = 7 * 60 * 1000;
const BUTTON_STYLES = Object.fromEntries(Object.entries(ButtonStyle).map(([name, style]) => [style, name.toLowerCase()]));
const COMMAND_TYPES = [MessageType.CHAT_INPUT_COMMAND, MessageType.CONTEXT_MENU_COMMAND];

export function timeLabel(iso, ctx) {
  const when = new Date(iso);
  const zone = ctx.timeZone ? { timeZone: ctx.timeZone } : {};
  const day = (d) => new Intl.DateTimeFormat("en-CA", { ...zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const time = new Intl.DateTimeFormat(undefined, { ...zone, hour: "2-digit", minute: "2-digit" }).format(when);
  const now = ctx.now();
  const yesterday = new Date(now.getTime() - 24 * 3600 * 1000);
  if (day(when) === day(now)) return `Today at ${time}`;
  if (day(when) === day(yesterday)) return `Yesterday at ${time}`;
  const date = new Intl.DateTimeFormat(undefined, { ...zone, day: "numeric", month: "short", year: "numeric" }).format(when);
  return `${date} ${time}`;
}

function fullTime(iso, ctx) {
  const zone = ctx.timeZone ? { timeZone: ctx.timeZone } : {};
  return new Intl.DateTimeFormat(undefined, { ...zone, dateStyle: "full", timeStyle: "short" }).format(new Date(iso));
}

export function groupable(previous, message) {
  if (!previous || COMMAND_TYPES.includes(message.type) || previous.ephemeral !== message.ephemeral) return false;
  if (previous.author.id !== message.author.id || (message.type !== MessageType.DEFAULT && message.type !== MessageType.REPLY)) return false;
  return new Date(message.timestamp) - new Date(previous.timestamp) < GROUP_MS;
}

export function renderMessage(message, ctx, { grouped = false } = {}) {
  const authorId = message.author.id;
  const isBot = Boolean(message.author.bot) || "webhook_id" in message;
  const name = message.webhook_id && message.author.id !== ctx.botId ? message.author.username : ctx.userName(authorId);
  const classes = ["message"];
  if (message.ephemeral) classes.push("ephemeral");
  if (grouped) classes.push("grouped");
  const main = h("div", { class: "message-main" });
  const node = h("article", { class: classes.join(" "), dataset: { id: message.id }, "aria-label": `Message from ${name}` });
  const command = message.interaction_metadata && COMMAND_TYPES.includes(message.type);
  if (command) {
    const meta = message.interaction_metadata;
    const used = message.command_path || (message.interaction && message.interaction.name) || "";
    node.append(
      h("div", { class: "reply-line" },
        h("span", { class: "reply-spine", "aria-hidden": "true" }),
        h("span", { class: "reply-who" }, ctx.userName(meta.user.id)),
        h("span", { class: "muted" }, " used "),
        h("span", { class: "reply-command" }, message.type === MessageType.CHAT_INPUT_COMMAND ? `/${used}` : used)),
    );
  }
  if (grouped) {
    node.append(h("time", { class: "gutter-time", datetime: message.timestamp, title: fullTime(message.timestamp, ctx) },
      new Intl.DateTimeFormat(undefined, { ...(ctx.timeZone ? { timeZone: ctx.timeZone } : {}), hour: "2-digit", minute: "2-digit" }).format(new Date(message.timestamp))));
  } else {
    node.append(avatar(name, authorId, { bot: isBot && authorId === ctx.botId }));
    const colour = ctx.memberColour(authorId);
    main.append(
      h("div", { class: "message-header" },
        h("span", { class: "author", style: colour ? `color:${colour}` : null, dataset: { user: authorId } }, name),
        isBot ? h("span", { class: "app-tag" }, "APP") : null,
        h("time", { class: "stamp", datetime: message.timestamp, title: fullTime(message.timestamp, ctx) }, timeLabel(message.timestamp, ctx))),
    );
  }
  main.append(...body(message, ctx));
  if (message.thread) main.append(threadLink(message.thread, ctx));
  if (message.ephemeral) {
    main.append(
      h("div", { class: "ephemeral-note" },
        h("span", { class: "eye", "aria-hidden": "true" }, "👁"),
        "Only you can see this · ",
        h("button", { type: "button", class: "linkish", onclick: () => ctx.dismiss(message) }, "Dismiss message")),
    );
  }
  node.append(main);
  if (!message.ephemeral && message.type !== MessageType.THREAD_CREATED) {
    node.append(
      h("button", {
        type: "button", class: "message-menu", title: "Apps", "aria-label": `Apps for the message from ${name}`,
        onclick: (event) => ctx.messageMenu(message, event.currentTarget),
      }, "⋯"),
    );
    node.addEventListener("contextmenu", (event) => {
      event.preventDefault();
      ctx.messageMenu(message, event.currentTarget.querySelector(".message-menu"));
    });
  }
  return node;
}

function body(message, ctx) {
  const parts = [];
  if (message.type === MessageType.THREAD_CREATED) {
    parts.push(h("div", { class: "system" }, `started a thread: ${message.content}`));
    return parts;
  }
  if (message.flags & LOADING) {
    parts.push(h("div", { class: "thinking" }, `${ctx.botName} is thinking`, h("span", { class: "dots" }, "…")));
  }
  if (message.content) {
    parts.push(h("div", { class: "content", html: renderMarkdown(message.content, ctx) }));
  }
  const used = new Set();
  if (message.embeds && message.embeds.length) {
    parts.push(h("div", { class: "embeds" }, message.embeds.map((e) => renderEmbed(e, message, ctx, used))));
  }
  const files = (message.attachments || []).filter((a) => !used.has(a.filename));
  if (files.length) parts.push(h("div", { class: "attachments" }, files.map((a) => renderAttachment(a))));
  if (message.components && message.components.length) {
    parts.push(h("div", { class: "components" }, message.components.map((c) => renderComponent(c, message, ctx))));
  }
  return parts;
}

function threadLink(thread, ctx) {
  const count = thread.message_count;
  return h("button", { type: "button", class: "thread-link", onclick: () => ctx.openChannel(thread.id) },
    h("span", { class: "thread-icon", "aria-hidden": "true" }, thread.private ? "🔒" : "🧵"),
    h("strong", {}, thread.name),
    h("span", { class: "muted" }, count ? ` · ${count} message${count === 1 ? "" : "s"}` : " · View thread"));
}

// Only web links leave the page; anything else (javascript:, data:) is shown as plain text.
function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function attachmentUrl(url, message) {
  if (typeof url === "string" && url.startsWith("attachment://")) {
    const name = url.slice("attachment://".length);
    const found = (message.attachments || []).find((a) => a.filename === name);
    return found ? { url: found.url, name } : null;
  }
  return safeUrl(url) || (typeof url === "string" && url.startsWith("/ui/")) ? { url, name: null } : null;
}

function renderEmbed(embed, message, ctx, used) {
  const colour = colourOf(embed.color) || "#1e1f22";
  const grid = h("div", { class: "embed-grid" });
  if (embed.author && embed.author.name) grid.append(h("div", { class: "embed-author" }, embed.author.name));
  if (embed.title) {
    const title = safeUrl(embed.url)
      ? h("a", { href: safeUrl(embed.url), target: "_blank", rel: "noopener noreferrer", html: renderMarkdown(embed.title, ctx) })
      : h("span", { html: renderMarkdown(embed.title, ctx) });
    grid.append(h("div", { class: "embed-title" }, title));
  }
  if (embed.description) grid.append(h("div", { class: "embed-description", html: renderMarkdown(embed.description, ctx) }));
  if (embed.fields && embed.fields.length) {
    grid.append(h("div", { class: "embed-fields" }, embed.fields.map((f) =>
      h("div", { class: `embed-field${f.inline ? " inline" : ""}` },
        h("div", { class: "embed-field-name", html: renderMarkdown(f.name, ctx) }),
        h("div", { class: "embed-field-value", html: renderMarkdown(f.value, ctx) })))));
  }
  const image = embed.image && attachmentUrl(embed.image.url, message);
  if (image) {
    if (image.name) used.add(image.name);
    grid.append(h("img", { class: "embed-image", src: image.url, alt: embed.title ? `Image: ${embed.title}` : "Image", loading: "lazy" }));
  }
  const footerBits = [];
  if (embed.footer && embed.footer.text) footerBits.push(embed.footer.text);
  if (embed.timestamp) footerBits.push(timeLabel(embed.timestamp, ctx));
  if (footerBits.length) grid.append(h("div", { class: "embed-footer" }, footerBits.join(" • ")));
  const node = h("div", { class: "embed", style: `border-left-color:${colour}` }, grid);
  const thumb = embed.thumbnail && attachmentUrl(embed.thumbnail.url, message);
  if (thumb) {
    if (thumb.name) used.add(thumb.name);
    node.append(h("img", { class: "embed-thumb", src: thumb.url, alt: "" }));
  }
  return node;
}

function renderAttachment(file) {
  const type = file.content_type || "";
  if (type.startsWith("image/") || /\.(png|jpe?g|gif|webp)$/i.test(file.filename)) {
    return h("a", { href: file.url, target: "_blank", class: "attachment-image" },
      h("img", { src: file.url, alt: file.description || file.filename, loading: "lazy" }));
  }
  return h("a", { class: "attachment-file", href: file.url, download: file.filename },
    h("span", { class: "file-icon", "aria-hidden": "true" }, "📄"),
    h("span", {}, h("span", { class: "file-name" }, file.filename), h("span", { class: "muted file-size" }, ` ${Math.max(1, Math.round(file.size / 1024))} KB`)));
}

// ---------------------------------------------------------------- components
export function renderComponent(comp, message, ctx) {
  switch (comp.type) {
    case ComponentType.ACTION_ROW:
      return h("div", { class: "action-row" }, (comp.components || []).map((c) => renderComponent(c, message, ctx)));
    case ComponentType.BUTTON:
      return renderButton(comp, message, ctx);
    case ComponentType.STRING_SELECT: case ComponentType.USER_SELECT: case ComponentType.ROLE_SELECT:
    case ComponentType.MENTIONABLE_SELECT: case ComponentType.CHANNEL_SELECT:
      return renderSelect(comp, ctx, (values) => ctx.select(message, comp, values));
    case ComponentType.TEXT_DISPLAY:
      return h("div", { class: "text-display", html: renderMarkdown(comp.content, ctx) });
    case ComponentType.SEPARATOR:
      return h("hr", { class: "separator" });
    case ComponentType.SECTION:
      return h("div", { class: "section" },
        h("div", {}, (comp.components || []).map((c) => renderComponent(c, message, ctx))),
        comp.accessory ? renderComponent(comp.accessory, message, ctx) : null);
    case ComponentType.CONTAINER:
      return h("div", { class: "container", style: comp.accent_color ? `border-left-color:${colourOf(comp.accent_color)}` : null },
        (comp.components || []).map((c) => renderComponent(c, message, ctx)));
    default:
      return h("div", { class: "muted" }, `(a component of type ${comp.type})`);
  }
}

function renderButton(comp, message, ctx) {
  const style = BUTTON_STYLES[comp.style] || "secondary";
  const label = [comp.emoji && comp.emoji.name ? `${comp.emoji.name} ` : "", comp.label || ""].join("");
  if (comp.style === ButtonStyle.LINK) {
    return h("a", { class: `button ${style}`, href: safeUrl(comp.url), target: "_blank", rel: "noopener noreferrer" }, label, h("span", { class: "external", "aria-hidden": "true" }, " ↗"));
  }
  return h("button", {
    type: "button", class: `button ${style}`, disabled: Boolean(comp.disabled), dataset: { customId: comp.custom_id || "" },
    onclick: (event) => ctx.click(message, comp, event.currentTarget),
  }, label || "\u00a0");
}

export function selectOptions(comp, ctx) {
  if (comp.type === ComponentType.STRING_SELECT) return comp.options || [];
  if (comp.type === ComponentType.USER_SELECT) return ctx.people().map((p) => ({ label: p.name, value: p.id }));
  if (comp.type === ComponentType.ROLE_SELECT) return ctx.roles().map((r) => ({ label: `@${r.name}`, value: r.id }));
  if (comp.type === ComponentType.MENTIONABLE_SELECT) return [...ctx.people().map((p) => ({ label: p.name, value: p.id })), ...ctx.roles().map((r) => ({ label: `@${r.name}`, value: r.id }))];
  const types = comp.channel_types;
  return ctx.channels().filter((c) => !types || types.includes(c.type)).map((c) => ({ label: `#${c.name}`, value: c.id }));
}

// A select menu: single choices send at once; several are sent when the menu closes.
export function renderSelect(comp, ctx, onChoose, { inModal = false } = {}) {
  const options = selectOptions(comp, ctx);
  const min = comp.min_values ?? 1;
  const max = comp.max_values ?? 1;
  const chosen = new Set(options.filter((o) => o.default).map((o) => o.value));
  const trigger = h("button", { type: "button", class: "select-trigger", disabled: Boolean(comp.disabled), "aria-haspopup": "listbox" });
  const menu = h("div", { class: "select-menu", role: "listbox", hidden: true, "aria-multiselectable": max > 1 ? "true" : null });
  const wrap = h("div", { class: "select", dataset: { customId: comp.custom_id || "" } }, trigger, menu);
  const label = () => {
    const names = options.filter((o) => chosen.has(o.value)).map((o) => o.label);
    trigger.innerHTML = "";
    trigger.append(h("span", { class: names.length ? "" : "placeholder" }, names.length ? names.join(", ") : comp.placeholder || "Make a selection"), h("span", { class: "chevron", "aria-hidden": "true" }, "▾"));
  };
  let before = "";
  const close = (send) => {
    if (menu.hidden) return;
    menu.hidden = true;
    wrap.classList.remove("open");
    document.removeEventListener("mousedown", outside, true);
    const now = [...chosen].join(",");
    if (send && max > 1 && now !== before && chosen.size >= min) onChoose([...chosen]);
  };
  const outside = (event) => { if (!wrap.contains(event.target)) close(true); };
  options.forEach((option) => {
    const row = h("div", { class: "select-option", role: "option", tabindex: "0", dataset: { value: option.value } },
      max > 1 ? h("span", { class: "check", "aria-hidden": "true" }) : null,
      h("span", { class: "option-text" },
        h("span", { class: "option-label" }, [option.emoji && option.emoji.name ? `${option.emoji.name} ` : "", option.label]),
        option.description ? h("span", { class: "option-description" }, option.description) : null));
    const pick = () => {
      if (max > 1) {
        if (chosen.has(option.value)) chosen.delete(option.value);
        else if (chosen.size < max) chosen.add(option.value);
        row.classList.toggle("chosen", chosen.has(option.value));
        row.setAttribute("aria-selected", chosen.has(option.value) ? "true" : "false");
        label();
        if (inModal) onChoose([...chosen]);
        return;
      }
      chosen.clear();
      chosen.add(option.value);
      label();
      close(false);
      onChoose([option.value]);
    };
    row.addEventListener("click", pick);
    row.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pick(); } });
    if (chosen.has(option.value)) row.classList.add("chosen");
    menu.append(row);
  });
  if (max > 1 && !inModal) {
    menu.append(h("div", { class: "select-done" }, h("button", { type: "button", class: "button primary small", onclick: () => close(true) }, "Done")));
  }
  trigger.addEventListener("click", () => {
    if (!menu.hidden) { close(true); return; }
    before = [...chosen].join(",");
    menu.hidden = false;
    wrap.classList.add("open");
    document.addEventListener("mousedown", outside, true);
  });
  label();
  wrap.values = () => [...chosen];
  return wrap;
}

export { EPHEMERAL, escapeHtml };
