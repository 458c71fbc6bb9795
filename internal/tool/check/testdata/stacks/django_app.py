# Django with django-cors-headers, serving the paths of real_browser_test.go.
# /items is answered by Django's own APPEND_SLASH redirect (CommonMiddleware)
# to /items/, after CorsMiddleware as its documentation asks.
# Usage: python3 django_app.py PORT PAGE BARE STAR ECHO
import sys

from django.conf import settings

port, page, bare, star, echo = sys.argv[1:6]
settings.configure(
    DEBUG=False,
    SECRET_KEY="corslab-test",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
    APPEND_SLASH=True,
    CORS_ALLOWED_ORIGINS=[page],
    CORS_ALLOW_METHODS=["GET", "POST", "PUT"],
    CORS_ALLOW_HEADERS=["content-type"],
    CORS_EXPOSE_HEADERS=["X-Total"],
    CORS_ALLOW_CREDENTIALS=True,
)

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def items(request):
    r = JsonResponse({"ok": True})
    r["X-Total"] = "3"
    return r


def redirect_to(url, status):
    def view(request):
        r = HttpResponseRedirect(url)
        r.status_code = status
        return r
    return view


def boom(request):
    return HttpResponse("boom", status=500)


urlpatterns = [
    path("items/", items),  # /items: APPEND_SLASH's 301
    path("boom", boom),
    path("slash", redirect_to("/items/", 301)),
    path("to-bare", redirect_to(bare + "/data", 307)),
    path("to-star", redirect_to(star + "/data", 302)),
    path("to-echo", redirect_to(echo + "/data", 307)),
    path("put307", redirect_to("/items/", 307)),
    path("post303", redirect_to("/items/", 303)),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line
    execute_from_command_line(["django_app.py", "runserver", "127.0.0.1:" + port, "--noreload", "--nothreading"])
