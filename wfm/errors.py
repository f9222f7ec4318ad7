"""The domain errors wfm raises; the command line turns each into one line and an exit code.

Messages follow `where: what, got VALUE (hint)`, e.g.
`agents.csv row 4, column timezone: expected an IANA zone, got 'Asia/Manilla' (did you mean 'Asia/Manila'?)`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class WfmError(Exception):
    """Base class: a problem a planner can act on. `exit_code` is what the CLI returns."""

    exit_code = 2


class InputError(WfmError):
    """Bad input: a workspace file, a profile or an option holds something wfm cannot use."""

    exit_code = 2


class InfeasibleError(WfmError):
    """The hard rules cannot all hold; the message names the clashing rules and agents."""

    exit_code = 3

    def __init__(self, message: str, reasons: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.reasons = list(reasons)


class ServerError(WfmError):
    """A server wfm talks to (a CalDAV calendar home) refused or could not be reached; the
    message names the server and what to do, never the credentials."""

    exit_code = 4


def suggest(name: str, known: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` hint for a misspelt key, or a list of the known names."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(known)})" if known else ""
