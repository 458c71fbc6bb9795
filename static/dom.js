// Small DOM helpers shared by the page's modules. They hold no state.
//
// All server-provided text is put in the page with textContent, never as
// HTML: el() turns strings into text nodes.

export const $ = (id) => document.getElementById(id);

// el builds an element: el("p", {class: "x", title: "y"}, "text", child, ...).
// Strings become text nodes, so no data is ever parsed as HTML. The
// attribute "onclick" adds a listener (no inline handler: the page's CSP
// allows none).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

const SVG = "http://www.w3.org/2000/svg";

// svg builds an SVG element with attributes and an optional text.
export function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, String(val));
  if (text !== undefined) e.textContent = text;
  return e;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

// clock formats a time (or now) as HH:MM:SS, local time.
export function clock(t) {
  const d = t ? new Date(t) : new Date();
  if (isNaN(d)) return "";
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
