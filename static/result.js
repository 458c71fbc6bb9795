// "What JavaScript got" (#result) and the verdict under it (#verdict):
// the selected trial's request, what fetch() resolved or rejected with,
// and the browser model's explanation with its sequence diagram.
//
// It renders a trial as trials.js merges it ({request, outcome, exchanges,
// verdict, read}); it keeps no state of its own.

import { $, el } from "./dom.js";
import { shortURL } from "./origins.js";
import { sequenceDiagram } from "./diagram.js";

// renderResult shows trial m (merged), or the empty prompt for null.
export function renderResult(m) {
  const box = $("result");
  if (!m) {
    box.replaceChildren(el("p", { class: "empty" }, "Press a request button: the answer JavaScript gets shows here."));
    renderVerdict(null);
    return;
  }
  const req = m.request;
  const parts = [];
  if (req) {
    parts.push(el("div", { class: "r-req" },
      el("span", { class: "r-label" }, req.label || "hand-built"), " ",
      el("code", {}, m.call || `fetch("${shortURL(req.url)}", {method: "${req.method}"` +
        (req.credentials !== "same-origin" ? `, credentials: "${req.credentials}"` : "") +
        (req.mode !== "cors" ? `, mode: "${req.mode}"` : "") + "})")));
    if (req.headers.length) {
      parts.push(el("div", { class: "r-sent" }, "headers sent: ", req.headers.map(([n, v], i) => [i ? ", " : "", el("code", {}, `${n}: ${v}`)])));
    }
  }
  const o = m.outcome;
  if (!o) {
    parts.push(el("p", { class: "r-big pending" }, "… waiting for fetch() to settle"));
  } else if (!o.ok) {
    parts.push(el("p", { class: "r-big bad" }, "✗ fetch() rejected"));
    parts.push(el("pre", { class: "r-error" }, o.error || "(no error text)"));
  } else {
    const good = o.type !== "opaque" && o.status >= 200 && o.status < 300;
    parts.push(el("p", { class: "r-big " + (good ? "good" : "meh") }, `✓ fetch() resolved: status ${o.status}`,
      el("span", { class: "r-type" }, ` · response.type "${o.type}"`)));
    if (o.type === "opaque") {
      parts.push(el("p", { class: "r-note" }, "An opaque response: JavaScript cannot read its status, headers or body, whatever site B sent."));
    }
    const hs = o.headers || [];
    parts.push(el("h3", {}, `Headers JavaScript can read (${hs.length})`));
    if (hs.length) {
      parts.push(el("dl", { class: "r-headers" }, hs.map(([n, v]) => [el("dt", {}, n), el("dd", {}, v)])));
    } else {
      parts.push(el("p", { class: "r-note" }, "none"));
    }
    if (m.read) {
      const v = m.read.value;
      parts.push(el("p", { class: "r-read " + (v === null ? "bad" : "good") },
        el("code", {}, `response.headers.get("${m.read.name}")`), " → ",
        el("code", {}, v === null ? "null" : JSON.stringify(v)),
        v === null ? ` — not exposed: site B must list it in Access-Control-Expose-Headers` : ""));
    }
    parts.push(el("h3", {}, "Body"));
    parts.push(el("pre", { class: "r-body" }, o.body ? o.body : "(empty)"));
  }
  box.replaceChildren(...parts);
  renderVerdict(m);
}

// renderVerdict shows the browser model's verdict for trial, if it has one:
// the console sentence of the browser the page runs in, a plain explanation and a sequence diagram.
// trial.verdict: {preflight, preflightReasons[], requestHeadersInPreflight[],
// actualRequestSent, allowed, responseType, error, failedParameter, message,
// readableHeaders[]}. Without a verdict it shows nothing.
export function renderVerdict(trial) {
  const box = $("verdict");
  const v = trial && trial.verdict;
  if (!v) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  const parts = [el("h3", {}, v.allowed ? "Why it worked" : "Why the browser said no")];
  const msg = String(v.message || "");
  if (msg) {
    const cut = msg.indexOf("\n");
    const sentence = cut < 0 ? msg : msg.slice(0, cut);
    const rest = cut < 0 ? "" : msg.slice(cut + 1).trim();
    // The verdict speaks for the browser the page runs in (trial.browser,
    // told by its User-Agent): the line is the one this very console shows.
    const who = { firefox: "Firefox's console: ", webkit: "Safari's (WebKit's) console: " }[trial.browser] || "Chromium's console: ";
    parts.push(el("p", { class: "v-console" }, el("span", { class: "v-tag" }, who), sentence));
    if (rest) parts.push(el("p", { class: "v-plain" }, rest));
  }
  if (v.error) parts.push(el("p", { class: "v-error" }, "error: ", el("code", {}, v.error), v.failedParameter ? [" (", el("code", {}, v.failedParameter), ")"] : ""));
  if (v.preflight && (v.preflightReasons || []).length) {
    parts.push(el("p", { class: "v-reasons" }, "Preflight because: " + v.preflightReasons.join("; ")));
  }
  parts.push(sequenceDiagram(trial, v));
  box.replaceChildren(...parts);
  box.hidden = false;
}
