"""Where a what-if run's weekly jobs run: one process per scenario (at most one per CPU), in
this process, or as Ray tasks (`wfm.whatif.ray_tasks`); results in submission order.

A pool worker gets the workspace *folder* and the scenario, loads the workspace from `ws.root`
and builds its CP-SAT models there, so an in-memory change to `ws` does not reach it. A run is
deterministic for a seed and a number of CP-SAT workers per solve: `settings.workers` when
serial or on Ray, and `cpu_count // processes` (at most `settings.workers`) in the pool, so two
parallel scenarios on two cores solve with one worker each, as a serial run with one worker would.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfm.roster import SolveSettings
from wfm.whatif.jobs import JobOptions, run_in_process, run_scenario
from wfm.whatif.ray_tasks import run_on_ray, start_ray
from wfm.whatif.scenarios import Scenario
from wfm.workspace import Workspace

if TYPE_CHECKING:
    from wfm.pipeline import PlanResult

Progress = Callable[[str], None]


def solver_workers(settings: SolveSettings, processes: int, cpus: int | None = None) -> int:
    """CP-SAT workers per solve when `processes` solves share the machine (at least 1)."""
    cpus = cpus or os.cpu_count() or 1
    return max(1, min(settings.workers, cpus // max(1, processes)))


class Runner:
    """Runs weekly jobs serially, in a process pool or as Ray tasks; results in submission order."""

    def __init__(
        self,
        ws: Workspace,
        options: JobOptions,
        *,
        parallel: bool = True,
        ray_address: str | None = None,
        processes: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.ws = ws
        self.progress = progress
        self.ray_address = ray_address
        self.mode = "ray" if ray_address else "pool" if parallel else "serial"
        cpus = os.cpu_count() or 1
        if self.mode == "pool":
            self.slots = max(1, min(processes or cpus, cpus))
            workers = solver_workers(options.settings, self.slots, cpus)
        elif self.mode == "ray":
            workers = options.settings.workers
            self.slots = max(1, processes or 1)
        else:
            self.slots = 1
            workers = options.settings.workers
        self.options = dataclasses.replace(options, settings=dataclasses.replace(options.settings, workers=workers))
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._ray: Any = None
        self._ray_started = False

    @property
    def workers_per_solve(self) -> int:
        return self.options.settings.workers

    def __enter__(self) -> Runner:
        if self.mode == "pool" and self.slots > 1:
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.slots, mp_context=_context())
        elif self.mode == "ray":
            self._ray, self._ray_started = start_ray(self.ray_address or "auto")
            cpus = float(self._ray.cluster_resources().get("CPU", 1))
            self.slots = max(1, int(cpus // self.workers_per_solve))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._ray is not None:
            if self._ray_started:  # leave a Ray the caller connected to connected
                self._ray.shutdown()
            self._ray = None

    def run(self, scenarios: Sequence[Scenario], *, announce: bool = True) -> list[PlanResult]:
        """Each scenario's weekly job; a failure in any raises (named) once the others stop.
        With `announce`, `progress` hears of each finished scenario."""
        started = time.perf_counter()
        total = len(scenarios)

        def done(index: int) -> None:
            if self.progress and announce:
                self.progress(f"{scenarios[index].name}: planned ({time.perf_counter() - started:.0f} s)")

        if self.mode == "ray":
            return run_on_ray(self._ray, self.ws, scenarios, self.options, done)
        if self._pool is None or total == 1:
            results = []
            for index, scenario in enumerate(scenarios):
                results.append(run_scenario(self.ws, scenario, self.options))
                done(index)
            return results
        root = str(Path(self.ws.root).resolve())
        futures = {self._pool.submit(run_in_process, root, s, self.options): i for i, s in enumerate(scenarios)}
        out: dict[int, PlanResult] = {}
        try:
            for future in concurrent.futures.as_completed(futures):
                out[futures[future]] = future.result()
                done(futures[future])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return [out[i] for i in range(total)]


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one (no fork of a threaded parent; wfm imported once), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["wfm.whatif", "wfm.pipeline"])
        return context
    return multiprocessing.get_context("spawn")


def run_scenarios(
    ws: Workspace,
    scenarios: Sequence[Scenario],
    settings: SolveSettings | None = None,
    week: dt.date | None = None,
    seed: int = 0,
    parallel: bool = True,
    ray_address: str | None = None,
    *,
    forecast_model: str | None = None,
    fill_gaps: str | None = None,
    compare_greedy: bool = True,
    progress: Progress | None = None,
) -> list[tuple[str, PlanResult]]:
    """The weekly job once per scenario, in order: one process each (at most one per CPU) by
    default, in this process with `parallel=False`, as Ray tasks with `ray_address`."""
    if not scenarios:
        return []
    options = JobOptions(ws.plan_week(week), seed, settings or SolveSettings(), forecast_model, fill_gaps, compare_greedy)
    processes = min(len(scenarios), os.cpu_count() or 1)
    with Runner(ws, options, parallel=parallel, ray_address=ray_address, processes=processes, progress=progress) as runner:
        results = runner.run(scenarios)
    return [(s.name, r) for s, r in zip(scenarios, results, strict=True)]
