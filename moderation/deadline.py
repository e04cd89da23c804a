"""Run a gate with a deadline, turning any failure into GateUnavailable."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class GateUnavailable(Exception):
    """Internal: a gate raised, timed out or is not loaded (never escapes the library)."""


class DeadlineRunner:
    """A small thread pool that runs gate calls under a wall-clock deadline.

    A timed-out call cannot be killed (Python threads cannot be), so it keeps
    its worker until it returns; the caller gets its fail-closed answer at the
    deadline all the same. A call never waits in a queue behind such calls:
    when every pooled worker is busy, it gets a thread of its own, so one
    user's slow prompts cannot push another user's check past its deadline
    (issue #10). Its deadline counts from submission either way.
    """

    def __init__(self, workers: int = 4) -> None:
        """Create the pool (threads start lazily)."""
        self._pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="moderation-gate")
        self._workers = workers
        self._busy = 0
        self._lock = threading.Lock()

    def _submit(self, fn: Callable[[], T]) -> "cf.Future[T]":
        """Start ``fn`` on a free pooled worker, or on a new thread when none is free."""
        future: cf.Future[T] = cf.Future()

        def call() -> None:
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn())
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        future.set_exception(exc)
            finally:
                with self._lock:
                    self._busy -= 1

        with self._lock:
            self._busy += 1
            overflow = self._busy > self._workers
        if overflow:
            threading.Thread(target=call, name="moderation-gate-extra", daemon=True).start()
        else:
            self._pool.submit(call)
        return future

    def run(self, fn: Callable[[], T], deadline_s: float) -> T:
        """Return ``fn()`` if it finishes within ``deadline_s`` seconds.

        Raises:
            GateUnavailable: ``fn`` raised or did not finish in time; the
                message says which.
        """
        start = time.monotonic()
        future = self._submit(fn)
        try:
            result = future.result(timeout=deadline_s)
        except cf.TimeoutError as exc:
            future.cancel()
            raise GateUnavailable(f"timed out after {deadline_s:g} s") from exc
        except Exception as exc:  # noqa: BLE001 - any gate failure must fail closed
            raise GateUnavailable(f"{type(exc).__name__}: {exc}") from exc
        # A result that arrives after the deadline is late all the same; the
        # wait above can return a hair after it when the thread wins the race.
        if time.monotonic() - start > deadline_s:
            raise GateUnavailable(f"finished after the {deadline_s:g} s deadline")
        return result

    def close(self) -> None:
        """Stop accepting work; running calls finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)
