// Sharing a reproduction: a link to this lab's page whose fragment
// (#repro=…, base64url JSON: {policy, request}) carries site B's policy and
// a request. Opened on any machine running corslab, the page puts the
// policy in force (PUT /lab/policy, validated as every door validates it),
// fills the form with the request and offers to send it. The fragment
// never reaches a server. Policy files are saved and loaded here too.

import { $, el } from "./dom.js";
import { siteBOrigin } from "./origins.js";
import { toRequest, send } from "./send.js";
import { fillForm } from "./form.js";
import * as policy from "./policy.js";

const b64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64 = (s) => new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));

// portable is request r as any lab can make it: its URL a path on site B
// (or, with site "A", on site A), not this lab's host and port.
export function portable(r) {
  const req = toRequest(r);
  const out = { label: req.label, method: req.method, url: req.url, headers: req.headers, body: req.body, credentials: req.credentials, mode: req.mode };
  for (const [origin, site] of [[siteBOrigin(), ""], [location.origin, "A"]]) {
    if (req.url.startsWith(origin + "/")) {
      out.url = req.url.slice(origin.length);
      if (site) out.site = site;
      break;
    }
  }
  if (r.readHeader) out.readHeader = String(r.readHeader);
  if (r.sandbox) out.sandbox = true;
  return out;
}

// link is the link that reproduces request r under policy doc.
export function link(doc, r) {
  return `${location.origin}/#repro=${b64(JSON.stringify({ policy: doc, request: portable(r) }))}`;
}

function say(text, isError, request) {
  const p = $("share-note");
  p.replaceChildren(text);
  if (request) p.append(" ", el("button", { type: "button", id: "share-send", class: "send", onclick: () => send(request) }, "Send it"));
  p.classList.toggle("form-error", !!isError);
  p.hidden = false;
  if (request) $("share-send").focus();
}

// loadFragment loads a shared reproduction from the page's URL, if any:
// the policy in force, the request in the form, ready to send.
export async function loadFragment() {
  const m = /^#repro=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!m) return;
  history.replaceState(null, "", location.pathname + location.search); // a reload does not apply it again
  let data;
  try {
    data = JSON.parse(unb64(m[1]));
    if (!data || typeof data !== "object" || !data.policy || !data.request) throw new Error("want {policy, request}");
  } catch (e) {
    say(`The shared link is damaged (${e.message}): nothing loaded.`, true);
    return;
  }
  const resp = await fetch("/lab/policy", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data.policy) });
  if (!resp.ok) {
    say("The shared link's policy was refused, the old one kept: " + (await resp.text()).trim().replace(/\n/g, "; "), true);
    return;
  }
  fillForm(data.request);
  say("Loaded a shared reproduction: its policy is in force and its request is in the form.", false, data.request);
}

// savePolicy downloads the policy in force as a file.
function savePolicy() {
  const blob = new Blob([JSON.stringify(policy.current() || {}, null, 2) + "\n"], { type: "application/json" });
  const a = el("a", { href: URL.createObjectURL(blob), download: "corslab-policy.json" });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// loadPolicy puts a policy file in force; a refusal shows on the editor's error line.
async function loadPolicy(file) {
  const text = await file.text();
  const resp = await fetch("/lab/policy", { method: "PUT", headers: { "Content-Type": "application/json" }, body: text });
  const err = $("policy-error");
  if (resp.ok) {
    err.hidden = true;
    return;
  }
  err.textContent = `Not loaded (${file.name}): ` + (await resp.text()).trim().replace(/\n/g, "; ");
  err.hidden = false;
}

export function wire() {
  $("policy-save").addEventListener("click", savePolicy);
  $("policy-load").addEventListener("change", (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) loadPolicy(f);
    e.target.value = "";
  });
}
