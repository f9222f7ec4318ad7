"""Queueing maths for staffing: Erlang B, Erlang C, Erlang A (M/M/n+M), sizing and service curves.

Pure and vectorised with numpy; no I/O. Everything broadcasts over arrays of servers and traffic.

Conventions
- Traffic `A` is offered load in Erlangs: contacts per interval × AHT / interval length.
- A *server* handles one contact at a time. A chat agent with concurrency k is k servers, each
  working one conversation for the whole AHT (the conversation's own length); occupancy is
  reported per server.
- Service level is the share of ALL arrivals answered within `answer_seconds`. Under Erlang A
  an abandoner counts as not answered, even one who leaves before `answer_seconds`.
- ASA is the mean time in queue over all arrivals (those answered at once count 0 s; under
  Erlang A abandoners count the time they waited before leaving).
- With no traffic nobody waits: service level 1, ASA 0, occupancy 0. With traffic but too few
  servers for Erlang C (servers ≤ A) the queue grows without bound: P(wait) 1, service level 0,
  ASA infinite, occupancy 1. Zero servers with traffic report occupancy 1 (the n → 0 limit).

Numerics
- Erlang B comes from the forward recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which is stable.
  It does not start at n = 0 for big A: it starts at n0 ≈ min(n, A) − 9√A with the fluid
  value B(n0) ≈ 1 − n0/A. The start value's weight in B(n) is P(X ≤ n0)/P(X ≤ n) for
  X ~ Poisson(A), below e^-40, and its own error is a few per cent, so the result is exact to
  rounding with ~20√A steps instead of n. Far above A (where P(X > n) < e^-41) B is the
  Poisson pmf, taken in log space from a Stirling series: no factorials, no overflow. Against
  50-digit references the relative error stays below ~1e-12 up to A = 20,000.
- Erlang A uses the exact stationary law of the birth–death chain and the exact waiting-time
  law of an arriving customer. With k = nμ/θ, r = λ/θ, q = e^(−θt) and
  H(a, x) = Σ_i x^i / ((a+1)(a+2)…(a+i))  (the Kummer function 1F1(1; a+1; x)):
      P(wait) ∝ H(k, r),   queue length ∝ Σ_i i·r^i / ((k+1)…(k+i)),
      answered after waiting, within t ∝ k/(k+1)·[H(k+1, r) − q^(k+1)·e^(r(1−q))·H(k+1, rq)],
  all relative to P(n in system). A customer who finds m ahead is reached at the (m+1)-th of
  k+m exponential clocks and answered if their own patience outlasts that; summing over m
  gives k∫₀^p e^(rx)(1−x)^k dx with p = 1 − q, which is the bracket above. The series are
  summed in log space around their largest term, so long targets and large n neither
  underflow nor overflow. Accuracy is ~1e-15 where the queue is stable; heavily overloaded
  (n well below A) the service level is a difference of two log-sums of size ~A·patience/AHT
  and is good to ~1e-12 absolute. The series need ~40·n/(n − A) terms when patience is many
  thousand AHTs and n is just above A: exact, but slow there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from wfm.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MAX_TRAFFIC_ERLANGS = 1_000_000.0
"""Beyond this offered load one interval is a different business; the search would also crawl."""

# A fraction is treated as met when it misses by less than this: 8.5 Erlangs at 85 % occupancy
# is 10 servers, although 8.5 / 0.85 rounds to 10.000000000000002.
_TOLERANCE = 1e-12
# Series terms are summed until the rest is below this share of the sum.
_SERIES_EPS = 1e-17
# Start of the Erlang B recursion, in standard deviations below min(n, A) (see the module docstring).
_START_SIGMAS = 9.0
# log of the Poisson tail above which B(n) is no longer just the Poisson pmf.
_FAR_LOG_TAIL = -41.0

_LOG_2PI = math.log(2.0 * math.pi)
_LOG_FACTORIAL = np.array([math.lgamma(i + 1.0) for i in range(32)])


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class QueueMetrics:
    """Vectorised queue figures, each broadcast to the inputs' shape.

    `abandon_rate` (share of all arrivals who hang up) is None for Erlang C (no abandonment).
    """

    probability_wait: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    abandon_rate: FloatArray | None


@dataclass(frozen=True)
class Staffing:
    """One interval's staffing and how it performs.

    `agents` are on-queue agents, `servers` = agents × concurrency. `service_level` is the share
    of all arrivals answered within `answer_seconds` (abandoners count as not answered);
    `abandon_rate` is None without a patience (Erlang C).
    """

    agents: int
    servers: int
    traffic_erlangs: float
    service_level: float
    asa_seconds: float
    occupancy: float
    probability_wait: float
    abandon_rate: float | None


# ---------------------------------------------------------------------------------------------
# Input checks: the library raises InputError worded `where: what, got VALUE (hint)`.


def _floats(where: str, name: str, value: ArrayLike, *, positive: bool = False) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return array
    bad = ~np.isfinite(array) | (array <= 0.0 if positive else array < 0.0)
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        need = "a positive number" if positive else "a number ≥ 0"
        raise InputError(f"{where}: {name} must be {need}, got {got!r}")
    return array


def _counts(where: str, name: str, value: ArrayLike, *, minimum: int = 0) -> FloatArray:
    """Whole numbers ≥ minimum, kept as float64 so they mix with traffic in the maths."""
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return array
    bad = ~np.isfinite(array) | (array < minimum) | (array != np.floor(array))
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        raise InputError(f"{where}: {name} must be a whole number ≥ {minimum}, got {got!r}")
    return array


def _fractions(where: str, name: str, value: ArrayLike, *, allow_one: bool) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return array
    bad = ~np.isfinite(array) | (array <= 0.0) | ((array > 1.0) if allow_one else (array >= 1.0))
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        upper = "1" if allow_one else "1 (exclusive)"
        raise InputError(f"{where}: {name} must be a fraction above 0 and up to {upper}, got {got!r}")
    return array


def _traffic(where: str, value: ArrayLike) -> FloatArray:
    array = _floats(where, "traffic_erlangs", value)
    if array.size and float(array.max()) > MAX_TRAFFIC_ERLANGS:
        raise InputError(
            f"{where}: traffic_erlangs must be at most {MAX_TRAFFIC_ERLANGS:,.0f}, got {float(array.max())!r}"
            " (split the queue or use a shorter interval)"
        )
    return array


def _patience(where: str, value: ArrayLike | None) -> FloatArray | None:
    """Patience in seconds; NaN or inf entries (and None) mean no abandonment."""
    if value is None:
        return None
    array = np.asarray(value, dtype=np.float64)
    bad = (array <= 0.0) & ~np.isnan(array)
    if bad.any():
        got = float(array.flat[int(np.argmax(bad))])
        raise InputError(f"{where}: patience_seconds must be positive, got {got!r} (omit it for Erlang C)")
    return array


# ---------------------------------------------------------------------------------------------
# Special functions, vectorised


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


# ---------------------------------------------------------------------------------------------
# Erlang C and Erlang A cores on flat arrays (validated inputs)


def _erlang_c_from_log_b(s: FloatArray, a: FloatArray, log_b: FloatArray) -> FloatArray:
    """log P(wait) from log Erlang B; −inf without traffic, 0 when s ≤ a."""
    out = np.zeros(s.shape)
    out[a == 0.0] = -np.inf
    stable = (s > a) & (a > 0.0)
    ss, aa, lb = s[stable], a[stable], log_b[stable]
    # C = s·B / (s − a + a·B), written so s − a is formed once and exactly.
    out[stable] = np.log(ss) + lb - np.log((ss - aa) + aa * np.exp(lb))
    return out


def _erlang_c_core(
    s: FloatArray, a: FloatArray, aht: FloatArray, answer: FloatArray, log_b: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(P(wait), service level, ASA seconds, occupancy) on flat arrays."""
    log_c = _erlang_c_from_log_b(s, a, log_b)
    p_wait = np.exp(log_c)
    gap = s - a
    stable = gap > 0.0
    safe_aht = np.where(a > 0.0, aht, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # 1 − C·e^(−(s−a)t/AHT) as −expm1 keeps the digits when C is tiny.
        service = np.where(stable, -np.expm1(log_c - gap * answer / safe_aht), 0.0)
        asa = np.where(stable, p_wait * safe_aht / gap, np.inf)
        occupancy = np.where(s > 0.0, np.minimum(a / s, 1.0), 1.0)
    zero = a == 0.0
    service[zero] = 1.0
    asa[zero] = 0.0
    occupancy[zero] = 0.0
    return p_wait, service, asa, occupancy


def _erlang_a_core(
    s: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    answer: FloatArray,
    patience: FloatArray,
    log_b: FloatArray,
    with_service: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(P(wait), service level, ASA seconds, occupancy, P(abandon)) on flat arrays, patience finite.

    `with_service=False` skips the second series and leaves the service level NaN.
    """
    n = s.size
    p_wait = np.zeros(n)
    service = np.ones(n)
    asa = np.zeros(n)
    occupancy = np.zeros(n)
    p_abandon = np.zeros(n)
    live = np.flatnonzero(a > 0.0)
    if live.size == 0:
        return p_wait, service, asa, occupancy, p_abandon
    s, a, log_b = s[live], a[live], log_b[live]
    ratio = patience[live] / aht[live]  # θ in units of μ is 1/ratio
    k = s * ratio
    r = a * ratio
    log_q = -answer[live] / patience[live]
    with np.errstate(divide="ignore", invalid="ignore"):
        # States below s relative to state s: 1/B − 1.
        log_below = np.log1p(-np.exp(log_b)) - log_b
        log_s0, log_from_one, log_moment = _kummer_log_sums(k, r)
        log_z = np.logaddexp(log_below, log_s0)
        pw = np.exp(log_s0 - log_z)
        # Σ i·t_i / r and (k+1)/r · Σ_{i≥1} t_i tend to 1/(k+1) and 1 as r → 0; take the limits
        # where a subnormal traffic made r underflow to 0 (0/0 otherwise).
        vanished = r == 0.0
        log_r = np.log(r)
        log_moment_over_r = np.where(vanished, -np.log(k + 1.0), log_moment - log_r)
        pab = np.exp(log_moment_over_r - log_z)
        occ = np.where(s > 0.0, a * (1.0 - pab) / s, 1.0)
        if with_service:
            # H(k+1, r) = (k+1)/r · Σ_{i≥1} t_i
            log_h1 = np.where(vanished, 0.0, np.log(k + 1.0) - log_r + log_from_one)
            log_e0, _, _ = _kummer_log_sums(k + 1.0, r * np.exp(log_q))
            log_late = (k + 1.0) * log_q - r * np.expm1(log_q) + log_e0
            late_share = np.minimum(log_late - log_h1, 0.0)
            log_served_in_time = np.where(k > 0.0, np.log(k) - np.log(k + 1.0) + log_h1 + np.log1p(-np.exp(late_share)), -np.inf)
            sl = np.exp(np.logaddexp(log_below, log_served_in_time) - log_z)
        else:
            sl = np.full(s.shape, np.nan)
    p_wait[live] = pw
    p_abandon[live] = pab
    service[live] = np.clip(sl, 0.0, 1.0)
    asa[live] = pab * patience[live]
    occupancy[live] = np.minimum(occ, 1.0)
    return p_wait, service, asa, occupancy, p_abandon


def _metrics_flat(
    s: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    answer: FloatArray,
    patience: FloatArray | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """Dispatch per element: Erlang A where a finite patience is given, Erlang C elsewhere."""
    log_b = _log_erlang_b(s, a)
    p_wait, service, asa, occupancy = _erlang_c_core(s, a, aht, answer, log_b)
    if patience is None:
        return p_wait, service, asa, occupancy, None
    p_abandon = np.zeros(s.shape)
    with_a = np.isfinite(patience)
    if with_a.any():
        idx = np.flatnonzero(with_a)
        pw, sl, wait, occ, pab = _erlang_a_core(s[idx], a[idx], aht[idx], answer[idx], patience[idx], log_b[idx])
        p_wait[idx], service[idx], asa[idx], occupancy[idx], p_abandon[idx] = pw, sl, wait, occ, pab
    return p_wait, service, asa, occupancy, p_abandon


def _broadcast_flat(*arrays: FloatArray) -> tuple[tuple[int, ...], list[FloatArray]]:
    shaped = np.broadcast_arrays(*arrays)
    shape = shaped[0].shape
    return shape, [np.ascontiguousarray(x, dtype=np.float64).ravel() for x in shaped]


# ---------------------------------------------------------------------------------------------
# Public API


def traffic_erlangs(contacts: ArrayLike, aht_seconds: ArrayLike, interval_minutes: ArrayLike) -> FloatArray:
    """Offered load in Erlangs: contacts × AHT / interval length. AHT is ignored where contacts are 0."""
    where = "traffic_erlangs"
    c = _floats(where, "contacts", contacts)
    minutes = _floats(where, "interval_minutes", interval_minutes, positive=True)
    aht = np.asarray(aht_seconds, dtype=np.float64)
    c, aht, minutes = np.broadcast_arrays(c, aht, minutes)
    bad = (c > 0) & ~(np.isfinite(aht) & (aht > 0))
    if bad.any():
        got = float(aht.flat[int(np.argmax(bad))])
        raise InputError(f"{where}: aht_seconds must be positive where contacts > 0, got {got!r}")
    with np.errstate(invalid="ignore"):
        return np.where(c > 0, c * aht / (minutes * 60.0), 0.0)


def erlang_b(servers: ArrayLike, traffic_erlangs: ArrayLike) -> FloatArray:
    """Erlang B: the share of contacts blocked with `servers` lines and no queue."""
    s = _counts("erlang_b", "servers", servers)
    a = _traffic("erlang_b", traffic_erlangs)
    shape, (sf, af) = _broadcast_flat(s, a)
    return np.exp(_log_erlang_b(sf, af)).reshape(shape)


def erlang_c(servers: ArrayLike, traffic_erlangs: ArrayLike) -> FloatArray:
    """Erlang C: the probability that an arriving contact waits (1 when servers ≤ traffic > 0)."""
    s = _counts("erlang_c", "servers", servers)
    a = _traffic("erlang_c", traffic_erlangs)
    shape, (sf, af) = _broadcast_flat(s, a)
    return np.exp(_erlang_c_from_log_b(sf, af, _log_erlang_b(sf, af))).reshape(shape)


def erlang_c_metrics(
    servers: ArrayLike, traffic_erlangs: ArrayLike, aht_seconds: ArrayLike, answer_seconds: ArrayLike
) -> QueueMetrics:
    """Erlang C (M/M/n, nobody abandons): P(wait), service level P(wait ≤ t), ASA and occupancy.

    Service level = 1 − C·exp(−(n − A)·t / AHT); ASA = C·AHT / (n − A); occupancy = A / n.
    """
    return _queue_metrics("erlang_c_metrics", "servers", servers, traffic_erlangs, aht_seconds, answer_seconds, 1, None)


def erlang_a_metrics(
    servers: ArrayLike,
    traffic_erlangs: ArrayLike,
    aht_seconds: ArrayLike,
    answer_seconds: ArrayLike,
    patience_seconds: ArrayLike,
) -> QueueMetrics:
    """Erlang A (M/M/n+M, exponential patience with mean `patience_seconds`), exact.

    Service level is the share of ALL arrivals answered within `answer_seconds`: abandoners
    count as not answered. `abandon_rate` is the share of all arrivals who abandon; ASA is the
    mean queueing time over all arrivals (= abandon_rate × patience, by Little's law);
    occupancy is the carried load A·(1 − abandon_rate) per server.
    """
    if patience_seconds is None:
        raise InputError("erlang_a_metrics: patience_seconds is required, got None (use erlang_c_metrics without abandonment)")
    return _queue_metrics(
        "erlang_a_metrics", "servers", servers, traffic_erlangs, aht_seconds, answer_seconds, 1, patience_seconds
    )


def queue_metrics(
    agents: ArrayLike,
    traffic_erlangs: ArrayLike,
    aht_seconds: ArrayLike,
    answer_seconds: ArrayLike,
    concurrency: ArrayLike = 1,
    patience_seconds: ArrayLike | None = None,
) -> QueueMetrics:
    """Queue figures for `agents` on-queue agents, each `concurrency` servers, broadcast over arrays.

    Erlang C without `patience_seconds`; Erlang A where it is given (NaN entries mean no
    abandonment for that element). Occupancy is per server.
    """
    return _queue_metrics(
        "queue_metrics", "agents", agents, traffic_erlangs, aht_seconds, answer_seconds, concurrency, patience_seconds
    )


def _queue_metrics(
    where: str,
    agents_name: str,
    agents: ArrayLike,
    traffic_erlangs: ArrayLike,
    aht_seconds: ArrayLike,
    answer_seconds: ArrayLike,
    concurrency: ArrayLike,
    patience_seconds: ArrayLike | None,
) -> QueueMetrics:
    n = _counts(where, agents_name, agents)
    k = _counts(where, "concurrency", concurrency, minimum=1)
    a = _traffic(where, traffic_erlangs)
    aht = np.asarray(aht_seconds, dtype=np.float64)
    answer = _floats(where, "answer_seconds", answer_seconds)
    patience = _patience(where, patience_seconds)
    arrays = [n * k, a, aht, answer] + ([patience] if patience is not None else [])
    shape, flat = _broadcast_flat(*arrays)
    s, af, ahtf, answerf = flat[:4]
    bad = (af > 0) & ~(np.isfinite(ahtf) & (ahtf > 0))
    if bad.any():
        got = float(ahtf[int(np.argmax(bad))])
        raise InputError(f"{where}: aht_seconds must be positive where there is traffic, got {got!r}")
    pw, sl, asa, occ, pab = _metrics_flat(s, af, ahtf, answerf, flat[4] if patience is not None else None)
    return QueueMetrics(
        probability_wait=pw.reshape(shape),
        service_level=sl.reshape(shape),
        asa_seconds=asa.reshape(shape),
        occupancy=occ.reshape(shape),
        abandon_rate=None if pab is None else pab.reshape(shape),
    )


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


def evaluate(
    agents: int,
    contacts: float,
    aht_seconds: float,
    interval_minutes: float,
    answer_seconds: float,
    concurrency: int = 1,
    patience_seconds: float | None = None,
) -> Staffing:
    """How one interval performs with `agents` on-queue agents (Erlang C, or Erlang A with patience)."""
    a = float(traffic_erlangs(contacts, aht_seconds, interval_minutes))
    metrics = queue_metrics(agents, a, aht_seconds, answer_seconds, concurrency, patience_seconds)
    return Staffing(
        agents=int(agents),
        servers=int(agents) * int(concurrency),
        traffic_erlangs=a,
        service_level=float(metrics.service_level),
        asa_seconds=float(metrics.asa_seconds),
        occupancy=float(metrics.occupancy),
        probability_wait=float(metrics.probability_wait),
        abandon_rate=None if metrics.abandon_rate is None else float(metrics.abandon_rate),
    )
