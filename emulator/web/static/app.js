// The practice client: who you are, what you can see, and acting in the emulated Discord.

import { CommandBox } from "./commands.js";
import { closeOverlays, memberCard, openModal, popupMenu } from "./dialogs.js";
import { avatar, clear, colourOf, h, toast } from "./dom.js";
import { HostControls } from "./host.js";
import { formatTimestamp } from "./markdown.js";
import { groupable, renderMessage } from "./messages.js";
import { CallbackType, ChannelType, CommandType } from "./kinds.js";

const app = {
  people: [], features: {}, tour: [], status: {},
  me: null, channelId: null, view: null, channel: null, commands: [], commandsKey: "",
  panel: "chat", refreshing: false, again: false, nodes: new Map(),
};
window.practice = app;

// ---------------------------------------------------------------- server calls
async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { data = { ok: false, error: `The server answered ${response.status}.` }; }
  return data;
}

async function act(body, { quiet = false } = {}) {
  const result = await postJson(`/ui/api/act?as=${app.me}`, body);
  if (!result || !result.ok) {
    if (!quiet) toast(result ? result.error : "That didn't work.", "error");
    return null;
  }
  return result;
}

// ---------------------------------------------------------------- the context renderers use
const guild = () => (app.view && app.view.guilds[0]) || null;
const member = (id) => guild()?.members.find((m) => m.id === id);
const roleById = (id) => guild()?.roles.find((r) => r.id === id);
const person = (id) => app.people.find((p) => p.id === id);

function topColour(id) {
  const found = member(id);
  if (!found) return null;
  const roles = found.roles.map(roleById).filter((r) => r && r.color).sort((a, b) => b.position - a.position);
  return roles.length ? colourOf(roles[0].color) : null;
}

function allChannels() {
  const g = guild();
  if (!g) return [];
  return g.channels.flatMap((c) => [c, ...c.threads.map((t) => ({ ...t, type: t.type, name: t.name }))]);
}

const ctx = {
  timeZone: null,
  now: () => new Date(Date.now() + (app.status.clock ? app.status.clock.offset_ms : 0)),
  get botId() { return app.view ? app.view.bot.id : null; },
  get botName() { return app.view ? app.view.bot.name : "The bot"; },
  userName: (id) => member(id)?.name || (app.view && id === app.view.bot.id ? app.view.bot.name : person(id)?.name || "Unknown user"),
  role: (id) => roleById(id),
  channel: (id) => {
    const found = allChannels().find((c) => c.id === id);
    return found ? { name: found.name, voice: found.type === ChannelType.VOICE } : null;
  },
  memberColour: topColour,
  people: () => (guild() ? guild().members.map((m) => ({ id: m.id, name: m.name })) : []),
  roles: () => (guild() ? guild().roles.filter((r) => r.id !== guild().id) : []),
  channels: () => allChannels(),
  openChannel: (id) => openChannel(id),
  dismiss: (message) => act({ kind: "dismiss", message_id: message.id }).then(refresh),
  click: async (message, comp, button) => {
    button.disabled = true;
    const result = await act({ kind: "click", message_id: message.id, custom_id: comp.custom_id });
    button.disabled = false;
    answered(result);
  },
  select: async (message, comp, values) => answered(await act({ kind: "select", message_id: message.id, custom_id: comp.custom_id, values })),
  messageMenu: (message, anchor) => {
    const apps = app.commands.filter((c) => c.type === CommandType.MESSAGE).map((c) => ({
      label: c.name, run: async () => answered(await act({ kind: "message_command", name: c.name, message_id: message.id })),
    }));
    popupMenu(anchor, "Apps", apps, { empty: "No apps for this message" });
  },
};

function answered(result) {
  if (!result) return;
  if (result.type === CallbackType.MODAL && result.modal) {
    openModal(result.modal, ctx, async (values) => {
      const answer = await postJson(`/ui/api/act?as=${app.me}`, { kind: "modal", interaction_id: result.modal.interaction_id, values });
      if (!answer || !answer.ok) return answer ? answer.error : "That didn't work.";
      answered(answer);
      return null;
    });
  }
}

const commandBox = new CommandBox({
  commands: () => app.commands,
  channel: () => app.channel && app.channel.channel,
  botName: () => ctx.botName,
  people: ctx.people,
  roles: ctx.roles,
  allChannels,
  act,
  answered,
});

// ---------------------------------------------------------------- refreshing
async function refresh() {
  if (!app.me) return;
  if (app.refreshing) { app.again = true; return; }
  app.refreshing = true;
  try {
    do {
      app.again = false;
      const query = app.channelId ? `&channel=${app.channelId}` : "";
      const data = await getJson(`/ui/api/view?as=${app.me}${query}`);
      app.view = data.state;
      app.status = data.status || {};
      app.channel = data.channel || null;
      if (app.panel === "chat" && !app.channel) {
        const first = firstChannel();
        if (first && first !== app.channelId) { app.channelId = first; app.again = true; continue; }
      }
      const key = `${app.me}:${app.channelId}:${data.state.commands_version}`;
      if (key !== app.commandsKey && app.channelId) {
        const found = await getJson(`/ui/api/commands?as=${app.me}&channel=${app.channelId}`);
        app.commands = found.commands;
        app.commandsKey = key;
      }
      render();
    } while (app.again);
  } catch (error) {
    // The server going away (a network error) is shown in the host bar; anything else is a bug.
    if (error instanceof TypeError && /fetch/i.test(error.message)) console.warn("refresh failed", error);
    else console.error("refresh failed", error);
  } finally {
    app.refreshing = false;
  }
}

function firstChannel() {
  const g = guild();
  const text = g ? g.channels.find((c) => c.type === ChannelType.TEXT) : null;
  return text ? text.id : null;
}

function openChannel(id) {
  app.channelId = id;
  app.panel = "chat";
  app.nodes.clear();
  commandBox.reset();
  closeOverlays();
  refresh();
}

// ---------------------------------------------------------------- rendering
function render() {
  const g = guild();
  document.getElementById("guild-name").textContent = g ? g.name : "No server";
  const icon = document.getElementById("guild-icon");
  icon.textContent = g ? g.name.slice(0, 1).toUpperCase() : "";
  icon.title = g ? g.name : "";
  document.title = g ? `${g.name} · practice` : "Practice server";
  renderChannels(g);
  renderMembers(g);
  renderHeader();
  if (app.panel === "events") renderEvents(g);
  else renderMessages();
  commandBox.placeholder();
  document.getElementById("composer").hidden = app.panel !== "chat" || !app.channel;
  host.render();
}

function channelButton(channel, { thread = false } = {}) {
  const icon = channel.type === ChannelType.VOICE ? "🔊" : thread ? (channel.private ? "🔒" : "🧵") : channel.private ? "🔒" : "#";
  const active = app.panel === "chat" && channel.id === app.channelId;
  return h("button", {
    type: "button", class: `channel${active ? " active" : ""}${thread ? " thread" : ""}${channel.archived ? " archived" : ""}`,
    dataset: { channel: channel.id, name: channel.name }, "aria-current": active ? "page" : null,
    onclick: () => openChannel(channel.id),
  }, h("span", { class: "channel-icon", "aria-hidden": "true" }, icon), h("span", { class: "channel-name" }, channel.name),
  channel.private && !thread ? h("span", { class: "sr-only" }, " (private)") : null);
}

function renderChannels(g) {
  const root = clear(document.getElementById("channels"));
  if (!g) return;
  const events = g.events.filter((e) => e.status === 1 || e.status === 2);
  root.append(h("button", {
    type: "button", class: `channel events-link${app.panel === "events" ? " active" : ""}`,
    onclick: () => { app.panel = "events"; render(); },
  }, h("span", { class: "channel-icon", "aria-hidden": "true" }, "📅"), h("span", { class: "channel-name" }, `${events.length} Event${events.length === 1 ? "" : "s"}`)));
  const groups = new Map();
  for (const channel of g.channels) {
    const key = channel.parent_id || "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(channel);
  }
  const order = ["", ...g.categories.sort((a, b) => a.position - b.position).map((c) => c.id)];
  for (const key of order) {
    const list = groups.get(key);
    if (!list) continue;
    const category = g.categories.find((c) => c.id === key);
    if (category) root.append(h("div", { class: "category" }, category.name));
    for (const channel of list.sort((a, b) => a.position - b.position)) {
      root.append(channelButton(channel));
      for (const thread of channel.threads) root.append(channelButton(thread, { thread: true }));
    }
  }
  root.append(h("div", { class: "category" }, "Direct messages"));
  if (app.view.dms.length) {
    for (const dm of app.view.dms) {
      const active = app.panel === "chat" && dm.id === app.channelId;
      root.append(h("button", {
        type: "button", class: `channel dm${active ? " active" : ""}`, dataset: { channel: dm.id, name: dm.name },
        onclick: () => openChannel(dm.id),
      }, avatar(dm.name, app.view.bot.id, { bot: true, size: "tiny" }), h("span", { class: "channel-name" }, dm.name)));
    }
  } else {
    root.append(h("div", { class: "muted small pad" }, "No messages yet"));
  }
}

function renderMembers(g) {
  const root = clear(document.getElementById("members"));
  if (!g) return;
  const hoisted = g.roles.filter((r) => r.hoist).sort((a, b) => b.position - a.position);
  const placed = new Set();
  const section = (title, people) => {
    if (!people.length) return;
    root.append(h("div", { class: "member-group" }, `${title} — ${people.length}`));
    for (const m of people) {
      placed.add(m.id);
      const colour = topColour(m.id);
      const row = h("button", { type: "button", class: `member${m.id === app.me ? " me" : ""}`, dataset: { user: m.id } },
        avatar(m.name, m.id, { bot: m.bot && m.id === app.view.bot.id, size: "small" }),
        h("span", { class: "member-name", style: colour ? `color:${colour}` : null }, m.name),
        m.bot ? h("span", { class: "app-tag" }, "APP") : null,
        m.id === g.owner_id ? h("span", { class: "crown", title: "Server owner" }, "👑") : null);
      row.addEventListener("click", () => showMember(m, row));
      row.addEventListener("contextmenu", (event) => { event.preventDefault(); showMember(m, row); });
      root.append(row);
    }
  };
  for (const role of hoisted) section(role.name, g.members.filter((m) => !placed.has(m.id) && m.roles.includes(role.id)));
  section("Members", g.members.filter((m) => !placed.has(m.id)));
}

function showMember(m, anchor) {
  const roles = m.roles.map(roleById).filter(Boolean).sort((a, b) => b.position - a.position)
    .map((r) => ({ name: r.name, colour: colourOf(r.color) }));
  const apps = app.commands.filter((c) => c.type === CommandType.USER).map((c) => ({
    label: c.name,
    run: async () => answered(await act({ kind: "user_command", name: c.name, user_id: m.id, channel_id: app.channelId })),
  }));
  const known = person(m.id);
  const be = known && m.id !== app.me ? () => host.ctx.be(m.id) : null;
  memberCard(anchor, { name: m.name, username: m.username }, roles, apps, known && known.about, be);
}

function renderHeader() {
  const root = clear(document.getElementById("chat-header"));
  if (app.panel === "events") {
    root.append(h("span", { class: "header-icon" }, "📅"), h("h1", {}, "Events"));
    return;
  }
  if (!app.channel) return;
  const c = app.channel.channel;
  const icon = c.type === ChannelType.DM ? "@" : c.type === ChannelType.VOICE ? "🔊" : c.type === ChannelType.PUBLIC_THREAD || c.type === ChannelType.PRIVATE_THREAD ? (c.type === ChannelType.PRIVATE_THREAD ? "🔒" : "🧵") : c.private ? "🔒" : "#";
  root.append(h("span", { class: "header-icon", "aria-hidden": "true" }, icon), h("h1", {}, c.name));
  if (c.type === ChannelType.PRIVATE_THREAD) root.append(h("span", { class: "header-topic" }, "Private thread: only the people in it can see it"));
  else if (c.type === ChannelType.PUBLIC_THREAD) root.append(h("span", { class: "header-topic" }, "Thread"));
  else if (c.topic) root.append(h("span", { class: "header-topic" }, c.topic));
  else if (c.private) root.append(h("span", { class: "header-topic" }, "Private channel: hidden from @everyone"));
}

function voiceCard(channel) {
  const rows = channel.access.map((entry) => {
    const who = member(entry.user_id);
    const state = entry.can_connect ? "can join" : entry.can_view ? "can see it, can't join" : "can't see it";
    return h("li", { class: `access ${entry.can_connect ? "yes" : entry.can_view ? "partly" : "no"}` },
      h("span", { class: "access-dot", "aria-hidden": "true" }),
      h("span", { class: "access-name" }, who ? who.name : entry.user_id), h("span", { class: "muted" }, ` · ${state}`));
  });
  const joining = channel.access.filter((e) => e.can_connect).length;
  return h("section", { class: "voice-card", "aria-label": "Who may see and join this room" },
    h("div", { class: "voice-title" }, "🔊 Who may see and join this room right now"),
    h("div", { class: "muted small" }, `${joining} of ${channel.access.length} people can join. Nobody is talking: this is a practice server.`),
    h("ul", { class: "access-list" }, rows));
}

function renderMessages() {
  const root = document.getElementById("messages");
  const atBottom = root.scrollHeight - root.scrollTop - root.clientHeight < 80;
  const wanted = [];
  const data = app.channel;
  if (!data) { clear(root); return; }
  if (data.channel.access) wanted.push(["voice", JSON.stringify(data.channel.access), () => voiceCard(data.channel)]);
  if (!data.messages.length) {
    wanted.push(["empty", data.channel.id, () => h("div", { class: "empty" },
      h("div", { class: "empty-title" }, data.channel.type === ChannelType.DM ? `This is the start of your messages with ${data.channel.name}.` : `Welcome to ${data.channel.name}!`),
      h("div", { class: "muted" }, "Nothing has been said here yet."))]);
  }
  let previous = null;
  for (const message of data.messages) {
    const grouped = groupable(previous, message);
    const key = `${JSON.stringify(message)}|${grouped}|${ctx.timeZone}`;
    wanted.push([message.id, key, () => renderMessage(message, ctx, { grouped })]);
    previous = message;
  }
  const nodes = [];
  const fresh = new Map();
  for (const [id, key, make] of wanted) {
    const cached = app.nodes.get(id);
    const node = cached && cached.key === key ? cached.node : make();
    fresh.set(id, { key, node });
    nodes.push(node);
  }
  app.nodes = fresh;
  const current = [...root.children];
  if (current.length !== nodes.length || current.some((n, i) => n !== nodes[i])) root.replaceChildren(...nodes);
  refreshTimes(root);
  if (atBottom) root.scrollTop = root.scrollHeight;
}

function refreshTimes(root) {
  for (const node of root.querySelectorAll("time.ts[data-style='R']")) {
    node.textContent = formatTimestamp(node.dataset.ts, "R", ctx);
  }
}

function renderEvents(g) {
  const root = document.getElementById("messages");
  app.nodes.clear();
  const list = g.events.filter((e) => e.status === 1 || e.status === 2);
  const when = (iso) => formatTimestamp(Date.parse(iso) / 1000, "F", ctx);
  const cards = list.map((e) => {
    const place = e.channel_id ? ctx.channel(e.channel_id) : null;
    return h("article", { class: "event-card" },
      h("div", { class: "event-when" }, e.status === 2 ? "Happening now" : `${when(e.scheduled_start_time)} · ${formatTimestamp(Date.parse(e.scheduled_start_time) / 1000, "R", ctx)}`),
      h("div", { class: "event-name" }, e.name),
      h("div", { class: "muted" }, place ? `🔊 ${place.name}` : (e.entity_metadata && e.entity_metadata.location) || ""),
      e.description ? h("div", { class: "event-description" }, e.description) : null);
  });
  root.replaceChildren(
    h("div", { class: "events-view" },
      h("div", { class: "muted small" }, "Scheduled events in this server, as Discord lists them (Hearth mirrors each circle meeting here)."),
      cards.length ? cards : h("div", { class: "empty" }, h("div", { class: "empty-title" }, "No upcoming events"), h("div", { class: "muted" }, "Circles a facilitator schedules appear here."))));
}

// ---------------------------------------------------------------- who you are
function choosePerson(id) {
  app.me = id;
  localStorage.setItem("practice-me", id);
  const known = person(id);
  ctx.timeZone = known && known.tz ? known.tz : null;
  document.getElementById("me-detail").textContent = known ? [known.role, known.tz].filter(Boolean).join(" · ") : "";
  app.commandsKey = "";
  app.nodes.clear();
  commandBox.reset();
  closeOverlays();
  refresh();
}

function fillPeople() {
  const select = clear(document.getElementById("who"));
  for (const p of app.people) select.append(h("option", { value: p.id }, p.role ? `${p.name} (${p.role})` : p.name));
  select.addEventListener("change", () => choosePerson(select.value));
}

// ---------------------------------------------------------------- live updates
function connect() {
  const socket = new WebSocket(`ws://${location.host}/ui/api/live`);
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "changed") refresh();
    else host.event(data);
  });
  socket.addEventListener("close", () => {
    host.offline();
    setTimeout(connect, 1000);
  });
  socket.addEventListener("open", () => refresh());
}

const host = new HostControls({
  status: () => app.status,
  setStatus: (status) => { app.status = status; },
  features: () => app.features,
  tour: () => app.tour,
  people: () => app.people,
  postJson,
  refresh,
  be: (id, channel) => {
    document.getElementById("who").value = id;
    if (channel) { app.channelId = channel; app.panel = "chat"; }
    choosePerson(id);
  },
  now: ctx.now,
  timeZone: () => ctx.timeZone,
});

document.getElementById("messages").addEventListener("click", (event) => {
  const mention = event.target.closest(".channel-mention");
  if (mention && allChannels().some((c) => c.id === mention.dataset.channel)) openChannel(mention.dataset.channel);
});

async function boot() {
  const info = await getJson("/ui/api/host");
  app.people = info.people;
  app.features = info.features;
  app.tour = info.tour;
  app.status = info.status || {};
  fillPeople();
  const landing = app.tour.find((step) => step.channel);
  if (landing) app.channelId = landing.channel;
  const saved = localStorage.getItem("practice-me");
  const first = app.people.find((p) => p.id === saved) || app.people[0];
  host.setup();
  if (first) {
    document.getElementById("who").value = first.id;
    choosePerson(first.id);
  }
  connect();
  setInterval(() => { refreshTimes(document.getElementById("messages")); host.tick(); }, 15000);
}

boot().catch((error) => {
  console.warn("could not start", error);
  toast("The practice server isn't answering. Is it still running?", "error");
});
