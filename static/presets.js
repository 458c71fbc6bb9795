// The preset requests (the Request column's buttons) and the site B item
// ids the page has seen, which the DELETE preset aims at.

const knownIds = new Set(); // site B item ids the page has seen

// highestId is the id DELETE aims at: the highest item id the page knows.
function highestId() {
  let max = 0;
  for (const id of knownIds) max = Math.max(max, id);
  return max || 1;
}

// Each preset returns a request for send(); the buttons call exactly these.
export const presets = {
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

// showDeleteTarget shows on the DELETE button which item it will delete.
export function showDeleteTarget() {
  const small = document.querySelector('[data-preset="del"] small');
  if (small) small.textContent = "/api/items/" + highestId();
}

// learnIds keeps track of site B's item ids from what JavaScript could read.
export function learnIds(req, out) {
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

// learnEffect keeps track of item ids from site B's log (an exchange's
// structured effect): a blocked POST still created one.
export function learnEffect(effect) {
  if (!effect || !Number.isInteger(effect.item)) return;
  if (effect.kind === "created") knownIds.add(effect.item);
  else if (effect.kind === "deleted") knownIds.delete(effect.item);
  else return;
  showDeleteTarget();
}
