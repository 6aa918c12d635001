// Modals as dialogs, and the small popup menus (message apps, member cards).

import { clear, h } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { renderSelect } from "./messages.js";
import { ComponentType, SELECT_TYPES, TextInputStyle } from "./kinds.js";

const overlayRoot = () => document.getElementById("overlay-root");

export function closeOverlays() {
  clear(overlayRoot());
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && overlayRoot().firstChild) closeOverlays();
});

// ---------------------------------------------------------------- modals
function field(comp, ctx, inputs, labelText, description) {
  const id = `field-${comp.custom_id}`;
  const wrap = h("div", { class: "modal-field" });
  if (labelText) {
    const required = comp.required !== false && comp.type !== ComponentType.CHECKBOX;
    wrap.append(h("label", { class: "field-label", for: id }, labelText, required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null));
  }
  if (description) wrap.append(h("div", { class: "field-description" }, description));
  if (comp.type === ComponentType.TEXT_INPUT) {
    const attrs = {
      id, name: comp.custom_id, placeholder: comp.placeholder || null,
      maxlength: comp.max_length || 4000, minlength: comp.min_length || null,
      required: comp.required !== false,
    };
    const input = comp.style === TextInputStyle.PARAGRAPH ? h("textarea", { ...attrs, rows: 5 }) : h("input", { ...attrs, type: "text" });
    input.value = comp.value || "";
    const counter = h("div", { class: "counter muted" });
    const count = () => { counter.textContent = comp.max_length ? `${input.value.length} / ${comp.max_length}` : ""; };
    input.addEventListener("input", count);
    count();
    inputs.push({ comp, read: () => input.value, focus: () => input.focus() });
    wrap.append(input, counter);
  } else if (SELECT_TYPES.includes(comp.type)) {
    let values = (comp.options || []).filter((o) => o.default).map((o) => o.value);
    const select = renderSelect(comp, ctx, (chosen) => { values = chosen; }, { inModal: true });
    select.querySelector(".select-trigger").id = id;
    inputs.push({ comp, read: () => values, focus: () => select.querySelector(".select-trigger").focus() });
    wrap.append(select);
  } else if (comp.type === ComponentType.RADIO_GROUP || comp.type === ComponentType.CHECKBOX_GROUP) {
    const kind = comp.type === ComponentType.RADIO_GROUP ? "radio" : "checkbox";
    const group = h("div", { class: "choice-group", role: kind === "radio" ? "radiogroup" : "group", id });
    (comp.options || []).forEach((option) => {
      group.append(h("label", { class: "choice" },
        h("input", { type: kind, name: comp.custom_id, value: option.value, checked: Boolean(option.default) }),
        h("span", {}, option.label), option.description ? h("span", { class: "muted" }, ` ${option.description}`) : null));
    });
    const read = () => {
      const picked = [...group.querySelectorAll("input:checked")].map((i) => i.value);
      return comp.type === ComponentType.RADIO_GROUP ? picked[0] ?? null : picked;
    };
    inputs.push({ comp, read, focus: () => group.querySelector("input")?.focus() });
    wrap.append(group);
  } else if (comp.type === ComponentType.CHECKBOX) {
    const box = h("input", { type: "checkbox", id, checked: Boolean(comp.default) });
    inputs.push({ comp, read: () => box.checked, focus: () => box.focus() });
    wrap.prepend(box);
    wrap.classList.add("inline-check");
  } else {
    wrap.append(h("div", { class: "muted" }, `(this form uses a field of type ${comp.type} the practice client cannot show)`));
  }
  return wrap;
}

function modalPart(comp, ctx, inputs) {
  if (comp.type === ComponentType.ACTION_ROW) return (comp.components || []).map((c) => field(c, ctx, inputs, c.label, null));
  if (comp.type === ComponentType.LABEL) return [field(comp.component, ctx, inputs, comp.label, comp.description)];
  if (comp.type === ComponentType.TEXT_DISPLAY) return [h("div", { class: "modal-text", html: renderMarkdown(comp.content, ctx) })];
  return [field(comp, ctx, inputs, comp.label, null)];
}

function missing(input) {
  const { comp } = input;
  const value = input.read();
  if (comp.type === ComponentType.CHECKBOX) return null;
  const required = comp.required !== false;
  if (comp.type === ComponentType.TEXT_INPUT) {
    if (required && !value.trim()) return "This field is required.";
    if (value && comp.min_length && value.length < comp.min_length) return `Please write at least ${comp.min_length} characters.`;
    return null;
  }
  const count = Array.isArray(value) ? value.length : value ? 1 : 0;
  if (required && count === 0) return "Please choose an option.";
  return null;
}

export function openModal(modal, ctx, submit) {
  closeOverlays();
  const inputs = [];
  const error = h("div", { class: "modal-error", role: "alert", hidden: true });
  const form = h("form", { class: "modal-body", novalidate: true },
    (modal.components || []).flatMap((comp) => modalPart(comp, ctx, inputs)), error);
  const submitButton = h("button", { type: "submit", class: "button primary" }, "Submit");
  const dialog = h("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "modal-title" },
    h("header", { class: "modal-header" },
      h("h2", { id: "modal-title" }, modal.title || "Form"),
      h("button", { type: "button", class: "close", "aria-label": "Close", onclick: closeOverlays }, "×")),
    form,
    h("footer", { class: "modal-footer" },
      h("button", { type: "button", class: "button linkish", onclick: closeOverlays }, "Cancel"), submitButton));
  submitButton.addEventListener("click", () => form.requestSubmit());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const input of inputs) {
      const problem = missing(input);
      if (problem) {
        error.hidden = false;
        error.textContent = problem;
        input.focus();
        return;
      }
    }
    const values = {};
    for (const input of inputs) values[input.comp.custom_id] = input.read();
    submitButton.disabled = true;
    const failure = await submit(values);
    submitButton.disabled = false;
    if (failure) {
      error.hidden = false;
      error.textContent = failure;
    } else {
      closeOverlays();
    }
  });
  const overlay = h("div", { class: "overlay", onmousedown: (event) => { if (event.target === overlay) closeOverlays(); } }, dialog);
  overlay.addEventListener("keydown", (event) => { if (event.key === "Escape") closeOverlays(); });
  overlayRoot().append(overlay);
  (inputs[0] && inputs[0].focus) ? inputs[0].focus() : submitButton.focus();
}

// ---------------------------------------------------------------- popup menus
export function popupMenu(anchor, title, items, { empty = "Nothing here" } = {}) {
  closeOverlays();
  const menu = h("div", { class: "popup-menu", role: "menu", "aria-label": title },
    h("div", { class: "popup-title" }, title),
    items.length
      ? items.map((item) => h("button", {
        type: "button", role: "menuitem", class: "popup-item",
        onclick: () => { closeOverlays(); item.run(); },
      }, item.label))
      : h("div", { class: "popup-empty muted" }, empty));
  placeNear(menu, anchor);
}

export function memberCard(anchor, person, roles, apps, extra, be) {
  closeOverlays();
  const card = h("div", { class: "member-card", role: "dialog", "aria-label": `About ${person.name}` },
    h("div", { class: "member-card-name" }, person.name),
    h("div", { class: "muted" }, person.username),
    extra ? h("div", { class: "member-card-note" }, extra) : null,
    be ? h("button", { type: "button", class: "button primary small be-button", onclick: () => { closeOverlays(); be(); } }, `Be ${person.name}`) : null,
    h("div", { class: "member-card-section" }, "Roles"),
    h("div", { class: "role-pills" }, roles.length
      ? roles.map((r) => h("span", { class: "role-pill" }, h("span", { class: "role-dot", style: `background:${r.colour || "#99aab5"}` }), r.name))
      : h("span", { class: "muted" }, "No roles")),
    h("div", { class: "member-card-section" }, "Apps"),
    apps.length
      ? apps.map((app) => h("button", { type: "button", class: "popup-item", onclick: () => { closeOverlays(); app.run(); } }, app.label))
      : h("div", { class: "muted small" }, "No apps for members here."));
  placeNear(card, anchor);
}

function placeNear(node, anchor) {
  const layer = h("div", { class: "popup-layer", onmousedown: (event) => { if (event.target === layer) closeOverlays(); } }, node);
  layer.addEventListener("keydown", (event) => { if (event.key === "Escape") closeOverlays(); });
  overlayRoot().append(layer);
  const rect = anchor.getBoundingClientRect();
  const width = node.offsetWidth;
  const height = node.offsetHeight;
  const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
  const top = rect.bottom + height + 8 > window.innerHeight ? Math.max(8, rect.top - height - 4) : rect.bottom + 4;
  node.style.left = `${left}px`;
  node.style.top = `${top}px`;
  const first = node.querySelector("button");
  if (first) first.focus();
}
