// The host's controls above the client: the sandbox clock, skipping ahead, restarting the bot,
// the guided tour and the bot's own log. Hidden when the host offers none of them.

import { clear, h, toast } from "./dom.js";
import { renderMarkdown } from "./markdown.js";

const LOG_LIMIT = 200;

export class HostControls {
  constructor(ctx) {
    this.ctx = ctx;
    this.busy = false;
    this.panel = null;
    this.step = 0;
    this.logLines = [];
    this.connected = true;
  }

  setup() {
    const features = this.ctx.features();
    const status = this.ctx.status();
    const bar = document.getElementById("hostbar");
    const any = features.skip || features.restart || features.tour || status.clock;
    bar.hidden = !any;
    if (!any) return;
    if (status.name) document.getElementById("host-name").textContent = status.name;
    if (status.note) document.getElementById("host-note").textContent = status.note;
    document.getElementById("skip").hidden = !features.skip;
    for (const button of document.querySelectorAll("#skip button")) {
      button.addEventListener("click", () => this.skip(Number(button.dataset.minutes), button.textContent));
    }
    const restart = document.getElementById("restart");
    restart.hidden = !features.restart;
    if (status.bot_name) restart.textContent = `Restart ${status.bot_name}`;
    restart.addEventListener("click", () => this.restart());
    const tour = document.getElementById("tour-toggle");
    tour.hidden = !features.tour;
    tour.addEventListener("click", () => this.toggle("tour"));
    const log = document.getElementById("log-toggle");
    log.hidden = !features.log;
    if (status.bot_name) log.title = `What ${status.bot_name} wrote to its log`;
    log.addEventListener("click", () => this.toggle("log"));
    this.logLines = (status.log || []).slice(-LOG_LIMIT);
    if (features.tour && !localStorage.getItem("practice-tour-seen")) this.toggle("tour");
  }

  event(data) {
    if (data.type === "status") {
      this.ctx.setStatus(data.status);
      this.render();
    } else if (data.type === "progress") {
      this.progress(data);
    } else if (data.type === "log") {
      this.logLines.push(data.line);
      if (this.logLines.length > LOG_LIMIT) this.logLines.shift();
      if (this.panel === "log") this.renderLog(true);
    }
  }

  offline() {
    this.connected = false;
    this.render();
  }

  tick() {
    this.render();
  }

  clockText() {
    const now = this.ctx.now();
    const zone = this.ctx.timeZone();
    const text = new Intl.DateTimeFormat(undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", ...(zone ? { timeZone: zone } : {}),
    }).format(now);
    return zone ? `${text} (${zone.split("/").pop().replace(/_/g, " ")})` : text;
  }

  render() {
    const status = this.ctx.status();
    const clock = document.getElementById("clock");
    if (status.clock) {
      const ahead = status.clock.ahead_text ? ` · ${status.clock.ahead_text}` : "";
      clock.textContent = `🕰 ${this.clockText()}${ahead}`;
    }
    const bot = document.getElementById("bot-status");
    const state = this.connected ? status.bot_state : "disconnected";
    const words = { ready: "online", starting: "starting…", restarting: "restarting…", stopped: "stopped", disconnected: "page not connected" };
    bot.textContent = state ? `${status.bot_name || "Bot"} ${words[state] || state}` : "";
    bot.className = `bot-status ${state || ""}`;
    for (const button of document.querySelectorAll("#skip button")) button.disabled = this.busy || state !== "ready";
    document.getElementById("restart").disabled = this.busy || !["ready", "stopped"].includes(state);
    document.getElementById("hostbar").dataset.busy = this.busy ? "true" : "false";
    if (this.panel === "tour") this.renderTour();
  }

  async skip(minutes, label) {
    this.busy = true;
    this.render();
    document.getElementById("clock").classList.add("moving");
    const result = await this.ctx.postJson("/ui/api/host/skip", { minutes });
    document.getElementById("clock").classList.remove("moving");
    this.busy = false;
    if (result && result.ok) {
      this.ctx.setStatus(result.status || this.ctx.status());
      toast(`Skipped ahead ${label}. ${result.summary || ""}`.trim());
    } else {
      toast(result ? result.error : "Could not skip ahead.", "error");
    }
    this.render();
    this.ctx.refresh();
  }

  progress(data) {
    const clock = document.getElementById("clock");
    clock.textContent = `🕰 ${data.text}`;
  }

  async restart() {
    this.busy = true;
    this.render();
    const result = await this.ctx.postJson("/ui/api/host/restart", {});
    this.busy = false;
    if (result && result.ok) toast(result.summary || "Restarted.");
    else toast(result ? result.error : "Could not restart.", "error");
    this.render();
    this.ctx.refresh();
  }

  toggle(name) {
    const panel = document.getElementById("side-panel");
    if (this.panel === name) {
      this.panel = null;
      panel.hidden = true;
      return;
    }
    this.panel = name;
    panel.hidden = false;
    if (name === "tour") {
      localStorage.setItem("practice-tour-seen", "1");
      this.renderTour();
    } else {
      this.renderLog(false);
    }
  }

  panelHeader(title) {
    return h("div", { class: "panel-header" }, h("h2", {}, title),
      h("button", { type: "button", class: "close", "aria-label": `Close ${title}`, onclick: () => this.toggle(this.panel) }, "×"));
  }

  renderTour() {
    const steps = this.ctx.tour();
    const panel = clear(document.getElementById("side-panel"));
    if (!steps.length) return;
    this.step = Math.min(this.step, steps.length - 1);
    const step = steps[this.step];
    const who = this.ctx.people().find((p) => p.id === step.person);
    const md = { timeZone: this.ctx.timeZone(), now: this.ctx.now, userName: (id) => this.ctx.people().find((p) => p.id === id)?.name || "someone", role: () => null, channel: () => null };
    panel.append(
      this.panelHeader("Guided tour"),
      h("div", { class: "tour-progress muted small" }, `Step ${this.step + 1} of ${steps.length}`),
      h("ol", { class: "tour-steps" }, steps.map((s, i) => h("li", { class: i === this.step ? "current" : i < this.step ? "done" : "" },
        h("button", { type: "button", class: "linkish", onclick: () => { this.step = i; this.renderTour(); } }, s.title)))),
      h("article", { class: "tour-step" },
        h("h3", {}, step.title),
        who ? h("button", { type: "button", class: "button primary small", onclick: () => this.ctx.be(step.person, step.channel) }, step.channel_name ? `Be ${who.name} in ${step.channel_name}` : `Be ${who.name}`) : null,
        h("div", { class: "tour-text", html: renderMarkdown(step.text, md) })),
      h("div", { class: "tour-nav" },
        h("button", { type: "button", class: "button secondary small", disabled: this.step === 0, onclick: () => { this.step -= 1; this.renderTour(); } }, "Back"),
        h("button", { type: "button", class: "button primary small", disabled: this.step === steps.length - 1, onclick: () => { this.step += 1; this.renderTour(); } }, "Next")));
  }

  renderLog(append) {
    const panel = document.getElementById("side-panel");
    if (!append || !panel.querySelector(".log-lines")) {
      clear(panel);
      const status = this.ctx.status();
      panel.append(this.panelHeader(`${status.bot_name || "The bot"}'s log`),
        h("p", { class: "muted small" }, status.log_note || "What the bot wrote to its log."),
        h("ol", { class: "log-lines" }));
    }
    const list = panel.querySelector(".log-lines");
    clear(list);
    for (const line of this.logLines) {
      list.append(h("li", { class: `log-line ${line.level.toLowerCase()}` },
        h("span", { class: "log-time" }, line.time), h("span", { class: "log-level" }, line.level), h("span", { class: "log-text" }, line.text)));
    }
    list.scrollTop = list.scrollHeight;
  }
}
