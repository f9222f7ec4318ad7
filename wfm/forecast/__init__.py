"""The forecast stage: contacts and handle time per queue and UTC interval of the plan week.

- `pipeline`: `forecast_workspace` (what `wfm forecast` and the weekly job call).
- `backtest`: week-ahead accuracy of the models on past weeks, the intervals' coverage and the
  intraday re-forecast replayed on them, pooled over queues.
- `grid`: a queue's history in its customers' local clock (days × time-of-day slots, DST-aware).
- `models`: the forecasters (seasonal naive, recent weeks, daily totals × intraday profile,
  automatic per-queue choice) and the handle-time profile.
- `intervals`: 80% prediction intervals of the count, calibrated on the model's backtest weeks.
- `intraday`: the rest of today from how today has gone (`--now`).
"""

from wfm.forecast.backtest import (
    BACKTEST_MODELS,
    INTRADAY_TIMES,
    backtest,
    intraday_columns,
    pooled_coverage,
    pooled_intraday,
    pooled_wape,
)
from wfm.forecast.models import (
    DEFAULT_MODEL,
    MODELS,
    AhtProfile,
    Auto,
    ContactModel,
    DailyProfile,
    RecentWeeks,
    SeasonalNaive,
    make_model,
    model_names,
)
from wfm.forecast.pipeline import (
    BAND_COLUMNS,
    FORECAST_COLUMNS,
    Intraday,
    QueueForecast,
    forecast_queues,
    forecast_workspace,
    week_at,
)

__all__ = [
    "BACKTEST_MODELS",
    "BAND_COLUMNS",
    "DEFAULT_MODEL",
    "FORECAST_COLUMNS",
    "INTRADAY_TIMES",
    "MODELS",
    "AhtProfile",
    "Auto",
    "ContactModel",
    "DailyProfile",
    "Intraday",
    "QueueForecast",
    "RecentWeeks",
    "SeasonalNaive",
    "backtest",
    "forecast_queues",
    "forecast_workspace",
    "intraday_columns",
    "make_model",
    "model_names",
    "pooled_coverage",
    "pooled_intraday",
    "pooled_wape",
    "week_at",
]
