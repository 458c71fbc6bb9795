// Making a request: one fetch() (or new WebSocket(), or a fetch() from a
// sandboxed iframe) as a trial. The page names it with a random id,
// announces it on the live log, and makes the fetch with referrer
// "/trial/<id>" so site B can tell which exchanges belong to it without
// any change to the URL or the headers (either would change what CORS
// does). When the fetch settles the page reports what JavaScript got.

import { el } from "./dom.js";
import { siteBOrigin } from "./origins.js";
import * as transport from "./transport.js";
import * as trials from "./trials.js";
import { learnIds } from "./presets.js";
import { kindTrial, normalize } from "./kinds.js";
import { edited } from "./policy.js";

const BODY_LIMIT = 2000; // characters of a response body reported and shown
const ANNOUNCE_BODY_LIMIT = 8000; // characters of a request body announced (the socket takes 64 KiB a message)

let ready = Promise.resolve(); // send waits for the page's start-up

// waitFor makes send wait for p (the page's start-up) before any trial.
export function waitFor(p) {
  ready = p;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function newId() {
  let id = "";
  while (id.length < 12) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < 248 && id.length < 12) id += ALPHABET[b % 62]; // 248 = 4×62: no bias
    }
  }
  return id;
}

// toRequest fills in a request's defaults and resolves its path on site B.
export function toRequest(r) {
  const path = r.url ?? r.path ?? "/api/items";
  const base = r.site === "A" ? location.origin : siteBOrigin(); // site "A": a same-origin request
  let url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : base + (path.startsWith("/") ? "" : "/") + path;
  if (r.mode === "websocket") url = url.replace(/^http(s?):/, "ws$1:"); // new WebSocket(), not fetch()
  let headers = r.headers || [];
  if (!Array.isArray(headers)) headers = Object.entries(headers);
  return normalize({
    ...(r.kind ? { kind: String(r.kind) } : {}), // not a fetch(): an <img>, a <script>… (kinds.js)
    label: String(r.label ?? ""),
    method: r.method === undefined ? "GET" : String(r.method),
    url,
    headers: headers.map(([n, v]) => [String(n), String(v)]),
    body: r.body === undefined || r.body === null ? "" : String(r.body),
    credentials: r.credentials || "same-origin",
    mode: r.mode || "cors",
  });
}

// send makes one fetch() as a trial and resolves to {id, outcome}; with a
// request.readHeader, also {read: {name, value}} = response.headers.get(name).
export async function send(request) {
  await ready;
  await edited(); // the editor shows a learner's edit at once: the request meets it, not the policy before it
  const id = newId();
  const req = toRequest(request || {});
  // A websocket sends no Referer the page can set: its URL names the trial.
  if (req.mode === "websocket") req.url += (req.url.includes("?") ? "&" : "?") + "trial=" + id;
  const readHeader = request && request.readHeader ? String(request.readHeader) : "";
  trials.begin(id, req, request || {});
  const sandboxed = !!(request && request.sandbox);
  transport.send({
    type: "announce", id,
    origin: sandboxed ? "null" : undefined,
    request: {
      ...req,
      headers: req.headers.slice(0, 50).map(([n, v]) => [n.slice(0, 1000), v.slice(0, 1000)]),
      body: req.body.slice(0, ANNOUNCE_BODY_LIMIT),
    },
  });

  let outcome;
  let read;
  if (sandboxed) {
    outcome = await sandboxFetch(id, req);
  } else if (req.mode === "websocket") {
    outcome = await webSocketTrial(req.url);
  } else if (req.kind) {
    outcome = await kindTrial(id, req);
  } else try {
    const init = {
      method: req.method,
      headers: new Headers(req.headers),
      credentials: req.credentials,
      mode: req.mode,
      referrer: "/trial/" + id,
      referrerPolicy: "unsafe-url",
    };
    if (req.body !== "") init.body = req.body;
    const resp = await fetch(req.url, init);
    const headers = [];
    for (const [name, value] of resp.headers) headers.push([name.toLowerCase(), value]);
    if (readHeader) read = { name: readHeader, value: resp.headers.get(readHeader) };
    let body = "";
    try {
      body = (await resp.text()).slice(0, BODY_LIMIT);
    } catch (err) {
      body = "(reading the body failed: " + String(err) + ")";
    }
    outcome = { ok: true, type: resp.type, status: resp.status, headers, body };
  } catch (err) {
    outcome = { ok: false, type: "error", status: 0, headers: [], body: "", error: String(err) };
  }
  learnIds(req, outcome);
  transport.send({ type: "outcome", id, outcome });
  trials.finish(id, outcome, read);
  return read ? { id, outcome, read } : { id, outcome };
}

// webSocketTrial opens new WebSocket(url) — not a fetch(), so no CORS — and
// resolves when it closes: ok with the first message read, if any.
function webSocketTrial(url) {
  return new Promise((resolve) => {
    const failed = (error) => ({ ok: false, type: "error", status: 0, headers: [], body: "", error });
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      resolve(failed(String(err)));
      return;
    }
    let body = null;
    const timer = setTimeout(() => { ws.close(); resolve(failed("the websocket did not close within 20 s")); }, 20000);
    ws.onmessage = (e) => { if (body === null) body = String(e.data).slice(0, BODY_LIMIT); };
    ws.onclose = (e) => {
      clearTimeout(timer);
      resolve(body !== null ? { ok: true, type: "websocket", status: 101, headers: [], body }
        : failed(`websocket closed (code ${e.code}) before any message`));
    };
  });
}

// sandboxFetch makes the fetch() from a sandboxed iframe (origin "null")
// that site A serves at /trial/<id>: its URL is the Referer that names the
// trial. Resolves to what JavaScript in the iframe got.
function sandboxFetch(id, req) {
  return new Promise((resolve) => {
    const frame = el("iframe", { src: "/trial/" + id, sandbox: "allow-scripts", hidden: true, title: "sandboxed iframe" });
    const timer = setTimeout(() => finish({ ok: false, type: "error", status: 0, headers: [], body: "", error: "the sandboxed iframe did not answer" }), 20000);
    function finish(outcome) {
      clearTimeout(timer);
      removeEventListener("message", onMessage);
      frame.remove();
      resolve(outcome);
    }
    function onMessage(e) {
      if (e.source !== frame.contentWindow || !e.data) return;
      if (e.data.type === "corslab-sandbox-ready") {
        frame.contentWindow.postMessage({ type: "corslab-fetch", id, request: { ...req, headers: req.headers } }, "*");
      } else if (e.data.type === "corslab-outcome" && e.data.id === id) {
        finish(e.data.outcome);
      }
    }
    addEventListener("message", onMessage);
    document.body.append(frame);
  });
}
