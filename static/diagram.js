// The sequence diagram of one trial (SVG, then the same steps as a list),
// drawn from the steps of the server's account (fetch.Step: {from, to,
// what, ok, note}; actors page, browser, server). It draws exactly the
// steps it is given: no OPTIONS arrow unless the browser sent one.

import { el, svg } from "./dom.js";

const X = { page: 48, browser: 225, server: 402 };
const NAMES = { page: "page", browser: "browser", server: "site B" };
const LABEL = 22; // characters of a step's text on its arrow; the list has it all
const WIDTH = 450; // the drawing's width (viewBox)
const CHAR = 12; // a label character's width: 20 px monospace (style.css .seq-label)

// short is a step's text on the diagram: the call is "fetch()" or "new WebSocket()".
function short(what) {
  if (what.startsWith("fetch(")) return "fetch()";
  if (what.startsWith("new WebSocket(")) return "new WebSocket()";
  return what.length > LABEL ? what.slice(0, LABEL - 1) + "…" : what;
}

// sequenceDiagram draws steps, and lists them in full under the drawing.
export function sequenceDiagram(steps) {
  const top = 36;
  const row = 40;
  const h = top + steps.length * row + 8;
  const s = svg("svg", { viewBox: `0 0 ${WIDTH} ${h}`, width: "100%", role: "img", class: "seq", "aria-label": "sequence diagram: page, browser, site B" });
  s.append(svg("title", {}, "What the browser did"));
  for (const k of Object.keys(X)) {
    s.append(svg("text", { x: X[k], y: 20, "text-anchor": "middle", class: "seq-head" }, NAMES[k]));
    s.append(svg("line", { x1: X[k], y1: 28, x2: X[k], y2: h - 4, class: "seq-life" }));
  }
  steps.forEach((st, i) => {
    const y = top + i * row + 28;
    const g = svg("g", { class: "seq-step" + (st.ok ? "" : " bad"), "data-what": st.what });
    g.append(svg("title", {}, st.what + (st.note ? " — " + st.note : "")));
    const x1 = X[st.from] ?? X.browser;
    const x2 = X[st.to] ?? X.browser;
    if (x1 === x2) {
      // Something an actor did by itself (the browser answering a
      // preflight from its cache): a loop, no message sent.
      g.append(svg("path", { d: `M${x1 + 3},${y - 10} h26 v14 h-26`, class: "seq-arrow seq-self" + (st.ok ? "" : " bad"), fill: "none" }));
      g.append(svg("text", { x: x1 + 34, y: y, class: "seq-label" + (st.ok ? "" : " bad") }, short(st.what)));
    } else {
      const dir = x2 > x1 ? 1 : -1;
      const tip = x2 - dir * 3;
      g.append(svg("line", { x1: x1 + dir * 3, y1: y, x2: tip, y2: y, class: "seq-arrow" + (st.ok ? "" : " bad") }));
      g.append(svg("path", { d: `M${tip},${y} l${-dir * 9},-5 v10 z`, class: "seq-head-mark" + (st.ok ? "" : " bad") }));
      const label = (st.ok ? "" : "✗ ") + short(st.what);
      const half = (label.length * CHAR) / 2; // kept inside the drawing
      const x = Math.min(Math.max((x1 + x2) / 2, half + 2), WIDTH - half - 2);
      g.append(svg("text", { x, y: y - 7, "text-anchor": "middle", class: "seq-label" + (st.ok ? "" : " bad") }, label));
    }
    s.append(g);
  });
  const list = el("ol", { class: "seq-steps", "aria-label": "the steps" }, steps.map((st) =>
    el("li", { class: st.ok ? "" : "bad" },
      el("span", { class: "seq-who" }, `${NAMES[st.from] || st.from} → ${NAMES[st.to] || st.to}: `),
      el("code", {}, st.what),
      st.note ? [" — ", st.note] : "")));
  return [s, list];
}
