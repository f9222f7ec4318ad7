"""How a staffing performs: Erlang B, Erlang C and Erlang A (M/M/n+M) figures per element, and
one interval's `Staffing`.

Erlang A uses the exact stationary law of the birth–death chain and the exact waiting-time law
of an arriving customer. With k = nμ/θ, r = λ/θ, q = e^(−θt) and
H(a, x) = Σ_i x^i / ((a+1)(a+2)…(a+i))  (the Kummer function 1F1(1; a+1; x)):
    P(wait) ∝ H(k, r),   queue length ∝ Σ_i i·r^i / ((k+1)…(k+i)),
    answered after waiting, within t ∝ k/(k+1)·[H(k+1, r) − q^(k+1)·e^(r(1−q))·H(k+1, rq)],
all relative to P(n in system). A customer who finds m ahead is reached at the (m+1)-th of
k+m exponential clocks and answered if their own patience outlasts that; summing over m gives
k∫₀^p e^(rx)(1−x)^k dx with p = 1 − q, which is the bracket above. Heavily overloaded (n well
below A) the service level is a difference of two log-sums of size ~A·patience/AHT, so it is
good only to rounding of those sums; the series need many terms when patience is many AHTs and
n is just above A: exact, but slow there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from wfm.erlang.checks import FloatArray, _counts, _floats, _patience, _traffic
from wfm.erlang.series import _kummer_log_sums, _log_erlang_b
from wfm.errors import InputError


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
