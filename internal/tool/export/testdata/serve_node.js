// Serves an export snippet for real: the Node app of one stack, configured by
// the exact text `corslab export` printed, in front of site B's bare API
// (every request the CORS layer lets through is passed on to BACKEND).
// Usage: node serve_node.js express|fastify|koa PORT BACKEND SNIPPET_FILE
// (run with NODE_PATH pointing at a node_modules that has the packages).
"use strict";
const fs = require("fs");
const http = require("http");

const [stack, port, backend, snippetFile] = process.argv.slice(2);
const snippet = fs.readFileSync(snippetFile, "utf8");
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "date"]);

// forward passes one request on and resolves to the backend's answer.
function forward(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const h = {};
    for (const [k, v] of Object.entries(headers)) if (!HOP.has(k) && k !== "host") h[k] = v;
    const req = http.request(backend + url, { method, headers: h }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const out = {};
        for (const [k, v] of Object.entries(res.headers)) if (!HOP.has(k)) out[k] = v;
        resolve({ status: res.statusCode, headers: out, body: Buffer.concat(chunks) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

(async () => {
  if (stack === "express") {
    const express = require("express");
    const app = express();
    eval(snippet);
    app.use(async (req, res) => {
      const r = await forward(req.method, req.originalUrl, req.headers, await readBody(req));
      for (const [k, v] of Object.entries(r.headers)) if (!res.get(k)) res.set(k, v);
      res.status(r.status).end(r.body);
    });
    app.listen(Number(port), "127.0.0.1");
  } else if (stack === "fastify") {
    const fastify = require("fastify")();
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser("*", { parseAs: "buffer" }, (req, body, done) => done(null, body));
    await eval("(async () => {" + snippet + "})()");
    fastify.route({
      method: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
      url: "/*",
      handler: async (req, reply) => {
        const r = await forward(req.method, req.url, req.headers, req.body);
        for (const [k, v] of Object.entries(r.headers)) if (!reply.hasHeader(k)) reply.header(k, v);
        reply.code(r.status).send(r.body);
      },
    });
    await fastify.listen({ port: Number(port), host: "127.0.0.1" });
  } else if (stack === "koa") {
    const Koa = require("koa");
    const app = new Koa();
    eval(snippet);
    app.use(async (ctx) => {
      const r = await forward(ctx.method, ctx.url, ctx.headers, await readBody(ctx.req));
      for (const [k, v] of Object.entries(r.headers)) if (!ctx.response.get(k)) ctx.set(k, v);
      ctx.status = r.status;
      ctx.body = r.body;
    });
    app.listen(Number(port), "127.0.0.1");
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
