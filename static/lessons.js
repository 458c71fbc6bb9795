// The lesson panel: the current lesson's concept, goal, buttons and hint,
// and the progress, from GET /lab/lessons and /lab/progress and the live
// log's "lesson" events.

import { $, el } from "./dom.js";
import { fillForm } from "./form.js";
import { send } from "./send.js";

// The panel shows the lessons' state once it has both the lessons (GET
// /lab/lessons) and the state (GET /lab/progress, or a live-log event),
// whichever comes first; a state older (lower rev) than the one shown is
// ignored, so the order in which they arrive does not matter.
const panel = {
  lessons: null, // the lessons, in order
  state: null, // siteA.LessonState: {current, total, done, completed, warning, rev}
  shown: 0, // the lesson whose text the panel holds
  open: true,
};

// current is the lessons' progress as last shown.
export const current = () => panel.state;

// load fetches the lessons and the progress, and shows the current lesson.
export async function load() {
  const lessons = fetch("/lab/lessons", { cache: "no-store" }).then((r) => r.json()).then((ls) => {
    panel.lessons = ls;
    render();
  });
  const progress = fetch("/lab/progress", { cache: "no-store" }).then((r) => r.json()).then(accept);
  try {
    await Promise.all([lessons, progress]);
  } catch {
    // no lessons: the panel stays hidden
  }
}

// restart forgets the state of a lab that is no longer running and asks
// the new one.
export function restart() {
  panel.state = null;
  panel.shown = 0;
  load();
}

// start makes lesson n current on site A, with its starting policy.
export async function start(n) {
  const r = await fetch(`/lab/lessons/${n}/start`, { method: "POST" });
  const st = await r.json();
  accept(st);
  return st;
}

function accept(st) {
  if (!st || !st.current) return;
  if (panel.state && (st.rev ?? 0) < (panel.state.rev ?? 0)) return; // older than what is shown
  panel.state = st;
  render();
}

function render() {
  const st = panel.state;
  const l = st && panel.lessons && panel.lessons[st.current - 1];
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
  if (panel.shown === st.current) return;
  panel.shown = st.current;
  $("lesson-concept").textContent = l.concept;
  $("lesson-goal").textContent = l.goal;
  $("lesson-hint").textContent = l.hint;
  $("lesson-hint").hidden = true;
  $("lesson-requests").replaceChildren(...(l.requests || []).map((r, i) =>
    el("button", { type: "button", "data-lesson-request": i, onclick: () => { fillForm(r); pressed(true); send(r); } }, el("b", {}, r.label || r.method))));
  pressed(false);
}

// pressed shrinks the lesson's concept to one line once a request is
// pressed, so that on a projector the result and its diagram fit under it;
// the concept's button shows it whole again.
function pressed(on) {
  $("lesson").classList.toggle("pressed", on);
  $("lesson-concept").setAttribute("aria-expanded", String(!on));
}

// onLesson shows a "lesson" event's state.
export function onLesson(ev) {
  accept(ev.lesson);
}

// wire connects the panel's buttons.
export function wire() {
  const step = (d) => panel.state && start(panel.state.current + d);
  $("lesson-prev").addEventListener("click", () => step(-1));
  $("lesson-next").addEventListener("click", () => step(1));
  $("lesson-restart").addEventListener("click", () => step(0));
  $("lesson-concept").addEventListener("click", () => pressed(false));
  $("lesson-concept").addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      pressed(false);
    }
  });
  $("lesson-hint-button").addEventListener("click", () => ($("lesson-hint").hidden = !$("lesson-hint").hidden));
  $("lesson-toggle").addEventListener("click", () => {
    panel.open = !panel.open;
    $("lesson-body").hidden = !panel.open;
    $("lesson-toggle").textContent = panel.open ? "hide" : "show";
    $("lesson-toggle").setAttribute("aria-expanded", String(panel.open));
  });
}
