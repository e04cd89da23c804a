"""Sign-up and the account page with its API keys."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as account_services

from .. import selectors
from ..forms import ApiKeyForm, SignupForm

NEW_KEY = "studio.new_api_key"


def signup(request):
    if request.user.is_authenticated:
        return redirect("studio:create")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome, %(name)s. Describe a picture to make your first image.") % {"name": user.username})
        return redirect("studio:create")
    return render(request, "studio/auth/signup.html", {"form": form}, status=400 if form.errors else 200)


@never_cache  # the raw key is in the response once; no cache may keep it
@login_required
def account(request):
    form = ApiKeyForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, raw = account_services.api_key_create(user=request.user, name=form.cleaned_data["name"])
        except account_services.ApiKeyRequestInvalid as exc:  # the per-account cap
            form.add_error(None, str(exc))
    if raw is not None:
        # Post/redirect/get, so that reloading the page cannot create a second key; the raw
        # key waits in the session for exactly one page view and is then gone for good.
        request.session[NEW_KEY] = raw
        return redirect("studio:account")
    raw_key = request.session.pop(NEW_KEY, None) if request.method == "GET" else None
    return render(request, "studio/account.html", {
        "form": form, "raw_key": raw_key, "keys": selectors.api_keys_for(user=request.user),
    }, status=400 if form.errors else 200)


@require_POST
@login_required
def api_key_revoke(request, key_id: str):
    key = selectors.api_key_for_owner(user=request.user, key_id=key_id)
    account_services.api_key_revoke(key=key, actor=request.user)
    messages.success(request, _("The key %(prefix)s… is revoked; requests using it now fail.") % {"prefix": key.prefix})
    return redirect("studio:account")
