"""Ctrl-C during a roster solve: stop the running solver at once and keep the best roster.

A solver (CP-SAT, GLOP) runs in C++ and Python's signal handler cannot run until it returns,
so `solve` runs it in a worker thread while the main thread waits in Python: Ctrl-C then calls
the solver's own stop (`CpSolver.stop_search`, `Solver.InterruptSolve`), the solver returns its
best so far within moments, and `requested()` tells every later step to hand on what it has.
Outside `watching()` (or off the main thread, where no handler can be installed) a solve runs
as a plain call.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_requested = threading.Event()
_presses = [0]  # Ctrl-C presses so far: a solve started after one runs to its end
_stops: list[Callable[[], Any]] = []
_watching = threading.local()


def requested() -> bool:
    """Whether Ctrl-C was pressed during the current `watching()` block."""
    return _requested.is_set()


@contextmanager
def watching() -> Iterator[None]:
    """Catch Ctrl-C for the block: it stops the running solve instead of raising."""
    if threading.current_thread() is not threading.main_thread() or getattr(_watching, "on", False):
        yield
        return

    def handle(signum: int, frame: Any) -> None:
        _presses[0] += 1
        _requested.set()
        for stop in list(_stops):
            stop()

    _requested.clear()
    previous = signal.signal(signal.SIGINT, handle)
    _watching.on = True
    try:
        yield
    finally:
        _watching.on = False
        signal.signal(signal.SIGINT, previous)


def solve(run: Callable[[], T], stop: Callable[[], Any]) -> T:
    """`run()` (a solver call), which Ctrl-C ends early by calling `stop()`. A solve started
    after Ctrl-C runs to its end: the steps that may take long ask `requested()` first, and the
    short ones that turn the best roster into named shifts must finish."""
    if not getattr(_watching, "on", False):
        return run()
    result: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(run())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=work, name="wfm-solver", daemon=True)
    presses = _presses[0]
    _stops.append(stop)
    try:
        worker.start()
        while worker.is_alive():
            if _presses[0] > presses:  # again and again: a stop sent before the solve began is lost
                stop()
            worker.join(0.1)
    finally:
        _stops.remove(stop)
    if failure:
        raise failure[0]
    return result[0]
