"""Keep a suspended account's web session from sending anything to be generated."""
from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from .enforcement import active_suspension, suspension_error, suspension_message

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Paths a suspended user may still post to: signing out, choosing a language, and staff pages for staff.
ALLOWED_PREFIXES = ("/admin/", "/accounts/logout", "/logout", "/i18n/")


class SuspensionMiddleware:
    """Answer 403 to every unsafe request from a suspended account's session.

    API keys are refused in accounts.authentication; this covers the session, which
    the studio's forms and the session-authenticated API use. Reads stay allowed so
    the user can see the message, their past images and the suspension's end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            suspension = active_suspension(user)
            request.suspension = suspension
            if (suspension is not None and request.method not in SAFE_METHODS
                    and not request.path.startswith(ALLOWED_PREFIXES)
                    and not request.META.get("HTTP_AUTHORIZATION")):  # API keys are judged by their authenticator
                return self._refuse(request, suspension)
        else:
            request.suspension = None
        return self.get_response(request)

    def _refuse(self, request, suspension):
        if request.path.startswith("/v1/"):
            err = suspension_error(suspension)
            return JsonResponse({"error": {"message": err.message, "type": err.type, "param": None, "code": err.code,
                                           **err.extra}}, status=403)
        body = (f"<!doctype html><title>Account suspended</title><h1>Account suspended</h1>"
                f"<p>{escape(suspension_message(suspension))}</p>")
        return HttpResponse(body, status=403)
