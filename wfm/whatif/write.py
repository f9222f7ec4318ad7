"""Writing a what-if run: DIR/comparison.csv, DIR/report.html, DIR/questions.json and one plan
folder per scenario and question, staged so that nothing is half-written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wfm.whatif.apply import apply_scenario
from wfm.whatif.compare import WhatifResult
from wfm.workspace import Workspace


def write_whatif(result: WhatifResult, ws: Workspace, out_dir: Path, *, seed: int = 0, calendars: bool = True) -> pd.DataFrame:
    """DIR/comparison.csv, DIR/report.html, DIR/questions.json (with questions) and one plan
    folder per scenario and question, all staged: nothing is half-written. Returns the comparison."""
    from wfm.exports import build_comparison_report
    from wfm.outputs import staged_output, write_json
    from wfm.pipeline import write_plan

    comparison = result.comparison(ws.plan.interval_minutes)
    report = build_comparison_report([(label, run.plan_summary) for label, _, _, run in result.runs], comparison)
    with staged_output(out_dir) as stage:
        for _, slug, scenario, run in result.runs:
            applied, _ = apply_scenario(ws, scenario, seed, week=result.week)
            write_plan(run, applied, stage / slug, calendars=calendars, report=True)
        comparison.to_csv(stage / "comparison.csv", index=False, float_format="%.6g")
        (stage / "report.html").write_text(report, encoding="utf-8")
        if result.answers:
            write_json({"week": str(result.week), "questions": [a.as_json() for a in result.answers]}, stage / "questions.json")
    return comparison
