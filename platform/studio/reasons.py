"""Plain-word, translated labels for what the job API reports in English codes.

The moderation library writes one English ``reason`` line; the studio shows the
translated label of each category instead, so a Chinese reader understands why.
"""
from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _

from trust.review import REJECT_REASONS

CATEGORY = {
    "sexual": _("sexual content"),
    "sexual/minors": _("sexual content involving minors"),
    "harassment": _("harassment"),
    "harassment/threatening": _("threatening harassment"),
    "hate": _("hateful content"),
    "hate/threatening": _("threatening hateful content"),
    "illicit": _("instructions for illegal acts"),
    "illicit/violent": _("instructions for violent illegal acts"),
    "self-harm": _("self-harm"),
    "self-harm/intent": _("intent to self-harm"),
    "self-harm/instructions": _("instructions for self-harm"),
    "violence": _("violence"),
    "violence/graphic": _("graphic violence"),
    "public-figure": _("a real, identifiable public figure"),
    "deception": _("deceptive content (fake news, forged documents)"),
    "face-edit": _("editing a photo of a real person's face"),
    "unavailable": _("the safety check was unavailable"),
}

SURFACE = {
    "prompt": _("your prompt"),
    "upload": _("your uploaded image"),
    "output": _("the generated image"),
}

STATUS = {
    "queued": _("Queued"),
    "moderating": _("Safety check"),
    "held": _("Waiting for review"),
    "running": _("Generating"),
    "stamping": _("Signing"),
    "succeeded": _("Done"),
    "blocked": _("Refused"),
    "failed": _("Failed"),
    "cancelled": _("Cancelled"),
}

# The worker's progress stages (generation.progress and jobs.services).
STAGE = {
    "": "",
    "waiting for a GPU worker": _("waiting for a GPU worker"),
    "starting": _("loading the model"),
    "prior": _("imagining the picture"),
    "image_encoder": _("reading your image"),
    "inversion": _("tracing your photo's layout"),
    "decoder": _("drawing"),
    "super_resolution": _("sharpening"),
    "upscale_1024": _("enlarging"),
    "stamping": _("signing the provenance"),
}


def reviewer_reason(job) -> str:
    """Return why a reviewer rejected ``job``: a standard reason in the reader's language, else their own words."""
    if job.review_reason in REJECT_REASONS:
        return gettext(REJECT_REASONS[job.review_reason])
    return job.error_message


def category_label(category: str) -> str:
    """Return the translated words for a moderation category (the code itself if unknown)."""
    return str(CATEGORY.get(category, category))


def stage_label(stage: str) -> str:
    return str(STAGE.get(stage, stage))


def refusal(job) -> dict | None:
    """Return why a job was refused or held, in the reader's language, or None."""
    if job.status not in ("blocked", "held"):
        return None
    flagged = [d for d in job.decisions if d.get("action") in ("block", "review")]
    if job.status == "blocked":
        flagged = [d for d in flagged if d.get("action") == "block"] or flagged
    categories = []
    surfaces = []
    for decision in flagged:
        for category in decision.get("categories") or []:
            label = category_label(category)
            if label not in categories:
                categories.append(label)
        surface = SURFACE.get(decision.get("surface"))
        if surface is not None and str(surface) not in surfaces:
            surfaces.append(str(surface))
    return {
        "categories": categories,
        "surfaces": surfaces,
        # A reviewer's own words, when a person rejected it (not machine text: shown as written).
        "reviewer_note": reviewer_reason(job) if job.error_code == "rejected_in_review" else "",
        "code": job.error_code,
    }
