"""Shared pieces of the command modules: error handling and consoles."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from wfm.errors import InputError, WfmError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into one `error: ...` line and its exit code (2 input, 3 infeasible)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WfmError as exc:
            err_console.print(f"error: {exc}", markup=False)
            for reason in getattr(exc, "reasons", []):
                err_console.print(f"  - {reason}", markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def parse_week(text: str | None) -> dt.date | None:
    """The --week option: an ISO date (the Monday check belongs to the workspace)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--week: expected a date like 2026-11-30, got {text!r}") from None
