"""Reads for the web pages; every one is scoped to its owner, so an id from another
account answers 404 exactly like an id that does not exist."""
from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404

from accounts.models import ApiKey
from jobs.models import Image, Job

GALLERY_PAGE_SIZE = 12


def gallery_page(*, user, page: str | int | None) -> Page:
    """Return one page of ``user``'s images, newest first."""
    images = Image.objects.filter(job__user=user).select_related("job").order_by("-created", "index")
    return Paginator(images, GALLERY_PAGE_SIZE).get_page(page)


def recent_images(*, user, limit: int = 12) -> list[Image]:
    """Return ``user``'s newest images (the variation page's picker)."""
    return list(Image.objects.filter(job__user=user).select_related("job").order_by("-created", "index")[:limit])


def image_for_owner(*, user, image_id) -> Image:
    return get_object_or_404(Image.objects.select_related("job"), pk=image_id, job__user=user)


def job_for_owner(*, user, job_id) -> Job:
    return get_object_or_404(Job.objects.prefetch_related("images"), pk=job_id, user=user)


def recent_jobs(*, user, limit: int = 10) -> list[Job]:
    return list(Job.objects.filter(user=user).order_by("-created")[:limit])


def api_keys_for(*, user) -> list[ApiKey]:
    return list(ApiKey.objects.filter(user=user).order_by("-created"))


def api_key_for_owner(*, user, key_id: str) -> ApiKey:
    return get_object_or_404(ApiKey, pk=key_id, user=user)
