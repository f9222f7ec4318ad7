"""Months ahead: `wfm capacity`, the capacity plan with attrition, hiring classes and training.

- `config`: CAPACITY.toml, validated (`load_capacity`, `check_capacity`).
- `demand`: contacts and Erlang-required on-queue hours per queue and week, from the first week's
  interval forecast scaled week by week and sized interval by interval.
- `supply`: on-queue hours per site and skill set: today's agents, expected leavers, hires in
  training and ramping, and a seeded pessimistic band.
- `hiring`: the classes to open (OR-Tools, SCIP), skills matched by a flow from groups to queues.
- `report`: report.html; `plan`: `run_capacity` and `write_capacity`.
"""

from wfm.capacity.config import CapacityConfig, check_capacity, load_capacity, parse_capacity
from wfm.capacity.plan import CapacityHeadline, CapacityResult, run_capacity, write_capacity

__all__ = [
    "CapacityConfig",
    "CapacityHeadline",
    "CapacityResult",
    "check_capacity",
    "load_capacity",
    "parse_capacity",
    "run_capacity",
    "write_capacity",
]
