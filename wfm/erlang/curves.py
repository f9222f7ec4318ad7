"""Service and ASA curves: one queue's figures over a range of staffing levels at once."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from wfm.erlang.checks import FloatArray, _counts, _floats, _patience, _traffic
from wfm.erlang.metrics import _erlang_a_core, _erlang_c_core, _erlang_c_from_log_b, traffic_erlangs
from wfm.errors import InputError


def service_curve(
    contacts: ArrayLike,
    aht_seconds: ArrayLike,
    interval_minutes: float,
    answer_seconds: ArrayLike,
    concurrency: int = 1,
    patience_seconds: ArrayLike | None = None,
    n_max: int | None = None,
) -> FloatArray:
    """Service level for 0..n_max on-queue agents in each interval: an array [interval, n_max + 1].

    `contacts` and `aht_seconds` (and `answer_seconds`, `patience_seconds` if arrays) run over
    intervals. Erlang C, or Erlang A with `patience_seconds`; service level is the share of all
    arrivals answered within `answer_seconds`. An interval without contacts has service level 1
    at any staffing. `n_max` defaults to the staffing at which the busiest interval's service
    level is 1 to machine precision.

    Erlang B runs forward over servers for all intervals at once, so each extra agent costs a
    handful of vector operations. Under Erlang A, staffing levels whose P(wait) is below 1e-17
    are set to 1 without evaluation: the exact value rounds to 1.0 anyway.
    """
    return _curve("service_curve", contacts, aht_seconds, interval_minutes, answer_seconds, concurrency, patience_seconds, n_max)


def asa_curve(
    contacts: ArrayLike,
    aht_seconds: ArrayLike,
    interval_minutes: float,
    concurrency: int = 1,
    patience_seconds: ArrayLike | None = None,
    n_max: int | None = None,
) -> FloatArray:
    """ASA in seconds for 0..n_max on-queue agents in each interval: an array [interval, n_max + 1].

    Same arguments and defaults as `service_curve`. ASA is the mean time in queue over all
    arrivals; under Erlang C it is infinite (np.inf) where servers ≤ traffic, under Erlang A it
    is always finite (abandon rate × patience). 0 in intervals without contacts.
    """
    return _curve("asa_curve", contacts, aht_seconds, interval_minutes, None, concurrency, patience_seconds, n_max)


def _curve(
    where: str,
    contacts: ArrayLike,
    aht_seconds: ArrayLike,
    interval_minutes: float,
    answer_seconds: ArrayLike | None,
    concurrency: int,
    patience_seconds: ArrayLike | None,
    n_max: int | None,
) -> FloatArray:
    """Service level (answer_seconds given) or ASA on the [interval, agents] grid."""
    c = np.atleast_1d(_floats(where, "contacts", contacts))
    if c.ndim != 1:
        raise InputError(f"{where}: contacts must be one value per interval, got shape {c.shape}")
    k = int(_counts(where, "concurrency", concurrency, minimum=1))
    a = traffic_erlangs(c, aht_seconds, interval_minutes)
    _traffic(where, a)
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=np.float64), c.shape)
    want_service = answer_seconds is not None
    answer = np.broadcast_to(_floats(where, "answer_seconds", 0.0 if answer_seconds is None else answer_seconds), c.shape)
    patience = _patience(where, patience_seconds)
    pat = None if patience is None else np.broadcast_to(patience, c.shape)
    safe_aht = np.where(a > 0, aht, 1.0)
    if n_max is None:
        busiest = float(a.max(initial=0.0))
        n_max = math.ceil((busiest + 10.0 * math.sqrt(busiest) + 12.0) / k) if busiest > 0 else 0
    if n_max < 0:
        raise InputError(f"{where}: n_max must be ≥ 0, got {n_max}")

    intervals = c.size
    columns = n_max + 1
    # log B for every server count 0..n_max·k, all intervals at once, by the forward recursion
    # (exact from B(0) = 1; an underflow to 0 far above the traffic only means "no waiting").
    log_b = np.empty((intervals, columns))
    log_b[:, 0] = 0.0
    b = np.ones(intervals)
    with np.errstate(divide="ignore"):
        for s in range(1, n_max * k + 1):
            ab = a * b
            b = ab / (s + ab)
            if s % k == 0:
                log_b[:, s // k] = np.log(b)
    s_grid = np.broadcast_to(np.arange(columns, dtype=np.float64) * k, (intervals, columns)).ravel()
    a_grid = np.repeat(a, columns)
    aht_grid = np.repeat(safe_aht, columns)
    answer_grid = np.repeat(answer, columns)
    log_b_flat = log_b.ravel()
    _, service, asa, _ = _erlang_c_core(s_grid, a_grid, aht_grid, answer_grid, log_b_flat)
    result = service if want_service else asa
    if pat is not None:
        pat_grid = np.repeat(pat, columns)
        todo_mask = np.isfinite(pat_grid) & (a_grid > 0)
        if want_service:
            with np.errstate(divide="ignore"):
                log_c = _erlang_c_from_log_b(s_grid, a_grid, log_b_flat)
            # Above A abandonment only lowers P(wait) below Erlang C's; where even that is below
            # 1e-17 the service level is 1.0 in floating point, so only the rest is evaluated.
            settled = todo_mask & (s_grid > a_grid) & (log_c <= -39.0)
            result[settled] = 1.0
            todo_mask &= ~settled
        todo = np.flatnonzero(todo_mask)
        if todo.size:
            _, sl, wait, _, _ = _erlang_a_core(
                s_grid[todo],
                a_grid[todo],
                aht_grid[todo],
                answer_grid[todo],
                pat_grid[todo],
                log_b_flat[todo],
                with_service=want_service,
            )
            result[todo] = sl if want_service else wait
    return result.reshape(intervals, columns)
