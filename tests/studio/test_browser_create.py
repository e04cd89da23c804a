"""Sign up → create → live progress → the image in the gallery, with its provenance panel."""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_new_user_creates_an_image_and_sees_its_provenance(live_server, studio_workers, page, record_status, shot):
    from jobs.models import Image, Job

    url = live_server.url
    page.goto(url + "/signup/")
    shot(page, "signup")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("E-mail").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase-7")
    page.get_by_label("Password confirmation").fill("a-long-pass-phrase-7")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(url + "/create/")

    page.get_by_label("Prompt").fill("a watercolor painting of a fox in the snow")
    page.get_by_label("Size").select_option("256")
    page.get_by_label("Seed (optional)").fill("7")
    shot(page, "create")
    polls = []
    page.on("response", lambda r: polls.append((r.url, r.status)) if "/v1/jobs/" in r.url else None)
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    job = Job.objects.get(user__username="newcomer")
    assert (job.kind, job.n, job.size, job.seed, job.api_key_id) == ("generation", 1, 256, 7, None)

    # The page polls the job API and then shows the image (after one reload).
    page.locator(".results img").first.wait_for(timeout=240_000)
    assert polls and all(u.endswith(f"/v1/jobs/{job.id}") and code == 200 for u, code in polls), polls
    seen = record_status()
    assert "job-status:Done" in seen
    assert any(s.startswith("job-status:") and not s.endswith("Done") for s in seen), seen
    shot(page, "job-done")

    image = Image.objects.get(job=job)
    page.get_by_role("link", name="Details and provenance").click()
    page.wait_for_url(f"{url}/gallery/{image.id}/")
    assert "intact, and the signer is trusted" in page.locator("#prov-verdict").inner_text()
    assert page.locator("#prov-kind").inner_text().startswith("Created with AI")
    assert image.model_id in page.locator("#prov-model").inner_text()
    assert page.locator("#prov-trusted").inner_text() == "Yes"
    assert page.locator("#prov-signer").inner_text().strip() not in ("", "—")
    # The panel shows what the watermark decoder finds in the stored pixels. (The tiny test
    # model draws near-binary noise, where the watermark often cannot be read back; the
    # verify test covers the watermark on a photograph.)
    from provenance import verify

    from jobs import runtime

    with image.file.open("rb") as fh:
        verdict = verify(fh.read(), trust_anchors=runtime.trust_anchors())
    assert page.locator("#prov-watermark").inner_text() == (verdict.watermark_id or "none found")
    assert verdict.record_id == image.record_id
    shot(page, "image-detail")

    with page.expect_download() as download:
        page.locator("#download").click()
    assert open(download.value.path(), "rb").read()[:8] == b"\x89PNG\r\n\x1a\n"

    page.get_by_role("link", name="Gallery").click()
    page.wait_for_url(url + "/gallery/")
    assert page.locator(f'a[href="/gallery/{image.id}/"]').count() == 1
    alt = page.locator(".gallery img").first.get_attribute("alt")
    assert "fox" in alt
    shot(page, "gallery")
