// The "Build a request" form: filled in by every preset and lesson button,
// sent as a hand-built request.

import { $ } from "./dom.js";
import { shortURL, siteBOrigin } from "./origins.js";
import { send, toRequest } from "./send.js";

// fillForm shows request r in the form.
export function fillForm(r) {
  const req = toRequest(r);
  $("f-method").value = req.method;
  $("f-path").value = shortURL(req.url);
  $("f-headers").value = req.headers.map(([n, v]) => `${n}: ${v}`).join("\n");
  $("f-body").value = req.body;
  $("f-credentials").value = req.credentials;
  $("f-mode").value = req.mode;
  $("f-kind").value = req.kind || "";
}

// parseHeaders reads "Name: value" lines; blank lines are skipped.
function parseHeaders(text) {
  const out = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const c = line.indexOf(":");
    if (c <= 0) throw new Error(`headers, line ${i + 1}: want "Name: value", got "${line.slice(0, 40)}"`);
    out.push([line.slice(0, c).trim(), line.slice(c + 1).trim()]);
  }
  return out;
}

function onSubmit(e) {
  e.preventDefault();
  const err = $("f-error");
  let headers;
  try {
    headers = parseHeaders($("f-headers").value);
  } catch (x) {
    err.textContent = x.message;
    err.hidden = false;
    $("f-headers").focus();
    return;
  }
  const request = {
    label: "hand-built",
    method: $("f-method").value.trim(),
    path: $("f-path").value.trim(),
    headers,
    body: $("f-body").value,
    credentials: $("f-credentials").value,
    mode: $("f-mode").value,
    kind: $("f-kind").value,
  };
  if (!reachable(toRequest(request).url)) {
    err.textContent = `path: the page may call site A (${location.origin}) and site B (${siteBOrigin()}) only: its Content-Security-Policy blocks any other origin`;
    err.hidden = false;
    $("f-path").focus();
    return;
  }
  err.hidden = true;
  send(request);
}

// reachable reports whether the page's Content-Security-Policy (connect-src,
// set by site A) lets it call url: site A or site B, over HTTP or a websocket.
function reachable(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return true; // fetch() itself refuses it, and says why
  }
  const origin = u.origin.replace(/^ws(s?):/, "http$1:");
  return origin === location.origin || origin === siteBOrigin();
}

// wire connects the form's submit button.
export function wire() {
  $("custom").addEventListener("submit", onSubmit);
}
