"""Keep a suspended account's web session from sending anything to be generated."""
from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from jobs.errors import openai_error

from .enforcement import AccountSuspended, active_suspension

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Paths a suspended user may still post to: signing out, choosing a language, and staff pages for staff.
ALLOWED_PREFIXES = ("/admin/", "/accounts/logout", "/logout", "/i18n/")


class SuspensionMiddleware:
    """Answer 403 to every unsafe request from a suspended account's session.

    API keys are refused in accounts.authentication; this covers the session, which
    the studio's forms and the session-authenticated API use. Reads stay allowed so
    the user can see the message, their past images and the suspension's end.
    The session is judged whatever headers come with it: a request that carries a
    session cookie of a suspended account is refused even if it also sends an
    Authorization header (a stray one would otherwise waive the check)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            suspension = active_suspension(user)
            request.suspension = suspension  # the studio's banner
            if (suspension is not None and request.method not in SAFE_METHODS
                    and not request.path.startswith(ALLOWED_PREFIXES)):
                return self._refuse(request, AccountSuspended(suspension))
        else:
            request.suspension = None
        return self.get_response(request)

    def _refuse(self, request, error: AccountSuspended):
        if request.path.startswith("/v1/"):
            status, body, headers = openai_error(error)
            return JsonResponse(body, status=status, headers=headers)
        body = (f"<!doctype html><title>Account suspended</title><h1>Account suspended</h1>"
                f"<p>{escape(error.message)}</p>")
        return HttpResponse(body, status=403)
