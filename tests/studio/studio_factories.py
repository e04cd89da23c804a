"""Rows the display tests start from (the end-to-end tests make theirs through the workers)."""
from __future__ import annotations

import secrets

from django.core.files.base import ContentFile

from jobs.models import Image, Job


def job_with_image(user, png: bytes, *, prompt: str = "a fox in the snow", kind: str = "generation") -> tuple[Job, Image]:
    job = Job.objects.create(user=user, kind=kind, prompt=prompt, status=Job.Status.SUCCEEDED)
    if kind != "generation":
        job.upload.save(f"{job.id}-image.png", ContentFile(png))
    image = Image(job=job, index=0, record_id=secrets.token_hex(6), manifest_sha256="0" * 64,
                  model_id="hallmark/tiny", model_version="1")
    image.file.save(f"{image.record_id}.png", ContentFile(png), save=False)
    image.save()
    return job, image
