"""Shared pieces of the command modules: error handling and consoles."""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from wfm.errors import InputError, Note, WfmError

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
            err_console.print(f"error: {error_line(exc, command)}", markup=False)
            for reason in getattr(exc, "reasons", []):
                err_console.print(f"  - {reason}", markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def error_line(exc: WfmError, command: Callable[..., object]) -> str:
    """The error's message, with the settings it names called by `command`'s options: the
    library's `fill_gaps` is `--fill-gaps` where the command has that option (`InputError.worded`)."""
    return in_options(exc, command) if isinstance(exc, InputError) else str(exc)


def in_options(message: InputError | Note, command: Callable[..., object]) -> str:
    """An error's message or a note with each setting it names called by `command`'s option
    (`--fill-gaps`) where the command has one, else in the library's words."""
    if not message.settings:
        return str(message)
    flags = option_names(command)
    options = {setting: f"--{setting.replace('_', '-')}" for setting in message.settings}
    return message.worded({setting: flag for setting, flag in options.items() if flag in flags})


def option_names(command: Callable[..., object]) -> set[str]:
    """The long option names a Typer command declares (`--out`), from its annotations."""
    names: set[str] = set()
    for name, hint in typing.get_type_hints(command, include_extras=True).items():
        for info in getattr(hint, "__metadata__", ()):
            if isinstance(info, typer.models.OptionInfo):
                declared = [decl for decl in (info.default, *(info.param_decls or ())) if isinstance(decl, str)]
                names.update(decl for decl in declared if decl.startswith("--"))
                if not declared:
                    names.add(f"--{name.replace('_', '-')}")
    return names


def parse_week(text: str | None) -> dt.date | None:
    """The --week option: an ISO date (the Monday check belongs to the workspace)."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--week: expected a date like 2026-11-30, got {text!r}") from None
