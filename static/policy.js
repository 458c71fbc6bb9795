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
//
// A learner never loses an edit to a redraw. The editor's elements are
// built once and updated in place — values, selected options, what is
// shown — so the control in use keeps the focus, an open select stays
// open, a press or a choice lands on the element it began on, and text
// typed and not yet committed stays. The page's edits are sent one at a
// time, in the order made; until one is answered its control shows the
// learner's choice, whatever the policy events drawn meanwhile say. Each
// document shown carries the seq of the live log's event it is as new as
// (an edit's answer too: siteA's Corslab-Policy-Seq), and an older one is
// never drawn over a newer one.

import { $, el, clock } from "./dom.js";
import { addEntry } from "./log.js";

let policyDoc = null; // the document in force, as last announced or answered
let policySeq = 0; // the live log's policy event policyDoc is as new as

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
  editor = null;
  if (policyDoc) draw();
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

const statusOf = (doc) => String((doc.preflight && doc.preflight.status) || 204);

const choiceValue = (c) => (c === "{site A}" ? location.origin : c);

// queue is the page's last edit: the next is sent once it is answered.
let queue = Promise.resolve(true);

// edited resolves once every edit the page made so far is answered: a
// request the learner makes after an edit meets the policy the editor
// shows (send.js waits for it).
export const edited = () => queue;

// pending is what a control shows while its edit waits or is on its way:
// its data-key → {value}. The answer (or the refusal) ends it.
const pending = new Map();

const control = (key) => $("policy-body").querySelector(`[data-key="${CSS.escape(key)}"]`);

// edit queues one editing step and resolves with whether it was applied.
// step is the step, or a function that makes it (or null: nothing to do)
// from the policy in force when it is sent — after every edit made before
// it has been answered. key names the control that made it, which shows
// value until then. A refused text stays in its input while the learner
// is still in it, to be corrected.
export function edit(step, key, value) {
  const mark = key ? { value } : null;
  if (mark) {
    pending.set(key, mark);
    draw();
  }
  const sent = queue.then(async () => {
    let answer = { ok: false };
    try {
      const body = typeof step === "function" ? step() : step;
      if (body) answer = await post(body);
    } finally {
      if (mark && pending.get(key) === mark) {
        pending.delete(key);
        const c = control(key);
        if (!answer.ok && c && c.tagName === "INPUT" && c === document.activeElement && c.value === value) {
          c.dataset.refused = value;
          delete c.dataset.shown; // the learner's text again: it stays
        }
      }
    }
    if (answer.ok && answer.seq > policySeq) take(answer.doc, answer.seq);
    else if (mark) draw();
    return answer.ok;
  });
  queue = sent.catch(() => false);
  return sent;
}

// post sends one editing step: {ok, doc, seq} on success, with the
// document then in force and its event's seq; a refusal shows on one line.
async function post(step) {
  const err = $("policy-error");
  let why;
  try {
    const resp = await fetch("/lab/policy/edit", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(step) });
    if (resp.ok) {
      const seq = Number(resp.headers.get("Corslab-Policy-Seq")) || 0;
      const doc = await resp.json();
      err.hidden = true;
      err.textContent = "";
      return { ok: true, doc, seq };
    }
    why = await resp.text();
  } catch (e) {
    why = "the lab did not answer: " + e;
  }
  err.textContent = "Not changed: " + why.trim().replace(/\n/g, "; ");
  err.hidden = false;
  return { ok: false };
}

// valueStep puts a header's values (text, lines split at " | ") where it
// is in force, or at first where: empty text removes it.
function valueStep(header, text, where) {
  const values = String(text).split(SEP).map((s) => s.trim()).filter((s) => s !== "");
  if (!values.length) return { header, where: "none" };
  return { header, where: placement(policyDoc || {}, header).where || where, values };
}

// cycleStep moves a fixed row to its previous (-1) or next (+1) common value.
function cycleStep(row, dir) {
  const doc = policyDoc || {};
  const cs = row.choices;
  let now;
  if (row.status) now = statusOf(doc);
  else {
    const p = placement(doc, row.header);
    now = p.values ? p.values.join(SEP) : null;
  }
  let i = cs.findIndex((c) => (c === null ? now === null : choiceValue(c) === now));
  if (i < 0) i = dir > 0 ? -1 : cs.length; // a value of its own: ▶ goes to the first, ◀ to the last
  const next = cs[(i + dir + cs.length) % cs.length];
  if (row.status) return { status: Number(next) };
  if (next === null) return { header: row.header, where: "none" };
  return valueStep(row.header, choiceValue(next), row.where);
}

// editor is the editor's elements while they are shown: built once, then
// updated in place (draw).
let editor = null;

// valueInput is a row's value, committed on Enter, on a change and on
// leaving it. Its data-shown is the text the editor last put in it: while
// the text differs, it is the learner's, not yet committed, and a redraw
// leaves it. A refused text (data-refused) is not sent again unchanged.
function valueInput(key, label, commit, choices) {
  const id = "pv-" + key.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const list = choices ? el("datalist", { id: id + "-list" }, choices.filter((c) => c !== null).map((c) => el("option", { value: choiceValue(c) }))) : null;
  const input = el("input", { id, class: "p-value", "aria-label": label + " value", spellcheck: "false", list: list ? id + "-list" : null, placeholder: "not sent", "data-key": key, "data-shown": "" });
  const done = () => {
    if (input.value === input.dataset.shown || input.value === input.dataset.refused) return;
    input.dataset.shown = input.value;
    commit(input.value);
  };
  input.addEventListener("input", () => delete input.dataset.refused);
  input.addEventListener("change", done);
  input.addEventListener("blur", done);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      done();
    }
  });
  return { input, list };
}

// setText shows text in a value input — a pending edit's text first —
// unless the learner's own text is in it.
function setText(input, text) {
  const p = pending.get(input.dataset.key);
  const v = p ? p.value : text;
  const own = input.value !== input.dataset.shown;
  input.dataset.shown = v;
  if (!own && input.value !== v) input.value = v;
}

function whereSelect(key, label, onChange) {
  const s = el("select", { class: "p-where", "aria-label": "where " + label + " goes", "data-key": key + "/where" }, WHERE.map(([v, t]) => el("option", { value: v }, t)));
  s.addEventListener("change", () => onChange(s.value));
  return s;
}

// setWhere shows where a header goes ("": not sent, and nothing to choose);
// a pending choice first.
function setWhere(s, where) {
  const p = pending.get(s.dataset.key);
  const w = p ? p.value : where;
  const none = s.querySelector('option[value=""]');
  if (!w && !none) s.prepend(el("option", { value: "" }, "—"));
  if (w && none) none.remove();
  s.disabled = !w;
  if (s.value !== w) s.value = w;
}

// headerRow is the editor's row for header (a fixed row's r, or any other
// header): its elements, and update(doc) to show doc in them.
function headerRow(header, r) {
  const key = header;
  const label = r ? r.label : header;
  const firstWhere = r ? r.where : "actual";
  const cyc = (dir, sym) =>
    el("button", { type: "button", class: "small p-cycle", "aria-label": (dir < 0 ? "previous " : "next ") + label, "data-key": key + (dir < 0 ? "/prev" : "/next"), onclick: () => edit(() => cycleStep(r, dir)) }, sym);
  const { input, list } = valueInput(key, label, (text) => edit(() => valueStep(header, text, firstWhere), key, text), r && r.choices);
  const where = whereSelect(key, label, (w) => edit({ header, where: w, move: true }, key + "/where", w));
  const remove = el("button", { type: "button", class: "small", "aria-label": "remove " + header, "data-key": key + "/remove", onclick: () => edit({ header, where: "none" }) }, "✕");
  const tr = el("tr", { "data-row": key },
    el("th", { scope: "row", title: r ? header : null }, r ? label : el("code", {}, header)),
    el("td", r ? { class: "p-cell", role: "group", "aria-label": label } : { class: "p-cell" }, r ? cyc(-1, "◀") : null, input, list, r ? cyc(+1, "▶") : null),
    el("td", { class: "p-where-cell" }, where),
    el("td", {}, remove));
  return {
    tr,
    header,
    update(doc) {
      const p = placement(doc, header);
      setText(input, p.values ? p.values.join(SEP) : "");
      // A value being set goes, until it is answered, where it would go.
      const typed = pending.get(key);
      setWhere(where, p.where || (typed && typed.value.trim() !== "" ? firstWhere : ""));
      remove.hidden = !p.where;
    },
  };
}

// statusRow is the editor's row for the preflight's status.
function statusRow(r) {
  const key = "status";
  const cyc = (dir, sym) =>
    el("button", { type: "button", class: "small p-cycle", "aria-label": (dir < 0 ? "previous " : "next ") + r.label, "data-key": key + (dir < 0 ? "/prev" : "/next"), onclick: () => edit(() => cycleStep(r, dir)) }, sym);
  const { input, list } = valueInput(key, r.label, (v) => edit({ status: Number(v) || 0 }, key, v), r.choices);
  const tr = el("tr", { "data-row": key },
    el("th", { scope: "row" }, r.label),
    el("td", { class: "p-cell", role: "group", "aria-label": r.label }, cyc(-1, "◀"), input, list, cyc(+1, "▶")),
    el("td", { class: "p-where-cell" }, "preflight"), el("td", {}));
  return { tr, update: (doc) => setText(input, statusOf(doc)) };
}

// buildEditor puts the editor's table, with its fixed rows, and the form
// that adds a header in detail.
function buildEditor(detail) {
  const fixed = ROWS.map((r) => (r.status ? statusRow(r) : headerRow(r.header, r)));
  const tbody = el("tbody", {}, fixed.map((row) => row.tr));
  detail.replaceChildren(
    el("table", { class: "p-editor", "aria-label": "site B's policy" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "header"), el("th", { scope: "col" }, "value (◀ ▶ cycle, or type and Enter)"), el("th", { scope: "col" }, "sent on"), el("th", { scope: "col" }, el("span", { class: "sr" }, "remove")))),
      tbody),
    addForm());
  return { tbody, fixed, others: new Map() }; // others: lower-case name → row
}

// updateEditor shows doc in the editor's elements: the fixed rows' values,
// a row for each other header (added and removed as they come and go, in
// order of name; made again when another hand spells its name otherwise).
// Rows that stay are never moved, so a control in one keeps the focus; when
// the focus was on an element that goes (a header removed), it goes to the
// value of the row that takes its place.
function updateEditor(ed, doc) {
  const active = document.activeElement;
  const activeRow = active && ed.tbody.contains(active) ? active.closest("tr") : null;
  const at = activeRow ? [...ed.tbody.rows].indexOf(activeRow) : -1;
  for (const row of ed.fixed) row.update(doc);
  const fixedNames = new Set(ROWS.filter((r) => !r.status).map((r) => r.header.toLowerCase()));
  const names = new Map(); // lower-case name → name as spelt
  for (const hs of [(doc.preflight && doc.preflight.headers) || {}, (doc.actual && doc.actual.headers) || {}]) {
    for (const n of Object.keys(hs)) if (!fixedNames.has(n.toLowerCase()) && !names.has(n.toLowerCase())) names.set(n.toLowerCase(), n);
  }
  for (const [lower, row] of ed.others) {
    if (names.get(lower) !== row.header) {
      row.tr.remove();
      ed.others.delete(lower);
    }
  }
  let next = ed.fixed.length; // where the next other row belongs
  for (const lower of [...names.keys()].sort()) {
    let row = ed.others.get(lower);
    if (!row) {
      row = headerRow(names.get(lower));
      ed.others.set(lower, row);
      ed.tbody.insertBefore(row.tr, ed.tbody.rows[next] || null);
    }
    row.update(doc);
    next++;
  }
  if (activeRow && (!active.isConnected || active.hidden || active.disabled)) {
    const rows = ed.tbody.rows;
    const to = activeRow.isConnected ? activeRow : rows[Math.min(at, rows.length - 1)];
    to?.querySelector(".p-value")?.focus();
  }
}

// draw shows policyDoc in the editor, with the pending edits' choices.
function draw() {
  const detail = $("policy-body");
  const doc = policyDoc || {};
  if (readOnly) {
    detail.replaceChildren(el("p", { class: "p-readonly", role: "note" }, readOnly),
      el("table", {}, el("tbody", {}, readOnlyRows(doc))));
    return;
  }
  if (!editor || !detail.contains(editor.tbody)) editor = buildEditor(detail);
  updateEditor(editor, doc);
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
    const values = value.value.split(SEP).map((s) => s.trim()).filter((s) => s !== "");
    const step = values.length ? { header: name.value.trim(), where: where.value, values } : { header: name.value.trim(), where: "none" };
    if (await edit(step)) {
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

// show puts doc in the header and the editor; changed makes it flash.
function show(doc, changed) {
  policyDoc = doc;
  $("policy-summary").textContent = summary(doc);
  draw();
  if (changed) {
    const s = $("policy");
    s.classList.remove("flash");
    void s.offsetWidth; // restart the animation
    s.classList.add("flash");
  }
}

// take shows doc, a change as new as the live log's event seq.
function take(doc, seq) {
  policySeq = seq;
  show(doc, true);
}

// onHello shows the policy a live-log connection starts with (siteA's
// Hello): as new as the event policySeq, whatever the page had.
export function onHello(ev) {
  policySeq = ev.policySeq || 0;
  if (ev.policy) show(ev.policy, false);
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
  if (ev.seq > policySeq) take(p.document, ev.seq); // else an edit's answer showed as new a policy already
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
