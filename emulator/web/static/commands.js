// The command box: "/" lists the commands the bot registered that this person may use here,
// with their options, choices and live autocomplete.

import { clear, h, toast } from "./dom.js";
import { ChannelType, CommandType, OptionType } from "./kinds.js";

const SUB = OptionType.SUB_COMMAND;
const GROUP = OptionType.SUB_COMMAND_GROUP;
const TYPE_NAMES = {
  [OptionType.STRING]: "text", [OptionType.INTEGER]: "whole number", [OptionType.BOOLEAN]: "true or false",
  [OptionType.USER]: "member", [OptionType.CHANNEL]: "channel", [OptionType.ROLE]: "role",
  [OptionType.MENTIONABLE]: "member or role", [OptionType.NUMBER]: "number", [OptionType.ATTACHMENT]: "file",
};

// Every runnable path of a chat command: "checkin share", "circle create", "crisis".
export function flatten(commands) {
  const out = [];
  for (const cmd of commands) {
    if ((cmd.type ?? CommandType.CHAT_INPUT) !== CommandType.CHAT_INPUT) continue;
    const options = cmd.options || [];
    const subs = options.filter((o) => o.type === SUB || o.type === GROUP);
    if (!subs.length) {
      out.push({ path: cmd.name, description: cmd.description, options });
      continue;
    }
    for (const sub of subs) {
      if (sub.type === SUB) out.push({ path: `${cmd.name} ${sub.name}`, description: sub.description, options: sub.options || [] });
      else for (const leaf of sub.options || []) out.push({ path: `${cmd.name} ${sub.name} ${leaf.name}`, description: leaf.description, options: leaf.options || [] });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export class CommandBox {
  constructor(ctx) {
    this.ctx = ctx;
    this.input = document.getElementById("composer-input");
    this.popup = document.getElementById("command-popup");
    this.form = document.getElementById("command-form");
    this.active = null;
    this.fields = [];
    this.highlight = 0;
    this.matches = [];
    this.input.addEventListener("input", () => this.typed());
    this.input.addEventListener("keydown", (event) => this.key(event));
    document.getElementById("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
  }

  reset() {
    this.active = null;
    this.fields = [];
    this.form.hidden = true;
    clear(this.form);
    this.popup.hidden = true;
    this.input.value = "";
    this.input.readOnly = false;
    this.placeholder();
  }

  placeholder() {
    const channel = this.ctx.channel();
    if (!channel) { this.input.placeholder = ""; return; }
    const where = channel.type === ChannelType.DM ? `@${channel.name}` : `#${channel.name}`;
    this.input.placeholder = channel.can_send
      ? `Message ${where}, or type / for commands`
      : "Type / for commands (you can't send messages here)";
  }

  typed() {
    if (this.active) return;
    const text = this.input.value;
    if (!text.startsWith("/")) { this.popup.hidden = true; return; }
    const needle = text.slice(1).trim().toLowerCase();
    this.matches = flatten(this.ctx.commands()).filter((c) => c.path.startsWith(needle) || c.path.includes(needle)).slice(0, 25);
    this.highlight = 0;
    this.showMatches();
  }

  showMatches() {
    clear(this.popup);
    this.popup.hidden = false;
    if (!this.matches.length) {
      const none = this.ctx.commands().length ? "No commands match" : "No commands you can use here";
      this.popup.append(h("div", { class: "popup-empty muted" }, none));
      return;
    }
    this.popup.append(h("div", { class: "popup-title" }, `Commands from ${this.ctx.botName()}`));
    this.matches.forEach((cmd, index) => {
      this.popup.append(h("div", {
        class: `command-option${index === this.highlight ? " highlighted" : ""}`, role: "option",
        "aria-selected": index === this.highlight ? "true" : "false", dataset: { path: cmd.path },
        onmousedown: (event) => { event.preventDefault(); this.choose(cmd); },
      }, h("span", { class: "command-name" }, `/${cmd.path}`), h("span", { class: "command-description muted" }, cmd.description || "")));
    });
  }

  key(event) {
    if (!this.popup.hidden && this.matches.length && !this.active) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.highlight = (this.highlight + step + this.matches.length) % this.matches.length;
        this.showMatches();
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        this.choose(this.matches[this.highlight]);
        return;
      }
    }
    if (event.key === "Escape") { this.reset(); return; }
    if (event.key === "Backspace" && this.active && this.input.readOnly) { event.preventDefault(); this.reset(); }
  }

  choose(cmd) {
    this.active = cmd;
    this.popup.hidden = true;
    this.input.value = `/${cmd.path}`;
    this.input.readOnly = true;
    this.input.placeholder = "";
    this.buildForm();
  }

  buildForm() {
    const cmd = this.active;
    clear(this.form);
    this.fields = [];
    const ordered = [...cmd.options].sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));
    const grid = h("div", { class: "option-grid" });
    for (const option of ordered) grid.append(this.optionField(option));
    this.form.append(
      h("div", { class: "command-form-header" },
        h("span", { class: "command-name" }, `/${cmd.path}`),
        h("span", { class: "muted" }, cmd.description || ""),
        h("button", { type: "button", class: "close", "aria-label": "Cancel the command", onclick: () => { this.reset(); this.input.focus(); } }, "×")),
      ordered.length ? grid : h("div", { class: "muted small" }, "No options: press Enter or Send."));
    this.form.hidden = false;
    const first = this.form.querySelector("input, select");
    (first || this.input).focus();
  }

  optionField(option) {
    const id = `opt-${option.name}`;
    const label = h("label", { for: id, class: "option-label" }, option.name,
      option.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : h("span", { class: "muted" }, " optional"));
    const hint = h("div", { class: "option-hint muted" }, option.description || TYPE_NAMES[option.type] || "");
    const state = { option, chosen: undefined, control: null };
    let control;
    const choicesFromWorld = this.worldChoices(option);
    if (option.choices && option.choices.length) {
      control = h("select", { id }, h("option", { value: "" }, "Choose…"), option.choices.map((c, i) => h("option", { value: String(i) }, c.name)));
      state.read = () => (control.value === "" ? undefined : option.choices[Number(control.value)].value);
    } else if (option.type === OptionType.BOOLEAN) {
      control = h("select", { id }, h("option", { value: "" }, "Choose…"), h("option", { value: "true" }, "True"), h("option", { value: "false" }, "False"));
      state.read = () => (control.value === "" ? undefined : control.value === "true");
    } else if (choicesFromWorld) {
      control = h("select", { id }, h("option", { value: "" }, "Choose…"), choicesFromWorld.map((c) => h("option", { value: c.value }, c.label)));
      state.read = () => control.value || undefined;
    } else {
      const numeric = option.type === OptionType.INTEGER || option.type === OptionType.NUMBER;
      control = h("input", {
        id, type: numeric && !option.autocomplete ? "number" : "text",
        min: option.min_value ?? null, max: option.max_value ?? null,
        maxlength: option.max_length ?? null, step: option.type === OptionType.NUMBER ? "any" : null,
        placeholder: option.autocomplete ? "Start typing for suggestions" : "",
      });
      state.read = () => {
        const raw = control.value.trim();
        if (state.chosen !== undefined && state.chosenLabel === control.value) return state.chosen;
        if (raw === "") return undefined;
        if (option.type === OptionType.INTEGER) return Number.isInteger(Number(raw)) ? Number(raw) : raw;
        if (option.type === OptionType.NUMBER) return Number.isNaN(Number(raw)) ? raw : Number(raw);
        return control.value;
      };
      if (option.autocomplete) this.autocomplete(state, control);
    }
    control.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.defaultPrevented) { event.preventDefault(); this.send(); }
      if (event.key === "Escape") this.reset();
    });
    state.control = control;
    this.fields.push(state);
    return h("div", { class: "option-field", dataset: { option: option.name } }, label, control, hint);
  }

  worldChoices(option) {
    if (option.type === OptionType.USER) return this.ctx.people().map((p) => ({ value: p.id, label: p.name }));
    if (option.type === OptionType.ROLE) return this.ctx.roles().map((r) => ({ value: r.id, label: `@${r.name}` }));
    if (option.type === OptionType.MENTIONABLE) return [...this.ctx.people().map((p) => ({ value: p.id, label: p.name })), ...this.ctx.roles().map((r) => ({ value: r.id, label: `@${r.name}` }))];
    if (option.type === OptionType.CHANNEL) {
      const types = option.channel_types;
      return this.ctx.allChannels().filter((c) => !types || types.includes(c.type)).map((c) => ({ value: c.id, label: c.type === ChannelType.VOICE ? `🔊 ${c.name}` : `#${c.name}` }));
    }
    return null;
  }

  autocomplete(state, control) {
    const list = h("ul", { class: "suggestions", role: "listbox", hidden: true });
    let timer = null;
    let shown = [];
    let index = -1;
    const render = () => {
      clear(list);
      list.hidden = !shown.length;
      shown.forEach((choice, i) => list.append(h("li", {
        role: "option", class: i === index ? "highlighted" : "", "aria-selected": i === index ? "true" : "false",
        onmousedown: (event) => { event.preventDefault(); pick(choice); },
      }, choice.name)));
    };
    const pick = (choice) => {
      state.chosen = choice.value;
      state.chosenLabel = choice.name;
      control.value = choice.name;
      shown = [];
      render();
    };
    const ask = async () => {
      const active = this.active;
      if (!active || !this.fields.includes(state)) return;
      const options = this.values({ except: state.option.name });
      options[state.option.name] = control.value;
      const result = await this.ctx.act({ kind: "autocomplete", command: active.path, channel_id: this.ctx.channel().id, focused: state.option.name, options }, { quiet: true });
      if (document.activeElement !== control || this.active !== active) return;
      shown = (result && result.choices) || [];
      index = shown.length ? 0 : -1;
      render();
    };
    control.addEventListener("input", () => {
      state.chosen = undefined;
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    control.addEventListener("focus", () => { clearTimeout(timer); timer = setTimeout(ask, 50); });
    control.addEventListener("blur", () => setTimeout(() => { shown = []; render(); }, 100));
    control.addEventListener("keydown", (event) => {
      if (!shown.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        index = (index + (event.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
        render();
      } else if ((event.key === "Enter" || event.key === "Tab") && index >= 0) {
        event.preventDefault();
        pick(shown[index]);
      }
    });
    control.after(list);
    queueMicrotask(() => control.parentElement && control.parentElement.append(list));
  }

  values({ except = null } = {}) {
    const out = {};
    for (const field of this.fields) {
      if (field.option.name === except) continue;
      const value = field.read();
      if (value !== undefined) out[field.option.name] = value;
    }
    return out;
  }

  async send() {
    if (!this.active) {
      const text = this.input.value.trim();
      if (!text) return;
      if (text.startsWith("/")) {
        if (this.matches.length) this.choose(this.matches[this.highlight] || this.matches[0]);
        return;
      }
      const result = await this.ctx.act({ kind: "message", channel_id: this.ctx.channel().id, content: text });
      if (result) this.input.value = "";
      return;
    }
    for (const field of this.fields) {
      if (field.option.required && field.read() === undefined) {
        toast(`Fill in “${field.option.name}” first.`, "error");
        field.control.focus();
        return;
      }
    }
    const command = this.active.path;
    const result = await this.ctx.act({ kind: "slash", command, channel_id: this.ctx.channel().id, options: this.values() });
    if (result) {
      this.reset();
      this.ctx.answered(result);
    }
  }
}
