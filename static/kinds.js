// Beyond fetch(): the other ways a page reaches site B — XMLHttpRequest,
// <img> (drawn on a canvas and read), a web font, module and classic
// scripts, EventSource, navigator.sendBeacon, a plain <form> POST, an
// <iframe> — each made as a trial (send.js announces and settles it).
//
// Correlation. Site B tells a trial's exchanges by their Referer,
// /trial/<id>. An element or an API cannot be given a referrer of its own,
// so the request is made from a same-origin iframe that site A serves at
// /trial/<id>?kinds: the document's URL is what goes out as the Referer of
// every request made in it (Fetch "determine request's referrer": the
// client's document URL), and the document's Referrer-Policy: unsafe-url
// sends it in full across origins (elements also carry referrerpolicy
// "unsafe-url"). Neither the request's URL nor its headers change, so CORS
// sees exactly the request a page would make. The iframe's own
// Content-Security-Policy (siteA/kindframe.go) allows site B for exactly
// these kinds; the page's own policy stays as it was.

import { el, $ } from "./dom.js";
import * as transport from "./transport.js";

const BODY_LIMIT = 2000;
const TIMEOUT = 20000;

// The kinds the request builder offers ("" is fetch()).
export const KINDS = [
  ["", "fetch()"],
  ["xhr", "XMLHttpRequest"],
  ["xhr-credentials", "XMLHttpRequest, withCredentials"],
  ["img", "<img> (no crossorigin), read on a canvas"],
  ["img-anonymous", "<img crossorigin=anonymous>, read on a canvas"],
  ["img-use-credentials", "<img crossorigin=use-credentials>, read on a canvas"],
  ["font", "@font-face (FontFace)"],
  ["script-module", "<script type=module>"],
  ["script-classic", "classic <script>"],
  ["script-classic-anonymous", "classic <script crossorigin=anonymous>"],
  ["eventsource", "EventSource"],
  ["eventsource-credentials", "EventSource, withCredentials"],
  ["beacon", "navigator.sendBeacon"],
  ["form", "<form method=post> into a hidden iframe"],
  ["iframe", "<iframe>, then read its document"],
];

// kindPresets: one button each (the "Beyond fetch()" group).
export const kindPresets = {
  xhr: () => ({ label: "XHR", kind: "xhr", method: "GET", path: "/api/items" }),
  xhrCredentials: () => ({ label: "XHR withCredentials", kind: "xhr-credentials", method: "GET", path: "/api/me" }),
  img: () => ({ label: "<img>", kind: "img", method: "GET", path: "/kinds/image.png" }),
  imgAnonymous: () => ({ label: "<img crossorigin>", kind: "img-anonymous", method: "GET", path: "/kinds/image.png" }),
  imgCredentials: () => ({ label: "<img use-credentials>", kind: "img-use-credentials", method: "GET", path: "/kinds/image.png" }),
  font: () => ({ label: "web font", kind: "font", method: "GET", path: "/kinds/font.ttf" }),
  moduleScript: () => ({ label: "module script", kind: "script-module", method: "GET", path: "/kinds/module.js" }),
  classicScript: () => ({ label: "classic script", kind: "script-classic", method: "GET", path: "/kinds/classic.js" }),
  classicScriptAnonymous: () => ({ label: "classic script crossorigin", kind: "script-classic-anonymous", method: "GET", path: "/kinds/classic.js" }),
  eventSource: () => ({ label: "EventSource", kind: "eventsource", method: "GET", path: "/kinds/events" }),
  eventSourceCredentials: () => ({ label: "EventSource withCredentials", kind: "eventsource-credentials", method: "GET", path: "/kinds/events" }),
  beacon: () => ({ label: "sendBeacon", kind: "beacon", method: "POST", path: "/api/items", headers: [["Content-Type", "text/plain;charset=UTF-8"]], body: "sent by sendBeacon" }),
  form: () => ({ label: "form POST", kind: "form", method: "POST", path: "/api/items", headers: [["Content-Type", "application/x-www-form-urlencoded"]], body: "name=posted+by+a+form" }),
  iframe: () => ({ label: "<iframe>", kind: "iframe", method: "GET", path: "/kinds/frame.html" }),
};

// normalize fixes what a kind fixes: the method and, for a beacon and a
// form, the body's type (a beacon of a string is text/plain; a form is urlencoded).
export function normalize(req) {
  if (!req.kind) return req;
  const post = req.kind === "beacon" || req.kind === "form";
  const out = { ...req, method: post ? "POST" : req.kind.startsWith("xhr") ? req.method : "GET" };
  if (req.kind === "beacon") out.headers = [["Content-Type", "text/plain;charset=UTF-8"]];
  else if (req.kind === "form") out.headers = [["Content-Type", "application/x-www-form-urlencoded"]];
  else if (!req.kind.startsWith("xhr")) out.headers = [];
  if (!post && !req.kind.startsWith("xhr")) out.body = "";
  return out;
}

const failed = (error, read = "") => ({ ok: false, type: "", status: 0, headers: [], body: "", error, read });
const loaded = (read = "", extra = {}) => ({ ok: true, type: "", status: 0, headers: [], body: "", read, ...extra });
const errText = (e) => (e && e.name ? e.name + ": " + e.message : String(e));

// siteBSaw resolves when the live log shows site B's first exchange for trial id.
const waiting = new Map(); // trial id → resolve
transport.on("exchange", (ev) => {
  const id = ev.exchange && ev.exchange.trial;
  if (id && waiting.has(id)) {
    waiting.get(id)();
    waiting.delete(id);
  }
});
function siteBSaw(id) {
  return new Promise((resolve) => waiting.set(id, resolve));
}

// trialFrame opens site A's /trial/<id>?kinds in a hidden iframe.
function trialFrame(id) {
  return new Promise((resolve) => {
    const frame = el("iframe", { src: "/trial/" + id + "?kinds", hidden: true, title: "trial " + id });
    frame.addEventListener("load", () => resolve(frame), { once: true });
    document.body.append(frame);
  });
}

// kindTrial makes req (of req.kind) in a trial frame and resolves to what
// the page got: ok when it loaded; read, what the follow-up read found.
export async function kindTrial(id, req) {
  let timer;
  let frame = null;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(failed(`no answer within ${TIMEOUT / 1000} s`)), TIMEOUT); });
  const made = trialFrame(id).then((f) => { frame = f; return make(f, id, req); });
  try {
    return await Promise.race([made, timeout]);
  } catch (e) {
    return failed(errText(e));
  } finally {
    clearTimeout(timer);
    waiting.delete(id);
    // A beacon outlives its document (keepalive), but keep the frame a
    // while anyway: it is what a reader inspects in DevTools.
    setTimeout(() => { if (frame) frame.remove(); }, 30000);
  }
}

function make(frame, id, req) {
  const w = frame.contentWindow;
  const d = frame.contentDocument;
  const k = req.kind;
  return new Promise((resolve) => {
    if (k.startsWith("xhr")) {
      const x = new w.XMLHttpRequest();
      x.open(req.method, req.url);
      x.withCredentials = k === "xhr-credentials";
      for (const [n, v] of req.headers) x.setRequestHeader(n, v);
      x.onload = () => {
        const headers = x.getAllResponseHeaders().trim().split(/\r?\n/).filter(Boolean)
          .map((l) => { const c = l.indexOf(":"); return [l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()]; });
        resolve({ ok: true, type: "", status: x.status, headers, body: String(x.responseText).slice(0, BODY_LIMIT), read: "" });
      };
      x.onerror = () => resolve(failed("XMLHttpRequest: error event (status " + x.status + ")"));
      x.send(req.body === "" ? null : req.body);
    } else if (k.startsWith("img")) {
      const img = d.createElement("img");
      if (k === "img-anonymous") img.crossOrigin = "anonymous";
      if (k === "img-use-credentials") img.crossOrigin = "use-credentials";
      img.referrerPolicy = "unsafe-url";
      img.onload = () => {
        const c = d.createElement("canvas");
        c.width = c.height = 16;
        const ctx = c.getContext("2d");
        ctx.drawImage(img, 0, 0);
        let read;
        try {
          const px = ctx.getImageData(0, 0, 1, 1).data;
          read = "pixels";
          resolve(loaded(read, { body: `pixel (0,0): rgba(${px[0]}, ${px[1]}, ${px[2]}, ${px[3]})` }));
        } catch (e) {
          resolve(loaded(errText(e)));
        }
      };
      img.onerror = () => resolve(failed("the image's error event fired: it did not load"));
      img.src = req.url;
      d.body.append(img);
    } else if (k === "font") {
      const ff = new w.FontFace("corslab", `url("${req.url}")`);
      d.fonts.add(ff);
      ff.load().then(() => resolve(loaded("", { body: "font family " + ff.family + ": " + ff.status })),
        (e) => resolve(failed("FontFace.load() rejected: " + errText(e))));
    } else if (k.startsWith("script")) {
      let message = "";
      w.addEventListener("error", (e) => { message = e.message; });
      const s = d.createElement("script");
      if (k === "script-module") s.type = "module";
      if (k === "script-classic-anonymous") s.crossOrigin = "anonymous";
      s.referrerPolicy = "unsafe-url";
      s.onload = () => resolve(loaded(message, { body: "the script ran: corslabRan = " + String(w.corslabRan) }));
      s.onerror = () => resolve(failed("the script's error event fired: it did not load or run"));
      s.src = req.url;
      d.body.append(s);
    } else if (k.startsWith("eventsource")) {
      const es = new w.EventSource(req.url, { withCredentials: k === "eventsource-credentials" });
      es.onmessage = (e) => { es.close(); resolve(loaded("", { body: String(e.data).slice(0, BODY_LIMIT) })); };
      es.onerror = () => { if (es.readyState === w.EventSource.CLOSED) resolve(failed("EventSource: error event, closed")); };
    } else if (k === "beacon") {
      // A beacon gives the page no signal of its own: the trial settles
      // when site B's exchange for it shows on the live log (or at the timeout).
      const arrived = siteBSaw(id);
      const queued = w.navigator.sendBeacon(req.url, req.body);
      if (!queued) resolve(failed("sendBeacon() returned false"));
      else arrived.then(() => resolve(loaded("", { body: "sendBeacon() returned true: queued; no response ever reaches the page" })));
    } else if (k === "form" || k === "iframe") {
      const target = d.createElement("iframe");
      target.name = "corslab-target";
      target.referrerPolicy = "unsafe-url";
      d.body.append(target);
      target.addEventListener("load", () => {
        try {
          const doc = target.contentWindow.document;
          if (doc.URL === "about:blank") return; // the empty iframe's first document, not site B's
          resolve(loaded("readable: " + String(doc.title)));
        } catch (e) {
          resolve(loaded(errText(e)));
        }
      });
      if (k === "iframe") {
        target.src = req.url;
      } else {
        const f = d.createElement("form");
        f.method = "post";
        f.action = req.url;
        f.target = target.name;
        for (const [n, v] of new URLSearchParams(req.body)) f.append(Object.assign(d.createElement("input"), { type: "hidden", name: n, value: v }));
        d.body.append(f);
        f.submit();
      }
    } else {
      resolve(failed("unknown kind " + k));
    }
  });
}

// wire draws the "Beyond fetch()" buttons and the builder's kind selector;
// pressing a button fills the form and sends the request, as the presets do.
export function wire(fillForm, send) {
  const box = $("kind-presets");
  if (box) {
    for (const [name, make] of Object.entries(kindPresets)) {
      const r = make();
      box.append(el("button", { type: "button", "data-kind-preset": name, onclick: () => { const q = make(); fillForm(q); send(q); } },
        el("b", {}, r.label), " ", el("small", {}, r.path)));
    }
  }
  const sel = $("f-kind");
  if (sel) for (const [v, text] of KINDS) sel.append(el("option", { value: v }, text));
}
