"""Weekly jobs as tasks on a Ray cluster (the optional `wfm[ray]` extra).

Each scenario is applied here and shipped with its forecast change, so the cluster need not see
the planner's files (its workers need wfm); a task asks for as many CPUs as CP-SAT workers per
solve.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from wfm.errors import InputError, WfmError
from wfm.whatif.apply import apply_scenario
from wfm.whatif.jobs import JobOptions, run_applied
from wfm.whatif.scenarios import Scenario
from wfm.workspace import Workspace

if TYPE_CHECKING:
    from wfm.pipeline import PlanResult


class RayUnavailable(InputError):
    """Ray cannot run the jobs at `address`: not installed, or no cluster answers there."""

    def __init__(self, address: str, problem: str) -> None:
        super().__init__(f"ray_address {address!r}: {problem}")
        self.address = address
        self.problem = problem


def start_ray(address: str) -> tuple[Any, bool]:
    """The `ray` module, connected to `address` unless already connected; and whether we connected."""
    try:
        import ray
    except ImportError:
        raise RayUnavailable(address, "Ray is not installed (install wfm[ray], e.g. pip install 'wfm[ray]')") from None
    if ray.is_initialized():
        return ray, False
    # A new local instance ("local") starts without a dashboard; a cluster keeps its own settings.
    extra: dict[str, Any] = {"include_dashboard": False} if address == "local" else {}
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING, **extra)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RayUnavailable(address, f"cannot connect to a Ray cluster there ({first})") from None
    return ray, True


def run_on_ray(
    ray: Any,
    ws: Workspace,
    scenarios: Sequence[Scenario],
    options: JobOptions,
    done: Callable[[int], None],
) -> list[PlanResult]:
    """Each scenario's weekly job as a task, in submission order; the first failure cancels the
    others and is raised as the wfm error it was (named after its scenario)."""
    task = ray.remote(run_applied).options(num_cpus=options.settings.workers, max_retries=0)
    refs = []
    for scenario in scenarios:
        applied, adjust = apply_scenario(ws, scenario, options.seed, week=options.week)
        refs.append(task.remote(applied, adjust, options, scenario.name))
    index_of = {ref: i for i, ref in enumerate(refs)}
    pending = list(refs)
    out: dict[int, PlanResult] = {}
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        try:
            out[index_of[ready[0]]] = ray.get(ready[0])
        except Exception as exc:
            for ref in pending:
                ray.cancel(ref, force=True)
            cause = getattr(exc, "cause", None)
            if isinstance(cause, WfmError):
                raise cause from None
            raise
        done(index_of[ready[0]])
    return [out[i] for i in range(len(scenarios))]
