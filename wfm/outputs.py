"""Writing a plan folder: every file goes to a staging folder first and is moved into place only
when all of them were written, so a failed run leaves the previous plan intact."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import InputError

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder beside `out_dir`; on success move its entries into `out_dir`."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{{out}} {out_dir}: exists and is not a folder", out="output folder")
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=parent))
    except OSError as exc:
        raise InputError(f"{{out}} {out_dir}: cannot write there ({exc.strerror})", out="output folder") from None
    try:
        yield stage
        out_dir.mkdir(parents=True, exist_ok=True)
        for entry in sorted(stage.iterdir()):
            target = out_dir / entry.name
            if entry.is_dir():
                if target.exists():
                    retired = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", suffix=".old", dir=out_dir))
                    os.replace(target, retired / entry.name)
                    os.replace(entry, target)
                    shutil.rmtree(retired, ignore_errors=True)
                else:
                    os.replace(entry, target)
            else:
                os.replace(entry, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _utc_text(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.strftime(UTC_FORMAT)


def write_frame(frame: pd.DataFrame, path: Path, time_columns: tuple[str, ...] = ("interval_start",)) -> None:
    out = frame.copy()
    for column in time_columns:
        if column in out.columns:
            out[column] = _utc_text(out[column])
    out.to_csv(path, index=False, float_format="%.6g")


def write_forecast(frame: pd.DataFrame, directory: Path) -> Path:
    path = directory / "forecast.csv"
    columns = ["queue", "interval_start", "contacts", "aht_seconds"]
    columns += [column for column in ("contacts_p10", "contacts_p90") if column in frame.columns]
    write_frame(frame[columns].round({"contacts": 4, "aht_seconds": 2}), path)
    return path


def write_requirements(frame: pd.DataFrame, directory: Path) -> Path:
    path = directory / "requirements.csv"
    write_frame(frame, path)
    return path


def write_roster(frame: pd.DataFrame, directory: Path) -> Path:
    path = directory / "roster.csv"
    write_frame(frame[["agent_id", "activity", "start", "end", "start_local", "end_local"]], path, ("start", "end"))
    return path


def write_coverage(frame: pd.DataFrame, directory: Path) -> Path:
    path = directory / "coverage.csv"
    columns = ["queue", "interval_start", "required", "scheduled", "service_level", "asa_seconds"]
    write_frame(frame[columns], path)
    return path


def write_json(data: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def read_frame(path: Path, time_columns: tuple[str, ...] = ("interval_start",)) -> pd.DataFrame:
    """A CSV this module wrote (or a planner's file in the same format), with UTC times parsed."""
    if not path.is_file():
        raise InputError(f"{path}: missing")
    frame = pd.read_csv(path)
    for column in time_columns:
        if column in frame.columns:
            parsed = pd.to_datetime(frame[column], utc=True, format="ISO8601", errors="coerce")
            if parsed.isna().any():
                row = int(parsed.isna().to_numpy().nonzero()[0][0]) + 2
                raise InputError(
                    f"{path.name} row {row}, column {column}: expected an ISO-8601 time, got {frame[column].iloc[row - 2]!r}"
                )
            frame[column] = parsed
    return frame
