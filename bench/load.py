"""Load: N concurrent clients for T seconds against a running Hallmark, then drain and report.

Mixes generations and edits (through /v1/jobs), moderations, public verify, job polling and
GET /v1/models. Loopback only, bounded in clients, seconds, requests and jobs; it stops by
itself. Prints figures, asserts nothing (tests/platform/test_load.py runs it briefly):

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --key $KEY             # the demo
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --key $KEY --clients 32 --seconds 60
    bash bench/load-servers.sh demo|stack      # starts the demo or the PostgreSQL stack, loads it, stops it

Reported: 5xx answers; refused answers (429) and how many lacked Retry-After; jobs still
non-terminal after the drain; p50/p99 of GET /v1/models overall, while this run's jobs were
waiting for a GPU (the gpu queue non-empty) and while the gpu queue was full (a 429 queue_full
came in the last two seconds), both from the load's own threads and from a separate client
process that asks ten times a second (the figure for "anyone else": the load's threads share one
interpreter lock, so their timings include waits inside the load generator). The queue fills only past the server's
HALLMARK_GPU_QUEUE_MAX_IMAGES (64 by default; run the server with a smaller one, e.g. 8, and a
rate limit above the load's, to measure admission rather than the per-account minute).
"""
from __future__ import annotations

import argparse
import bisect
import io
import ipaddress
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from PIL import Image

TERMINAL = {"succeeded", "blocked", "failed", "cancelled"}
PROMPTS = ["a watercolor lighthouse at dawn", "a red fox in the snow", "雪地里的狐狸", "a bowl of ramen, studio light",
           "an origami crane on a desk"]


def _png(mode: str, colour, hole: bool = False) -> bytes:
    image = Image.new(mode, (256, 256), colour)
    if hole:
        image.paste((0, 0, 0, 0), (96, 96, 160, 160))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"refusing to load {host}: this benchmark runs against loopback only")


@dataclass
class Report:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    by_action: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    refused: int = 0
    refused_without_retry_after: int = 0
    refused_codes: Counter = field(default_factory=Counter)
    jobs: dict[str, str] = field(default_factory=dict)
    models_ms: list[float] = field(default_factory=list)
    models_busy_ms: list[float] = field(default_factory=list)
    models_full_ms: list[float] = field(default_factory=list)
    probe_ms: list[float] = field(default_factory=list)       # the separate client (see _probe)
    probe_full_ms: list[float] = field(default_factory=list)
    non_terminal_after_drain: list[str] = field(default_factory=list)
    drain_s: float = 0.0
    seconds: float = 0.0
    cut_at_deadline: int = 0

    def as_dict(self) -> dict:
        def pct(values, q):
            return round(statistics.quantiles(values, n=100)[q - 1], 1) if len(values) >= 2 else None

        return {
            "requests": self.requests, "seconds": round(self.seconds, 1), "cut_at_deadline": self.cut_at_deadline, "statuses": dict(self.statuses),
            "by_action": dict(self.by_action), "5xx": len(self.server_errors), "5xx_samples": self.server_errors[:5],
            "refused_429": self.refused, "429_without_retry_after": self.refused_without_retry_after,
            "429_codes": dict(self.refused_codes),
            "jobs_created": len(self.jobs), "job_outcomes": dict(Counter(self.jobs.values())),
            "non_terminal_after_drain": len(self.non_terminal_after_drain), "drain_s": round(self.drain_s, 1),
            "models_p50_ms": pct(self.models_ms, 50), "models_p99_ms": pct(self.models_ms, 99),
            "models_busy_n": len(self.models_busy_ms),
            "models_busy_p50_ms": pct(self.models_busy_ms, 50), "models_busy_p99_ms": pct(self.models_busy_ms, 99),
            "models_full_n": len(self.models_full_ms),
            "models_full_p50_ms": pct(self.models_full_ms, 50), "models_full_p99_ms": pct(self.models_full_ms, 99),
            "probe_n": len(self.probe_ms), "probe_p50_ms": pct(self.probe_ms, 50), "probe_p99_ms": pct(self.probe_ms, 99),
            "probe_full_n": len(self.probe_full_ms),
            "probe_full_p50_ms": pct(self.probe_full_ms, 50), "probe_full_p99_ms": pct(self.probe_full_ms, 99),
        }


DEADLINE_GRACE_S = 5.0
# A GET /v1/models counts as "while the gpu queue is full" when a queue_full refusal came this recently.
FULL_WINDOW_S = 2.0


PROBE_INTERVAL_S = 0.1


def _probe(url: str, key: str, seconds: float) -> list[tuple[float, float]]:
    """Another partner, in its own process: GET /v1/models ten times a second for ``seconds``; return
    (monotonic start, ms) pairs. The load's own threads share one interpreter lock, so their
    timings include waits in the load generator itself; this client's do not."""
    session, samples = requests.Session(), []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            response = session.get(url + "/v1/models", headers={"Authorization": f"Bearer {key}"},
                                   timeout=max(0.5, stop + DEADLINE_GRACE_S - started))
            if response.status_code == 200:
                samples.append((started, (time.monotonic() - started) * 1000))
        except requests.RequestException:
            pass
        time.sleep(max(0.0, PROBE_INTERVAL_S - (time.monotonic() - started)))
    return samples


def _start_probe(url: str, key: str, seconds: float) -> subprocess.Popen:
    """Run _probe in a separate interpreter (this file with --probe); the key travels in the environment."""
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--probe", "--url", url,
                             "--seconds", str(seconds)], env={**os.environ, "HALLMARK_LOAD_KEY": key},
                            stdout=subprocess.PIPE, text=True)


class Load:
    def __init__(self, url: str, key: str, *, clients: int, seconds: float, max_jobs: int, max_requests: int,
                 seed: int = 0):
        _loopback_only(url)
        self.url, self.key = url.rstrip("/"), key
        self.clients, self.seconds, self.max_jobs, self.max_requests = clients, seconds, max_jobs, max_requests
        self.report = Report()
        self.deadline = float("inf")
        self.last_queue_full = float("-inf")  # monotonic time of the last 429 queue_full
        self.queue_full_at: list[float] = []  # every queue_full refusal's monotonic time (for the probe)
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.photo = _png("RGB", (90, 140, 200))
        self.masked = _png("RGBA", (90, 140, 200, 255), hole=True)

    # --- one request, recorded ---------------------------------------------------
    def _record(self, action: str, response: requests.Response | None, error: str = "") -> None:
        with self.lock:
            self.report.requests += 1
            self.report.by_action[action] += 1
            if response is None:
                self.report.statuses["error"] += 1
                self.report.server_errors.append(f"{action}: {error}")
                return
            self.report.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.report.server_errors.append(f"{action}: {response.status_code} {response.text[:200]}")
            if response.status_code == 429:
                self.report.refused += 1
                if not response.headers.get("Retry-After"):
                    self.report.refused_without_retry_after += 1
                try:
                    code = (response.json().get("error") or {}).get("code") or "?"
                except ValueError:
                    code = "not-json"
                self.report.refused_codes[code] += 1
                if code == "queue_full":
                    self.last_queue_full = time.monotonic()
                    self.queue_full_at.append(self.last_queue_full)

    def _call(self, session: requests.Session, action: str, method: str, path: str, **kwargs):
        # The run ends at its deadline (plus a grace for a request just sent): a request still
        # open then is cut and counted apart, so `seconds` bounds the run.
        timeout = max(0.5, min(60.0, self.deadline + DEADLINE_GRACE_S - time.monotonic()))
        try:
            response = session.request(method, self.url + path, timeout=timeout, **kwargs)
        except requests.Timeout as exc:
            if time.monotonic() >= self.deadline:
                with self.lock:
                    self.report.cut_at_deadline += 1
                return None
            self._record(action, None, f"{type(exc).__name__}: {exc}")
            return None
        except requests.RequestException as exc:
            self._record(action, None, f"{type(exc).__name__}: {exc}")
            return None
        self._record(action, response)
        return response

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"}

    def _gpu_busy(self) -> bool:
        with self.lock:
            return any(status not in TERMINAL for status in self.report.jobs.values())

    # --- actions -------------------------------------------------------------------
    def _create(self, session, kind: str):
        with self.lock:
            full = len(self.report.jobs) >= self.max_jobs
        if full:  # outside the lock: _poll takes it too
            return self._poll(session)
        if kind == "edit":
            response = self._call(session, "edit", "POST", "/v1/jobs", headers=self._auth(),
                                  data={"kind": "edit", "prompt": self.random.choice(PROMPTS), "size": "256x256"},
                                  files={"image": ("photo.png", self.masked, "image/png")})
        else:
            response = self._call(session, "generation", "POST", "/v1/jobs", headers=self._auth(),
                                  json={"prompt": self.random.choice(PROMPTS), "size": "256x256", "n": 1})
        if response is not None and response.status_code == 202:
            body = response.json()
            with self.lock:
                self.report.jobs[body["id"]] = body["status"]

    def _poll(self, session):
        with self.lock:
            pending = [job for job, status in self.report.jobs.items() if status not in TERMINAL]
        if not pending:
            return self._models(session)
        job_id = self.random.choice(pending)
        response = self._call(session, "poll", "GET", f"/v1/jobs/{job_id}", headers=self._auth())
        if response is not None and response.status_code == 200:
            with self.lock:
                self.report.jobs[job_id] = response.json()["status"]

    def _models(self, session):
        busy = self._gpu_busy()
        full = time.monotonic() - self.last_queue_full < FULL_WINDOW_S
        started = time.perf_counter()
        response = self._call(session, "models", "GET", "/v1/models", headers=self._auth())
        ms = (time.perf_counter() - started) * 1000
        if response is not None and response.status_code == 200:
            with self.lock:
                self.report.models_ms.append(ms)
                if busy:
                    self.report.models_busy_ms.append(ms)
                if full:
                    self.report.models_full_ms.append(ms)

    def _moderate(self, session):
        self._call(session, "moderation", "POST", "/v1/moderations", headers=self._auth(),
                   json={"input": [self.random.choice(PROMPTS)]})

    def _verify(self, session):
        self._call(session, "verify", "POST", "/v1/provenance/verify", files={"file": ("p.png", self.photo, "image/png")})

    def _client(self, deadline: float) -> None:
        session = requests.Session()
        actions = [(lambda s: self._create(s, "generation"), 2), (lambda s: self._create(s, "edit"), 1),
                   (self._moderate, 2), (self._verify, 1), (self._poll, 3), (self._models, 3)]
        funcs, weights = zip(*actions)
        while time.monotonic() < deadline:
            with self.lock:
                if self.report.requests >= self.max_requests:
                    return
                func = self.random.choices(funcs, weights)[0]
            func(session)
        session.close()

    def drain(self, timeout: float) -> None:
        """Wait for every job this run created to end; record the ones that did not."""
        started = time.monotonic()
        session = requests.Session()
        while time.monotonic() - started < timeout:
            with self.lock:
                pending = [job for job, status in self.report.jobs.items() if status not in TERMINAL]
            if not pending:
                break
            for job_id in pending:
                response = session.get(f"{self.url}/v1/jobs/{job_id}", headers=self._auth(), timeout=60)
                if response.status_code == 200:
                    with self.lock:
                        self.report.jobs[job_id] = response.json()["status"]
                elif response.status_code == 429:
                    time.sleep(min(5, int(response.headers.get("Retry-After", "1"))))
                    break
            time.sleep(0.5)
        self.report.drain_s = time.monotonic() - started
        self.report.non_terminal_after_drain = [j for j, s in self.report.jobs.items() if s not in TERMINAL]

    def wait_ready(self, timeout: float = 600) -> None:
        """Wait until the server's /v1/health says its gates are loaded: the load measures a started server."""
        stop = time.monotonic() + timeout
        while time.monotonic() < stop:
            try:
                if requests.get(self.url + "/v1/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise SystemExit(f"{self.url} did not become ready in {timeout:.0f} s")

    def run(self, *, drain_s: float) -> Report:
        self.wait_ready()
        started = time.monotonic()
        deadline = self.deadline = started + self.seconds
        probe = _start_probe(self.url, self.key, self.seconds)
        threads = [threading.Thread(target=self._client, args=(deadline,), daemon=True) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline + DEADLINE_GRACE_S + 5 - time.monotonic()))  # requests end by then
        self.report.seconds = time.monotonic() - started
        try:
            out, _ = probe.communicate(timeout=DEADLINE_GRACE_S + 30)
            samples = json.loads(out or "[]")
        except (subprocess.TimeoutExpired, ValueError):
            probe.kill()
            samples = []
        full = sorted(self.queue_full_at)
        for at, ms in samples:  # CLOCK_MONOTONIC is one clock for every process on the host
            self.report.probe_ms.append(ms)
            index = bisect.bisect_right(full, at)
            if index and at - full[index - 1] < FULL_WINDOW_S:
                self.report.probe_full_ms.append(ms)
        self.drain(drain_s)
        return self.report


def run(url: str, key: str, *, clients: int = 32, seconds: float = 60, max_jobs: int = 48, max_requests: int = 20_000,
        drain_s: float = 600, seed: int = 0) -> Report:
    """Run the load and the drain; return the report."""
    return Load(url, key, clients=clients, seconds=seconds, max_jobs=max_jobs, max_requests=max_requests,
                seed=seed).run(drain_s=drain_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default=os.environ.get("HALLMARK_LOAD_KEY"),
                        help="an API key with the images and moderation scopes (or HALLMARK_LOAD_KEY)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)  # the separate client (_probe)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-jobs", type=int, default=48, help="jobs created at most (the drain must finish)")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--drain", type=float, default=600, help="seconds to wait for the jobs to end")
    args = parser.parse_args()
    if not args.key:
        parser.error("--key (or HALLMARK_LOAD_KEY) is required")
    if args.probe:
        _loopback_only(args.url)
        print(json.dumps(_probe(args.url.rstrip("/"), args.key, min(args.seconds, 600))))
        return
    report = run(args.url, args.key, clients=min(args.clients, 64), seconds=min(args.seconds, 600),
                 max_jobs=args.max_jobs, max_requests=args.max_requests, drain_s=min(args.drain, 1800))
    figures = report.as_dict()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"GET /v1/models: p50 {figures['models_p50_ms']} ms, p99 {figures['models_p99_ms']} ms overall; "
          f"p50 {figures['models_full_p50_ms']} ms, p99 {figures['models_full_p99_ms']} ms while the gpu queue was full "
          f"({figures['models_full_n']} requests; measured inside the load generator, whose threads share one GIL)")
    print(f"GET /v1/models from a separate client process (10/s): p50 {figures['probe_p50_ms']} ms, "
          f"p99 {figures['probe_p99_ms']} ms overall; p50 {figures['probe_full_p50_ms']} ms, "
          f"p99 {figures['probe_full_p99_ms']} ms while the gpu queue was full ({figures['probe_full_n']} requests; "
          f"target p99 <= 200 ms)")


if __name__ == "__main__":
    main()
