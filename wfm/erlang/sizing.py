"""Sizing: the fewest on-queue agents meeting a service level and an occupancy cap."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.erlang.checks import FloatArray, IntArray, _counts, _floats, _fractions, _patience, _traffic
from wfm.erlang.metrics import _broadcast_flat, _erlang_a_core
from wfm.erlang.series import _log_erlang_b, _normal_cdf_over_pdf
from wfm.errors import InputError

# A fraction is treated as met when it misses by less than this: 8.5 Erlangs at 85 % occupancy
# is 10 servers, although 8.5 / 0.85 rounds to 10.000000000000002.
_TOLERANCE = 1e-12


def required_agents(
    traffic_erlangs: ArrayLike,
    aht_seconds: ArrayLike,
    service_level: ArrayLike,
    answer_seconds: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
    concurrency: ArrayLike = 1,
    patience_seconds: ArrayLike | None = None,
) -> IntArray:
    """The fewest on-queue agents meeting the service level AND the occupancy cap, per element.

    An agent is `concurrency` servers. Service level is the share of all arrivals answered
    within `answer_seconds` (Erlang C, or Erlang A where `patience_seconds` is given; NaN
    entries mean no abandonment). Occupancy is per server; `max_occupancy` 1 means no cap.
    Zero traffic needs 0 agents.

    Both figures improve monotonically with staffing, so the smallest server count meeting
    both is found exactly by stepping from a good start; agents = ⌈servers / concurrency⌉.
    Erlang C starts from square-root staffing (Halfin–Whitt) raised to the occupancy and
    stability floors, and steps one server at a time with the O(1) Erlang B recursion. Erlang A
    starts at the Erlang C answer and brackets the answer with exact evaluations.
    """
    where = "required_agents"
    a = _traffic(where, traffic_erlangs)
    aht = np.asarray(aht_seconds, dtype=np.float64)
    target = _fractions(where, "service_level", service_level, allow_one=False)
    answer = _floats(where, "answer_seconds", answer_seconds)
    cap = _fractions(where, "max_occupancy", max_occupancy, allow_one=True)
    k = _counts(where, "concurrency", concurrency, minimum=1)
    patience = _patience(where, patience_seconds)
    arrays = [a, aht, target, answer, cap, k] + ([patience] if patience is not None else [])
    shape, flat = _broadcast_flat(*arrays)
    af, ahtf, targetf, answerf, capf, kf = flat[:6]
    bad = (af > 0) & ~(np.isfinite(ahtf) & (ahtf > 0))
    if bad.any():
        got = float(ahtf[int(np.argmax(bad))])
        raise InputError(f"{where}: aht_seconds must be positive where there is traffic, got {got!r}")

    servers = np.zeros(af.shape)
    live = np.flatnonzero(af > 0)
    if live.size:
        tau = answerf[live] / ahtf[live]
        servers[live] = _required_servers_c(af[live], tau, targetf[live], capf[live])
        if patience is not None:
            pat = flat[6][live]
            with_a = np.isfinite(pat)
            if with_a.any():
                idx = live[with_a]
                servers[idx] = _required_servers_a(
                    af[idx], ahtf[idx], answerf[idx], pat[with_a], targetf[idx], capf[idx], servers[idx]
                )
    agents = np.ceil(servers / kf)
    return agents.astype(np.int64).reshape(shape)


def _hw_beta(target: FloatArray, shape: FloatArray) -> FloatArray:
    """Halfin–Whitt β with 1 − α(β)·e^(−β·shape) = target, α(β) = 1/(1 + β·Φ(β)/φ(β)).

    `shape` is √A·t/AHT. Only a start guess, so it is solved by bisection on a grid of shapes
    once per distinct target and interpolated: a few operations per element.
    """
    targets = target[:1] if target.size and target.min() == target.max() else np.unique(target)
    grid = np.concatenate(([0.0], np.geomspace(1e-3, 50.0, 128)))
    out = np.empty(shape.shape)
    for level in targets:
        lo = np.zeros(grid.shape)
        hi = np.full(grid.shape, 6.0)
        for _ in range(24):
            mid = 0.5 * (lo + hi)
            delay = 1.0 / (1.0 + mid * _normal_cdf_over_pdf(mid))
            ok = delay * np.exp(-mid * grid) <= 1.0 - level
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        if targets.size == 1:
            out[:] = np.interp(shape, grid, hi)
        else:
            pick = target == level
            out[pick] = np.interp(shape[pick], grid, hi)
    return out


def _required_servers_c(a: FloatArray, tau: FloatArray, target: FloatArray, cap: FloatArray) -> FloatArray:
    """Smallest servers with Erlang C service level ≥ target and a/servers ≤ cap (a > 0, 1-D)."""
    floor_stable = np.floor(a) + 1.0
    floor_occ = np.ceil(a / cap * (1.0 - _TOLERANCE))
    lowest = np.maximum(floor_stable, floor_occ)
    guess = np.maximum(lowest, np.round(a + _hw_beta(target, np.sqrt(a) * tau) * np.sqrt(a)))
    b = np.exp(_log_erlang_b(guess, a))
    s = guess.copy()

    def meets(b_: FloatArray, s_: FloatArray, a_: FloatArray, tau_: FloatArray, t_: FloatArray) -> NDArray[np.bool_]:
        # C = s·B/(s − a + a·B); service level = 1 − C·e^(−(s−a)·τ).
        gap = s_ - a_
        log_c = np.log(s_ * b_) - np.log(gap + a_ * b_)
        result: NDArray[np.bool_] = -np.expm1(log_c - gap * tau_) >= t_ - _TOLERANCE
        return result

    with np.errstate(divide="ignore"):
        ok = meets(b, s, a, tau, target)
    # Step up one server at a time from below the target ...
    idx = np.flatnonzero(~ok)
    bu = b[idx]
    while idx.size:
        su = s[idx] + 1.0
        ab = a[idx] * bu
        bu = ab / (su + ab)
        s[idx] = su
        with np.errstate(divide="ignore"):
            done = meets(bu, su, a[idx], tau[idx], target[idx])
        idx, bu = idx[~done], bu[~done]
    # ... or down from above it while the next one down still meets it. B(s−1) = s·B(s)/(a·(1−B(s)))
    # is stable above a (errors shrink by a/s per step).
    idx = np.flatnonzero(ok & (s > lowest))
    bd = b[idx]
    while idx.size:
        sd = s[idx]
        prev = sd * bd / (a[idx] * (1.0 - bd))
        with np.errstate(divide="ignore"):
            good = meets(prev, sd - 1.0, a[idx], tau[idx], target[idx])
        s[idx[good]] = sd[good] - 1.0
        keep = good & (sd - 1.0 > lowest[idx])
        idx, bd = idx[keep], prev[keep]
    return s


def _required_servers_a(
    a: FloatArray,
    aht: FloatArray,
    answer: FloatArray,
    patience: FloatArray,
    target: FloatArray,
    cap: FloatArray,
    start: FloatArray,
) -> FloatArray:
    """Smallest servers meeting the Erlang A service level and occupancy cap (a > 0, 1-D).

    Every probe is an exact evaluation; see the comment below for the search order.
    """

    def feasible(idx: IntArray, s: FloatArray) -> NDArray[np.bool_]:
        log_b = _log_erlang_b(s, a[idx])
        _, sl, _, occ, _ = _erlang_a_core(s, a[idx], aht[idx], answer[idx], patience[idx], log_b)
        return (sl >= target[idx] - _TOLERANCE) & (occ <= cap[idx] * (1.0 + _TOLERANCE)) & (s > 0)

    # Erlang A usually needs from three servers fewer than Erlang C to the same number: probe
    # start − 2 first (two probes settle start − 2 or start − 1, three start − 3 or start),
    # walk one server at a time for three probes, then double the step; bisect the bracket
    # that is left. lo is known infeasible, hi known feasible.
    size = a.size
    lo = np.full(size, np.nan)
    hi = np.full(size, np.inf)
    probe = np.maximum(start - 2.0, 0.0)
    step = np.ones(size)
    walked = np.zeros(size)
    idx = np.arange(size)
    while idx.size:
        ok = feasible(idx, probe)
        hi[idx] = np.where(ok, probe, hi[idx])
        lo[idx] = np.where(ok, lo[idx], probe)
        walked[idx] += 1.0
        step[idx] = np.where(walked[idx] > 3.0, 2.0 * step[idx], 1.0)
        open_ = np.isnan(lo[idx]) | np.isinf(hi[idx])
        idx, ok = idx[open_], ok[open_]
        # Zero servers never meet a positive target, so a downward walk stops there.
        probe = np.where(ok, np.maximum(hi[idx] - step[idx], 0.0), lo[idx] + step[idx])
        if not np.all(np.isfinite(probe)):  # an evaluation gave NaN: fail loudly, never loop
            bad = int(idx[np.argmax(~np.isfinite(probe))])
            raise ArithmeticError(
                f"required_agents: Erlang A search diverged for traffic {a[bad]!r} erlangs, AHT {aht[bad]!r} s, "
                f"patience {patience[bad]!r} s, answer {answer[bad]!r} s"
            )
    idx = np.flatnonzero(hi - lo > 1.0)
    while idx.size:
        mid = np.floor(0.5 * (lo[idx] + hi[idx]))
        ok = feasible(idx, mid)
        hi[idx] = np.where(ok, mid, hi[idx])
        lo[idx] = np.where(ok, lo[idx], mid)
        idx = idx[hi[idx] - lo[idx] > 1.0]
    return hi
