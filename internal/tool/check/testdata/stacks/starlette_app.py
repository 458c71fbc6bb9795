# Starlette's CORSMiddleware (as FastAPI uses it) under uvicorn, serving the
# paths of real_browser_test.go.
# Usage: python3 starlette_app.py PORT PAGE BARE STAR ECHO
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

port, page, bare, star, echo = sys.argv[1:6]


async def items(request):
    return JSONResponse({"ok": True}, headers={"X-Total": "3"})


def redirect_to(url, status):
    async def view(request):
        return RedirectResponse(url, status_code=status)
    return view


async def boom(request):
    return PlainTextResponse("boom", status_code=500)


ALL = ["GET", "POST", "PUT", "DELETE"]
app = Starlette(
    routes=[
        Route("/items", items, methods=ALL),
        Route("/items/", items, methods=ALL),
        Route("/boom", boom),
        Route("/slash", redirect_to("/items/", 301)),
        Route("/to-bare", redirect_to(bare + "/data", 307), methods=ALL),
        Route("/to-star", redirect_to(star + "/data", 302)),
        Route("/to-echo", redirect_to(echo + "/data", 307)),
        Route("/put307", redirect_to("/items", 307), methods=ALL),
        Route("/post303", redirect_to("/items", 303), methods=ALL),
    ],
    middleware=[Middleware(CORSMiddleware, allow_origins=[page], allow_methods=["GET", "POST", "PUT"],
                           allow_headers=["content-type"], expose_headers=["X-Total"], allow_credentials=True)],
)

uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
