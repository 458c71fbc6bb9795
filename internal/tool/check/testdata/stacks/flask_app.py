# Flask with Flask-CORS, serving the paths of real_browser_test.go.
# Usage: python3 flask_app.py PORT PAGE BARE STAR ECHO
import sys

from flask import Flask, jsonify, redirect
from flask_cors import CORS

port, page, bare, star, echo = sys.argv[1:6]
app = Flask(__name__)
CORS(app, origins=[page], methods=["GET", "POST", "PUT"], allow_headers=["content-type"],
     expose_headers=["X-Total"], supports_credentials=True)


@app.route("/items", methods=["GET", "POST", "PUT", "DELETE"])
@app.route("/items/", methods=["GET", "POST", "PUT", "DELETE"])
def items():
    r = jsonify(ok=True)
    r.headers["X-Total"] = "3"
    return r


@app.route("/boom")
def boom():
    return "boom", 500


@app.route("/slash")
def slash():
    return redirect("/items/", 301)


@app.route("/to-bare", methods=["GET", "PUT"])
def to_bare():
    return redirect(bare + "/data", 307)


@app.route("/to-star")
def to_star():
    return redirect(star + "/data", 302)


@app.route("/to-echo")
def to_echo():
    return redirect(echo + "/data", 307)


@app.route("/put307", methods=["PUT"])
def put307():
    return redirect("/items", 307)


@app.route("/post303", methods=["POST"])
def post303():
    return redirect("/items", 303)


app.run(host="127.0.0.1", port=int(port))
