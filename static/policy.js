// Site B's policy as the header shows it: a one-line summary and a table,
// from the live log's hello and its "policy" events. The page never
// changes the policy; the terminal UI and PUT /lab/policy do.

import { $, el, clock } from "./dom.js";
import { addEntry } from "./log.js";

let policyDoc = null; // the document in force, as last announced

export const current = () => policyDoc;

const short = (name) => name.replace(/^Access-Control-/i, "");

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

// show puts doc in the header; changed makes it flash.
export function show(doc, changed) {
  policyDoc = doc;
  $("policy-summary").textContent = summary(doc);
  const detail = $("policy-detail");
  const rows = [];
  const pre = (doc && doc.preflight) || {};
  const act = (doc && doc.actual) || {};
  rows.push(el("tr", {}, el("th", { scope: "row" }, "preflight status"), el("td", {}, String(pre.status || 204) + (pre.status ? "" : " (default)"))));
  for (const [where, hs] of [["preflight", pre.headers || {}], ["actual", act.headers || {}]]) {
    const names = Object.keys(hs).sort();
    if (!names.length) rows.push(el("tr", {}, el("th", { scope: "row" }, where), el("td", { class: "none" }, "no headers")));
    for (const n of names) {
      rows.push(el("tr", {}, el("th", { scope: "row" }, `${where}`), el("td", {}, el("code", {}, `${n}: ${[].concat(hs[n]).join("  |  ")}`))));
    }
  }
  detail.replaceChildren(el("table", {}, el("tbody", {}, rows)),
    el("p", { class: "hint" }, "Change it in the terminal UI, or PUT a policy document to /lab/policy."));
  if (changed) {
    const s = $("policy");
    s.classList.remove("flash");
    void s.offsetWidth; // restart the animation
    s.classList.add("flash");
  }
}

// onPolicy shows a "policy" event: the new policy, and a line on the log.
export function onPolicy(ev) {
  const p = ev.policy;
  if (!p) return;
  show(p.document, true);
  addEntry(el("li", { class: "entry policy-change" },
    el("div", { class: "e-head" }, el("time", { datetime: ev.time }, clock(ev.time)), " ",
      el("strong", {}, "policy changed"), ` by ${p.by || "?"}`),
    el("div", { class: "e-policy" }, summary(p.document))));
}
