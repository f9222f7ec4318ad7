"""Prediction intervals: the range of contacts an interval will count, calibrated on the queue's past.

What arrives in an interval is Poisson around its true rate, and the true rate is off the
forecast by a day-level error (the day runs busy or quiet as a whole) and some error of shape.
Both are one multiplicative error with coefficient of variation `cv` here, gamma distributed,
so the count is negative binomial with mean `forecast` and variance `forecast + cv² · forecast²`.
`fit_cv` picks the `cv` whose 80% interval held 80% of the busy intervals of a rolling-origin
backtest (each past week forecast from the weeks before it), and `count_quantiles` gives the
interval's quantiles as whole contacts.

`cv` is also the queue's relative forecast error beyond Poisson noise, which is what a roster
needs to plan for forecast error (`QueueForecast.day_level_cv`).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np

# Intervals with at least this many contacts forecast are "busy": where calibration is judged.
BUSY_CONTACTS = 10.0
# The relative error assumed where the history has too few busy intervals to measure one.
PRIOR_CV = 0.10
_MIN_CELLS = 30
CALIBRATION_CELLS = 3000
EXACT_MEAN = 250.0
_MAX_CV = 3.0


def count_quantiles(
    mean: np.ndarray, cv: float, probs: Sequence[float] = (0.1, 0.9), *, exact_mean: float | None = None
) -> list[np.ndarray]:
    """Quantiles (whole contacts) of a negative binomial count with `mean` and relative error `cv`.

    The smallest k with P(count ≤ k) ≥ p, per cell; cv 0 is Poisson. Up to EXACT_MEAN the
    probability mass is summed over a window of ± 8 standard deviations around each mean, where
    all of it lies; above it the Cornish–Fisher expansion (normal with the skewness term) is
    within a contact of that and far cheaper.
    """
    mean = np.clip(np.nan_to_num(np.asarray(mean, dtype=float)), 0.0, None)
    flat = mean.ravel()
    results = [np.zeros(flat.size) for _ in probs]
    exact_mean = EXACT_MEAN if exact_mean is None else exact_mean
    large = np.flatnonzero(flat > exact_mean)
    if large.size:
        for result, p in zip(results, probs, strict=True):
            result[large] = _cornish_fisher(flat[large], cv, p)
    busy = np.flatnonzero((flat > 0) & (flat <= exact_mean))
    if busy.size == 0:
        return [result.reshape(mean.shape) for result in results]
    busy = busy[np.argsort(flat[busy], kind="stable")]
    sd = np.sqrt(flat[busy] + (cv * flat[busy]) ** 2)
    low = np.floor(np.maximum(flat[busy] - 8 * sd - 2, 0.0))
    span = np.ceil(16 * sd + 24).astype(np.int64)
    begin = 0
    while begin < busy.size:
        # Cells sorted by mean: a chunk's window is its widest cell's, a few million numbers at most.
        width = int(span[min(begin + 1023, busy.size - 1)])
        stop = min(busy.size, begin + max(1, 4_000_000 // width), begin + 1024)
        pick = slice(begin, stop)
        width = int(span[stop - 1])
        mu = flat[busy[pick]][:, None]
        k = low[pick][:, None] + np.arange(width)[None, :]
        cdf = np.cumsum(np.exp(_log_pmf(k, mu, cv)), axis=1)
        cdf /= cdf[:, -1:]
        for result, p in zip(results, probs, strict=True):
            index = np.argmax(cdf >= p - 1e-12, axis=1)
            result[busy[pick]] = k[np.arange(k.shape[0]), index]
        begin = stop
    return [result.reshape(mean.shape) for result in results]


def _cornish_fisher(mu: np.ndarray, cv: float, p: float) -> np.ndarray:
    """The p-quantile of a large negative binomial count from its mean, spread and skewness."""
    variance = mu + (cv * mu) ** 2
    success = 1.0 / (1.0 + cv**2 * mu)  # r / (r + mu) with r = 1/cv²
    skew = (2 - success) / np.sqrt(mu * success)
    z = _normal_quantile(p)
    return np.maximum(np.ceil(mu + np.sqrt(variance) * (z + (z**2 - 1) * skew / 6) - 0.5), 0.0)


def _normal_quantile(p: float) -> float:
    return float(statistics.NormalDist().inv_cdf(p))


def _log_pmf(k: np.ndarray, mu: np.ndarray, cv: float) -> np.ndarray:
    """log P(count = k) along each row of consecutive k, less its largest value.

    From the ratio of consecutive probabilities (no log-gamma of big numbers): Poisson
    P(k+1)/P(k) = mu/(k+1); negative binomial (k+r)/(k+1) · mu/(r+mu) with r = 1/cv².
    """
    if cv <= 1e-6:
        step = np.log(mu) - np.log(k[:, :-1] + 1)
    else:
        r = 1.0 / cv**2
        step = np.log(k[:, :-1] + r) - np.log(k[:, :-1] + 1) + np.log(mu / (r + mu))
    log_pmf = np.concatenate([np.zeros((k.shape[0], 1)), np.cumsum(step, axis=1)], axis=1)
    return log_pmf - log_pmf.max(axis=1, keepdims=True)


def coverage(
    truth: np.ndarray, forecast: np.ndarray, cv: float, probs: tuple[float, float] = (0.1, 0.9), exact_mean: float | None = None
) -> float:
    """Share of cells whose count lies in [p_low, p_high] of the forecast's distribution."""
    low, high = count_quantiles(forecast, cv, probs, exact_mean=exact_mean)
    inside = (truth >= low) & (truth <= high)
    return float(inside.mean()) if inside.size else float("nan")


def fit_cv(truth: np.ndarray, forecast: np.ndarray, target: float = 0.8) -> float:
    """The relative error whose 10–90% interval holds `target` of the busy backtest cells.

    Cells are past intervals (truth: what was counted; forecast: the week-ahead forecast of
    them). Busy cells have at least BUSY_CONTACTS forecast; with fewer than 30 of them every
    cell forecast at least one contact counts, and with fewer than 30 of those PRIOR_CV is
    returned. Coverage grows with cv, so bisection finds it; on at most CALIBRATION_CELLS cells
    (evenly spread over the past weeks) and with the cheaper expansion above 100 contacts,
    which moves the fitted cv by less than the weeks' own noise.
    """
    truth = np.asarray(truth, dtype=float).ravel()
    forecast = np.asarray(forecast, dtype=float).ravel()
    known = ~np.isnan(truth) & ~np.isnan(forecast)
    truth, forecast = truth[known], forecast[known]
    cells = forecast >= BUSY_CONTACTS
    if cells.sum() < _MIN_CELLS:
        cells = forecast >= 1.0
    if cells.sum() < _MIN_CELLS:
        return PRIOR_CV
    truth, forecast = truth[cells], forecast[cells]
    if truth.size > CALIBRATION_CELLS:
        pick = np.linspace(0, truth.size - 1, CALIBRATION_CELLS).round().astype(np.int64)
        truth, forecast = truth[pick], forecast[pick]

    def held(cv: float) -> float:
        return coverage(truth, forecast, cv, exact_mean=100.0)

    if held(0.0) >= target:
        return 0.0
    low, high = 0.0, 1.0
    if held(high) < target:
        low, high = high, _MAX_CV
        if held(high) < target:
            return high
    while high - low > 0.002:
        middle = (low + high) / 2
        if held(middle) >= target:
            high = middle
        else:
            low = middle
    return round(high, 3)
