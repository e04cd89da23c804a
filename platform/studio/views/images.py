"""Create, edit, vary and restyle; the job page with live progress; the gallery and image detail."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hallmark.errors import DomainError
from jobs import files, services as job_services

from .. import provenance_panel, reasons, selectors
from ..forms import CreateForm, EditForm, RestyleForm, VaryForm
from ..services import studio_job_create


def home(request):
    if request.user.is_authenticated:
        return redirect("studio:create")
    return render(request, "studio/home.html")


def _submit(request, form, kind: str):
    """Create the job from a valid form, or put the refusal on the form; return a response."""
    data = form.cleaned_data
    try:
        job = studio_job_create(user=request.user, kind=kind, prompt=data.get("prompt", ""), n=data["n"],
                                size=data["size"], seed=data.get("seed"), upload=data.get("upload"),
                                from_prompt=data.get("from_prompt") or "", amount=data.get("amount"))
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    return redirect("studio:job", job_id=job.id)


def _page(request, form_class, kind: str, template: str, extra: dict | None = None, **form_kwargs):
    form = form_class(request.POST or None, request.FILES or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        response = _submit(request, form, kind)
        if response is not None:
            return response
    context = {"form": form, "recent_jobs": selectors.recent_jobs(user=request.user, limit=5), **(extra or {})}
    if kind == "variation":
        context["picks"] = selectors.recent_images(user=request.user)
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def create(request):
    return _page(request, CreateForm, "generation", "studio/create.html")


@login_required
def edit(request):
    labels = {
        "empty": _("Paint over the part of the photo to change first."),
        "cleared": _("Mask cleared."),
        "undone": _("Undone."),
        "painted": _("Painted at %(x)s, %(y)s."),
        "loaded": _("Photo loaded. Paint over the part to change."),
        "cropped": _("The photo was cropped to a square from its centre."),
        "unreadable": _("This file cannot be read as an image."),
    }
    return _page(request, EditForm, "edit", "studio/edit.html", extra={"painter_labels": labels})


@login_required
def vary(request):
    return _page(request, VaryForm, "variation", "studio/vary.html", owner=request.user,
                 initial={"pick": request.GET.get("pick")})


@login_required
def restyle(request):
    return _page(request, RestyleForm, "restyle", "studio/restyle.html")


@login_required
def job(request, job_id):
    job = selectors.job_for_owner(user=request.user, job_id=job_id)
    context = {
        "job": job,
        "images": list(job.images.all()) if job.status == "succeeded" else [],
        "status_label": reasons.STATUS.get(job.status, job.status),
        "stage_label": reasons.stage_label(job.progress_stage),
        "refusal": reasons.refusal(job),
        "poll_url": reverse("job", args=[job.id]),
        # The progress script shows these instead of the API's English codes.
        "labels": {
            "status": {k: str(v) for k, v in reasons.STATUS.items()},
            "stage": {k: str(v) for k, v in reasons.STAGE.items()},
            "step": _("step %(step)s of %(total)s"),
            "lost": _("Lost contact with the server; retrying…"),
        },
    }
    return render(request, "studio/job.html", context)


@require_POST
@login_required
def job_cancel(request, job_id):
    job = selectors.job_for_owner(user=request.user, job_id=job_id)
    try:
        job_services.job_cancel(job_id=job.id, actor=request.user)
        messages.info(request, _("Cancelling. A running job stops at its next step."))
    except job_services.JobConflict:
        messages.warning(request, _("This job has already ended."))
    return redirect("studio:job", job_id=job.id)


@login_required
def gallery(request):
    page = selectors.gallery_page(user=request.user, page=request.GET.get("page"))
    return render(request, "studio/gallery.html", {"page": page})


@login_required
def image_detail(request, image_id):
    image = selectors.image_for_owner(user=request.user, image_id=image_id)
    with image.file.open("rb") as fh:
        data = fh.read()
    panel = provenance_panel.panel_for_bytes(data)
    source = image.job if image.job.kind in ("edit", "variation", "restyle") and image.job.upload else None
    return render(request, "studio/image_detail.html", {"image": image, "job": image.job, "panel": panel,
                                                        "has_source": source is not None})


@login_required
def job_upload(request, job_id):
    """Serve a job's upload to its owner as the canonical picture the gates judged and the model used."""
    job = selectors.job_for_owner(user=request.user, job_id=job_id)
    return files.png_response(job.upload)
