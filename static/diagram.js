// The sequence diagram (SVG) of one trial: page → browser → site B, with
// the preflight, the actual request, their statuses and a ✗ where the
// browser stopped. Drawn from the browser model's verdict.

import { svg } from "./dom.js";

// sequenceDiagram draws trial ({request, exchanges}) under verdict v.
export function sequenceDiagram(trial, v) {
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
