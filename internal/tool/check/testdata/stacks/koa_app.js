// Koa 2 with @koa/cors 5, serving the paths of real_browser_test.go.
// Usage: node koa_app.js PORT PAGE BARE STAR ECHO
// (run with NODE_PATH pointing at a node_modules that has the packages).
"use strict";
const Koa = require("koa");
const cors = require("@koa/cors");

const [port, page, bare, star, echo] = process.argv.slice(2);
const app = new Koa();
app.use(cors({
  origin: page, allowMethods: ["GET", "POST", "PUT"], allowHeaders: ["content-type"],
  exposeHeaders: ["X-Total"], credentials: true,
}));
// redirect sets the status first: ctx.redirect keeps a redirect status, else sends 302.
const redirect = (code, url) => (ctx) => { ctx.status = code; ctx.redirect(url); };
const routes = {
  "/items": (ctx) => { ctx.set("X-Total", "3"); ctx.body = { ok: true }; },
  "/boom": (ctx) => { ctx.status = 500; ctx.body = "boom"; },
  "/slash": redirect(301, "/items/"),
  "/to-bare": redirect(307, bare + "/data"),
  "/to-star": redirect(302, star + "/data"),
  "/to-echo": redirect(307, echo + "/data"),
  "/put307": redirect(307, "/items"),
  "/post303": redirect(303, "/items"),
};
routes["/items/"] = routes["/items"];
app.use((ctx) => {
  const route = routes[ctx.path];
  if (route) route(ctx);
});
app.listen(Number(port), "127.0.0.1");
