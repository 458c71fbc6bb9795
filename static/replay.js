// Replay mode (corslab -replay FILE.har): the HAR's recorded requests, as
// buttons. Each makes the recorded fetch() again — from site A's origin,
// not the recorded page's — against site B, which answers as the recorded
// server did (GET /lab/replay).

import { $, el } from "./dom.js";
import { fillForm } from "./form.js";
import { send } from "./send.js";

// load shows the recorded requests, if site B replays a HAR.
export async function load() {
  let rp;
  try {
    rp = await fetch("/lab/replay", { cache: "no-store" }).then((r) => r.json());
  } catch {
    return; // an older lab: no replay
  }
  if (!rp || !rp.server) return;
  $("replay-file").textContent = rp.file;
  $("replay-server").textContent = rp.server;
  $("replay-calls").replaceChildren(...rp.calls.map((r, i) => {
    const was = r.recordedError ? `blocked (${r.recordedError})` : "allowed";
    return el("button", { type: "button", "data-replay": i, onclick: () => { fillForm(r); send(r); } },
      el("b", {}, r.label),
      el("small", {}, `recorded from ${r.recordedOrigin}: ${was}; now from ${location.origin}`));
  }));
  $("replay").hidden = false;
}
