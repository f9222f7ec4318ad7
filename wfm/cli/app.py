"""The Typer app: registers every command and maps domain errors to exit codes."""

from __future__ import annotations

import importlib
import sys

import typer

from wfm.cli.common import err_console
from wfm.errors import WfmError

app = typer.Typer(
    name="wfm",
    help="Workforce planning for contact centers: forecast, staffing, roster, what-if.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)

# Each module defines Typer command functions and a `register(app)` that adds them.
_COMMAND_MODULES = (
    "wfm.cli.erlang",
    "wfm.cli.forecast",
    "wfm.cli.requirements",
    "wfm.cli.schedule",
    "wfm.cli.plan",
    "wfm.cli.whatif",
    "wfm.cli.simulate",
    "wfm.cli.check",
    "wfm.cli.publish",
    "wfm.cli.capacity",
)

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a stage not built yet in this checkout
        if exc.name != _name:
            raise
        continue
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `wfm` command: runs the app, one line per domain error."""
    try:
        app(args=argv, standalone_mode=True)
    except WfmError as exc:  # a command without @guarded still gets one clean line
        err_console.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
