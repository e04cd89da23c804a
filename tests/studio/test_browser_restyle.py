"""The Restyle page: photo, target text and amount slider → a job with live progress → the result."""
from __future__ import annotations

import re

import pytest

from sample_images import encode, sample_photo

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_the_restyle_page_runs_a_job_with_live_progress(live_server, studio_workers, owner, page, log_in, record_status,
                                                        shot):
    from jobs.models import Image, Job

    log_in(page, "owner")
    page.goto(live_server.url + "/create/")
    page.get_by_role("link", name="Restyle").click()
    page.wait_for_url(live_server.url + "/restyle/")
    page.get_by_label("Photo", exact=True).set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": encode(sample_photo("coffee"))})
    page.get_by_label("Restyle it as").fill("a cartoon drawing of a cup")
    page.locator("#id_amount").fill("0.8")
    assert page.locator("#amount-value").inner_text() == "0.80"  # the slider's value is shown as it moves
    page.get_by_label("Size").select_option("256")
    shot(page, "restyle")
    page.get_by_role("button", name="Restyle").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    job = Job.objects.get(user=owner)
    assert (job.kind, job.prompt, job.amount, job.size) == ("restyle", "a cartoon drawing of a cup", 0.8, 256)

    # The result, not the original photo the job page also shows in .results.
    page.locator(".results figure:not(.original) img").first.wait_for(timeout=240_000)
    # The job page polled the job API (live progress) until the result was shown.
    assert any(s.startswith("job-status:") for s in record_status())
    job.refresh_from_db()
    assert job.status == "succeeded" and Image.objects.filter(job=job).count() == 1
    shot(page, "restyle-done")


def test_the_restyle_page_speaks_chinese(live_server, owner, page, log_in):
    log_in(page, "owner")
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.goto(live_server.url + "/restyle/")
    assert page.locator("h1").inner_text() == "为照片换风格"
    assert page.get_by_label("变化程度").count() == 1
