// Express 4 with the cors package, serving the paths of real_browser_test.go.
// Usage: node express_app.js PORT PAGE BARE STAR ECHO
// (run with NODE_PATH pointing at a node_modules that has the packages).
"use strict";
const express = require("express");
const cors = require("cors");

const [port, page, bare, star, echo] = process.argv.slice(2);
const app = express();
app.use(cors({origin: page, methods: ["GET", "POST", "PUT"], allowedHeaders: ["content-type"],
  exposedHeaders: ["X-Total"], credentials: true}));
const items = (req, res) => { res.set("X-Total", "3"); res.json({ok: true}); };
app.all(["/items", "/items/"], items);
app.get("/boom", (req, res) => res.status(500).send("boom"));
app.all("/slash", (req, res) => res.redirect(301, "/items/"));
app.all("/to-bare", (req, res) => res.redirect(307, bare + "/data"));
app.all("/to-star", (req, res) => res.redirect(302, star + "/data"));
app.all("/to-echo", (req, res) => res.redirect(307, echo + "/data"));
app.all("/put307", (req, res) => res.redirect(307, "/items"));
app.all("/post303", (req, res) => res.redirect(303, "/items"));
app.listen(Number(port), "127.0.0.1");
