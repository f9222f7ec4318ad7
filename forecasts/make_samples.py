#!/usr/bin/env python3
"""Regenerate the shipped sample workspaces with `wfm.synth` (seeded: the same bytes every run).

Run from a checkout: `.venv/bin/python forecasts/make_samples.py`. Each sample is a folder
beside this script; `wfm demo` plans `global-support`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from wfm.synth import make_world  # noqa: E402

SAMPLES: dict[str, dict[str, Any]] = {
    # 80 agents on four sites, 9 weeks of 15-minute history ending Sunday 29 Nov 2026.
    "global-support": {"seed": 7, "agents": 80, "weeks": 9, "plan_week": dt.date(2026, 11, 30), "interval_minutes": 15},
}


def main() -> None:
    for name, settings in SAMPLES.items():
        root = make_world(HERE / name, **settings)
        size = sum(path.stat().st_size for path in root.iterdir())
        print(f"{root.relative_to(HERE.parent)}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
