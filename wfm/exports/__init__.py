"""Exports a planner and the agents read: calendars (`calendars/*.ics`) and `report.html`.

Pure builders (`agent_calendar`, `team_calendar`, `build_report`, `build_comparison_report`)
return values; `write_calendars` is the one function here that writes files. The summary the
report reads (summary.json) is `wfm.summary.PlanSummary`; shifts are `wfm.planfiles.Shift`.
"""

from wfm.exports.calendars import (
    AgentInfo,
    AgentLike,
    Agents,
    CalendarFiles,
    agent_calendar,
    agent_infos,
    calendar_file_names,
    team_calendar,
    write_calendars,
)
from wfm.exports.report import build_comparison_report, build_report
from wfm.planfiles import Shift, roster_shifts
from wfm.summary import PlanSummary, parse_summary

__all__ = [
    "AgentInfo",
    "AgentLike",
    "Agents",
    "CalendarFiles",
    "PlanSummary",
    "Shift",
    "agent_calendar",
    "agent_infos",
    "build_comparison_report",
    "build_report",
    "calendar_file_names",
    "parse_summary",
    "roster_shifts",
    "team_calendar",
    "write_calendars",
]
