# Serves an export snippet for real: the Python app of one stack, configured
# by the exact text `corslab export` printed, in front of site B's bare API
# (every request is passed on to BACKEND, the answer passed back).
# Usage: python3 serve_python.py flask-cors|django|fastapi PORT BACKEND SNIPPET_FILE
import sys
import urllib.error
import urllib.request

stack, port, backend, snippet_file = sys.argv[1:5]
snippet = open(snippet_file).read()
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def forward(method, path, headers, body):
    req = urllib.request.Request(backend + path, data=body or None, method=method)
    for k, v in headers:
        if k.lower() not in HOP and k.lower() != "host":
            req.add_header(k, v)
    try:
        r = opener.open(req)
    except urllib.error.HTTPError as e:
        r = e
    return r.status if hasattr(r, "status") else r.code, [(k, v) for k, v in r.headers.items() if k.lower() not in HOP], r.read()


if stack == "flask-cors":
    from flask import Flask, Response, request

    app = Flask(__name__)

    @app.route("/", defaults={"p": ""}, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/<path:p>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    def proxy(p):
        path = request.full_path if request.query_string else request.path
        status, headers, body = forward(request.method, path, request.headers.items(), request.get_data())
        return Response(body, status=status, headers=headers)

    exec(snippet)
    app.run(host="127.0.0.1", port=int(port))

elif stack == "django":
    from django.conf import settings

    ns = {"INSTALLED_APPS": [], "MIDDLEWARE": ["django.middleware.common.CommonMiddleware"]}
    exec(snippet, ns)
    conf = {k: v for k, v in ns.items() if k.isupper()}
    settings.configure(DEBUG=False, SECRET_KEY="corslab-test", ALLOWED_HOSTS=["127.0.0.1", "localhost"],
                       ROOT_URLCONF=__name__, APPEND_SLASH=False, **conf)
    from django.http import HttpResponse
    from django.urls import re_path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def proxy(request):
        headers = [(k[5:].replace("_", "-").title(), v) for k, v in request.META.items() if k.startswith("HTTP_")]
        if request.META.get("CONTENT_TYPE"):
            headers.append(("Content-Type", request.META["CONTENT_TYPE"]))
        status, hs, body = forward(request.method, request.get_full_path(), headers, request.body)
        r = HttpResponse(body, status=status)
        for k, v in hs:
            r[k] = v
        return r

    urlpatterns = [re_path(r"^.*$", proxy)]
    from django.core.management import execute_from_command_line
    execute_from_command_line(["serve", "runserver", "127.0.0.1:" + port, "--noreload", "--nothreading"])

elif stack == "fastapi":
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def proxy(request):
        path = request.url.path + ("?" + request.url.query if request.url.query else "")
        status, headers, body = forward(request.method, path, request.headers.items(), await request.body())
        return Response(body, status_code=status, headers=dict(headers))

    app = Starlette(routes=[Route("/{p:path}", proxy, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])])
    # FastAPI's CORSMiddleware is Starlette's: run the snippet as printed,
    # with the import FastAPI re-exports.
    exec(snippet.replace("fastapi.middleware.cors", "starlette.middleware.cors"))
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
