"""Progress of long operations: the engine's own progress through a statement, and phase timings."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tracker.store.db import Database

Progress = Callable[[str, float | None], None]


@contextmanager
def query_progress(db: Database, progress: Progress | None, phase: str) -> Iterator[None]:
    """Report the engine's progress through the running statement, from another thread."""
    if progress is None:
        yield
        return
    db.execute("SET enable_progress_bar = true", name="progress on")
    db.execute("SET enable_progress_bar_print = false", name="progress quiet")
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.5):
            percent = db.con.query_progress()
            if percent >= 0:
                progress(phase, percent / 100)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield
    finally:
        done.set()
        poller.join()


def timed(progress_out: Callable[[str], None], *, live: bool = False) -> Progress:
    """A progress callback that reports each phase with the time it took (and, when `live`, its percentage)."""
    state = {"phase": None, "start": time.perf_counter()}

    def report(phase: str, fraction: float | None) -> None:
        now = time.perf_counter()
        if phase == state["phase"]:
            if live and fraction is not None:
                progress_out(f"\r  {phase}: {fraction:4.0%}", end="")
            return
        if state["phase"] is not None:
            prefix = "\r" if live else ""
            progress_out(f"{prefix}  {state['phase']}: {now - state['start']:.1f} s")
        state["phase"], state["start"] = (None if phase == "done" else phase), now

    return report
