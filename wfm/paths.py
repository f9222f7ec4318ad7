"""Where the shipped data lives: `constraints/` and `forecasts/` at the top of a checkout, or
their copies inside the installed package (`wfm/_data/`), so `wfm demo` works from a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def constraints_dir() -> Path:
    return _data_dir("constraints")


def forecasts_dir() -> Path:
    return _data_dir("forecasts")


def sample_workspace(name: str = "global-support") -> Path:
    return forecasts_dir() / name
