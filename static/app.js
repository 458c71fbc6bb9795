// corslab's page. It runs on site A's origin, fires fetch()es at site B (an
// API on another origin) and shows, side by side, what JavaScript got and
// what site B saw, from the lab's live log (/lab/ws, same-origin on purpose).
//
// Every fetch() is a "trial": the page names it with a random id, announces
// it on the websocket, and makes the fetch with referrer "/trial/<id>" so
// site B can tell which exchanges belong to it without any change to the URL
// or the headers (either would change what CORS does). When the fetch
// settles the page reports what JavaScript got.
//
// All server-provided text is put in the page with textContent, never as HTML.
"use strict";

(() => {
  const MAX_ENTRIES = 200; // live-log entries kept in the DOM
  const BODY_LIMIT = 2000; // characters of a response body reported and shown
  const ANNOUNCE_BODY_LIMIT = 8000; // characters of a request body announced (the socket takes 64 KiB a message)
  const QUEUE_LIMIT = 200; // messages kept while the socket is down
  const SEQ_MEMORY = 1000; // recent events whose time is remembered, to recognise a restarted lab
  const TRIAL_EXCHANGES = 32; // exchanges a trial collects from exchange events, as the journal keeps

  const $ = (id) => document.getElementById(id);

  // el builds an element: el("p", {class: "x", title: "y"}, "text", child, ...).
  // Strings become text nodes, so no data is ever parsed as HTML.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k === "onclick") e.addEventListener("click", v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    append(e, children);
    return e;
  }

  function append(parent, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return parent;
  }

  const pad = (n, w = 2) => String(n).padStart(w, "0");
  function clock(t) {
    const d = t ? new Date(t) : new Date();
    if (isNaN(d)) return "";
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  // ---- state ----------------------------------------------------------------

  let siteB = ""; // site B's base URL, e.g. http://localhost:7071
  const trials = new Map(); // id → trial (see trialFor)
  let selectedId = "";
  const knownIds = new Set(); // site B item ids the page has seen
  let policyDoc = null;

  // ---- trial ids --------------------------------------------------------------

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

  // ---- presets ----------------------------------------------------------------

  // highestId is the id DELETE aims at: the highest item id the page knows.
  function highestId() {
    let max = 0;
    for (const id of knownIds) max = Math.max(max, id);
    return max || 1;
  }

  // Each preset returns a request for send(); the buttons call exactly these.
  const presets = {
    simpleGet: () => ({ label: "simple GET", method: "GET", path: "/api/items" }),
    simplePost: (o = {}) => ({
      label: "simple POST", method: "POST", path: "/api/items",
      headers: [["Content-Type", "application/x-www-form-urlencoded"]],
      body: new URLSearchParams({ name: o.name ?? "from a form" }).toString(),
    }),
    postJSON: (o = {}) => ({
      label: "POST JSON", method: "POST", path: "/api/items",
      headers: [["Content-Type", "application/json"]],
      body: JSON.stringify({ name: o.name ?? "from JSON" }),
    }),
    put: (o = {}) => ({
      label: "PUT", method: "PUT", path: "/api/items/" + (o.id ?? 1),
      headers: [["Content-Type", "application/json"]],
      body: JSON.stringify({ name: o.name ?? "renamed by PUT" }),
    }),
    del: (o = {}) => ({ label: "DELETE", method: "DELETE", path: "/api/items/" + (o.id ?? highestId()) }),
    customHeader: () => ({
      label: "X-header", method: "GET", path: "/api/items",
      headers: [["X-Requested-With", "XMLHttpRequest"]],
    }),
    login: () => ({ label: "log in", method: "POST", path: "/api/login", credentials: "include" }),
    me: () => ({ label: "who am I?", method: "GET", path: "/api/me", credentials: "include" }),
    readTotal: () => ({ label: "read X-Total", method: "GET", path: "/api/items", readHeader: "X-Total" }),
  };

  // ---- the live log's websocket --------------------------------------------

  const live = {
    ws: null,
    queue: [], // messages waiting for the socket
    backoff: 500,
    timer: 0,
    lastSeq: 0,
    seqTimes: new Map(), // seq → time of recent events
    resync: false, // the next event is the first of a new connection
  };
  let helloResolve;
  const helloSeen = new Promise((r) => (helloResolve = r));

  function setConn(state, text) {
    const c = $("conn");
    c.dataset.state = state;
    c.textContent = text;
    $("reconnect").hidden = state === "live" || state === "connecting";
  }

  function connect() {
    clearTimeout(live.timer);
    if (live.ws && live.ws.readyState <= WebSocket.OPEN) return;
    setConn("connecting", "connecting…");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(proto + "//" + location.host + "/lab/ws");
    live.ws = ws;
    ws.onopen = () => {
      live.backoff = 500;
      live.resync = true;
      setConn("live", "● live");
      const q = live.queue.splice(0);
      for (const m of q) ws.send(m);
    };
    ws.onmessage = (e) => {
      for (const line of String(e.data).split("\n")) {
        if (!line) continue;
        let ev;
        try {
          ev = JSON.parse(line);
        } catch {
          continue;
        }
        onEvent(ev);
      }
    };
    ws.onclose = (e) => {
      if (live.ws !== ws) return;
      live.ws = null;
      const wait = live.backoff;
      live.backoff = Math.min(live.backoff * 2, 15000);
      const why = e.reason ? `closed: ${e.reason} (${e.code})` : `closed (${e.code})`;
      setConn("down", `✗ live log ${why} — reconnecting in ${Math.round(wait / 100) / 10} s`);
      live.timer = setTimeout(connect, wait);
    };
  }

  function wsSend(msg) {
    const data = JSON.stringify(msg);
    if (live.ws && live.ws.readyState === WebSocket.OPEN) {
      live.ws.send(data);
      return;
    }
    live.queue.push(data);
    if (live.queue.length > QUEUE_LIMIT) live.queue.shift();
  }

  function onEvent(ev) {
    if (ev.kind === "hello") {
      if (ev.policy) showPolicy(ev.policy, false);
      $("upstream-url").textContent = ev.upstream || "";
      $("upstream").hidden = !ev.upstream;
      helloResolve(ev);
      return;
    }
    if (typeof ev.seq !== "number") return;
    if (live.resync) {
      live.resync = false;
      const seen = live.seqTimes.get(ev.seq);
      const restarted = live.lastSeq > 0 && ((seen !== undefined && seen !== ev.time) || (seen === undefined && ev.seq === 1));
      if (restarted) restart();
    }
    if (ev.seq <= live.lastSeq) return; // replayed after a reconnect: already shown
    if (live.lastSeq > 0 && ev.seq !== live.lastSeq + 1) showGap(live.lastSeq + 1, ev.seq - 1);
    live.lastSeq = ev.seq;
    live.seqTimes.set(ev.seq, ev.time);
    if (live.seqTimes.size > SEQ_MEMORY) live.seqTimes.delete(live.seqTimes.keys().next().value);
    switch (ev.kind) {
      case "exchange":
        onExchange(ev);
        break;
      case "policy":
        onPolicy(ev);
        break;
      case "trial":
        onTrial(ev);
        break;
      case "lesson":
        onLesson(ev);
        break;
    }
  }

  // restart forgets the log of a lab that is no longer running.
  function restart() {
    live.lastSeq = 0;
    live.seqTimes.clear();
    $("log").replaceChildren();
    for (const [id, t] of trials) if (!t.local) trials.delete(id);
    for (const t of trials.values()) t.entry = null;
    addEntry(el("li", { class: "entry note" }, `${clock()} the lab restarted: the log starts afresh`));
  }

  function showGap(from, to) {
    const g = $("gap");
    const n = to - from + 1;
    g.replaceChildren(
      `⚠ The live log skipped ${n} event${n === 1 ? "" : "s"} (seq ${from}${n > 1 ? "–" + to : ""}): what site B saw is incomplete here. `,
      el("button", { type: "button", class: "small", onclick: () => (g.hidden = true) }, "dismiss"),
    );
    g.hidden = false;
  }

  // ---- sending a trial --------------------------------------------------------

  // toRequest fills in a request's defaults and resolves its path on site B.
  function toRequest(r) {
    const path = r.url ?? r.path ?? "/api/items";
    const base = r.site === "A" ? location.origin : siteB; // site "A": a same-origin request
    let url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : base + (path.startsWith("/") ? "" : "/") + path;
    if (r.mode === "websocket") url = url.replace(/^http(s?):/, "ws$1:"); // new WebSocket(), not fetch()
    let headers = r.headers || [];
    if (!Array.isArray(headers)) headers = Object.entries(headers);
    return {
      label: String(r.label ?? ""),
      method: r.method === undefined ? "GET" : String(r.method),
      url,
      headers: headers.map(([n, v]) => [String(n), String(v)]),
      body: r.body === undefined || r.body === null ? "" : String(r.body),
      credentials: r.credentials || "same-origin",
      mode: r.mode || "cors",
    };
  }

  // send makes one fetch() as a trial and resolves to {id, outcome}; with a
  // request.readHeader, also {read: {name, value}} = response.headers.get(name).
  async function send(request) {
    await ready;
    const id = newId();
    const req = toRequest(request || {});
    // A websocket sends no Referer the page can set: its URL names the trial.
    if (req.mode === "websocket") req.url += (req.url.includes("?") ? "&" : "?") + "trial=" + id;
    const t = trialFor(id);
    t.local = true;
    t.request = req;
    t.readHeader = request && request.readHeader ? String(request.readHeader) : "";
    select(id);
    const sandboxed = !!(request && request.sandbox);
    wsSend({
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
      if (t.readHeader) read = { name: t.readHeader, value: resp.headers.get(t.readHeader) };
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
    t.outcome = outcome;
    t.read = read;
    learnIds(req, outcome);
    wsSend({ type: "outcome", id, outcome });
    renderTrial(t);
    if (selectedId === id) renderSelected();
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

  // ---- lessons ------------------------------------------------------------------

  const lessonState = { lessons: [], state: null, open: true };

  async function loadLessons() {
    try {
      const [ls, st] = await Promise.all([
        fetch("/lab/lessons", { cache: "no-store" }).then((r) => r.json()),
        fetch("/lab/progress", { cache: "no-store" }).then((r) => r.json()),
      ]);
      lessonState.lessons = ls;
      showLesson(st);
    } catch {
      // no lessons: the panel stays hidden
    }
  }

  // startLesson makes lesson n current on site A, with its starting policy.
  async function startLesson(n) {
    const r = await fetch(`/lab/lessons/${n}/start`, { method: "POST" });
    const st = await r.json();
    showLesson(st);
    return st;
  }

  function showLesson(st) {
    if (!st || !st.current) return;
    const changed = !lessonState.state || lessonState.state.current !== st.current;
    lessonState.state = st;
    const l = lessonState.lessons[st.current - 1];
    if (!l) return;
    const box = $("lesson");
    box.hidden = false;
    box.dataset.lesson = String(st.current);
    box.dataset.done = String(!!st.completed);
    $("lesson-title").textContent = `Lesson ${st.current}/${st.total} · ${l.title}`;
    $("lesson-mark").textContent = st.completed ? "✓ done" : `${(st.done || []).length} of ${st.total} done`;
    $("lesson-mark").className = "lesson-mark" + (st.completed ? " good" : "");
    $("lesson-prev").disabled = st.current <= 1;
    $("lesson-next").disabled = st.current >= st.total;
    $("lesson-warning").hidden = !st.warning;
    $("lesson-warning").textContent = st.warning || "";
    if (!changed) return;
    $("lesson-concept").textContent = l.concept;
    $("lesson-goal").textContent = l.goal;
    $("lesson-hint").textContent = l.hint;
    $("lesson-hint").hidden = true;
    $("lesson-requests").replaceChildren(...(l.requests || []).map((r, i) =>
      el("button", { type: "button", "data-lesson-request": i, onclick: () => { fillForm(r); send(r); } }, el("b", {}, r.label || r.method))));
  }

  function onLesson(ev) {
    if (ev.lesson) showLesson(ev.lesson);
  }

  // showDeleteTarget shows on the DELETE button which item it will delete.
  function showDeleteTarget() {
    const small = document.querySelector('[data-preset="del"] small');
    if (small) small.textContent = "/api/items/" + highestId();
  }

  // learnIds keeps track of site B's item ids from what JavaScript could read.
  function learnIds(req, out) {
    if (!out.ok || !out.body) return;
    let v;
    try {
      v = JSON.parse(out.body);
    } catch {
      return;
    }
    if (Array.isArray(v)) {
      knownIds.clear();
      for (const it of v) if (it && Number.isInteger(it.id)) knownIds.add(it.id);
    } else if (v && Number.isInteger(v.id)) {
      if (req.method.toUpperCase() === "DELETE") knownIds.delete(v.id);
      else knownIds.add(v.id);
    }
    showDeleteTarget();
  }

  // learnEffect keeps track of item ids from site B's log: a blocked POST still created one.
  function learnEffect(effect) {
    const m = /^(created|deleted) item (\d+)/.exec(effect || "");
    if (!m) return;
    if (m[1] === "created") knownIds.add(Number(m[2]));
    else knownIds.delete(Number(m[2]));
    showDeleteTarget();
  }

  // ---- trials -------------------------------------------------------------------

  // trialFor returns the page's record of trial id:
  // {id, local, request, outcome, readHeader, read, server (the journal's snapshot),
  // live (exchanges that came after it), entry, time}.
  function trialFor(id) {
    let t = trials.get(id);
    if (!t) {
      t = { id, local: false, request: null, outcome: null, readHeader: "", read: null, server: null, live: [], entry: null, time: new Date().toISOString() };
      trials.set(id, t);
    }
    return t;
  }

  // merged is the trial as the columns show it: the page's own knowledge first.
  function merged(t) {
    const s = t.server || {};
    return {
      id: t.id,
      request: t.request || s.request || null,
      outcome: t.outcome || s.outcome || null,
      exchanges: t.live.length ? (s.exchanges || []).concat(t.live) : s.exchanges || [],
      verdict: s.verdict || null,
      settled: !!s.outcome, // site B's log has everything the trial caused
      readHeader: t.readHeader,
      read: t.read,
      local: t.local,
    };
  }

  function onTrial(ev) {
    const s = ev.trial;
    if (!s || !s.id) return;
    const t = trialFor(s.id);
    t.server = s;
    t.live = []; // the journal's snapshot carries every exchange that came before it
    if (!t.entry) t.time = ev.time;
    renderTrial(t);
    if (selectedId === s.id) renderSelected();
  }

  function onExchange(ev) {
    const x = ev.exchange;
    if (!x) return;
    learnEffect(x.effect);
    if (x.trial) {
      // The journal publishes a trial when it is announced and when it
      // settles, not per exchange: until the settled snapshot replaces them,
      // its exchanges join it here, as they arrive.
      const t = trialFor(x.trial);
      t.live.push(x);
      if (t.live.length > TRIAL_EXCHANGES) t.live.shift();
      if (!t.entry) t.time = ev.time;
      renderTrial(t);
      if (selectedId === t.id) renderSelected();
      return;
    }
    const li = el("li", { class: "entry plain" },
      el("div", { class: "e-head" },
        el("time", { datetime: ev.time }, clock(ev.time)), " ",
        el("span", { class: "from" }, x.origin ? `from ${x.origin}, not a trial of this lab` : "no Origin: curl, a script, or a navigation")),
      exchangeView(x));
    addEntry(li);
  }

  function onPolicy(ev) {
    const p = ev.policy;
    if (!p) return;
    showPolicy(p.document, true);
    addEntry(el("li", { class: "entry policy-change" },
      el("div", { class: "e-head" }, el("time", { datetime: ev.time }, clock(ev.time)), " ",
        el("strong", {}, "policy changed"), ` by ${p.by || "?"}`),
      el("div", { class: "e-policy" }, policySummary(p.document))));
  }

  // ---- the live log's DOM -------------------------------------------------------

  function addEntry(li) {
    const log = $("log");
    log.prepend(li);
    $("log-empty").hidden = true;
    while (log.children.length > MAX_ENTRIES) {
      const old = log.lastElementChild;
      const id = old.dataset.trial;
      if (id && id !== selectedId) trials.delete(id);
      else if (id) trials.get(id).entry = null;
      old.remove();
    }
  }

  function renderTrial(t) {
    const m = merged(t);
    const li = el("li", { class: "entry trial" + (t.id === selectedId ? " selected" : ""), "data-trial": t.id });
    const req = m.request;
    const label = req ? req.label || "hand-built" : "trial";
    const state = trialState(m);
    li.append(
      el("div", { class: "e-head" },
        el("time", { datetime: t.time }, clock(t.time)), " ",
        el("button", {
          type: "button", class: "t-select", "aria-pressed": String(t.id === selectedId),
          title: "Show what JavaScript got for this request",
          onclick: () => select(t.id),
        }, label),
        " ",
        req ? el("span", { class: "t-req" }, label === req.method ? shortURL(req.url) : `${req.method} ${shortURL(req.url)}`) : "",
        " ",
        el("span", { class: "chip " + state.cls }, state.text),
        t.local ? "" : el("span", { class: "t-other" }, " (another tab)")));
    const xs = el("ol", { class: "t-exchanges" });
    for (const x of m.exchanges) xs.append(el("li", { class: "x" }, exchangeView(x)));
    if (m.exchanges.length) li.append(xs);
    const loud = loudLine(m);
    if (loud) li.append(el("p", { class: "loud " + loud.cls }, loud.text));
    if (t.entry && t.entry.isConnected) {
      const hadFocus = t.entry.contains(document.activeElement);
      t.entry.replaceWith(li);
      if (hadFocus) li.querySelector(".t-select").focus();
    } else {
      addEntry(li);
    }
    t.entry = li;
  }

  function trialState(m) {
    const o = m.outcome;
    if (!o) return { cls: "pending", text: "… waiting" };
    if (!o.ok) return { cls: "bad", text: "✗ " + (o.error || "rejected").replace(/^TypeError: /, "TypeError: ").slice(0, 60) };
    if (o.type === "opaque") return { cls: "meh", text: "◐ opaque (status 0)" };
    return { cls: o.status >= 200 && o.status < 300 ? "good" : "meh", text: `✓ ${o.status}` };
  }

  // loudLine says what the learner must not miss about a settled trial.
  function loudLine(m) {
    const o = m.outcome;
    if (!o || !m.settled || !m.request) return null;
    const method = m.request.method.toUpperCase();
    const actual = m.exchanges.filter((x) => !x.preflight);
    const preflights = m.exchanges.filter((x) => x.preflight);
    if (actual.length === 0) {
      if (preflights.length) return { cls: "stopped", text: `${method} never reached site B — the browser stopped at the preflight` };
      if (!o.ok && !/Failed to fetch/i.test(o.error || "")) return { cls: "stopped", text: `${method} never reached site B — fetch() refused it before sending anything` };
      if (!o.ok) return { cls: "stopped", text: `${method} never reached site B — nothing arrived (a cached preflight answer, or site B is down)` };
      return null;
    }
    if (!o.ok && actual.some((x) => x.effect || (x.status >= 200 && x.status < 300))) {
      const eff = actual.map((x) => x.effect).filter(Boolean).join("; ");
      return { cls: "hidden-answer", text: `site B received and ran it${eff ? " (" + eff + ")" : ""}; the browser hid the answer` };
    }
    if (o.ok && o.type === "websocket") return { cls: "hidden-answer", text: "a websocket: no CORS — site B accepted the Origin and JavaScript read its message, with no Access-Control-* header" };
    if (o.ok && o.type === "opaque") return { cls: "opaque", text: "site B answered; no-cors mode gave JavaScript an opaque response: status 0, no headers, no body" };
    return null;
  }

  function shortURL(u) {
    if (siteB && u.startsWith(siteB + "/")) return u.slice(siteB.length);
    return u;
  }

  // exchangeView shows one request and response as site B saw them.
  function exchangeView(x) {
    const frag = document.createDocumentFragment();
    const rq = x.requestHeaders || {};
    const rs = x.responseHeaders || {};
    const line = el("div", { class: "x-line" },
      el("span", { class: "method" + (x.preflight ? " preflight" : "") }, x.method), " ",
      el("span", { class: "path" }, x.path), " ",
      x.preflight ? el("span", { class: "tag" }, "preflight") : "",
      " ",
      el("span", { class: "status " + statusClass(x.status) }, `→ ${x.status}`));
    frag.append(line);
    if (x.preflight) {
      const asks = [];
      const m = first(rq, "Access-Control-Request-Method");
      const h = first(rq, "Access-Control-Request-Headers");
      asks.push(el("div", { class: "hdr ask" }, el("span", { class: "hn" }, "Access-Control-Request-Method: "), m || "—"));
      if (h) asks.push(el("div", { class: "hdr ask" }, el("span", { class: "hn" }, "Access-Control-Request-Headers: "), h));
      frag.append(el("div", { class: "x-asks" }, asks));
    }
    const acl = Object.keys(rs).filter((k) => /^access-control-/i.test(k)).sort();
    const box = el("div", { class: "x-acl" });
    if (acl.length === 0) box.append(el("div", { class: "hdr none" }, "← no Access-Control-* headers"));
    for (const k of acl) {
      for (const v of [].concat(rs[k])) box.append(el("div", { class: "hdr" }, el("span", { class: "hn" }, "← " + k + ": "), v));
    }
    frag.append(box);
    if (x.effect) frag.append(el("div", { class: "effect" }, "site B did: " + x.effect));
    if (x.upstreamStatus || x.upstreamError) frag.append(upstreamView(x));
    return frag;
  }

  // upstreamView shows, in proxy mode, what the user's server answered
  // before site B's policy overrode it: each header marked when the policy
  // replaced it (the response site B sent has another value) or removed it.
  function upstreamView(x) {
    const rs = x.responseHeaders || {};
    const sent = (name) => {
      for (const k of Object.keys(rs)) if (k.toLowerCase() === name.toLowerCase()) return [].concat(rs[k]);
      return null;
    };
    const d = el("details", { class: "upstream" + (x.upstreamError ? " failed" : "") },
      el("summary", {}, x.upstreamError ? "upstream did not answer (before the policy)" : `upstream answered ${x.upstreamStatus} (before the policy)`));
    if (x.upstreamError) {
      d.append(el("div", { class: "u-error" }, "✗ " + x.upstreamError));
      return d;
    }
    const hs = x.upstreamHeaders || {};
    const list = el("ul", { class: "u-headers" });
    for (const k of Object.keys(hs).sort()) {
      const vs = [].concat(hs[k]);
      const got = sent(k);
      const mark = !got ? "removed" : got.join("\n") !== vs.join("\n") ? "replaced" : "";
      for (const v of vs) {
        list.append(el("li", { class: "hdr" + (mark ? " u-" + mark : "") },
          el("span", { class: "hn" }, k + ": "), v,
          mark ? el("span", { class: "u-mark" }, ` → ${mark} by the policy`) : ""));
      }
    }
    if (!list.children.length) list.append(el("li", { class: "hdr none" }, "no headers"));
    d.append(list);
    return d;
  }

  function first(h, name) {
    for (const k of Object.keys(h)) if (k.toLowerCase() === name.toLowerCase()) return [].concat(h[k])[0];
    return "";
  }

  function statusClass(s) {
    if (s >= 200 && s < 300) return "s2";
    if (s >= 300 && s < 400) return "s3";
    return "s4";
  }

  function select(id) {
    if (!trials.has(id)) return;
    const prev = trials.get(selectedId);
    selectedId = id;
    if (prev && prev.id !== id && prev.entry) renderTrial(prev);
    renderTrial(trials.get(id));
    renderSelected();
  }

  // ---- "What JavaScript got" -------------------------------------------------

  function renderSelected() {
    const t = trials.get(selectedId);
    const box = $("result");
    if (!t) {
      box.replaceChildren(el("p", { class: "empty" }, "Press a request button: the answer JavaScript gets shows here."));
      renderVerdict(null);
      return;
    }
    const m = merged(t);
    const req = m.request;
    const parts = [];
    if (req) {
      parts.push(el("div", { class: "r-req" },
        el("span", { class: "r-label" }, req.label || "hand-built"), " ",
        el("code", {}, `fetch("${shortURL(req.url)}", {method: "${req.method}"` +
          (req.credentials !== "same-origin" ? `, credentials: "${req.credentials}"` : "") +
          (req.mode !== "cors" ? `, mode: "${req.mode}"` : "") + "})")));
      if (req.headers.length) {
        parts.push(el("div", { class: "r-sent" }, "headers sent: ", req.headers.map(([n, v], i) => [i ? ", " : "", el("code", {}, `${n}: ${v}`)])));
      }
    }
    const o = m.outcome;
    if (!o) {
      parts.push(el("p", { class: "r-big pending" }, "… waiting for fetch() to settle"));
    } else if (!o.ok) {
      parts.push(el("p", { class: "r-big bad" }, "✗ fetch() rejected"));
      parts.push(el("pre", { class: "r-error" }, o.error || "(no error text)"));
    } else {
      const good = o.type !== "opaque" && o.status >= 200 && o.status < 300;
      parts.push(el("p", { class: "r-big " + (good ? "good" : "meh") }, `✓ fetch() resolved: status ${o.status}`,
        el("span", { class: "r-type" }, ` · response.type "${o.type}"`)));
      if (o.type === "opaque") {
        parts.push(el("p", { class: "r-note" }, "An opaque response: JavaScript cannot read its status, headers or body, whatever site B sent."));
      }
      const hs = o.headers || [];
      parts.push(el("h3", {}, `Headers JavaScript can read (${hs.length})`));
      if (hs.length) {
        parts.push(el("dl", { class: "r-headers" }, hs.map(([n, v]) => [el("dt", {}, n), el("dd", {}, v)])));
      } else {
        parts.push(el("p", { class: "r-note" }, "none"));
      }
      if (m.read) {
        const v = m.read.value;
        parts.push(el("p", { class: "r-read " + (v === null ? "bad" : "good") },
          el("code", {}, `response.headers.get("${m.read.name}")`), " → ",
          el("code", {}, v === null ? "null" : JSON.stringify(v)),
          v === null ? ` — not exposed: site B must list it in Access-Control-Expose-Headers` : ""));
      }
      parts.push(el("h3", {}, "Body"));
      parts.push(el("pre", { class: "r-body" }, o.body ? o.body : "(empty)"));
    }
    box.replaceChildren(...parts);
    renderVerdict(m);
  }

  // renderVerdict shows the browser model's verdict for trial, if it has one:
  // Chromium's console sentence, a plain explanation and a sequence diagram.
  // trial.verdict: {preflight, preflightReasons[], requestHeadersInPreflight[],
  // actualRequestSent, allowed, responseType, error, failedParameter, message,
  // readableHeaders[]}. Without a verdict it shows nothing.
  function renderVerdict(trial) {
    const box = $("verdict");
    const v = trial && trial.verdict;
    if (!v) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    const parts = [el("h3", {}, v.allowed ? "Why it worked" : "Why the browser said no")];
    const msg = String(v.message || "");
    if (msg) {
      const cut = msg.indexOf("\n");
      const sentence = cut < 0 ? msg : msg.slice(0, cut);
      const rest = cut < 0 ? "" : msg.slice(cut + 1).trim();
      parts.push(el("p", { class: "v-console" }, el("span", { class: "v-tag" }, "Chromium's console: "), sentence));
      if (rest) parts.push(el("p", { class: "v-plain" }, rest));
    }
    if (v.error) parts.push(el("p", { class: "v-error" }, "error: ", el("code", {}, v.error), v.failedParameter ? [" (", el("code", {}, v.failedParameter), ")"] : ""));
    if (v.preflight && (v.preflightReasons || []).length) {
      parts.push(el("p", { class: "v-reasons" }, "Preflight because: " + v.preflightReasons.join("; ")));
    }
    parts.push(sequenceDiagram(trial, v));
    box.replaceChildren(...parts);
    box.hidden = false;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, String(val));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // sequenceDiagram draws page → browser → site B with the preflight, the
  // actual request, their statuses and a ✗ where the browser stopped.
  function sequenceDiagram(trial, v) {
    const xs = trial.exchanges || [];
    const pre = xs.find((x) => x.preflight);
    const act = xs.find((x) => !x.preflight);
    const method = trial.request ? trial.request.method : "fetch";
    const X = { page: 48, browser: 205, b: 362 };
    const steps = []; // {from, to, label, bad} or {stop: [line, line]}
    steps.push({ from: "page", to: "browser", label: `fetch(${method})` });
    const refused = v.error === "TypeError" && !v.actualRequestSent;
    if (refused) {
      steps.push({ stop: ["✗ fetch() refuses it", "nothing is sent"] });
    } else {
      if (v.preflight) {
        steps.push({ from: "browser", to: "b", label: "OPTIONS" });
        steps.push({ from: "b", to: "browser", label: pre ? String(pre.status) : "answer", bad: !v.actualRequestSent });
        if (!v.actualRequestSent) steps.push({ stop: [`✗ stops: no ${method} sent`, v.error || "preflight failed"] });
      }
      if (v.actualRequestSent) {
        steps.push({ from: "browser", to: "b", label: method });
        steps.push({ from: "b", to: "browser", label: act ? String(act.status) : "answer", bad: !v.allowed });
        if (!v.allowed) steps.push({ stop: ["✗ hides the answer", v.error || "CORS check failed"] });
      }
    }
    steps.push(v.allowed
      ? { from: "browser", to: "page", label: v.responseType === "opaque" ? "opaque" : "Response" }
      : { from: "browser", to: "page", label: "TypeError", bad: true });

    const top = 36;
    const rows = steps.map((st) => (st.stop ? 50 : 38));
    const h = top + rows.reduce((a, b) => a + b, 0) + 8;
    const s = svg("svg", { viewBox: `0 0 410 ${h}`, width: "100%", role: "img", class: "seq", "aria-label": "sequence diagram: page, browser, site B" });
    s.append(svg("title", {}, "What the browser did"));
    const defs = svg("defs", {});
    for (const [id, color] of [["arr", "#111827"], ["arr-bad", "#b3261e"]]) {
      const mk = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
      mk.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
      defs.append(mk);
    }
    s.append(defs);
    for (const [k, name] of [["page", "page"], ["browser", "browser"], ["b", "site B"]]) {
      s.append(svg("text", { x: X[k], y: 20, "text-anchor": "middle", class: "seq-head" }, name));
      s.append(svg("line", { x1: X[k], y1: 28, x2: X[k], y2: h - 4, class: "seq-life" }));
    }
    let y = top;
    steps.forEach((st, i) => {
      if (st.stop) {
        const box = svg("text", { x: X.browser, y: y + 20, "text-anchor": "middle", class: "seq-stop" });
        const a = svg("tspan", { x: X.browser }, st.stop[0]);
        const b = svg("tspan", { x: X.browser, dy: 19, class: "seq-stop-why" }, st.stop[1]);
        box.append(a, b);
        s.append(box);
      } else {
        const x1 = X[st.from];
        const x2 = X[st.to];
        const dir = x2 > x1 ? 1 : -1;
        const ay = y + 28;
        s.append(svg("line", {
          x1: x1 + dir * 3, y1: ay, x2: x2 - dir * 3, y2: ay,
          class: "seq-arrow" + (st.bad ? " bad" : ""), "marker-end": st.bad ? "url(#arr-bad)" : "url(#arr)",
        }));
        s.append(svg("text", { x: (x1 + x2) / 2, y: ay - 7, "text-anchor": "middle", class: "seq-label" + (st.bad ? " bad" : "") }, st.label.slice(0, 18)));
      }
      y += rows[i];
    });
    return s;
  }

  // ---- the policy ------------------------------------------------------------------

  const short = (name) => name.replace(/^Access-Control-/i, "");

  function policySummary(doc) {
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

  function showPolicy(doc, changed) {
    policyDoc = doc;
    $("policy-summary").textContent = policySummary(doc);
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

  // ---- the form ------------------------------------------------------------------

  function fillForm(r) {
    const req = toRequest(r);
    $("f-method").value = req.method;
    $("f-path").value = shortURL(req.url);
    $("f-headers").value = req.headers.map(([n, v]) => `${n}: ${v}`).join("\n");
    $("f-body").value = req.body;
    $("f-credentials").value = req.credentials;
    $("f-mode").value = req.mode;
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
    err.hidden = true;
    send({
      label: "hand-built",
      method: $("f-method").value.trim(),
      path: $("f-path").value.trim(),
      headers,
      body: $("f-body").value,
      credentials: $("f-credentials").value,
      mode: $("f-mode").value,
    });
  }

  // ---- start-up --------------------------------------------------------------------

  async function loadConfig() {
    for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
      try {
        const r = await fetch("/lab/config", { cache: "no-store" });
        if (r.ok) return await r.json();
      } catch {
        // site A is down: try again
      }
      setConn("down", `✗ cannot reach site A's /lab/config — retrying in ${wait / 1000} s`);
      await new Promise((res) => setTimeout(res, wait));
    }
  }

  const ready = (async () => {
    const cfg = await loadConfig();
    siteB = `${location.protocol}//${location.hostname}:${cfg.siteBPort}`;
    $("origin-a").textContent = location.origin;
    $("origin-b").textContent = siteB;
    connect();
    await Promise.all([helloSeen, loadLessons()]);
  })();

  document.addEventListener("DOMContentLoaded", () => {
    for (const b of document.querySelectorAll("[data-preset]")) {
      b.addEventListener("click", () => {
        const make = presets[b.dataset.preset];
        if (!make) return;
        const r = make();
        fillForm(r);
        send(r);
      });
    }
    $("custom").addEventListener("submit", onSubmit);
    showDeleteTarget();
    const step = (d) => lessonState.state && startLesson(lessonState.state.current + d);
    $("lesson-prev").addEventListener("click", () => step(-1));
    $("lesson-next").addEventListener("click", () => step(1));
    $("lesson-restart").addEventListener("click", () => step(0));
    $("lesson-hint-button").addEventListener("click", () => ($("lesson-hint").hidden = !$("lesson-hint").hidden));
    $("lesson-toggle").addEventListener("click", () => {
      lessonState.open = !lessonState.open;
      $("lesson-body").hidden = !lessonState.open;
      $("lesson-toggle").textContent = lessonState.open ? "hide" : "show";
      $("lesson-toggle").setAttribute("aria-expanded", String(lessonState.open));
    });
    $("reconnect").addEventListener("click", () => {
      live.backoff = 500;
      connect();
    });
  });

  window.renderVerdict = renderVerdict;
  window.corslab = {
    send,
    presets,
    ready,
    renderVerdict,
    get siteB() {
      return siteB;
    },
    get policy() {
      return policyDoc;
    },
    startLesson,
    get lesson() {
      return lessonState.state;
    },
  };
})();
