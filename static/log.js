// "What site B saw": the live log's list (#log). It owns the list's DOM:
// entries are added at the top and the oldest dropped beyond MAX_ENTRIES,
// telling whoever registered with onEvict which trial's entry went.

import { $, el, clock } from "./dom.js";

const MAX_ENTRIES = 200; // live-log entries kept in the DOM

let evict = () => {};

// onEvict sets fn(trialId, li) to be called when a trial's entry is dropped
// from the list.
export function onEvict(fn) {
  evict = fn;
}

// addEntry puts li at the top of the log.
export function addEntry(li) {
  const log = $("log");
  log.prepend(li);
  $("log-empty").hidden = true;
  while (log.children.length > MAX_ENTRIES) {
    const old = log.lastElementChild;
    if (old.dataset.trial) evict(old.dataset.trial, old);
    old.remove();
  }
}

// clear empties the log.
export function clear() {
  $("log").replaceChildren();
}

// note adds a one-line remark (e.g. "the lab restarted") to the log.
export function note(text) {
  addEntry(el("li", { class: "entry note" }, `${clock()} ${text}`));
}

// showGap says that the live log skipped events from seq from to seq to.
export function showGap({ from, to }) {
  const g = $("gap");
  const n = to - from + 1;
  g.replaceChildren(
    `⚠ The live log skipped ${n} event${n === 1 ? "" : "s"} (seq ${from}${n > 1 ? "–" + to : ""}): what site B saw is incomplete here. `,
    el("button", { type: "button", class: "small", onclick: () => (g.hidden = true) }, "dismiss"),
  );
  g.hidden = false;
}

// showExchange adds an exchange that belongs to no trial of this lab: curl,
// a script, a navigation, or another site's page.
export function showExchange(ev) {
  const x = ev.exchange;
  addEntry(el("li", { class: "entry plain" },
    el("div", { class: "e-head" },
      el("time", { datetime: ev.time }, clock(ev.time)), " ",
      el("span", { class: "from" }, x.origin ? `from ${x.origin}, not a trial of this lab` : "no Origin: curl, a script, or a navigation")),
    exchangeView(x)));
}

function first(h, name) {
  for (const k of Object.keys(h)) if (k.toLowerCase() === name.toLowerCase()) return [].concat(h[k])[0];
  return "";
}

function statusClass(s) {
  if (s >= 200 && s < 300) return "s2";
  if (s >= 300 && s < 400) return "s3";
  return "s4";
}

// exchangeView shows one request and response as site B saw them.
export function exchangeView(x) {
  const frag = document.createDocumentFragment();
  const rq = x.requestHeaders || {};
  const rs = x.responseHeaders || {};
  const line = el("div", { class: "x-line" },
    el("span", { class: "method" + (x.preflight ? " preflight" : "") }, x.method), " ",
    el("span", { class: "path" }, x.path), " ",
    x.preflight ? el("span", { class: "tag" }, "preflight") : "",
    " ",
    el("span", { class: "status " + statusClass(x.status) }, `→ ${x.status}`));
  frag.append(line);
  if (x.preflight) {
    const asks = [];
    const m = first(rq, "Access-Control-Request-Method");
    const h = first(rq, "Access-Control-Request-Headers");
    asks.push(el("div", { class: "hdr ask" }, el("span", { class: "hn" }, "Access-Control-Request-Method: "), m || "—"));
    if (h) asks.push(el("div", { class: "hdr ask" }, el("span", { class: "hn" }, "Access-Control-Request-Headers: "), h));
    frag.append(el("div", { class: "x-asks" }, asks));
  }
  const acl = Object.keys(rs).filter((k) => /^access-control-/i.test(k)).sort();
  const box = el("div", { class: "x-acl" });
  if (acl.length === 0) box.append(el("div", { class: "hdr none" }, "← no Access-Control-* headers"));
  for (const k of acl) {
    for (const v of [].concat(rs[k])) box.append(el("div", { class: "hdr" }, el("span", { class: "hn" }, "← " + k + ": "), v));
  }
  frag.append(box);
  if (x.effect) frag.append(el("div", { class: "effect" }, "site B did: " + effectWords(x.effect)));
  if (x.upstreamStatus || x.upstreamError) frag.append(upstreamView(x));
  return frag;
}

// upstreamView shows, in proxy mode, what the user's server answered
// before site B's policy overrode it: each header marked when the policy
// replaced it (the response site B sent has another value) or removed it.
function upstreamView(x) {
  const rs = x.responseHeaders || {};
  const sent = (name) => {
    for (const k of Object.keys(rs)) if (k.toLowerCase() === name.toLowerCase()) return [].concat(rs[k]);
    return null;
  };
  const d = el("details", { class: "upstream" + (x.upstreamError ? " failed" : "") },
    el("summary", {}, x.upstreamError ? "upstream did not answer (before the policy)" : `upstream answered ${x.upstreamStatus} (before the policy)`));
  if (x.upstreamError) {
    d.append(el("div", { class: "u-error" }, "✗ " + x.upstreamError));
    return d;
  }
  const hs = x.upstreamHeaders || {};
  const list = el("ul", { class: "u-headers" });
  for (const k of Object.keys(hs).sort()) {
    const vs = [].concat(hs[k]);
    const got = sent(k);
    const mark = !got ? "removed" : got.join("\n") !== vs.join("\n") ? "replaced" : "";
    for (const v of vs) {
      list.append(el("li", { class: "hdr" + (mark ? " u-" + mark : "") },
        el("span", { class: "hn" }, k + ": "), v,
        mark ? el("span", { class: "u-mark" }, ` → ${mark} by the policy`) : ""));
    }
  }
  if (!list.children.length) list.append(el("li", { class: "hdr none" }, "no headers"));
  d.append(list);
  return d;
}

// effectWords says an exchange's effect (docs/live-log.md: {kind, item, name,
// was, origin}) in words, as the TUI does: created item 4 "pear".
export function effectWords(e) {
  if (!e) return "";
  const item = `item ${e.item} ${JSON.stringify(e.name ?? "")}`;
  switch (e.kind) {
    case "created": return "created " + item;
    case "deleted": return "deleted " + item;
    case "renamed": return `renamed item ${e.item} from ${JSON.stringify(e.was ?? "")} to ${JSON.stringify(e.name ?? "")}`;
    case "logged-in": return "logged in: set cookie " + e.name;
    case "logged-out": return "logged out";
    case "ws-message": return "sent a websocket message to " + e.origin;
    case "replayed": return "answered as recorded in " + e.name;
  }
  return String(e.kind);
}
