// The live log's websocket (/lab/ws, same-origin on purpose): connects
// with backoff, queues the page's messages while it is down, numbers what
// it receives, and hands each event to the handlers registered with on().
//
// Events (the journal's, as site A sends them): "hello" first on every connection, then
// "exchange", "policy", "trial" and "lesson", each with a seq. Two more
// kinds are the transport's own: "restart" (the lab that answers is a new
// run: its log starts afresh) and "gap" ({from, to}: events skipped).

import { $ } from "./dom.js";

const QUEUE_LIMIT = 200; // messages kept while the socket is down
const SEQ_MEMORY = 1000; // recent events whose time is remembered, to recognise a restarted lab

const live = {
  ws: null,
  queue: [], // messages waiting for the socket
  backoff: 500,
  timer: 0,
  lastSeq: 0,
  seqTimes: new Map(), // seq → time of recent events
  resync: false, // the next event is the first of a new connection
};

const handlers = new Map(); // kind → [fn]

// on registers fn for events of kind.
export function on(kind, fn) {
  if (!handlers.has(kind)) handlers.set(kind, []);
  handlers.get(kind).push(fn);
}

function emit(kind, ev) {
  for (const fn of handlers.get(kind) || []) fn(ev);
}

let helloResolve;
// helloSeen resolves with the first hello.
export const helloSeen = new Promise((r) => (helloResolve = r));

// setConn shows the connection's state in the header.
export function setConn(state, text) {
  const c = $("conn");
  c.dataset.state = state;
  c.textContent = text;
  $("reconnect").hidden = state === "live" || state === "connecting";
}

// connect opens the socket, unless one is open or opening.
export function connect() {
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

// reconnect connects now, without waiting for the backoff.
export function reconnect() {
  live.backoff = 500;
  connect();
}

// send sends msg to site A, or queues it until the socket is open.
export function send(msg) {
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
    emit("hello", ev);
    helloResolve(ev);
    return;
  }
  if (typeof ev.seq !== "number") return;
  if (live.resync) {
    live.resync = false;
    const seen = live.seqTimes.get(ev.seq);
    const restarted = live.lastSeq > 0 && ((seen !== undefined && seen !== ev.time) || (seen === undefined && ev.seq === 1));
    if (restarted) {
      live.lastSeq = 0;
      live.seqTimes.clear();
      emit("restart", ev);
    }
  }
  if (ev.seq <= live.lastSeq) return; // replayed after a reconnect: already shown
  if (live.lastSeq > 0 && ev.seq !== live.lastSeq + 1) emit("gap", { from: live.lastSeq + 1, to: ev.seq - 1 });
  live.lastSeq = ev.seq;
  live.seqTimes.set(ev.seq, ev.time);
  if (live.seqTimes.size > SEQ_MEMORY) live.seqTimes.delete(live.seqTimes.keys().next().value);
  if (["exchange", "policy", "trial", "lesson"].includes(ev.kind)) emit(ev.kind, ev);
}
