"""The report's "Changes from the published plan" section: a re-plan with `--published` (its
changes.csv, `wfm.published.changes_frame`), per agent, in the agent's clock."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.exports.calendars import AgentInfo
from wfm.exports.report.page import Level, esc, table
from wfm.summary import ChangesSummary

__all__ = ["changes_section"]

_KINDS = ("kept", "moved", "added", "removed")


def changes_section(summary: ChangesSummary, changes: pd.DataFrame | None, infos: Mapping[str, AgentInfo]) -> str:
    """The counts, then one row per agent whose week changed: how many shifts of each kind and
    each moved, added or removed shift in the agent's local time (UTC for an agent who left)."""
    unchanged = summary.kept_as_published
    kept = f"{summary.kept} kept" + (
        f" ({unchanged} with breaks, lunch and queues as published)" if unchanged is not None else ""
    )
    text = (
        f'<p class="note">Re-planned from the plan already published ({esc(summary.plan_dir or "")}): {esc(kept)},'
        f" {summary.moved} moved, {summary.added} added, {summary.removed} removed. A moved shift is the agent's shift"
        " of the same local date at other hours.</p>"
    )
    notes = "".join(f"<li>{esc(note)}</li>" for note in summary.notes)
    text += f'<ul class="checks">{notes}</ul>' if notes else ""
    if changes is None or not (changes["change"] != "kept").any():
        return text + '<p class="note">Every published shift is kept.</p>'
    rows: list[list[tuple[str, Level]]] = []
    for agent_id, mine in changes.groupby("agent_id", sort=True):
        if (mine["change"] == "kept").all():
            continue
        info = infos.get(str(agent_id))
        zone = info.zone if info is not None else ZoneInfo("UTC")
        counts: list[tuple[str, Level]] = [(str(int((mine["change"] == kind).sum())), "plain") for kind in _KINDS]
        what = "; ".join(_line(row, zone) for row in mine.to_dict("records") if row["change"] != "kept")
        label = info.label if info is not None else f"{agent_id} (no longer in agents.csv)"
        rows.append([(esc(label), "plain"), *counts, (esc(what), "plain")])
    return text + table(["Agent", *(kind.capitalize() for kind in _KINDS), "Shifts changed (agent's clock)"], rows)


def _line(row: Mapping[Hashable, object], zone: ZoneInfo) -> str:
    change = str(row["change"])
    old = _span(str(row["old_start"]), str(row["old_end"]), zone)
    new = _span(str(row["new_start"]), str(row["new_end"]), zone)
    reason = str(row.get("reason") or "")
    said = {"moved": f"moved {old} → {new}", "added": f"added {new}", "removed": f"removed {old}"}.get(change, change)
    return said + (f" ({reason})" if reason and change != "added" else "")


def _span(start: str, end: str, zone: ZoneInfo) -> str:
    if not start or start in ("nan", "None"):
        return ""
    first, last = (datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC).astimezone(zone) for t in (start, end))
    return f"{first:%a %m-%d %H:%M}–{last:%H:%M}"
