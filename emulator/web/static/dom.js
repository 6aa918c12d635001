// Small DOM helpers shared by the page's modules.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const PALETTE = ["#5b8def", "#3ba55d", "#e8875b", "#b570d8", "#e0a33c", "#4cb7b0", "#d8698f", "#7c8ce0"];

export function avatar(name, id, { bot = false, size = "" } = {}) {
  const initials = String(name || "?").trim().slice(0, 1).toUpperCase();
  const colour = bot ? "#e8875b" : PALETTE[Number(BigInt(id || 0) % BigInt(PALETTE.length))];
  const node = h("div", { class: `avatar ${size}`.trim(), style: `background:${colour}`, "aria-hidden": "true" });
  if (bot) {
    node.innerHTML =
      '<svg viewBox="0 0 32 32" width="60%" height="60%"><path d="M16 4c2.4 4.8 8.4 8.4 8.4 15.6a8.4 8.4 0 0 1-16.8 0c0-3.6 2.4-6 3.6-7.2 0 2.4 1.2 4.8 3.6 4.8-1.2-4.8 0-9.6 1.2-13.2z" fill="#fff6ee"/></svg>';
  } else {
    node.textContent = initials;
  }
  return node;
}

export function toast(text, kind = "info") {
  const root = document.getElementById("toasts");
  for (const old of root.querySelectorAll(".toast")) if (old.textContent === text) old.remove();
  while (root.children.length >= 3) root.firstElementChild.remove();
  const node = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  root.append(node);
  setTimeout(() => node.classList.add("leaving"), 4200);
  setTimeout(() => node.remove(), 4800);
}

export function colourOf(value) {
  return value ? `#${Number(value).toString(16).padStart(6, "0")}` : null;
}
