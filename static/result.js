// "What JavaScript got" (#result) and the account under it (#verdict): the
// selected trial's call, the account's headline and what happened, what
// fetch() resolved or rejected with, then the verdict in the browser's
// words, the whole fix, the notes, any mismatch and the sequence diagram.
//
// It renders a trial's view (trials.js: the journal's snapshot, whose
// account fields it draws as they are, and what the page read itself); it
// keeps no state of its own and derives nothing.

import { $, el } from "./dom.js";
import { shortURL } from "./origins.js";
import { diagramView, fixView, happenedView, headlineView, mismatchView, notesView, verdictView } from "./account.js";

// renderResult shows trial view m ({request, outcome, account, read}), or
// the empty prompt for null.
let openMore = false; // the reader unfolded what JavaScript read: keep it so

export function renderResult(m) {
  const box = $("result");
  if (!m) {
    box.replaceChildren(el("p", { class: "empty" }, "Press a request button: the answer JavaScript gets shows here."));
    renderVerdict(null);
    return;
  }
  const req = m.request;
  const a = m.account || {};
  const parts = [];
  if (req) {
    parts.push(el("div", { class: "r-req" },
      el("span", { class: "r-label" }, req.label || "hand-built"), " ",
      el("code", { class: "r-call" }, a.call || `${req.method} ${shortURL(req.url)}`), " ", shareView(m.id)));
    if ((req.headers || []).length) {
      parts.push(el("div", { class: "r-sent" }, "headers sent: ", req.headers.map(([n, v], i) => [i ? ", " : "", el("code", {}, `${n}: ${v}`)])));
    }
  }
  if (m.account) parts.push(headlineView(a), happenedView(a));
  const o = m.outcome;
  if (!o) {
    parts.push(el("p", { class: "r-big pending" }, "… waiting for fetch() to settle"));
  } else if (!o.ok) {
    parts.push(el("p", { class: "r-big bad" }, a.happened && a.happened.websocket ? "✗ the websocket failed" : "✗ fetch() rejected"));
    parts.push(el("pre", { class: "r-error" }, o.error || "(no error text)"));
  } else {
    const good = o.type !== "opaque" && o.status >= 200 && o.status < 300;
    parts.push(el("p", { class: "r-big " + (good ? "good" : "meh") },
      o.type === "websocket" ? "✓ the websocket opened (101) and a message came" : `✓ fetch() resolved: status ${o.status}`,
      el("span", { class: "r-type" }, ` · response.type "${o.type}"`)));
    if (o.type === "opaque") {
      parts.push(el("p", { class: "r-note" }, "An opaque response: JavaScript cannot read its status, headers or body, whatever site B sent."));
    }
    const hs = o.headers || [];
    // What JavaScript read in full, folded so that the verdict's diagram
    // comes right under the outcome on a projector.
    const read = [el("h3", {}, `Headers JavaScript can read (${hs.length})`)];
    if (hs.length) {
      read.push(el("dl", { class: "r-headers", "aria-label": "headers JavaScript can read" }, hs.map(([n, v]) => [el("dt", {}, n), el("dd", {}, v)])));
    } else {
      read.push(el("p", { class: "r-note" }, "none"));
    }
    read.push(el("h3", {}, o.type === "websocket" ? "First message" : "Body"));
    read.push(el("pre", { class: "r-body" }, o.body ? o.body : "(empty)"));
    if (m.read) {
      const v = m.read.value;
      parts.push(el("p", { class: "r-read " + (v === null ? "bad" : "good") },
        el("code", {}, `response.headers.get("${m.read.name}")`), " → ",
        el("code", {}, v === null ? "null" : JSON.stringify(v)),
        v === null ? ` — not exposed: site B must list it in Access-Control-Expose-Headers` : ""));
    }
    parts.push(el("details", { class: "r-more", open: openMore || undefined },
      el("summary", {}, `the ${hs.length} header${hs.length === 1 ? "" : "s"} and the body JavaScript can read`), read));
  }
  box.replaceChildren(...parts.filter(Boolean));
  box.querySelector(".r-more")?.addEventListener("toggle", (e) => (openMore = e.target.open));
  renderVerdict(m.account);
}

let shareLink = null; // (trial id) → the link that reproduces it, or ""

// onShare sets how a trial's shareable link is made (app.js: share.js).
export function onShare(fn) {
  shareLink = fn;
}

// shareView is "Copy link": the link carrying site B's policy and the
// trial's request, copied to the clipboard and shown to copy by hand.
function shareView(id) {
  if (!shareLink || !id) return null;
  const out = el("input", { class: "share-link", readonly: true, "aria-label": "link to this reproduction", hidden: true });
  const b = el("button", { type: "button", class: "small", "data-share": id, title: "A link that loads site B's policy and this request on any corslab" }, "Copy link");
  b.addEventListener("click", async () => {
    const url = shareLink(id);
    if (!url) return;
    out.value = url;
    out.hidden = false;
    out.select();
    try {
      await navigator.clipboard.writeText(url);
      b.textContent = "Link copied";
    } catch {
      b.textContent = "Copy the link →";
    }
  });
  return el("span", { class: "share" }, b, out);
}

let applyFix = null; // (trial id) → Promise of an error text, "" when applied

// onApplyFix sets what "apply the fix" does (app.js: POST /lab/policy/fix,
// then send the request again).
export function onApplyFix(fn) {
  applyFix = fn;
}

// applyView is the button that puts exactly the trial's whole fix into
// site B's policy (the server applies the account's fix: the page derives
// nothing) and sends the request again; none when no header fixes it.
function applyView(a) {
  if (!a.fix || a.fix.page || !a.id || !applyFix) return null;
  const err = el("span", { class: "form-error fix-error", role: "alert" });
  const b = el("button", {
    type: "button", class: "send fix-apply", "data-apply-fix": a.id,
    title: "Put exactly this fix into site B's policy, then send the same request again",
  }, "Apply the fix and send again");
  b.addEventListener("click", async () => {
    b.disabled = true;
    err.textContent = await applyFix(a.id);
    b.disabled = false;
  });
  return el("p", { class: "fix-do teacher-only" }, b, " ", err);
}

// renderVerdict shows a trial's account (the live log's trial event, or
// its account fields): the verdict, the whole fix, the notes, the
// mismatch and the diagram. With none of them it shows nothing.
let shownAccount; // the account #verdict shows: an unchanged one is not redrawn

export function renderVerdict(a) {
  const box = $("verdict");
  if (a && a === shownAccount && box.childElementCount) return; // its buttons stay put under a pointer
  shownAccount = a;
  const parts = a ? [diagramView(a), verdictView(a), fixView(a), applyView(a), notesView(a), mismatchView(a)].filter(Boolean) : [];
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
}
