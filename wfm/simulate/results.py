"""What a simulation answers: per queue the simulated week next to Erlang's prediction, per
interval the means over runs (simulation.csv's columns), and simulation.json's shape."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

HandleTime = Literal["exponential", "lognormal"]
Routing = Literal["roster", "skills"]
INTERVAL_COLUMNS = ("queue", "interval_start", "offered", "answered_within_target", "abandoned", "service_level", "asa_seconds")


class QueueSimulation(BaseModel):
    """One queue's simulated week next to Erlang's prediction. `None` where nothing was offered/answered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offered: float = Field(description="contacts per simulated week (mean over runs)")
    service_level: float | None = Field(description="mean over runs of the week's answered-within-target / offered")
    service_level_ci: tuple[float, float] | None = Field(description="95% interval of that mean across runs")
    asa_seconds: float | None = Field(description="mean time in queue over all contacts (abandoners: until they hang up)")
    abandon_rate: float | None = Field(description="abandoned / offered, all runs")
    erlang_service_level: float | None = Field(description="Erlang's prediction for the same roster and demand")
    disagrees_with_erlang: bool | None = Field(
        description="Erlang's prediction lies outside the simulated 95% interval (None: nothing to compare)"
    )


class SimulationResult(BaseModel):
    """`intervals` has the columns of simulation.csv (INTERVAL_COLUMNS); `queues` is keyed by queue name."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    intervals: pd.DataFrame
    queues: dict[str, QueueSimulation]
    runs: int
    seed: int
    routing: Routing
    overdispersion: float
    handle_time: HandleTime

    def summary_json(self) -> dict[str, object]:
        """simulation.json as FORMATS.md specifies it (plus a few extra keys)."""
        return {
            "queues": {name: queue.model_dump() for name, queue in self.queues.items()},
            "runs": self.runs,
            "seed": self.seed,
            "routing": self.routing,
            "overdispersion": self.overdispersion,
            "handle_time": self.handle_time,
        }


def rounded(value: Any, decimals: int = 6) -> Any:
    """`value` with every float rounded, through dicts, lists and tuples: six decimals are enough
    for any planner and keep diffs between runs stable."""
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, dict):
        return {key: rounded(item, decimals) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(item, decimals) for item in value]
    return value
