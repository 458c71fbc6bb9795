// Site B's policy on the page: a one-line summary in the header and, under
// it, an editor with the terminal UI's rows (tui/policy.go): each fixed
// row's value cycled through common values (◀ ▶) or typed, where the
// header goes (preflight / actual / both), any other header added or
// removed, the preflight's status. The page derives nothing: every change
// is one editing step sent to POST /lab/policy/edit, which the server
// applies with the policy package's operations and validates as PUT
// /lab/policy does; a refused step leaves the old policy in force and its
// problems show on one line. The editor is redrawn from the live log's
// "policy" events, so the terminal UI's changes show at once, and the
// page's show in the terminal UI.

import { $, el, clock } from "./dom.js";
import { addEntry } from "./log.js";

let policyDoc = null; // the document in force, as last announced

export const current = () => policyDoc;

const short = (name) => name.replace(/^Access-Control-/i, "");

// ROWS are the terminal UI's fixed rows (tui/policy.go rowDefs): the
// header, where it goes when first set, and the values ◀ ▶ cycle through
// (null: not sent). "{site A}" stands for this page's origin.
const ROWS = [
  { label: "Allow-Origin", header: "Access-Control-Allow-Origin", where: "both", choices: [null, "*", "{origin}", "{site A}", "http://evil.example", "null"] },
  { label: "Allow-Methods", header: "Access-Control-Allow-Methods", where: "preflight", choices: [null, "GET, POST", "GET, PUT", "GET, POST, PUT, PATCH, DELETE", "*", "{request-method}"] },
  { label: "Allow-Headers", header: "Access-Control-Allow-Headers", where: "preflight", choices: [null, "Content-Type", "Content-Type, X-Requested-With", "*", "{request-headers}", "Authorization"] },
  { label: "Allow-Credentials", header: "Access-Control-Allow-Credentials", where: "both", choices: [null, "true", "false"] },
  { label: "Expose-Headers", header: "Access-Control-Expose-Headers", where: "actual", choices: [null, "X-Total", "*"] },
  { label: "Max-Age", header: "Access-Control-Max-Age", where: "preflight", choices: [null, "0", "5", "600", "7200"] },
  { label: "Preflight status", status: true, choices: ["204", "200", "401", "403", "404", "500", "301"] },
  { label: "Vary: Origin", header: "Vary", where: "actual", choices: [null, "Origin"] },
];

const WHERE = [["preflight", "preflight"], ["actual", "actual"], ["both", "both"]];
const SEP = " | "; // between a header's lines (a header sent several times)

// readOnly is set when this page may not change the policy (a student's
// page under -lan): the editor shows the policy and no controls.
let readOnly = "";
export function setReadOnly(reason) {
  readOnly = reason || "";
  if (policyDoc) show(policyDoc, false);
}

// lookup finds header name's values in a rule's headers, in any case.
function lookup(hs, name) {
  for (const k of Object.keys(hs || {})) if (k.toLowerCase() === name.toLowerCase()) return [].concat(hs[k]);
  return null;
}

// placement is where header name is and its values (the preflight's first).
function placement(doc, name) {
  const pre = lookup(doc.preflight && doc.preflight.headers, name);
  const act = lookup(doc.actual && doc.actual.headers, name);
  const where = pre && act ? "both" : pre ? "preflight" : act ? "actual" : "";
  return { where, values: pre || act };
}

const choiceValue = (c) => (c === "{site A}" ? location.origin : c);

// edit sends one editing step; the live log's policy event redraws the
// editor. A refusal shows on one line and the old policy stays.
export async function edit(step) {
  const err = $("policy-error");
  let resp;
  try {
    resp = await fetch("/lab/policy/edit", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(step) });
  } catch (e) {
    resp = { ok: false, text: async () => "the lab did not answer: " + e };
  }
  if (resp.ok) {
    err.hidden = true;
    err.textContent = "";
    return true;
  }
  err.textContent = "Not changed: " + (await resp.text()).trim().replace(/\n/g, "; ");
  err.hidden = false;
  return false;
}

// setValue puts a header's values (text, lines split at " | ") where it is,
// or where the row puts it first; empty text removes it.
function setValue(header, text, where) {
  const values = String(text).split(SEP).map((s) => s.trim()).filter((s) => s !== "");
  return edit(values.length ? { header, where, values } : { header, where: "none" });
}

// moveTo puts header where w says with the values it has in the policy in
// force now (not when the row was drawn: another hand may have changed it).
function moveTo(header, w) {
  const p = placement(policyDoc || {}, header);
  if (!p.values) return Promise.resolve(false);
  return edit({ header, where: w, values: p.values });
}

// cycle moves a fixed row to its previous (-1) or next (+1) common value.
function cycle(row, dir) {
  const doc = policyDoc || {};
  const cs = row.choices;
  let now;
  if (row.status) now = String((doc.preflight && doc.preflight.status) || 204);
  else {
    const p = placement(doc, row.header);
    now = p.values ? p.values.join(SEP) : null;
  }
  let i = cs.findIndex((c) => (c === null ? now === null : choiceValue(c) === now));
  if (i < 0) i = dir > 0 ? -1 : cs.length; // a value of its own: ▶ goes to the first, ◀ to the last
  const next = cs[(i + dir + cs.length) % cs.length];
  if (row.status) return edit({ status: Number(next) });
  if (next === null) return edit({ header: row.header, where: "none" });
  return setValue(row.header, choiceValue(next), placement(doc, row.header).where || row.where);
}

// valueInput is a row's value: typed, committed on Enter or leaving it.
function valueInput(key, label, value, commit, choices) {
  const id = "pv-" + key.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const list = choices ? el("datalist", { id: id + "-list" }, choices.filter((c) => c !== null).map((c) => el("option", { value: choiceValue(c) }))) : null;
  const input = el("input", { id, class: "p-value", value: value ?? "", "aria-label": label + " value", spellcheck: "false", list: list ? id + "-list" : null, placeholder: "not sent", "data-key": key });
  input.dataset.shown = value ?? "";
  input.addEventListener("change", () => commit(input.value));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      commit(input.value);
    }
  });
  return [input, list];
}

function whereSelect(key, label, where, onChange) {
  const s = el("select", { class: "p-where", "aria-label": "where " + label + " goes", "data-key": key + "/where", disabled: !where });
  s.append(...(where ? [] : [el("option", { value: "" }, "—")]), ...WHERE.map(([v, t]) => el("option", { value: v, selected: v === where }, t)));
  s.addEventListener("change", () => onChange(s.value));
  return s;
}

// editorRows builds the editor's table rows from doc.
function editorRows(doc) {
  const rows = [];
  const fixed = new Set();
  for (const r of ROWS) {
    const key = r.status ? "status" : r.header;
    if (r.status) {
      const st = String((doc.preflight && doc.preflight.status) || 204);
      rows.push(el("tr", { "data-row": key },
        el("th", { scope: "row" }, r.label),
        el("td", { class: "p-cell", role: "group", "aria-label": r.label },
          el("button", { type: "button", class: "small p-cycle", "aria-label": "previous " + r.label, "data-key": key + "/prev", onclick: () => cycle(r, -1) }, "◀"),
          valueInput(key, r.label, st, (v) => edit({ status: Number(v) || 0 }), r.choices),
          el("button", { type: "button", class: "small p-cycle", "aria-label": "next " + r.label, "data-key": key + "/next", onclick: () => cycle(r, +1) }, "▶")),
        el("td", { class: "p-where-cell" }, "preflight"), el("td", {})));
      continue;
    }
    fixed.add(r.header.toLowerCase());
    const p = placement(doc, r.header);
    const val = p.values ? p.values.join(SEP) : "";
    rows.push(el("tr", { "data-row": key },
      el("th", { scope: "row", title: r.header }, r.label),
      el("td", { class: "p-cell", role: "group", "aria-label": r.label },
        el("button", { type: "button", class: "small p-cycle", "aria-label": "previous " + r.label, "data-key": key + "/prev", onclick: () => cycle(r, -1) }, "◀"),
        valueInput(key, r.label, val, (v) => setValue(r.header, v, p.where || r.where), r.choices),
        el("button", { type: "button", class: "small p-cycle", "aria-label": "next " + r.label, "data-key": key + "/next", onclick: () => cycle(r, +1) }, "▶")),
      el("td", { class: "p-where-cell" }, whereSelect(key, r.label, p.where, (w) => moveTo(r.header, w))),
      el("td", {}, p.where ? el("button", { type: "button", class: "small", "aria-label": "remove " + r.header, "data-key": key + "/remove", onclick: () => edit({ header: r.header, where: "none" }) }, "✕") : "")));
  }
  const others = new Map(); // lower-case name → name as spelt
  for (const hs of [(doc.preflight && doc.preflight.headers) || {}, (doc.actual && doc.actual.headers) || {}]) {
    for (const n of Object.keys(hs)) if (!fixed.has(n.toLowerCase()) && !others.has(n.toLowerCase())) others.set(n.toLowerCase(), n);
  }
  for (const n of [...others.values()].sort()) {
    const p = placement(doc, n);
    const val = p.values.join(SEP);
    rows.push(el("tr", { "data-row": n },
      el("th", { scope: "row" }, el("code", {}, n)),
      el("td", { class: "p-cell" }, valueInput(n, n, val, (v) => setValue(n, v, p.where))),
      el("td", { class: "p-where-cell" }, whereSelect(n, n, p.where, (w) => moveTo(n, w))),
      el("td", {}, el("button", { type: "button", class: "small", "aria-label": "remove " + n, "data-key": n + "/remove", onclick: () => edit({ header: n, where: "none" }) }, "✕"))));
  }
  return rows;
}

// addForm adds any header.
function addForm() {
  const name = el("input", { id: "p-add-name", "aria-label": "new header's name", placeholder: "Header-Name", spellcheck: "false", "data-key": "add/name" });
  const value = el("input", { id: "p-add-value", "aria-label": "new header's value", placeholder: "value", spellcheck: "false", "data-key": "add/value" });
  const where = el("select", { id: "p-add-where", "aria-label": "where the new header goes", "data-key": "add/where" },
    WHERE.map(([v, t]) => el("option", { value: v, selected: v === "actual" }, t)));
  const form = el("form", { class: "p-add", "aria-label": "add a header" }, name, value, where,
    el("button", { type: "submit", class: "small", "data-key": "add/submit" }, "add header"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!name.value.trim()) {
      $("policy-error").textContent = "Not changed: name the header to add";
      $("policy-error").hidden = false;
      return;
    }
    if (await setValue(name.value.trim(), value.value, where.value)) {
      name.value = "";
      value.value = "";
    }
  });
  return form;
}

// summary is the policy in one line.
export function summary(doc) {
  if (!doc || typeof doc !== "object") return "unknown";
  const pre = (doc.preflight && doc.preflight.headers) || {};
  const act = (doc.actual && doc.actual.headers) || {};
  const status = (doc.preflight && doc.preflight.status) || 204;
  const list = (hs) => Object.keys(hs).sort().map((k) => `${short(k)}: ${[].concat(hs[k]).join(" | ")}`).join(", ");
  if (!Object.keys(pre).length && !Object.keys(act).length) {
    return `closed — no Access-Control-* headers${status !== 204 ? ` (preflight answered ${status})` : ""}`;
  }
  return `preflight → ${status} ${list(pre) || "no headers"} ‖ actual → ${list(act) || "no headers"}`;
}

// readOnlyRows is the policy as a table, for a page that may not change it.
function readOnlyRows(doc) {
  const rows = [];
  const pre = (doc && doc.preflight) || {};
  const act = (doc && doc.actual) || {};
  rows.push(el("tr", {}, el("th", { scope: "row" }, "preflight status"), el("td", {}, String(pre.status || 204) + (pre.status ? "" : " (default)"))));
  for (const [where, hs] of [["preflight", pre.headers || {}], ["actual", act.headers || {}]]) {
    const names = Object.keys(hs).sort();
    if (!names.length) rows.push(el("tr", {}, el("th", { scope: "row" }, where), el("td", { class: "none" }, "no headers")));
    for (const n of names) rows.push(el("tr", {}, el("th", { scope: "row" }, where), el("td", {}, el("code", {}, `${n}: ${[].concat(hs[n]).join("  |  ")}`))));
  }
  return rows;
}

// show puts doc in the header and the editor; changed makes it flash. The
// control that had the focus keeps it, and text being typed in it stays.
export function show(doc, changed) {
  policyDoc = doc;
  $("policy-summary").textContent = summary(doc);
  const detail = $("policy-body");
  const active = document.activeElement;
  const key = active && detail.contains(active) ? active.dataset.key : null;
  const typing = key && active.tagName === "INPUT" && active.value !== (active.dataset.shown ?? active.defaultValue) ? active.value : null;
  if (readOnly) {
    detail.replaceChildren(el("p", { class: "p-readonly", role: "note" }, readOnly),
      el("table", {}, el("tbody", {}, readOnlyRows(doc))));
  } else {
    const old = detail.querySelector(".p-add");
    detail.replaceChildren(
      el("table", { class: "p-editor", "aria-label": "site B's policy" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "header"), el("th", { scope: "col" }, "value (◀ ▶ cycle, or type and Enter)"), el("th", { scope: "col" }, "sent on"), el("th", { scope: "col" }, el("span", { class: "sr" }, "remove")))),
        el("tbody", {}, editorRows(doc || {}))),
      old || addForm());
  }
  if (key) {
    const again = detail.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) {
      if (typing !== null) again.value = typing;
      again.focus();
    }
  }
  if (changed) {
    const s = $("policy");
    s.classList.remove("flash");
    void s.offsetWidth; // restart the animation
    s.classList.add("flash");
  }
}

// COALESCE_MS is how close policy changes by the same hand must follow
// each other to share one log entry: cycling a value six times is one
// entry ("policy changed ×6"), not six.
export const COALESCE_MS = 10000;

let lastEntry = null; // {li, by, time, count}: the newest policy entry

// onPolicy shows a "policy" event: the new policy, and a line on the log —
// the same line as the previous change's when it is still the newest entry
// and the same hand made it within COALESCE_MS.
export function onPolicy(ev) {
  const p = ev.policy;
  if (!p) return;
  show(p.document, true);
  const by = p.by || "?";
  const t = Date.parse(ev.time);
  const head = (n) => [el("time", { datetime: ev.time }, clock(ev.time)), " ", el("strong", {}, "policy changed"), n > 1 ? ` ×${n}` : "", ` by ${by}`];
  const log = $("log");
  if (lastEntry && lastEntry.li.isConnected && log.firstElementChild === lastEntry.li && lastEntry.by === by && t - lastEntry.time <= COALESCE_MS) {
    lastEntry.count++;
    lastEntry.time = t;
    lastEntry.li.dataset.count = String(lastEntry.count);
    lastEntry.li.querySelector(".e-head").replaceChildren(...head(lastEntry.count));
    lastEntry.li.querySelector(".e-policy").textContent = summary(p.document);
    return;
  }
  const li = el("li", { class: "entry policy-change", "data-count": "1" },
    el("div", { class: "e-head" }, head(1)),
    el("div", { class: "e-policy" }, summary(p.document)));
  addEntry(li);
  lastEntry = { li, by, time: t, count: 1 };
}
