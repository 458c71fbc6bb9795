// The lesson panel: the current lesson's concept, goal, buttons and hint,
// and the progress, from GET /lab/lessons and /lab/progress and the live
// log's "lesson" events.

import { $, el } from "./dom.js";
import { fillForm } from "./form.js";
import { send } from "./send.js";

const lessonState = { lessons: [], state: null, open: true };

// current is the lessons' progress as last shown.
export const current = () => lessonState.state;

// load fetches the lessons and the progress, and shows the current lesson.
export async function load() {
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

// start makes lesson n current on site A, with its starting policy.
export async function start(n) {
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

// onLesson shows a "lesson" event's state.
export function onLesson(ev) {
  if (ev.lesson) showLesson(ev.lesson);
}

// wire connects the panel's buttons.
export function wire() {
  const step = (d) => lessonState.state && start(lessonState.state.current + d);
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
}
