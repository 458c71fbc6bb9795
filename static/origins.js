// The two origins the page works with: its own (site A, location.origin)
// and site B's, which the page learns from GET /lab/config at start-up.
// Site B is reached on the host the page was itself loaded from, so a
// classroom LAN works.

let siteB = ""; // site B's base URL, e.g. http://localhost:7071

export const siteBOrigin = () => siteB;

// load asks site A for the lab's configuration until it answers, calling
// down(text) each time it cannot, and sets site B's origin.
export async function load(down) {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const r = await fetch("/lab/config", { cache: "no-store" });
      if (r.ok) {
        const cfg = await r.json();
        siteB = `${location.protocol}//${location.hostname}:${cfg.siteBPort}`;
        return cfg;
      }
    } catch {
      // site A is down: try again
    }
    down(`✗ cannot reach site A's /lab/config — retrying in ${wait / 1000} s`);
    await new Promise((res) => setTimeout(res, wait));
  }
}

// shortURL shows a URL on site B by its path alone.
export function shortURL(u) {
  if (siteB && u.startsWith(siteB + "/")) return u.slice(siteB.length);
  return u;
}
