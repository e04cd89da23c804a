"""The public verification page: no account needed."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect

from hallmark.errors import DomainError
from jobs.selectors import verify_upload

from .. import provenance_panel
from ..forms import VerifyForm


@csrf_protect
def verify(request):
    from provenance.errors import InvalidInput  # noqa: PLC0415 (not a cycle: the library loads on first use)

    form = VerifyForm(request.POST or None, request.FILES or None)
    panel = None
    if request.method == "POST" and form.is_valid():
        try:
            panel = provenance_panel.summarise(verify_upload(form.cleaned_data["file"]))
        except (InvalidInput, DomainError) as exc:
            form.add_error("file", str(exc))
    return render(request, "studio/verify.html", {"form": form, "panel": panel}, status=400 if form.errors else 200)
