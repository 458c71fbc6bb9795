// The bug catalogue on the page (GET /lab/scenarios): a picker in the
// header and, for the scenario picked or started with corslab -scenario
// NAME, a panel in place of the lesson's: its explanation, the request
// that shows the bug, "Show the bug" (the buggy policy in force, then the
// request — after its setup, and for a stale-cache scenario again after the
// later deploy) and "Apply the fix" (the scenario's fixed policy, then the
// request again). Every policy comes from the server's catalogue.

import { $, el } from "./dom.js";
import { codeText } from "./account.js";
import { send } from "./send.js";

let list = []; // the catalogue
let shown = null; // the scenario in the panel
let teacher = true; // false on a student's page (-lan): the policy is not ours to change

// setTeacher says whether this page may put the scenario's policies in force.
export function setTeacher(t) {
  teacher = t;
}

// load fetches the catalogue and shows the scenario the lab started in.
export async function load() {
  let data;
  try {
    data = await (await fetch("/lab/scenarios", { cache: "no-store" })).json();
  } catch {
    return; // no catalogue: no picker
  }
  list = data.scenarios || [];
  const pick = $("scenario-pick");
  pick.replaceChildren(el("option", { value: "" }, "— lessons —"), ...list.map((s) => el("option", { value: s.name }, s.name)));
  $("scenario-picker").hidden = list.length === 0;
  if (data.current) show(data.current);
}

// current is the scenario shown, or null.
export const current = () => shown;

function show(name) {
  const sc = list.find((s) => s.name === name);
  if (!sc) return;
  shown = sc;
  $("scenario-pick").value = name;
  document.body.classList.add("scenario-mode");
  $("scenario-title").textContent = `Bug: ${sc.title}`;
  $("scenario-name").textContent = sc.name;
  $("scenario-explanation").replaceChildren(...codeText(sc.explanation));
  const r = sc.request;
  $("scenario-request").textContent = `${r.method || "GET"} ${r.url}` + ((r.headers || []).length ? ` (${r.headers.map(([n, v]) => `${n}: ${v}`).join(", ")})` : "") + (r.credentials === "include" ? " with credentials" : "") + (r.kind ? ` — as ${r.kind}, not fetch()` : "");
  $("scenario-expect").replaceChildren(...(sc.error ? ["Chromium says ", el("code", {}, sc.error)] : ["the browser allows it: the bug shows in what site B saw"]));
  $("scenario-error").hidden = true;
  $("scenario").hidden = false;
}

function close() {
  shown = null;
  $("scenario-pick").value = "";
  document.body.classList.remove("scenario-mode");
  $("scenario").hidden = true;
}

// put puts one of the scenario's policies in force (buggy, deploy, fixed).
async function put(which) {
  const r = await fetch(`/lab/scenarios/${encodeURIComponent(shown.name)}/${which}`, { method: "POST" });
  if (!r.ok) {
    const e = $("scenario-error");
    e.textContent = (await r.text()).trim().replace(/\n/g, "; ");
    e.hidden = false;
    throw new Error(e.textContent);
  }
}

// showBug puts the buggy policy in force and makes the request that shows it.
export async function showBug() {
  const sc = shown;
  if (teacher) await put("buggy");
  for (const r of sc.setup || []) await send(r);
  const res = await send(sc.request);
  if (!sc.deploy) return res;
  await put("deploy");
  return send(sc.request);
}

// applyFix puts the scenario's fixed policy in force and sends the request again.
export async function applyFix() {
  await put("fixed");
  return send(shown.request);
}

export function wire() {
  $("scenario-pick").addEventListener("change", async (e) => {
    const name = e.target.value;
    if (!name) return close();
    show(name);
    await put("buggy");
  });
  $("scenario-close").addEventListener("click", close);
  $("scenario-bug").addEventListener("click", () => showBug().catch(() => {}));
  $("scenario-fix").addEventListener("click", () => applyFix().catch(() => {}));
}
