"""The intraday update: the rest of today from how today has gone so far.

By late morning a day's level is partly known: a busy morning means a busy afternoon. The raw
ratio of actual to forecast contacts so far over-reacts to a morning's noise, so the morning's
evidence is the Poisson-gamma posterior mean of the day's level, (actual + k) / (forecast + k):
with little evidence (early, or a quiet queue) it stays near 1, and the more the morning holds
the closer it gets to the raw ratio. k is the prior's weight in contacts, chosen per queue
and time of day by replaying the update on the backtest weeks (`PastWeeks`): each past day at
the same local time, its week-ahead forecast times the ratio, scored on the rest of that day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.forecast.intervals import fit_cv
from wfm.forecast.models import PastWeeks

# Prior weights tried, as multiples of a typical past morning's forecast contacts; inf: no update.
_K_GRID = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, float("inf"))
_MIN_DAYS = 5


@dataclass(frozen=True)
class LevelUpdate:
    """How one queue's rest of today is re-forecast at one local time of day.

    `k` is the prior weight in contacts (inf: no update); `cv` the relative error left after
    the update, for its prediction intervals; `days` the past days it was fitted on.
    """

    k: float
    cv: float
    days: int

    def ratio(self, actual: float, forecast: float) -> float:
        """The shrunk level ratio (actual + k) / (forecast + k); 1 without evidence."""
        if not np.isfinite(self.k) or forecast + self.k <= 0:
            return 1.0
        return float((actual + self.k) / (forecast + self.k))


@dataclass(frozen=True)
class _Days:
    """Past days replayed at one time of day: counted and forecast so far, and the rest of the day."""

    actual: np.ndarray
    expected: np.ndarray
    rest_truth: np.ndarray
    rest_forecast: np.ndarray

    def ratios(self, update: LevelUpdate) -> np.ndarray:
        return np.array([update.ratio(a, f) for a, f in zip(self.actual, self.expected, strict=True)])

    def error(self, update: LevelUpdate) -> float:
        return float(np.abs(self.rest_truth - self.ratios(update)[:, None] * self.rest_forecast).sum())


def fit_level_update(past: PastWeeks, slot: int, fallback_cv: float) -> LevelUpdate:
    """The update whose forecasts of the rest of the past days had the lowest absolute error.

    A past day counts when all of its cells before `slot` (the local slot of now) and some
    after it are known. The update's remaining relative error is fitted the same way the
    week-ahead one is (`fit_cv`), on the updated rest of those days.
    """
    truth, forecast = past.truth, past.forecast
    morning_known = ~np.isnan(truth[:, :slot]).any(axis=1) if slot > 0 else np.zeros(truth.shape[0], dtype=bool)
    rest_known = ~np.isnan(truth[:, slot:])
    days = np.flatnonzero(morning_known & rest_known.any(axis=1))
    if days.size < _MIN_DAYS:
        return LevelUpdate(float("inf"), fallback_cv, int(days.size))
    replay = _Days(
        actual=np.nansum(truth[days, :slot], axis=1),
        expected=forecast[days, :slot].sum(axis=1),
        rest_truth=np.where(rest_known[days], truth[days, slot:], 0.0),
        rest_forecast=np.where(rest_known[days], forecast[days, slot:], 0.0),
    )
    typical = max(float(np.median(replay.expected)), 1.0)
    best = LevelUpdate(float("inf"), fallback_cv, int(days.size))
    best_error = replay.error(best)
    for multiple in _K_GRID[:-1]:
        update = LevelUpdate(multiple * typical, fallback_cv, int(days.size))
        error = replay.error(update)
        if error < best_error - 1e-9:
            best, best_error = update, error
    updated = np.where(rest_known[days], replay.ratios(best)[:, None] * replay.rest_forecast, np.nan)
    cv = fit_cv(np.where(rest_known[days], replay.rest_truth, np.nan), updated)
    return LevelUpdate(best.k, cv, best.days)
