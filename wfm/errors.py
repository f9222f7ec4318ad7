"""The domain errors wfm raises; the command line turns each into one line and an exit code.
A `Note` (a line a planner should read) names the settings it mentions the way errors do.

Messages follow `where: what, got VALUE (hint)`, e.g.
`agents.csv row 4, column timezone: expected an IANA zone, got 'Asia/Manilla' (did you mean 'Asia/Manila'?)`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

_SETTING = re.compile(r"\{([a-z_]+)(?:=([^{}]*))?\}")


class WfmError(Exception):
    """Base class: a problem a planner can act on. `exit_code` is what the CLI returns."""

    exit_code = 2


class InputError(WfmError):
    """Bad input: a workspace file, a profile or an option holds something wfm cannot use.

    A message may name a setting of the call, as the place at fault or as the remedy, by a field
    in braces: `{fill_gaps}` or `{fill_gaps=zero}`, given with `settings` (each setting's words
    for the library reader, e.g. `fill_gaps="fill_gaps"`). `str()` reads `fill_gaps` and
    `fill_gaps="zero"`; the command line, which knows its options, reads `--fill-gaps` and
    `--fill-gaps zero` (`worded`). The library never names an option itself.
    """

    exit_code = 2

    def __init__(self, message: str, **settings: str) -> None:
        self.template = message
        self.settings = settings
        super().__init__(self.worded({}))

    def worded(self, options: Mapping[str, str]) -> str:
        """The message with each setting named by `options` (setting -> option name, e.g.
        `{"fill_gaps": "--fill-gaps"}`) where it holds it, else in the library's words."""
        return _worded(self.template, self.settings, options)


class Note(str):
    """A line a planner should read about the input (a forecast note), naming the settings it
    mentions as `InputError` does: `Note("... pass {fill_gaps=skip} ...", fill_gaps="fill_gaps")`
    is the text `... pass fill_gaps="skip" ...` wherever it goes as a string, and the command
    line prints `worded(...)`, `... pass --fill-gaps skip ...`."""

    template: str
    settings: dict[str, str]

    def __new__(cls, template: str, **settings: str) -> Note:
        note = super().__new__(cls, _worded(template, settings, {}))
        note.template = template
        note.settings = settings
        return note

    def worded(self, options: Mapping[str, str]) -> str:
        """The note with each setting named by `options` where it holds it (`InputError.worded`)."""
        return _worded(self.template, self.settings, options)


def _worded(template: str, settings: Mapping[str, str], options: Mapping[str, str]) -> str:
    """`template` with each `{setting}` or `{setting=value}` field of `settings` in the words of
    `options` (setting -> option name) where it holds it, else in the library's (`settings`)."""
    if not settings:
        return template

    def name(match: re.Match[str]) -> str:
        setting, value = match[1], match[2]
        if setting not in settings:
            return match[0]
        if setting in options:
            return options[setting] if value is None else f"{options[setting]} {value}"
        return settings[setting] if value is None else f'{settings[setting]}="{value}"'

    return _SETTING.sub(name, template)


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
