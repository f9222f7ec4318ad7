"""report.html: the plan page (`plan`, its charts in `plan_charts`), the what-if page
(`comparison`) and what both share (`page`: scaffolding, tables, colour levels, chart helpers).

The summary the pages read is `wfm.summary.PlanSummary`. `_Page`, `_table` and `_num` are the
shared helpers under the names `wfm.capacity.report` imports them by.
"""

from wfm.exports.report.comparison import build_comparison_report
from wfm.exports.report.page import PLOT_TEMPLATE, QUEUE_COLOURS, Level, Page, esc, num, plot_text, table
from wfm.exports.report.plan import AgentWeek, agent_weeks, build_report
from wfm.summary import PlanSummary, parse_summary

_Page = Page
_table = table
_num = num

__all__ = [
    "PLOT_TEMPLATE",
    "QUEUE_COLOURS",
    "AgentWeek",
    "Level",
    "Page",
    "PlanSummary",
    "agent_weeks",
    "build_comparison_report",
    "build_report",
    "esc",
    "num",
    "parse_summary",
    "plot_text",
    "table",
]
