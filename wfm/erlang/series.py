"""The special functions under Erlang B and Erlang A, vectorised and summed in log space.

- Erlang B comes from the forward recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which is stable.
  It does not start at n = 0 for big A: it starts at n0 ≈ min(n, A) − 9√A with the fluid
  value B(n0) ≈ 1 − n0/A. The start value's weight in B(n) is P(X ≤ n0)/P(X ≤ n) for
  X ~ Poisson(A), below e^-40, and its own error is a few per cent, so the result is exact to
  rounding with ~20√A steps instead of n. Far above A (where P(X > n) < e^-41) B is the
  Poisson pmf, taken in log space from a Stirling series: no factorials, no overflow.
- Erlang A needs the Kummer function H(a, x) = Σ_i x^i / ((a+1)(a+2)…(a+i)) (1F1(1; a+1; x))
  and its relatives (`_kummer_log_sums`; the derivation is in `wfm.erlang.metrics`). The series
  are summed in log space around their largest term, so long targets and large n neither
  underflow nor overflow.
"""

from __future__ import annotations

import math

import numpy as np

from wfm.erlang.checks import FloatArray

# Series terms are summed until the rest is below this share of the sum.
_SERIES_EPS = 1e-17
# Start of the Erlang B recursion, in standard deviations below min(n, A) (see the module docstring).
_START_SIGMAS = 9.0
# log of the Poisson tail above which B(n) is no longer just the Poisson pmf.
_FAR_LOG_TAIL = -41.0
_LOG_2PI = math.log(2.0 * math.pi)
_LOG_FACTORIAL = np.array([math.lgamma(i + 1.0) for i in range(32)])


def _stirling_tail(z: FloatArray) -> FloatArray:
    """lgamma(z) − [(z − ½)·log z − z + ½·log 2π] for z ≥ 10 (error below 1e-17)."""
    w = 1.0 / (z * z)
    return (
        1.0 / 12.0 - w * (1.0 / 360.0 - w * (1.0 / 1260.0 - w * (1.0 / 1680.0 - w * (1.0 / 1188.0 - w * 691.0 / 360360.0))))
    ) / z


def _log_pochhammer(z: FloatArray, count: FloatArray) -> FloatArray:
    """log(z·(z+1)·…·(z+count−1)) = lgamma(z + count) − lgamma(z), for z ≥ 1 and whole count ≥ 0.

    Written as (z − ½)·log1p(count/z) + count·log(z+count) − count + tail differences so the
    big lgamma values never get subtracted from each other.
    """
    z = np.array(z, dtype=np.float64)
    count = np.array(count, dtype=np.float64)
    out = np.zeros_like(z)
    # Small z: take factors one by one until z ≥ 10, where the Stirling tail is accurate.
    direct = np.minimum(count, np.maximum(np.ceil(10.0 - z), 0.0))
    for j in range(int(direct.max(initial=0.0))):
        use = direct > j
        out[use] += np.log(z[use] + j)
    z = z + direct
    count = count - direct
    big = count > 0
    if big.any():
        zb, cb = z[big], count[big]
        zc = zb + cb
        out[big] += (zb - 0.5) * np.log1p(cb / zb) + cb * np.log(zc) - cb + _stirling_tail(zc) - _stirling_tail(zb)
    return out


def _log_poisson_pmf(n: FloatArray, a: FloatArray) -> FloatArray:
    """log P(X = n) for X ~ Poisson(a), a > 0, whole n ≥ 0; Stirling form above n = 31."""
    small = n < 32
    out = np.empty(np.broadcast(n, a).shape)
    ns, as_ = n[small], a[small]
    out[small] = ns * np.log(as_) - as_ - _LOG_FACTORIAL[ns.astype(np.int64)]
    nb, ab = n[~small], a[~small]
    # log n! = n·log n − n + ½·log(2πn) + tail(n); n·log(a/n) + (n − a) keeps the big terms of
    # n·log a − a − log n! from cancelling.
    out[~small] = nb * np.log(ab / nb) + (nb - ab) - 0.5 * (_LOG_2PI + np.log(nb)) - _stirling_tail(nb)
    return out


def _log_erlang_b(servers: FloatArray, a: FloatArray) -> FloatArray:
    """log of Erlang B blocking for 1-D arrays of whole servers ≥ 0 and traffic ≥ 0."""
    out = np.zeros(servers.shape)
    out[(a == 0.0) & (servers > 0)] = -np.inf
    work = (a > 0.0) & (servers > 0)
    if not work.any():
        return out
    idx = np.flatnonzero(work)
    s, aa = servers[idx], a[idx]
    # Far above A the blocking equals the Poisson pmf divided by a CDF that is 1 to 1e-17:
    # P(X > s) ≤ pmf(s+1) / (1 − a/(s+2)) once s + 2 > a.
    above = s + 2.0 > aa
    tail_bound = np.full(s.shape, np.inf)
    if above.any():
        tail_bound[above] = _log_poisson_pmf(s[above] + 1.0, aa[above]) - np.log1p(-aa[above] / (s[above] + 2.0))
    far = tail_bound < _FAR_LOG_TAIL
    if far.any():
        out[idx[far]] = _log_poisson_pmf(s[far], aa[far])
    near = ~far
    if near.any():
        out[idx[near]] = np.log(_erlang_b_recursion(s[near], aa[near]))
    return out


def _erlang_b_recursion(servers: FloatArray, a: FloatArray) -> FloatArray:
    """Erlang B for 1-D arrays with a > 0 and servers not far above a.

    Heavily overloaded (s ≤ a − 9√a − 2): the sum 1/B(s) = Σ_j s(s−1)…(s−j+1)/a^j, whose
    ratio (s−j)/a < 1 − 9/√a makes it converge in a few √a terms. Otherwise the forward
    recursion from n0 = min(s, a) − 9√a − 2 (or 0) with the fluid start B(n0) ≈ 1 − n0/a:
    the start's weight in B(s) is the inverse sum's terms beyond s − n0, below e^-40.
    """
    spread = _START_SIGMAS * np.sqrt(a) + 2.0
    out = np.empty(servers.shape)
    low = servers <= a - spread
    if low.any():
        out[low] = 1.0 / _erlang_b_inverse_sum(servers[low], a[low])
    up = np.flatnonzero(~low)
    if up.size == 0:
        return out
    s, aa = servers[up], a[up]
    start = np.maximum(np.floor(np.minimum(s, aa) - spread[up]), 0.0)
    blocking = np.where(start > 0.0, (aa - start) / aa, 1.0)
    steps = (s - start).astype(np.int64)
    # Sort by step count, longest first, so the still-running elements are always a prefix and
    # each step works on a contiguous slice instead of a mask.
    # Step counts are small whole numbers: as int16 numpy sorts them by radix, in linear time.
    key = -steps.astype(np.int16) if int(steps.max()) < 32_000 else -steps
    order = np.argsort(key, kind="stable")
    steps_sorted = steps[order]
    start = start[order]
    traffic = aa[order]
    b = blocking[order]
    max_steps = int(steps_sorted[0])
    # active[j] = how many elements still need step j + 1
    active = np.searchsorted(-steps_sorted, -np.arange(1, max_steps + 1), side="right")
    for j in range(max_steps):
        m = int(active[j])
        ab = traffic[:m] * b[:m]
        b[:m] = ab / (start[:m] + (j + 1) + ab)
    result = np.empty_like(b)
    result[order] = b
    out[up] = result
    return out


def _erlang_b_inverse_sum(servers: FloatArray, a: FloatArray) -> FloatArray:
    """1/B(s, a) = Σ_{j=0..s} s!/((s−j)!·a^j) for s well below a (1-D)."""
    total = np.ones(servers.shape)
    idx = np.arange(servers.size)
    term = np.ones(servers.size)
    j = 0.0
    while idx.size:
        term *= (servers[idx] - j) / a[idx]
        j += 1.0
        total[idx] += term
        ratio = (servers[idx] - j) / a[idx]
        keep = (ratio > 0.0) & (term * ratio > _SERIES_EPS * total[idx] * (1.0 - ratio))
        idx, term = idx[keep], term[keep]
    return total


def _kummer_log_sums(a: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Logs of S0 = Σ_{i≥0} t_i, S≥1 = Σ_{i≥1} t_i and S1 = Σ i·t_i, t_i = x^i / ((a+1)…(a+i)).

    For 1-D arrays a ≥ 0, x ≥ 0. Terms rise while x > a + i, so the sums start at the largest
    term i* = ⌊x − a⌋ (taken in log space) and walk both ways until the remaining tail, bounded
    by a geometric series, is below 1e-17 of the sum.
    """
    peak = np.floor(np.maximum(x - a, 0.0))
    log_peak = np.zeros(a.shape)
    rising = peak > 0
    if rising.any():
        log_peak[rising] = peak[rising] * np.log(x[rising]) - _log_pochhammer(a[rising] + 1.0, peak[rising])

    # Sums relative to the peak term, accumulated on compacted local arrays and written back as
    # elements converge (scattering into the full arrays every step would cost more than the sum).
    fwd = np.zeros(a.shape)  # Σ_{i > i*} t_i / t_i*
    fwd_moment = np.zeros(a.shape)  # Σ_{i > i*} i·t_i / t_i*
    bwd = np.zeros(a.shape)  # Σ_{i < i*} t_i / t_i*
    bwd_moment = np.zeros(a.shape)
    first = np.zeros(a.shape)  # t_0 / t_i* when i* > 0

    # Forward from the peak: ratios x / (a + i + 1) are below 1 and keep falling. The running
    # state is one 2-D array (rows x, a, i, term, Σ term, Σ i·term) so compaction is one gather.
    idx = np.flatnonzero(x > 0)
    state = np.stack([x[idx], a[idx], peak[idx], np.ones(idx.size), np.zeros(idx.size), np.zeros(idx.size)])
    while idx.size:
        xi, ai, index, term, acc, mom = state
        for _ in range(8):  # check convergence every few steps: compaction costs more than a step
            index += 1.0
            term *= xi / (ai + index)
            acc += term
            mom += index * term
        ratio = xi / (ai + index + 1.0)
        keep = term * ratio > _SERIES_EPS * (1.0 + acc) * (1.0 - ratio)
        done = ~keep
        fwd[idx[done]] = acc[done]
        fwd_moment[idx[done]] = mom[done]
        idx, state = idx[keep], state[:, keep]

    # Backward from the peak towards i = 0: ratios (a + i) / x fall as i falls.
    idx = np.flatnonzero(rising)
    state = np.stack([x[idx], a[idx], peak[idx], np.ones(idx.size), np.zeros(idx.size), np.zeros(idx.size)])
    while idx.size:
        xi, ai, index, term, acc, mom = state
        term *= (ai + index) / xi
        index -= 1.0
        acc += term
        mom += index * term
        ratio = (ai + index) / xi
        at_zero = index <= 0.0
        keep = ~at_zero & (term * ratio > _SERIES_EPS * (1.0 + acc) * (1.0 - ratio))
        done = ~keep
        bwd[idx[done]] = acc[done]
        bwd_moment[idx[done]] = mom[done]
        first[idx[at_zero]] = term[at_zero]
        idx, state = idx[keep], state[:, keep]

    total = 1.0 + fwd + bwd
    # Σ_{i≥1} leaves out t_0: the peak itself when i* = 0, else the last backward term.
    from_one = np.where(rising, 1.0 + fwd + (bwd - first), fwd)
    moment = peak + fwd_moment + bwd_moment
    with np.errstate(divide="ignore"):
        return log_peak + np.log(total), log_peak + np.log(from_one), log_peak + np.log(moment)


def _normal_cdf_over_pdf(beta: FloatArray) -> FloatArray:
    """Φ(β)/φ(β) for β ≥ 0 (Zelen–Severo polynomial, error < 1e-7: only used for a start guess)."""
    t = 1.0 / (1.0 + 0.2316419 * beta)
    poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    return np.exp(0.5 * beta * beta + 0.5 * _LOG_2PI) - poly
