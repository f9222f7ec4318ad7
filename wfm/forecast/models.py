"""Forecast models: each a small class over a queue's `DayMatrix` (local days × slots).

`__init__` only stores settings, `fit(history)` learns and returns the model, `predict(starts)`
returns a frame (interval_start, contacts) for any UTC interval starts, and `forecast_rows(rows)`
gives whole local days as an array (what backtests use). The maths lives in the private pure
functions below the classes.

- `SeasonalNaive`: the same local weekday and time one week earlier.
- `RecentWeeks`: a (weighted) mean, median or trimmed mean of the same local weekday and time
  over the last k weeks.
- `DailyProfile`: a forecast of each local day's total × an intraday profile per weekday. The
  profile is each weekday's recent mean shape, shrunk towards the shape of similar weekdays as
  far as its own week-to-week noise warrants (empirical Bayes), so quiet queues borrow strength
  and busy ones keep their own shape. Daily totals come from a robust weekday index times a
  median recent level (`totals="median"`) or damped Holt exponential smoothing of the
  deseasonalised daily series, its smoothing weights fitted to the queue (`totals="holt"`).
  Days far off their weekday's usual volume (an unlisted holiday, an outage) are kept out of
  learning.
- `Auto` (the default): per queue, a rolling-origin backtest of the candidates over the weeks
  before the origin; the one with the lowest WAPE forecasts, averaged with any candidate
  within 5% of it (a near tie over a few weeks is noise, and averaging near-equals beats
  picking one of them).
- `AhtProfile`: handle time per weekday and slot, contact-weighted and shrunk towards the
  time-of-day and overall means where contacts are few.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
import pandas as pd

from wfm.errors import InputError, suggest
from wfm.forecast.grid import WEEK_NS, DayMatrix, to_ns, utc_index

Statistic = Literal["mean", "median", "trimmed"]
Totals = Literal["median", "holt"]


@dataclass(frozen=True)
class PastWeeks:
    """Week-ahead forecasts of the weeks before a model's origin, beside what was counted.

    One row per local day scored in one past week (a day split by a week boundary appears
    once per week, each with its own cells): `rows` of the history matrix, `truth` (NaN where
    the cell is not in that week or not known) and `forecast` (the model as fitted at that
    week's start), both (n, slots). What calibrates prediction intervals and the intraday update.
    """

    rows: np.ndarray
    truth: np.ndarray
    forecast: np.ndarray

    @classmethod
    def empty(cls, slots: int) -> PastWeeks:
        return cls(np.zeros(0, dtype=np.int64), np.zeros((0, slots)), np.zeros((0, slots)))


def past_weeks(history: DayMatrix, make: Callable[[], ContactModel], weeks: int = 8, min_train_weeks: int = 2) -> PastWeeks:
    """`make()` fitted at the start of each of the last `weeks` weeks before the origin (each
    keeping at least `min_train_weeks` of history) and its forecast of that week."""
    runs = _past_runs(history, {"model": make}, weeks, min_train_weeks)
    return _stack_runs(runs, ("model",), history.contacts.shape[1])


class ContactModel(ABC):
    """A contacts forecaster for one queue."""

    _history: DayMatrix

    def fit(self, history: DayMatrix) -> Self:
        self._history = history
        self._learn(history)
        return self

    def _learn(self, history: DayMatrix) -> None:  # noqa: B027 - most models only keep the matrix
        """Learn from the history (models that only read the matrix at forecast time keep it)."""

    @abstractmethod
    def forecast_rows(self, rows: np.ndarray) -> np.ndarray:
        """Contacts for whole local days `rows` of the fitted matrix, shape (len(rows), slots)."""

    def predict(self, starts: pd.DatetimeIndex) -> pd.DataFrame:
        """Contacts for each UTC interval start, in the customers' clock."""
        return pd.DataFrame({"interval_start": utc_index(to_ns(starts)), "contacts": self.predict_ns(to_ns(starts))})

    def predict_ns(self, starts_ns: np.ndarray) -> np.ndarray:
        rows, slots = self._history.clock.cells(starts_ns)
        unique, inverse = np.unique(rows, return_inverse=True)
        values = self.forecast_rows(unique)[inverse, slots]
        return np.clip(np.nan_to_num(values, nan=0.0), 0.0, None)

    def past_weeks(self) -> PastWeeks:
        """This model's week-ahead forecasts of the weeks before its origin (see `PastWeeks`)."""
        return past_weeks(self._history, type(self)._same(self))

    def _same(self) -> Callable[[], ContactModel]:
        """A factory of unfitted models with this one's settings."""
        settings = {key: value for key, value in vars(self).items() if not key.startswith("_") and not key.endswith("_")}
        return lambda: type(self)(**settings)


class SeasonalNaive(ContactModel):
    """Last week: the same local weekday and time seven days earlier.

    `fallback="earlier"` takes the most recent earlier week where last week is unknown or masked
    (a special day, lost data); `"zero"` counts it as no contacts, the textbook baseline.
    """

    def __init__(self, *, fallback: Literal["earlier", "zero"] = "earlier", depth_weeks: int = 8) -> None:
        self.fallback = fallback
        self.depth_weeks = depth_weeks

    def forecast_rows(self, rows: np.ndarray) -> np.ndarray:
        depth = 1 if self.fallback == "zero" else self.depth_weeks
        return _first_known(_lagged(self._history.contacts, rows, depth, self._history.history_days - 1))


class RecentWeeks(ContactModel):
    """The same local weekday and time over the last `weeks` weeks, weighted by `decay` per week back."""

    def __init__(self, *, weeks: int = 6, statistic: Statistic = "median", decay: float = 1.0) -> None:
        self.weeks = weeks
        self.statistic = statistic
        self.decay = decay

    def forecast_rows(self, rows: np.ndarray) -> np.ndarray:
        stack = _lagged(self._history.contacts, rows, self.weeks, self._history.history_days - 1)
        weights = self.decay ** np.arange(self.weeks, dtype=float)
        return np.nan_to_num(_combine(stack, weights, self.statistic))


class DailyProfile(ContactModel):
    """Each local day's total × the weekday's intraday profile (see the module docstring)."""

    def __init__(
        self,
        *,
        totals: Totals = "median",
        profile_weeks: int = 12,
        profile_decay: float = 0.85,
        similarity: float = 0.1,
        index_weeks: int = 12,
        level_weeks: int = 4,
        holt_weeks: int = 26,
    ) -> None:
        self.totals = totals
        self.profile_weeks = profile_weeks
        self.profile_decay = profile_decay
        self.similarity = similarity
        self.index_weeks = index_weeks
        self.level_weeks = level_weeks
        self.holt_weeks = holt_weeks

    def _learn(self, history: DayMatrix) -> None:
        end = history.history_days
        span = 7 * (max(self.profile_weeks, self.index_weeks, self.holt_weeks) + 5)
        self._offset = max(0, end - span)
        contacts = history.contacts[self._offset : end]
        exists = history.exists[self._offset : end]
        weekdays = (np.arange(self._offset, end) + history.clock.weekday0) % 7
        complete = _complete_totals(contacts, exists)
        usable = ~_outlier_days(complete)
        contacts = np.where(usable[:, None], contacts, np.nan)
        self.profile_ = _profile(
            contacts,
            exists,
            np.where(usable, complete, np.nan),
            weekdays,
            self.profile_weeks,
            self.profile_decay,
            self.similarity,
        )
        totals = _day_totals(contacts, exists, self.profile_, weekdays)
        self.index_ = _weekday_index(totals, weekdays, self.index_weeks)
        self._last_row = self._offset + (int(np.flatnonzero(~np.isnan(totals))[-1]) if (~np.isnan(totals)).any() else -1)
        if self.totals == "median":
            self._level, self._trend, self._damping = _median_level(totals, weekdays, self.index_, self.level_weeks), 0.0, 1.0
        else:
            deseasonalised = _deseasonalise(totals, weekdays, self.index_)[-7 * self.holt_weeks :]
            self._level, self._trend, self._damping = _fit_holt(deseasonalised)

    def forecast_rows(self, rows: np.ndarray) -> np.ndarray:
        weekdays = (np.asarray(rows) + self._history.clock.weekday0) % 7
        ahead = np.maximum(np.asarray(rows) - self._last_row, 1)
        level = self._level + _damped_sum(self._damping, ahead) * self._trend
        day_totals = np.maximum(level, 0.0) * np.nan_to_num(self.index_[weekdays], nan=1.0)
        return day_totals[:, None] * self.profile_[weekdays]


def _damped_sum(phi: float, ahead: np.ndarray) -> np.ndarray:
    """φ + φ² + … + φʰ: how much of the trend a damped forecast h days ahead carries."""
    if phi == 1.0:
        return ahead.astype(float)
    return phi * (1 - phi ** ahead.astype(float)) / (1 - phi)


class Auto(ContactModel):
    """Per queue, the candidates that forecast the recent past best, by rolling-origin backtest.

    Each of the last `backtest_weeks` weeks before the origin (as many as the history allows,
    each forecast keeping at least `min_train_weeks` of history) is forecast from the weeks
    before it by every candidate, and scored by pooled WAPE; days far off their weekday's usual
    volume are left out of the scores, as they are of learning. The best candidate forecasts,
    averaged with every other one within `tolerance` (relative) of its score: a gap that small
    is noise over a few weeks, and an average of near-equals beats picking one of them at
    random. With fewer than `min_backtest_weeks` weeks to score, the first candidate is used.
    """

    def __init__(
        self,
        *,
        candidates: tuple[str, ...] = ("median_profile", "holt_profile", "median_6w"),
        backtest_weeks: int = 8,
        tolerance: float = 0.05,
        min_backtest_weeks: int = 3,
        min_train_weeks: int = 2,
    ) -> None:
        self.candidates = candidates
        self.backtest_weeks = backtest_weeks
        self.tolerance = tolerance
        self.min_backtest_weeks = min_backtest_weeks
        self.min_train_weeks = min_train_weeks

    def _learn(self, history: DayMatrix) -> None:
        weeks = min(self.backtest_weeks, int((history.origin_ns - history.start_ns) // WEEK_NS) - self.min_train_weeks)
        runs = (
            _past_runs(history, {name: MODELS[name] for name in self.candidates}, weeks, self.min_train_weeks)
            if weeks >= self.min_backtest_weeks and len(self.candidates) >= 2
            else []
        )
        self.scores_ = _run_scores(history, runs, self.candidates)
        if self.scores_:
            best = min(self.scores_.values())
            chosen = [name for name in self.candidates if self.scores_[name] <= best * (1 + self.tolerance)]
        else:
            chosen = [self.candidates[0]]
        self.chosen_ = tuple(chosen)
        self.choice_ = "+".join(chosen)
        self._models = [make_model(name).fit(history) for name in chosen]
        self._runs = runs

    def forecast_rows(self, rows: np.ndarray) -> np.ndarray:
        return np.mean([np.nan_to_num(model.forecast_rows(rows)) for model in self._models], axis=0)

    def past_weeks(self) -> PastWeeks:
        """The chosen blend's forecasts of the backtest weeks, from the runs that chose it."""
        if not self._runs:
            return past_weeks(self._history, lambda: _Blend(self.chosen_), self.backtest_weeks, self.min_train_weeks)
        return _stack_runs(self._runs, self.chosen_, self._history.contacts.shape[1])


class _Blend(ContactModel):
    """The mean of named models (what `Auto` forecasts once it has chosen)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def _learn(self, history: DayMatrix) -> None:
        self._models = [make_model(name).fit(history) for name in self.names]

    def forecast_rows(self, rows: np.ndarray) -> np.ndarray:
        return np.mean([np.nan_to_num(model.forecast_rows(rows)) for model in self._models], axis=0)


@dataclass(frozen=True)
class _Run:
    """One past week of a rolling-origin backtest: its cells and each model's forecast of its rows."""

    rows: np.ndarray
    cells: np.ndarray  # (len(rows), slots): in the week and known
    truth: np.ndarray  # (len(rows), slots): contacts of those cells, NaN elsewhere
    forecasts: dict[str, np.ndarray]


def _past_runs(
    history: DayMatrix, factories: dict[str, Callable[[], ContactModel]], weeks: int, min_train_weeks: int
) -> list[_Run]:
    """Each of the last `weeks` weeks before the origin, forecast by every model from the weeks before it."""
    weeks = min(weeks, int((history.origin_ns - history.start_ns) // WEEK_NS) - min_train_weeks)
    runs = []
    known = ~np.isnan(history.contacts)
    for back in range(1, weeks + 1):
        start = history.origin_ns - back * WEEK_NS
        target = history.window(start, start + WEEK_NS) & known
        rows = np.flatnonzero(target.any(axis=1))
        if rows.size == 0:
            continue
        inner = history.before(start)
        forecasts = {name: np.nan_to_num(make().fit(inner).forecast_rows(rows)) for name, make in factories.items()}
        runs.append(_Run(rows, target[rows], np.where(target[rows], history.contacts[rows], np.nan), forecasts))
    return runs


def _run_scores(history: DayMatrix, runs: list[_Run], candidates: tuple[str, ...]) -> dict[str, float]:
    """Pooled WAPE of each candidate over the runs ({} without any); days far off their
    weekday's usual volume are left out, as they are of learning."""
    if not runs:
        return {}
    usable = ~_outlier_days(_complete_totals(history.contacts, history.exists))
    errors = dict.fromkeys(candidates, 0.0)
    volume = 0.0
    for run in runs:
        cells = run.cells & usable[run.rows][:, None]
        truth = history.contacts[run.rows]
        volume += float(truth[cells].sum())
        for name in candidates:
            errors[name] += float(np.abs(run.forecasts[name] - truth)[cells].sum())
    return {name: error / volume for name, error in errors.items()} if volume > 0 else {}


def _stack_runs(runs: list[_Run], names: tuple[str, ...], slots: int) -> PastWeeks:
    if not runs:
        return PastWeeks.empty(slots)
    return PastWeeks(
        rows=np.concatenate([run.rows for run in runs]),
        truth=np.concatenate([run.truth for run in runs]),
        forecast=np.concatenate([np.mean([run.forecasts[name] for name in names], axis=0) for run in runs]),
    )


class AhtProfile:
    """Average handle time per local weekday and slot, contact-weighted over recent weeks.

    A cell's estimate is shrunk towards its time of day across weekdays, and that towards the
    overall mean, each with the weight of `prior_contacts` contacts: sparse night intervals
    borrow from their neighbours, busy ones keep their own value. Every cell gets a value, so
    intervals forecast with no contacts still carry a typical handle time.
    """

    def __init__(self, *, weeks: int = 8, decay: float = 0.85, prior_contacts: float = 30.0) -> None:
        self.weeks = weeks
        self.decay = decay
        self.prior_contacts = prior_contacts

    def fit(self, history: DayMatrix) -> Self:
        self._history = history
        end = history.history_days
        rows = np.arange(max(0, end - 7 * self.weeks), end)
        workload, handled = history.workload[rows], history.handled[rows]
        if handled.sum() <= 0:
            # Quiet lately: fall back on the whole history before giving up.
            rows = np.arange(0, end)
            workload, handled = history.workload[rows], history.handled[rows]
        if handled.sum() <= 0:
            raise InputError(
                "no contacts with a handle time in the history, so no AHT can be forecast (give aht_seconds where contacts > 0)"
            )
        weights = self.decay ** ((end - 1 - rows) // 7).astype(float)
        weekdays = (rows + history.clock.weekday0) % 7
        self.aht_ = _shrunk_aht(workload * weights[:, None], handled * weights[:, None], weekdays, self.prior_contacts)
        return self

    def predict_ns(self, starts_ns: np.ndarray) -> np.ndarray:
        rows, slots = self._history.clock.cells(starts_ns)
        return self.aht_[self._history.clock.weekdays(rows), slots]

    def predict(self, starts: pd.DatetimeIndex) -> pd.DataFrame:
        return pd.DataFrame({"interval_start": utc_index(to_ns(starts)), "aht_seconds": self.predict_ns(to_ns(starts))})


# ----------------------------------------------------------------------------- registry

MODELS: dict[str, Callable[[], ContactModel]] = {
    "auto": Auto,
    "seasonal_naive": SeasonalNaive,
    "mean_4w": lambda: RecentWeeks(weeks=4, statistic="mean"),
    "median_6w": lambda: RecentWeeks(weeks=6, statistic="median"),
    "recent_weeks": lambda: RecentWeeks(weeks=8, statistic="trimmed", decay=0.9),
    "median_profile": lambda: DailyProfile(totals="median"),
    "holt_profile": lambda: DailyProfile(totals="holt"),
}
DEFAULT_MODEL = "auto"


def model_names() -> list[str]:
    return list(MODELS)


def check_model(name: str) -> str:
    if name not in MODELS:
        raise InputError(f"{{model}}: unknown model {name!r}{suggest(name, MODELS)}", model="forecast model")
    return name


def make_model(name: str) -> ContactModel:
    return MODELS[check_model(name)]()


# ----------------------------------------------------------------------------- maths


def _lagged(values: np.ndarray, rows: np.ndarray, weeks: int, last_row: int) -> np.ndarray:
    """The same weekday in the `weeks` most recent weeks of history before each target row,
    shape (weeks, len(rows), slots); NaN outside the matrix.

    Normally that is 1, 2, … weeks back; when the target lies further beyond the history (a
    plan week some weeks ahead), the lags start at the last week the history has.
    """
    rows = np.asarray(rows)
    first = np.maximum(1, -(-(rows - last_row) // 7))
    out = np.full((weeks, rows.size, values.shape[1]), np.nan)
    for j in range(weeks):
        source = rows - 7 * (first + j)
        ok = (source >= 0) & (source < values.shape[0])
        out[j, ok] = values[source[ok]]
    return out


def _first_known(stack: np.ndarray) -> np.ndarray:
    """Along axis 0, the first non-NaN value; 0 where all are NaN."""
    known = ~np.isnan(stack)
    first = np.argmax(known, axis=0)
    picked = np.take_along_axis(stack, first[None], axis=0)[0]
    return np.where(known.any(axis=0), picked, 0.0)


def _combine(stack: np.ndarray, weights: np.ndarray, statistic: Statistic) -> np.ndarray:
    """A weighted statistic along axis 0 ignoring NaN; NaN where nothing is known."""
    known = ~np.isnan(stack)
    w = np.where(known, weights[:, None, None], 0.0)
    total = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if statistic == "mean":
            return np.where(total > 0, (np.nan_to_num(stack) * w).sum(axis=0) / total, np.nan)
        if statistic == "median" and np.all(weights == weights[0]):
            # Unweighted: the textbook median (mean of the middle two for an even count).
            return _nanmedian(stack)
        order = np.argsort(np.where(known, stack, np.inf), axis=0)
        ordered = np.take_along_axis(stack, order, axis=0)
        ordered_w = np.take_along_axis(w, order, axis=0)
        if statistic == "trimmed":
            # Drop the lowest and highest known value (when at least three are known).
            count = known.sum(axis=0)
            rank = np.arange(stack.shape[0])[:, None, None]
            keep = (rank > 0) & (rank < count - 1) | (count < 3)
            ordered_w = np.where(keep, ordered_w, 0.0)
            kept = ordered_w.sum(axis=0)
            return np.where(kept > 0, (np.nan_to_num(ordered) * ordered_w).sum(axis=0) / kept, np.nan)
        cumulative = np.cumsum(ordered_w, axis=0)
        middle = np.argmax(cumulative >= total / 2, axis=0)
        median = np.take_along_axis(ordered, middle[None], axis=0)[0]
        return np.where(total > 0, median, np.nan)


def _nanmedian(stack: np.ndarray) -> np.ndarray:
    known = ~np.isnan(stack)
    count = known.sum(axis=0)
    ordered = np.sort(np.where(known, stack, np.inf), axis=0)
    low = np.take_along_axis(ordered, np.clip((count - 1) // 2, 0, None)[None], axis=0)[0]
    high = np.take_along_axis(ordered, np.clip(count // 2, 0, None)[None], axis=0)[0]
    return np.where(count > 0, (low + np.where(count > 0, high, 0.0)) / 2, np.nan)


def _complete_totals(contacts: np.ndarray, exists: np.ndarray) -> np.ndarray:
    """Each day's total where every real local time of the day is known; NaN otherwise."""
    known = ~np.isnan(contacts)
    complete = exists.any(axis=1) & ~(exists & ~known).any(axis=1)
    return np.where(complete, np.where(known, contacts, 0.0).sum(axis=1), np.nan)


def _shift(values: np.ndarray, offset: int) -> np.ndarray:
    """values[i + offset], NaN outside."""
    out = np.full(values.shape, np.nan)
    if abs(offset) >= values.size:
        return out
    if offset >= 0:
        out[: values.size - offset] = values[offset:]
    else:
        out[-offset:] = values[: values.size + offset]
    return out


def _outlier_days(totals: np.ndarray, low: float = 0.6, high: float = 1 / 0.6, weeks: int = 4) -> np.ndarray:
    """Days whose total is far off their weekday's usual volume that week.

    A day is compared with the median of the same weekday over `weeks` weeks either side, after
    dividing out the week's own level (the median of the same ratio over the 7 days around
    it), so a busy or quiet week is not an outlier but a lone holiday inside it is.
    """
    with np.errstate(invalid="ignore", all="ignore"):
        neighbours = np.stack([_shift(totals, 7 * k) for k in range(-weeks, weeks + 1) if k])
        reference = _nanmedian(neighbours)
        typical = np.nanmax(reference) if np.isfinite(reference).any() else 0.0
        open_day = reference > 0.05 * typical
        ratio = np.where(open_day, totals / np.where(open_day, reference, 1.0), np.nan)
        week_level = _nanmedian(np.stack([_shift(ratio, k) for k in range(-3, 4)]))
        relative = ratio / week_level
    return (relative < low) | (relative > high)


def _profile(
    contacts: np.ndarray,
    exists: np.ndarray,
    totals: np.ndarray,
    weekdays: np.ndarray,
    weeks: int,
    decay: float,
    similarity: float,
) -> np.ndarray:
    """Intraday shares per weekday (7 × slots), each row summing to 1 (or 0 for a closed weekday)."""
    slots = contacts.shape[1]
    end = contacts.shape[0]
    back = (end - 1 - np.arange(end)) // 7
    regular = exists.all(axis=1)  # DST days have 92 or 100 quarter hours: not the usual shape
    use = (back < weeks) & regular & (totals > 0)
    shares = np.where(use[:, None], np.nan_to_num(contacts) / np.where(use, totals, 1.0)[:, None], 0.0)
    weight = np.where(use, decay ** back.astype(float), 0.0)
    mean = np.zeros((7, slots))
    noise = np.zeros(7)
    seen = np.zeros(7, dtype=bool)
    for day in range(7):
        pick = weekdays == day
        w = weight[pick]
        if w.sum() <= 0:
            continue
        seen[day] = True
        mean[day] = (shares[pick] * w[:, None]).sum(axis=0) / w.sum()
        # Variance of the weighted mean shape, summed over slots: how noisy this weekday's own estimate is.
        noise[day] = float(((w[:, None] ** 2) * (shares[pick] - mean[day]) ** 2).sum() / w.sum() ** 2)
    if not seen.any():
        return np.zeros((7, slots))
    distance = np.abs(mean[:, None, :] - mean[None, :, :]).sum(axis=2)
    kinship = np.exp(-distance / similarity) * seen[None, :]
    np.fill_diagonal(kinship, 0.0)
    pooled_weight = kinship.sum(axis=1)
    pooled = np.where(pooled_weight[:, None] > 0, kinship @ mean / np.where(pooled_weight > 0, pooled_weight, 1.0)[:, None], mean)
    spread = ((mean - pooled) ** 2).sum(axis=1)
    shrink = np.where(pooled_weight > 0, np.clip(noise / np.where(spread > 0, spread, np.inf), 0.0, 1.0), 0.0)
    shrink = np.where(spread > 0, shrink, 0.0)
    profile = (1 - shrink[:, None]) * mean + shrink[:, None] * pooled
    # A weekday never seen recently (masked, or history shorter than a week) takes the average shape.
    profile[~seen] = mean[seen].mean(axis=0)
    sums = profile.sum(axis=1, keepdims=True)
    return np.where(sums > 0, profile / np.where(sums > 0, sums, 1.0), 0.0)


def _day_totals(contacts: np.ndarray, exists: np.ndarray, profile: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Each day's total, scaled up from the part that is known by the profile's share of it.

    A day counts once at least half of its expected volume is known (partial first and last
    days, lost intervals); closed weekdays (profile all zero) count when complete.
    """
    known = ~np.isnan(contacts)
    shape = profile[weekdays]
    coverage = (shape * known).sum(axis=1)
    observed = np.where(known, contacts, 0.0).sum(axis=1)
    closed_day = shape.sum(axis=1) == 0
    complete = exists.any(axis=1) & ~(exists & ~known).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(coverage >= 0.5, observed / np.where(coverage > 0, coverage, 1.0), np.nan)
    return np.where(closed_day, np.where(complete, observed, np.nan), scaled)


def _weekday_index(totals: np.ndarray, weekdays: np.ndarray, weeks: int) -> np.ndarray:
    """Each weekday's volume relative to its week (median ratio over the last `weeks` weeks).

    Weeks are the 7-day blocks ending on the last day with a total; a weekday with no data
    gets NaN (forecast at the typical level).
    """
    index = np.full(7, np.nan)
    have = np.flatnonzero(~np.isnan(totals))
    if have.size == 0:
        return index
    last = int(have[-1])
    rows = np.arange(totals.size)
    block = (last - rows) // 7
    ratios = np.full(totals.size, np.nan)
    for b in range(weeks):
        pick = (block == b) & ~np.isnan(totals)
        if pick.sum() == 0:
            continue
        level = np.median(totals[pick])
        if level > 0:
            ratios[pick] = totals[pick] / level
    for day in range(7):
        values = ratios[(weekdays == day) & ~np.isnan(ratios)]
        if values.size:
            index[day] = float(np.median(values))
    return index


def _deseasonalise(totals: np.ndarray, weekdays: np.ndarray, index: np.ndarray) -> np.ndarray:
    scale = index[weekdays]
    typical = np.nanmax(index) if np.isfinite(index).any() else 1.0
    ok = np.isfinite(scale) & (scale > 0.05 * typical)
    return np.where(ok, totals / np.where(ok, scale, 1.0), np.nan)


def _median_level(totals: np.ndarray, weekdays: np.ndarray, index: np.ndarray, weeks: int) -> float:
    """The median deseasonalised daily volume over the last `weeks` weeks."""
    level = _deseasonalise(totals, weekdays, index)
    have = np.flatnonzero(~np.isnan(level))
    if have.size == 0:
        return 0.0
    recent = level[max(0, int(have[-1]) - 7 * weeks + 1) :]
    return float(np.nanmedian(recent))


# Damped-trend Holt settings tried per queue: (alpha, beta, phi). beta 0 is simple smoothing.
_HOLT_GRID: tuple[tuple[float, float, float], ...] = (
    (0.03, 0.0, 1.0),
    (0.07, 0.0, 1.0),
    (0.15, 0.0, 1.0),
    (0.3, 0.0, 1.0),
    (0.07, 0.02, 0.9),
    (0.15, 0.05, 0.9),
    (0.3, 0.1, 0.9),
)


def _fit_holt(series: np.ndarray, fit_weeks: int = 8, clip: float = 2.5) -> tuple[float, float, float]:
    """(level, trend, phi) after the series, with the grid setting whose 1–7-day-ahead forecasts
    from each of the last `fit_weeks` week ends had the lowest absolute error."""
    have = np.flatnonzero(~np.isnan(series))
    if have.size == 0:
        return 0.0, 0.0, 1.0
    series = series[: int(have[-1]) + 1]
    if have.size < 14:
        return float(np.nanmedian(series)), 0.0, 1.0
    best: tuple[float, tuple[float, float, float]] | None = None
    for alpha, beta, phi in _HOLT_GRID:
        levels, trends = _holt_filter(series, alpha, beta, phi, clip)
        error = _holt_week_error(series, levels, trends, phi, fit_weeks)
        if best is None or error < best[0]:
            best = (error, (alpha, beta, phi))
    assert best is not None
    alpha, beta, phi = best[1]
    levels, trends = _holt_filter(series, alpha, beta, phi, clip)
    return float(levels[-1]), float(trends[-1]), phi


def _holt_filter(series: np.ndarray, alpha: float, beta: float, phi: float, clip: float) -> tuple[np.ndarray, np.ndarray]:
    """Level and trend after each day; unknown days carry the forecast on. Errors beyond `clip`
    robust standard deviations are cut back, so one odd day moves the level only a little."""
    known = series[~np.isnan(series)]
    level = float(np.median(known[:14]))
    spread = float(np.median(np.abs(known[:28] - np.median(known[:28])))) * 1.4826
    scale = max(spread, 0.02 * abs(level), 1e-9)
    trend = 0.0
    levels = np.empty(series.size)
    trends = np.empty(series.size)
    for t, value in enumerate(series):
        expected = level + phi * trend
        if value != value:  # NaN: no observation
            level, trend = expected, phi * trend
        else:
            error = value - expected
            limit = clip * scale
            cut = min(max(error, -limit), limit)
            # Robust running scale: mean absolute error (× 1.25 ≈ σ for normal errors), each capped at 3σ.
            scale = max(0.95 * scale + 0.05 * 1.25 * min(abs(error), 3 * scale), 1e-9)
            previous = level
            level = expected + alpha * cut
            trend = phi * trend + beta * (level - previous - phi * trend)
        levels[t] = level
        trends[t] = trend
    return levels, trends


def _holt_week_error(series: np.ndarray, levels: np.ndarray, trends: np.ndarray, phi: float, weeks: int) -> float:
    ahead = np.arange(1, 8)
    error = 0.0
    for week in range(1, weeks + 1):
        origin = series.size - 7 * week - 1
        if origin < 14:
            break
        forecast = levels[origin] + _damped_sum(phi, ahead) * trends[origin]
        actual = series[origin + 1 : origin + 8]
        ok = ~np.isnan(actual)
        error += float(np.abs(actual[ok] - forecast[ok]).sum())
    return error


def _shrunk_aht(workload: np.ndarray, handled: np.ndarray, weekdays: np.ndarray, prior: float) -> np.ndarray:
    """Weekday × slot AHT (7 × slots), shrunk to time of day, then to the overall mean."""
    slots = workload.shape[1]
    overall = workload.sum() / handled.sum()
    # Time of day across weekdays, lightly smoothed over neighbouring slots (sparse nights).
    kernel = np.array([0.25, 0.5, 0.25])
    by_slot_work = np.convolve(np.pad(workload.sum(axis=0), 1, mode="wrap"), kernel, mode="valid")
    by_slot_handled = np.convolve(np.pad(handled.sum(axis=0), 1, mode="wrap"), kernel, mode="valid")
    time_of_day = (by_slot_work + prior * overall) / (by_slot_handled + prior)
    cell_work = np.zeros((7, slots))
    cell_handled = np.zeros((7, slots))
    for day in range(7):
        pick = weekdays == day
        cell_work[day] = workload[pick].sum(axis=0)
        cell_handled[day] = handled[pick].sum(axis=0)
    return (cell_work + prior * time_of_day[None, :]) / (cell_handled + prior)
