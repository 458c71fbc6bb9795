// Fastify 4 with @fastify/cors 9, serving the paths of real_browser_test.go.
// Usage: node fastify_app.js PORT PAGE BARE STAR ECHO
// (run with NODE_PATH pointing at a node_modules that has the packages).
"use strict";
const fastify = require("fastify")();

const [port, page, bare, star, echo] = process.argv.slice(2);
fastify.register(require("@fastify/cors"), {
  origin: page, methods: ["GET", "POST", "PUT"], allowedHeaders: ["content-type"],
  exposedHeaders: ["X-Total"], credentials: true,
});
const ALL = ["GET", "POST", "PUT", "DELETE"];
const items = async (req, reply) => { reply.header("X-Total", "3"); return { ok: true }; };
const redirect = (code, url) => async (req, reply) => reply.redirect(code, url);
fastify.route({ method: ALL, url: "/items", handler: items });
fastify.route({ method: ALL, url: "/items/", handler: items });
fastify.get("/boom", async (req, reply) => reply.code(500).send("boom"));
fastify.get("/slash", redirect(301, "/items/"));
fastify.route({ method: ALL, url: "/to-bare", handler: redirect(307, bare + "/data") });
fastify.get("/to-star", redirect(302, star + "/data"));
fastify.get("/to-echo", redirect(307, echo + "/data"));
fastify.route({ method: ALL, url: "/put307", handler: redirect(307, "/items") });
fastify.route({ method: ALL, url: "/post303", handler: redirect(303, "/items") });
fastify.listen({ port: Number(port), host: "127.0.0.1" }, (err) => { if (err) { console.error(err); process.exit(1); } });
