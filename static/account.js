// The server's account of a trial, rendered. The journal builds one account
// of each trial (internal/model/trial, the live log's "trial" event,
// docs/live-log.md): its call, what happened, the verdict, the whole fix,
// the notes, the mismatch, the trace and a headline. The page draws these
// as they are and derives nothing from them: the result pane (result.js)
// and the live log's entry (trials.js) are both made of the views here.

import { el } from "./dom.js";
import { sequenceDiagram } from "./diagram.js";

// codeText renders text with `code` spans as <code> elements, never as
// HTML: the verdict's and the fix's words mark header lines with backticks.
export function codeText(s) {
  const parts = String(s ?? "").split("`");
  if (parts.length % 2 === 0) return [String(s ?? "")]; // unbalanced: show as is
  return parts.map((p, i) => (i % 2 ? el("code", {}, p) : p)).filter((p) => p !== "");
}

// headlineClass is the headline's colour: good, stopped (never reached
// site B), hidden-answer (site B answered, JS got nothing), or plain.
function headlineClass(a) {
  const h = a.happened || {};
  if (a.mismatch) return "mismatch";
  if (!a.verdict || h.sameOrigin || h.websocket) return "plain";
  if (a.verdict.allowed) return a.verdict.responseType === "opaque" ? "opaque" : "good";
  return h.reachedSiteB ? "hidden-answer" : "stopped";
}

// headlineView is the account's one-line headline.
export function headlineView(a) {
  return el("p", { class: "loud t-headline " + headlineClass(a) }, a.headline || "… waiting for the trial's account");
}

const PREFLIGHT = {
  sent: "preflight: sent (an OPTIONS request went to site B first)",
  cached: "preflight: answered from the browser's preflight cache (no OPTIONS sent)",
  none: "preflight: none",
};

// happenedView lists what happened, as the account's record says it.
export function happenedView(a) {
  const h = a.happened;
  if (!h) return null;
  const items = [];
  if (h.websocket) items.push(["websocket", "a websocket (new WebSocket), not a fetch(): no CORS"]);
  if (h.sameOrigin) items.push(["same-origin", "same origin: no CORS at all"]);
  if (h.refusedLocally) items.push(["refused", "refused by fetch() itself before sending: nothing sent"]);
  items.push(["preflight", PREFLIGHT[h.preflight] || "preflight: " + h.preflight]);
  items.push(["reached", h.reachedSiteB ? "reached site B: yes" : "reached site B: no"]);
  return el("ul", { class: "t-happened", "aria-label": "what happened" },
    items.map(([k, text]) => el("li", { "data-happened": k }, text)));
}

// verdictView is the verdict in the browser's words: that browser's console
// sentence, the explanation, the error and why a preflight was needed.
export function verdictView(a) {
  const v = a.verdict;
  const h = a.happened || {};
  if (!v) return null;
  let title = v.allowed ? "Why it worked" : "Why the browser said no";
  if (h.sameOrigin) title = "Same origin: no CORS";
  const parts = [el("h3", {}, title)];
  const msg = String(v.message || "");
  if (msg) {
    const cut = msg.indexOf("\n");
    const sentence = cut < 0 ? msg : msg.slice(0, cut);
    const rest = cut < 0 ? "" : msg.slice(cut + 1).trim();
    // The verdict speaks for the browser the page runs in (a.browser, told
    // by its User-Agent): the line is the one this very console shows.
    const who = { firefox: "Firefox's console: ", webkit: "Safari's (WebKit's) console: " }[a.browser] || "Chromium's console: ";
    parts.push(el("p", { class: "v-console" }, el("span", { class: "v-tag" }, who), codeText(sentence)));
    if (rest) parts.push(el("p", { class: "v-plain" }, codeText(rest)));
  }
  if (v.error) parts.push(el("p", { class: "v-error" }, "error: ", el("code", {}, v.error), v.failedParameter ? [" (", el("code", {}, v.failedParameter), ")"] : ""));
  if (v.preflight && (v.preflightReasons || []).length) {
    const how = h.preflight === "cached" ? " — answered from the browser's preflight cache, no OPTIONS sent" : "";
    parts.push(el("p", { class: "v-reasons" }, "Preflight needed because: ", codeText(v.preflightReasons.join("; ")), how));
  }
  return el("section", { class: "v-verdict", "aria-label": "the verdict" }, parts);
}

// headerList shows a fix's headers, one "Name: value" a line.
function headerList(label, hs) {
  const names = Object.keys(hs || {});
  if (!names.length) return null;
  return el("div", { class: "fix-part" }, el("p", { class: "fix-where" }, label),
    el("ul", { class: "fix-headers", "aria-label": label }, names.map((n) => el("li", {}, el("code", {}, `${n}: ${hs[n]}`)))));
}

// fixView is the whole fix for this request, every header at once.
export function fixView(a) {
  const f = a.fix;
  if (!f) return null;
  const parts = [el("h3", {}, "The whole fix"), el("p", { class: "fix-text" }, codeText(f.text))];
  if (f.url) parts.push(el("p", { class: "fix-url" }, "on ", el("code", {}, f.url)));
  if (f.preflightStatus) parts.push(el("p", { class: "fix-where" }, "the answer to the OPTIONS preflight: status ", el("code", {}, String(f.preflightStatus))));
  parts.push(headerList("the answer to the OPTIONS preflight carries", f.preflight));
  parts.push(headerList(f.actualUnseen ? "the actual response (never seen: the preflight stopped it) carries" : "the actual response carries", f.actual));
  if (f.page) parts.push(el("p", { class: "fix-page" }, "in the page: ", codeText(f.page)));
  return el("section", { class: "fix", "aria-label": "the whole fix" }, parts);
}

// notesView lists every note of the account.
export function notesView(a) {
  const ns = a.notes || [];
  if (!ns.length) return null;
  return el("ul", { class: "t-notes", "aria-label": "notes" }, ns.map((n) => el("li", {}, codeText(n))));
}

// mismatchView says loudly that the model disagrees with what JavaScript got.
export function mismatchView(a) {
  if (!a.mismatch) return null;
  return el("p", { class: "t-mismatch", role: "alert" }, "⚠ The model disagrees with the browser: ", codeText(a.mismatch));
}

// diagramView is the sequence diagram drawn from the account's trace.
export function diagramView(a) {
  if (!(a.trace || []).length) return null;
  return el("section", { class: "t-diagram", "aria-label": "sequence diagram" }, sequenceDiagram(a.trace));
}
