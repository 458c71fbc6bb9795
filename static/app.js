// corslab's page. It runs on site A's origin, fires fetch()es at site B (an
// API on another origin) and shows, side by side, what JavaScript got and
// what site B saw, from the lab's live log (/lab/ws, same-origin on purpose).
//
// This module starts the page and wires the others, one per concern, each
// owning its state:
//   origins.js   site B's origin (GET /lab/config)
//   transport.js the live log's websocket
//   send.js      making a request as a trial        presets.js the presets
//   trials.js    the trial store and its log entries result.js  What JavaScript got
//   account.js   a trial's account, rendered         diagram.js the sequence diagram (SVG)
//   log.js       What site B saw
//   policy.js    site B's policy: summary and editor lessons.js the lesson panel
//   form.js      the hand-built request form        dom.js     DOM helpers
//   replay.js    a replayed HAR's recorded requests (corslab -replay)
//   scenarios.js the bug catalogue: picker and scenario panel
//   share.js     a reproduction's link (#repro=…), policy files
//   kinds.js     beyond fetch(): XHR, <img>, fonts, scripts, EventSource, beacons, forms, iframes
// No build step: browsers load these as native ES modules. No inline script
// or style anywhere: site A serves the page with a strict
// Content-Security-Policy.

import { $ } from "./dom.js";
import * as origins from "./origins.js";
import * as transport from "./transport.js";
import * as trials from "./trials.js";
import * as log from "./log.js";
import * as policy from "./policy.js";
import * as lessons from "./lessons.js";
import * as form from "./form.js";
import * as replay from "./replay.js";
import * as scenarios from "./scenarios.js";
import { presets, learnEffect, showDeleteTarget } from "./presets.js";
import { send, waitFor } from "./send.js";
import { renderVerdict, onApplyFix, onShare } from "./result.js";
import * as share from "./share.js";
import * as kinds from "./kinds.js";

transport.on("hello", (ev) => {
  policy.onHello(ev);
  $("upstream-url").textContent = ev.upstream || "";
  $("upstream").hidden = !ev.upstream;
});
transport.on("restart", () => {
  trials.restart();
  lessons.restart();
});
transport.on("gap", log.showGap);
transport.on("exchange", (ev) => {
  if (!ev.exchange) return;
  learnEffect(ev.exchange.effect);
  if (!trials.onExchange(ev)) log.showExchange(ev);
});
transport.on("policy", policy.onPolicy);
transport.on("trial", trials.onTrial);
transport.on("lesson", lessons.onLesson);

const ready = (async () => {
  const cfg = await origins.load((text) => transport.setConn("down", text));
  if (cfg.teacher === false) {
    // A student's page under -lan: the teacher controls the policy and the lesson.
    document.body.classList.add("student");
    $("teacher-note").hidden = false;
    policy.setReadOnly("The teacher controls the policy: send requests and follow the lesson here; the policy changes when the teacher changes it.");
    scenarios.setTeacher(false);
  }
  $("origin-a").textContent = location.origin;
  $("origin-b").textContent = origins.siteBOrigin();
  transport.connect();
  await Promise.all([transport.helloSeen, lessons.load(), replay.load(), scenarios.load()]);
  await share.loadFragment();
})();
waitFor(ready);

for (const b of document.querySelectorAll("[data-preset]")) {
  b.addEventListener("click", () => {
    const make = presets[b.dataset.preset];
    if (!make) return;
    const r = make();
    form.fillForm(r);
    send(r);
  });
}
form.wire();
onApplyFix(async (id) => {
  const resp = await fetch("/lab/policy/fix", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ trial: id }) });
  if (!resp.ok) return "Not applied: " + (await resp.text()).trim().replace(/\n/g, "; ");
  const r = trials.again(id);
  if (r) send(r);
  return "";
});
kinds.wire(form.fillForm, send);
showDeleteTarget();
lessons.wire();
scenarios.wire();
share.wire();
addEventListener("hashchange", () => share.loadFragment());
onShare((id) => {
  const r = trials.again(id);
  return r ? share.link(policy.current(), r) : "";
});
$("reconnect").addEventListener("click", transport.reconnect);

// Presenter mode: larger type and fewer panels, for a projector; the P key
// (outside a text field) or the header's button toggles it.
function presenter() {
  const on = document.body.classList.toggle("presenter");
  $("presenter").setAttribute("aria-pressed", String(on));
}
$("presenter").addEventListener("click", presenter);
addEventListener("keydown", (e) => {
  const t = e.target;
  if (e.key.toLowerCase() !== "p" || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  e.preventDefault();
  presenter();
});

// The page's API, for tests and the curious (DevTools' console).
window.renderVerdict = renderVerdict;
window.corslab = {
  send,
  presets,
  kindPresets: kinds.kindPresets,
  ready,
  renderVerdict,
  get siteB() {
    return origins.siteBOrigin();
  },
  get policy() {
    return policy.current();
  },
  // trial returns the journal's latest snapshot of trial id, as the page
  // received it on the live log (its account included), or null.
  trial: trials.snapshot,
  editPolicy: policy.edit,
  startLesson: lessons.start,
  get scenario() {
    return scenarios.current();
  },
  get lesson() {
    return lessons.current();
  },
};
