"""The simulation's files: a plan folder's forecast.csv read back, simulation.csv and
simulation.json written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.outputs import staged_output, write_frame, write_json
from wfm.planfiles import parse_utc
from wfm.simulate.inputs import FORECAST_COLUMNS, _check_frame_columns
from wfm.simulate.results import INTERVAL_COLUMNS, SimulationResult, rounded
from wfm.workspace import read_csv_strings


def read_forecast_csv(path: Path) -> pd.DataFrame:
    """PLAN_DIR/forecast.csv → queue, interval_start (UTC), contacts, aht_seconds; InputError naming row and column."""
    if not path.is_file():
        raise InputError(f"{path}: missing (write one with `wfm forecast` or `wfm plan`)")
    frame = read_csv_strings(path)
    _check_frame_columns(frame, path.name, FORECAST_COLUMNS)
    frame["interval_start"] = parse_utc(frame["interval_start"], path.name, "interval_start")
    for column in ("contacts", "aht_seconds"):
        text = frame[column]
        numbers = pd.to_numeric(text.where(text != "", "nan"), errors="coerce")
        bad = (numbers.isna() & (text != "")).to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(f"{path.name} row {row + 2}, column {column}: expected a number, got {text.iloc[row]!r}")
        frame[column] = numbers.astype(float)
    return frame[list(FORECAST_COLUMNS)].reset_index(drop=True)


def write_simulation(result: SimulationResult, out_dir: Path) -> None:
    """OUT/simulation.csv (INTERVAL_COLUMNS) and OUT/simulation.json (floats to six decimals),
    staged: a failure leaves the folder's earlier files as they were."""
    with staged_output(out_dir) as stage:
        write_frame(result.intervals[list(INTERVAL_COLUMNS)], stage / "simulation.csv")
        write_json(rounded(result.summary_json()), stage / "simulation.json")
