"""End to end over HTTP with real PostgreSQL, the real gates and real workers: held requests are
approved or rejected by a reviewer in the admin, blocked ones add strikes until the keys are refused,
and the audit chain stays intact through it all."""
from __future__ import annotations

import io
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from people import PASSWORD
from trust.audit import audit_checkpoint, audit_verify
from trust.models import AuditEntry

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

HELD_PROMPT = "a realistic photo of Joe Biden"  # public-figure: the default policy holds it for review
BLOCKED_PROMPTS = ["a decapitated corpse in a pool of blood", "a decapitated soldier in a pool of blood",
                   "a decapitated horse in a pool of blood"]


class Api:
    def __init__(self, base: str, key: str):
        self.base, self.headers = base + "/v1", {"Authorization": f"Bearer {key}"}

    def post(self, path: str, **body) -> requests.Response:
        return requests.post(self.base + path, json=body, headers=self.headers, timeout=200)

    def get(self, path: str) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, timeout=30)

    def wait(self, job_id: str, until: set[str], timeout: float = 150) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/jobs/{job_id}").json()
            if job["status"] in until:
                return job
            time.sleep(0.3)
        raise AssertionError(f"job {job_id} never reached {until}: {job}")


def staff_session(base: str, username: str, password: str) -> requests.Session:
    """Log in to the admin the way a browser does (CSRF cookie, then the form)."""
    session = requests.Session()
    page = session.get(f"{base}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(f"{base}/admin/login/?next=/admin/", timeout=30, headers={"Referer": f"{base}/admin/login/"},
                        data={"username": username, "password": password, "csrfmiddlewaretoken": token})
    assert done.url.endswith("/admin/"), done.text[:500]
    return session


def review(session: requests.Session, base: str, job_id: str, **form) -> requests.Response:
    url = f"{base}/admin/trust/heldrequest/{job_id}/review/"
    page = session.get(url, timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={**form, "csrfmiddlewaretoken": token}, headers={"Referer": url}, timeout=30)


@pytest.fixture
def api(live_server, owner, make_key):
    return Api(live_server.url, make_key(owner))


@pytest.fixture
def staff(live_server, make_reviewer):
    make_reviewer("reviewer")
    return staff_session(live_server.url, "reviewer", PASSWORD)


def test_a_held_request_approved_by_a_reviewer_produces_its_image(workers, live_server, api, staff):
    created = api.post("/jobs", prompt=HELD_PROMPT, size="256x256").json()
    job = api.wait(created["id"], {"held", "succeeded", "blocked"})
    assert job["status"] == "held" and job["error"]["code"] == "held_for_review"
    # The synchronous OpenAI endpoint says so too, with the job id to poll.
    sync = api.post("/images/generations", prompt=HELD_PROMPT, size="256x256")
    assert sync.status_code == 409 and sync.json()["error"]["code"] == "held_for_review"
    assert sync.json()["error"]["job_id"]

    queue = staff.get(f"{live_server.url}/admin/trust/heldrequest/", timeout=30).text
    assert created["id"] in queue and "Joe Biden" in queue
    done = review(staff, live_server.url, created["id"], decision="approve", note="press photo, no harm")
    assert "it goes on to generation" in done.text

    job = api.wait(created["id"], {"succeeded", "failed", "blocked"})
    assert job["status"] == "succeeded", job
    image = requests.get(job["data"][0]["url"], timeout=30)
    assert Image.open(io.BytesIO(image.content)).size == (256, 256)
    trail = list(AuditEntry.objects.filter(subject=f"job:{created['id']}").values_list("event", "actor"))
    assert ("review.approved", "reviewer") in trail and ("provenance.stamped", "system") in trail
    gate = AuditEntry.objects.filter(subject=f"job:{created['id']}", event="gate.decision").first().data
    assert gate["action"] == "review" and gate["categories"] == ["public-figure"] and gate["policy_version"]


def test_a_held_request_rejected_by_a_reviewer_tells_the_user_why(workers, live_server, api, staff):
    created = api.post("/jobs", prompt=HELD_PROMPT, size="256x256").json()
    api.wait(created["id"], {"held"})
    review(staff, live_server.url, created["id"], decision="reject", reason="real_person", note="likeness")
    job = api.wait(created["id"], {"blocked"})
    assert job["error"]["code"] == "rejected_in_review"
    assert "real, identifiable person" in job["error"]["message"]
    # A second reviewer arriving late is told who decided.
    late = review(staff, live_server.url, created["id"], decision="approve")
    assert "no longer held" in late.text or "already rejected by reviewer" in late.text


def test_blocked_requests_add_strikes_until_every_key_is_refused(workers, live_server, owner, make_key):
    first, second = Api(live_server.url, make_key(owner, name="a")), Api(live_server.url, make_key(owner, name="b"))
    for prompt in BLOCKED_PROMPTS:
        answer = first.post("/images/generations", prompt=prompt, size="256x256")
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "content_policy_violation", answer.text
    for api in (first, second):
        refused = api.post("/images/generations", prompt="a watercolor fox", size="256x256")
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "account_suspended" and error["suspended_until"]
        assert "until" in error["message"]
    assert owner.strikes.count() == 3
    assert AuditEntry.objects.filter(event="enforcement.suspended", subject=f"user:{owner.pk}").count() == 1


def test_the_chain_is_intact_after_a_busy_parallel_run(workers, live_server, owner, stranger, make_key, signing_keys):
    apis = [Api(live_server.url, make_key(user)) for user in (owner, stranger) for _ in range(2)]
    prompts = ["a watercolor fox", HELD_PROMPT, BLOCKED_PROMPTS[0], "a lighthouse at dusk"]
    calls = [(api, prompt) for api in apis for prompt in prompts]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda call: call[0].post("/jobs", prompt=call[1], size="256x256"), calls))
    assert [a.status_code for a in answers] == [202] * len(calls)
    for (api, _), answer in zip(calls, answers):
        api.wait(answer.json()["id"], {"held", "succeeded", "blocked", "failed"}, timeout=240)
    audit_checkpoint()
    result = audit_verify()
    assert result.ok, result.problem
    assert result.entries == AuditEntry.objects.count() and result.checkpoints >= 1
