"""Plain-word, translated labels for what the job API reports in English codes.

The moderation library writes one English ``reason`` line; the studio shows the
translated label of each category instead, so a Chinese reader understands why.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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


# trust.review.REJECT_REASONS, by key: the reviewer picks one, the user reads it in their language.
REVIEW_REASON = {
    "policy": _("The request conflicts with the content policy."),
    "sexual": _("The request asks for sexual content, which this service does not generate."),
    "violence": _("The request asks for graphic violence, which this service does not generate."),
    "real_person": _("The request depicts a real, identifiable person in a way the policy does not allow."),
    "minors": _("The request could sexualise or endanger minors."),
    "hate": _("The request promotes hate or harassment."),
}


def reviewer_reason(text: str) -> str:
    """Return a reviewer's reason in the reader's language when it is one of the standard ones."""
    from trust.review import REJECT_REASONS

    for key, english in REJECT_REASONS.items():
        if english == text and key in REVIEW_REASON:
            return str(REVIEW_REASON[key])
    return text


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
        "reviewer_note": reviewer_reason(job.error_message) if job.error_code == "rejected_in_review" else "",
        "code": job.error_code,
    }
