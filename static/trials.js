// The trial store and the trials' entries on the live log. A trial is one
// fetch() the page made (or another tab did). The journal builds the one
// account of it (the live log's "trial" event, docs/live-log.md); this
// module keeps the latest snapshot of each trial, the exchanges site B
// recorded for it since that snapshot (the journal publishes a trial when
// it is announced and when it settles, not per exchange), and what only
// the page knows (what response.headers.get() returned). It renders the
// account (account.js) and derives none of it.

import { el, clock } from "./dom.js";
import { addEntry, clear as clearLog, exchangeView, note, onEvict } from "./log.js";
import { shortURL } from "./origins.js";
import { renderResult } from "./result.js";
import { diagramView, fixView, happenedView, headlineView, mismatchView, notesView, verdictView } from "./account.js";

const TRIAL_EXCHANGES = 32; // exchanges a trial collects from exchange events, as the journal keeps

const trials = new Map(); // id → trial (see trialFor)
let selectedId = "";

// trialFor returns the page's record of trial id:
// {id, local, request, outcome (what this page's JavaScript got, until the
// journal's snapshot has it), read, server (the journal's latest snapshot),
// live (exchanges that came after it), entry, time}.
function trialFor(id) {
  let t = trials.get(id);
  if (!t) {
    t = { id, local: false, request: null, outcome: null, read: null, server: null, live: [], entry: null, time: new Date().toISOString() };
    trials.set(id, t);
  }
  return t;
}

// view is what the page shows of a trial: the journal's snapshot (its
// account, as it is), with the exchanges that came after it appended.
function view(t) {
  const s = t.server;
  return {
    id: t.id,
    request: (s && s.request) || t.request,
    outcome: (s && s.outcome) || t.outcome,
    exchanges: ((s && s.exchanges) || []).concat(t.live),
    account: s,
    read: t.read,
    local: t.local,
  };
}

// snapshot returns the journal's latest snapshot of trial id (the live
// log's trial event), or null: for tests and the curious.
export function snapshot(id) {
  const t = trials.get(id);
  return t && t.server ? t.server : null;
}

// begin records a trial this page is about to make, and selects it;
// asked is the request as send() was given it, to send it again.
export function begin(id, request, asked) {
  const t = trialFor(id);
  t.local = true;
  t.request = request;
  t.asked = asked;
  select(id);
  // On a phone the columns stack: bring what JavaScript got into view.
  if (matchMedia("(max-width: 900px)").matches) document.getElementById("h-js").scrollIntoView({ block: "start" });
}

// again returns what to give send() to make trial id's request again:
// as this page was asked for it, or as the journal recorded it.
export function again(id) {
  const t = trials.get(id);
  if (!t) return null;
  if (t.asked) return t.asked;
  const r = (t.server && t.server.request) || t.request;
  return r ? { ...r, sandbox: t.server && t.server.origin === "null" } : null;
}

// finish records what JavaScript got for trial id.
export function finish(id, outcome, read) {
  const t = trialFor(id);
  t.outcome = outcome;
  t.read = read;
  update(t);
}

// onTrial takes the journal's snapshot of a trial ("trial" event).
export function onTrial(ev) {
  const s = ev.trial;
  if (!s || !s.id) return;
  const t = trialFor(s.id);
  t.server = s;
  t.live = []; // the journal's snapshot carries every exchange that came before it
  if (!t.entry) t.time = ev.time;
  update(t);
}

// onExchange adds an exchange to its trial and reports whether it had one.
export function onExchange(ev) {
  const x = ev.exchange;
  if (!x || !x.trial) return false;
  const t = trialFor(x.trial);
  t.live.push(x);
  if (t.live.length > TRIAL_EXCHANGES) t.live.shift();
  if (!t.entry) t.time = ev.time;
  update(t);
  return true;
}

// restart forgets the trials of a lab that is no longer running, and its log.
export function restart() {
  clearLog();
  for (const [id, t] of trials) if (!t.local) trials.delete(id);
  for (const t of trials.values()) t.entry = null;
  note("the lab restarted: the log starts afresh");
}

// A trial whose entry left the log is forgotten, unless it is selected.
onEvict((id) => {
  if (id !== selectedId) trials.delete(id);
  else if (trials.has(id)) trials.get(id).entry = null;
});

function select(id) {
  if (!trials.has(id)) return;
  const prev = trials.get(selectedId);
  selectedId = id;
  if (prev && prev.id !== id && prev.entry) renderTrial(prev);
  renderTrial(trials.get(id));
  renderSelected();
}

function update(t) {
  renderTrial(t);
  if (selectedId === t.id) renderSelected();
}

function renderSelected() {
  const t = trials.get(selectedId);
  renderResult(t ? view(t) : null);
}

function renderTrial(t) {
  const m = view(t);
  const a = m.account || {};
  const req = m.request;
  const label = req ? req.label || "hand-built" : "trial";
  const state = outcomeChip(m.outcome);
  const li = el("li", { class: "entry trial" + (t.id === selectedId ? " selected" : ""), "data-trial": t.id, "aria-label": "trial " + label });
  li.append(
    el("div", { class: "e-head" },
      el("time", { datetime: t.time }, clock(t.time)), " ",
      el("button", {
        type: "button", class: "t-select", "aria-pressed": String(t.id === selectedId),
        title: "Show what JavaScript got for this request",
        onclick: () => select(t.id),
      }, label),
      " ",
      el("code", { class: "t-req" }, a.call || (req ? `${req.method} ${shortURL(req.url)}` : "")),
      " ",
      el("span", { class: "chip " + state.cls }, state.text),
      t.local ? "" : el("span", { class: "t-other" }, " (another tab)")));
  if (m.account) li.append(headlineView(a));
  const happened = m.account && happenedView(a);
  if (happened) li.append(happened);
  const xs = el("ol", { class: "t-exchanges", "aria-label": "what site B saw" });
  for (const x of m.exchanges) xs.append(el("li", { class: "x" }, exchangeView(x)));
  if (m.exchanges.length) li.append(xs);
  for (const v of [fixView(a), notesView(a), mismatchView(a)]) if (v) li.append(v);
  const why = [verdictView(a), diagramView(a)].filter(Boolean);
  if (why.length) li.append(el("details", { class: "t-why" }, el("summary", {}, "the verdict and the diagram"), why));
  if (t.entry && t.entry.isConnected) {
    const hadFocus = t.entry.contains(document.activeElement);
    const open = t.entry.querySelector("details.t-why")?.open;
    t.entry.replaceWith(li);
    if (open && li.querySelector("details.t-why")) li.querySelector("details.t-why").open = true;
    if (hadFocus) li.querySelector(".t-select").focus();
  } else {
    addEntry(li);
  }
  t.entry = li;
}

// outcomeChip shows what JavaScript got, in a word.
function outcomeChip(o) {
  if (!o) return { cls: "pending", text: "… waiting" };
  if (!o.ok) return { cls: "bad", text: "✗ " + (o.error || "rejected").slice(0, 60) };
  if (o.type === "opaque") return { cls: "meh", text: "◐ opaque (status 0)" };
  return { cls: o.status >= 200 && o.status < 300 ? "good" : "meh", text: `✓ ${o.status}` };
}
