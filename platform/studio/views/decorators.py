from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

# The Django permission each staff page needs; `is_staff` alone opens none of them.
REVIEW = "trust.review_request"
VIEW_UPLOAD = "trust.view_upload"
VIEW_SUSPENSIONS = "trust.view_suspension"
CHANGE_SUSPENSIONS = "trust.change_suspension"
VIEW_AUDIT = "trust.view_auditentry"


def staff_required(perm: str):
    """Send visitors to the login page; a signed-in user who is not staff, or lacks ``perm``, gets a 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_staff and request.user.has_perm(perm)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
