"""Seeded sample worlds: realistic workspaces for the demo, tests and benchmarks.

Everything is drawn from one `numpy` generator seeded with `seed`: the same arguments give
byte-identical files. The rooms:

- `sample`: `make_world`, the shipped global support centre (and `make_agents`);
- `model`: what a world is built of (queues, special days, sites) and the sample's own;
- `volume`: contacts over the week, calibrated to the staff, and history drawn around them;
- `feasible`: the best week the rules allow an agent, so that contracts can be kept;
- `spec`, `draw`, `write`: worlds of many other shapes drawn from a seed (`draw_spec`,
  `draw_world`, `write_world`) for the sweep in benchmarks/bench_worlds.py and
  tests/test_worlds.py, each written with its expected demand for the plan week in
  `truth/truth.csv` and its shape in `truth/shape.json`.
"""

from wfm.synth.draw import draw_spec, draw_world
from wfm.synth.feasible import best_week_hours
from wfm.synth.model import QUEUES, SITES, SPECIAL_DAYS, Site, SynthQueue, SynthSpecialDay
from wfm.synth.sample import make_agents, make_world
from wfm.synth.spec import MARKETS, ZONES, Market, WorldSpec, Zone
from wfm.synth.volume import (
    calibrate_volume,
    expected_contacts,
    handle_time_factor,
    intraday_shape,
    make_history,
    required_agents,
)
from wfm.synth.write import drawn_agents, true_demand, write_world

__all__ = [
    "MARKETS",
    "QUEUES",
    "SITES",
    "SPECIAL_DAYS",
    "ZONES",
    "Market",
    "Site",
    "SynthQueue",
    "SynthSpecialDay",
    "WorldSpec",
    "Zone",
    "best_week_hours",
    "calibrate_volume",
    "draw_spec",
    "draw_world",
    "drawn_agents",
    "expected_contacts",
    "handle_time_factor",
    "intraday_shape",
    "make_agents",
    "make_history",
    "make_world",
    "required_agents",
    "true_demand",
    "write_world",
]
