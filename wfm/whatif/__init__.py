"""What-if: the weekly job once per scenario of SCENARIOS.toml, side by side, and the fewest
hires answering each question.

The rooms, in the order a run passes through them:

- `scenarios`: SCENARIOS.toml, its scenarios and questions, read and checked;
- `apply`: a scenario applied to the workspace, and the change to its forecast;
- `jobs`: one weekly job and the options every job shares;
- `runner`: where the jobs run (serial, a process pool), `run_scenarios`;
- `ray_tasks`: the jobs as tasks on a Ray cluster (the `wfm[ray]` extra);
- `questions`: the hiring search;
- `compare`: comparison.csv and the result of a whole run; `run`: `run_whatif`;
- `write`: the run's files (comparison.csv, report.html, questions.json, plan folders).
"""

from wfm.whatif.apply import ForecastAdjustment, apply_scenario
from wfm.whatif.compare import COMPARISON_COLUMNS, WhatifResult, comparison_frame, comparison_rows
from wfm.whatif.jobs import JobOptions
from wfm.whatif.questions import (
    ANSWER_CHANNELS,
    Answer,
    Probe,
    answer_question,
    hire_hours,
    missing_hours,
    question_scenario,
    targets_met,
)
from wfm.whatif.ray_tasks import RayUnavailable
from wfm.whatif.run import run_whatif
from wfm.whatif.runner import Progress, Runner, run_scenarios, solver_workers
from wfm.whatif.scenarios import (
    AddAgents,
    Question,
    QueueChange,
    Scenario,
    ScenarioFile,
    SiteClosure,
    check_scenarios,
    known_keys,
    load_scenarios,
    parse_scenarios,
    slugify,
)
from wfm.whatif.write import write_whatif

__all__ = [
    "ANSWER_CHANNELS",
    "COMPARISON_COLUMNS",
    "AddAgents",
    "Answer",
    "ForecastAdjustment",
    "JobOptions",
    "Probe",
    "Progress",
    "Question",
    "QueueChange",
    "RayUnavailable",
    "Runner",
    "Scenario",
    "ScenarioFile",
    "SiteClosure",
    "WhatifResult",
    "answer_question",
    "apply_scenario",
    "check_scenarios",
    "comparison_frame",
    "comparison_rows",
    "hire_hours",
    "known_keys",
    "load_scenarios",
    "missing_hours",
    "parse_scenarios",
    "question_scenario",
    "run_scenarios",
    "run_whatif",
    "slugify",
    "solver_workers",
    "targets_met",
    "write_whatif",
]
