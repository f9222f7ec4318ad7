"""The forecast stage: contacts and handle time per queue and UTC interval of the plan week.

- `pipeline`: `forecast_workspace` (what `wfm forecast` and the weekly job call) and `backtest`.
- `grid`: a queue's history in its customers' local clock (days × time-of-day slots, DST-aware).
- `models`: the forecasters (seasonal naive, recent weeks, daily totals × intraday profile,
  automatic per-queue choice) and the handle-time profile.
"""

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
from wfm.forecast.pipeline import FORECAST_COLUMNS, QueueForecast, backtest, forecast_queues, forecast_workspace

__all__ = [
    "DEFAULT_MODEL",
    "FORECAST_COLUMNS",
    "MODELS",
    "AhtProfile",
    "Auto",
    "ContactModel",
    "DailyProfile",
    "QueueForecast",
    "RecentWeeks",
    "SeasonalNaive",
    "backtest",
    "forecast_queues",
    "forecast_workspace",
    "make_model",
    "model_names",
]
