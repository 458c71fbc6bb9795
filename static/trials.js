// The trial store and the trials' entries on the live log. A trial is one
// fetch() the page made (or another tab did): what the page knows of it
// itself (its request, what JavaScript got), the journal's snapshot from
// "trial" events, and the exchanges site B recorded for it meanwhile.
//
// This module is the page's whole account of a trial; result.js renders
// the selected one. Both are to be replaced by a rendering of the
// server's own account of each trial.

import { el, clock } from "./dom.js";
import { addEntry, clear as clearLog, effectWords, exchangeView, note, onEvict } from "./log.js";
import { shortURL } from "./origins.js";
import { renderResult } from "./result.js";

const TRIAL_EXCHANGES = 32; // exchanges a trial collects from exchange events, as the journal keeps

const trials = new Map(); // id → trial (see trialFor)
let selectedId = "";

// trialFor returns the page's record of trial id:
// {id, local, request, outcome, readHeader, read, server (the journal's snapshot),
// live (exchanges that came after it), entry, time}.
function trialFor(id) {
  let t = trials.get(id);
  if (!t) {
    t = { id, local: false, request: null, outcome: null, readHeader: "", read: null, server: null, live: [], entry: null, time: new Date().toISOString() };
    trials.set(id, t);
  }
  return t;
}

// merged is the trial as the columns show it: the page's own knowledge first.
function merged(t) {
  const s = t.server || {};
  return {
    id: t.id,
    request: t.request || s.request || null,
    outcome: t.outcome || s.outcome || null,
    exchanges: t.live.length ? (s.exchanges || []).concat(t.live) : s.exchanges || [],
    verdict: s.verdict || null,
    browser: s.browser || "", // whose words the verdict speaks (the page's browser, docs/live-log.md)
    call: s.call || "", // the call with its full URL, from the trial's account (docs/live-log.md)
    settled: !!s.outcome, // site B's log has everything the trial caused
    readHeader: t.readHeader,
    read: t.read,
    local: t.local,
  };
}

// begin records a trial this page is about to make, and selects it.
export function begin(id, request, readHeader) {
  const t = trialFor(id);
  t.local = true;
  t.request = request;
  t.readHeader = readHeader;
  select(id);
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
  // The journal publishes a trial when it is announced and when it
  // settles, not per exchange: until the settled snapshot replaces them,
  // its exchanges join it here, as they arrive.
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
  renderResult(t ? merged(t) : null);
}

function renderTrial(t) {
  const m = merged(t);
  const li = el("li", { class: "entry trial" + (t.id === selectedId ? " selected" : ""), "data-trial": t.id });
  const req = m.request;
  const label = req ? req.label || "hand-built" : "trial";
  const state = trialState(m);
  li.append(
    el("div", { class: "e-head" },
      el("time", { datetime: t.time }, clock(t.time)), " ",
      el("button", {
        type: "button", class: "t-select", "aria-pressed": String(t.id === selectedId),
        title: "Show what JavaScript got for this request",
        onclick: () => select(t.id),
      }, label),
      " ",
      req ? el("span", { class: "t-req" }, label === req.method ? shortURL(req.url) : `${req.method} ${shortURL(req.url)}`) : "",
      " ",
      el("span", { class: "chip " + state.cls }, state.text),
      t.local ? "" : el("span", { class: "t-other" }, " (another tab)")));
  const xs = el("ol", { class: "t-exchanges" });
  for (const x of m.exchanges) xs.append(el("li", { class: "x" }, exchangeView(x)));
  if (m.exchanges.length) li.append(xs);
  const loud = loudLine(m);
  if (loud) li.append(el("p", { class: "loud " + loud.cls }, loud.text));
  if (t.entry && t.entry.isConnected) {
    const hadFocus = t.entry.contains(document.activeElement);
    t.entry.replaceWith(li);
    if (hadFocus) li.querySelector(".t-select").focus();
  } else {
    addEntry(li);
  }
  t.entry = li;
}

function trialState(m) {
  const o = m.outcome;
  if (!o) return { cls: "pending", text: "… waiting" };
  if (!o.ok) return { cls: "bad", text: "✗ " + (o.error || "rejected").replace(/^TypeError: /, "TypeError: ").slice(0, 60) };
  if (o.type === "opaque") return { cls: "meh", text: "◐ opaque (status 0)" };
  return { cls: o.status >= 200 && o.status < 300 ? "good" : "meh", text: `✓ ${o.status}` };
}

// loudLine says what the learner must not miss about a settled trial.
function loudLine(m) {
  const o = m.outcome;
  if (!o || !m.settled || !m.request) return null;
  const method = m.request.method.toUpperCase();
  const actual = m.exchanges.filter((x) => !x.preflight);
  const preflights = m.exchanges.filter((x) => x.preflight);
  if (actual.length === 0) {
    if (preflights.length) return { cls: "stopped", text: `${method} never reached site B — the browser stopped at the preflight` };
    if (!o.ok && !/Failed to fetch/i.test(o.error || "")) return { cls: "stopped", text: `${method} never reached site B — fetch() refused it before sending anything` };
    if (!o.ok) return { cls: "stopped", text: `${method} never reached site B — nothing arrived (a cached preflight answer, or site B is down)` };
    return null;
  }
  if (!o.ok && actual.some((x) => x.effect || (x.status >= 200 && x.status < 300))) {
    const eff = actual.map((x) => effectWords(x.effect)).filter(Boolean).join("; ");
    return { cls: "hidden-answer", text: `site B received and ran it${eff ? " (" + eff + ")" : ""}; the browser hid the answer` };
  }
  if (o.ok && o.type === "websocket") return { cls: "hidden-answer", text: "a websocket: no CORS — site B accepted the Origin and JavaScript read its message, with no Access-Control-* header" };
  if (o.ok && o.type === "opaque") return { cls: "opaque", text: "site B answered; no-cors mode gave JavaScript an opaque response: status 0, no headers, no body" };
  return null;
}
