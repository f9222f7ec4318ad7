"""The linear relaxation of a CP-SAT model, solved with GLOP (OR-Tools' simplex).

The week model is a covering integer program whose LP relaxation is tight (README, benchmark
table), and CP-SAT alone explores such LP-like models slowly on few cores, so the week is solved
in two steps: this relaxation says which shifts are worth working and roughly how often, then
CP-SAT rounds it (see `week.search.solve_week`).

The relaxation is read off the CP-SAT proto itself, so there is one model, not two that could
drift apart: every variable keeps its bounds, every linear constraint its range.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from wfm.roster import stop

# CP-SAT writes ±2^63 for an unbounded side of a range.
_UNBOUNDED = 2**62


@dataclass(frozen=True)
class Relaxation:
    status: str  # OPTIMAL, or FEASIBLE when the time limit stopped the simplex early
    objective: float
    values: np.ndarray  # per CP-SAT variable index
    seconds: float
    # Per CP-SAT constraint index, the row's dual value: a column c with coefficients a_r in
    # the rows has reduced cost cost_c − Σ a_r · duals[r] (what pricing new columns needs).
    duals: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reduced_costs: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per variable
    iterations: int = 0  # simplex iterations: a measure of the work done that repeats


def solve_relaxation(model: cp_model.CpModel, time_limit: float, *, work_limit: float | None = None) -> Relaxation | None:
    """Minimise the model's objective over its LP relaxation; None when GLOP finds nothing.

    `work_limit`, when given, stops the simplex on GLOP's deterministic clock instead of the
    wall clock, so the same model gives the same answer on a busy machine (the wall clock is
    then only a safety net at `time_limit`). Only linear constraints are supported
    (the week model has no others).
    """
    return LinearRelaxation(model).solve(time_limit, work_limit=work_limit)


class LinearRelaxation:
    """A CP-SAT model's LP relaxation that can grow by columns between solves (column
    generation): a new variable enters rows that already exist."""

    def __init__(self, model: cp_model.CpModel) -> None:
        proto = model.proto
        self._lp = lp = pywraplp.Solver.CreateSolver("GLOP")
        infinity = lp.infinity()
        self._variables = []
        self._rows = []
        self._offset = proto.objective.offset
        self.last_iterations = 0  # simplex iterations of the last solve, found or not
        for var in proto.variables:
            domain = list(var.domain)  # the C++-backed repeated field does not index from the end
            self._variables.append(lp.NumVar(float(domain[0]), float(domain[-1]), ""))
        for constraint in proto.constraints:
            if not constraint.has_linear() or len(constraint.enforcement_literal):
                raise ValueError("LinearRelaxation: only unconditional linear constraints are supported")
            linear = constraint.linear
            domain = list(linear.domain)
            low = -infinity if domain[0] <= -_UNBOUNDED else float(domain[0])
            high = infinity if domain[-1] >= _UNBOUNDED else float(domain[-1])
            row = lp.Constraint(low, high)
            self._rows.append(row)
            for ref, coefficient in zip(linear.vars, linear.coeffs, strict=True):
                if ref < 0:  # a negated reference
                    ref, coefficient = -ref - 1, -coefficient
                row.SetCoefficient(self._variables[ref], row.GetCoefficient(self._variables[ref]) + coefficient)
        self._objective = objective = lp.Objective()
        for ref, coefficient in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
            if ref < 0:
                ref, coefficient = -ref - 1, -coefficient
            objective.SetCoefficient(self._variables[ref], objective.GetCoefficient(self._variables[ref]) + coefficient)
        objective.SetMinimization()

    @property
    def rows(self) -> int:
        return len(self._rows)

    @property
    def columns(self) -> int:
        return len(self._variables)

    def add_column(self, cost: float, upper: float, entries: list[tuple[int, float]]) -> int:
        """A new variable in [0, upper] with objective coefficient `cost` and coefficient c in
        row r for each (r, c) of `entries` (constraint indices of the CP-SAT model). Returns
        its index: past the model's own variables."""
        var = self._lp.NumVar(0.0, float(upper), "")
        self._objective.SetCoefficient(var, float(cost))
        for row, coefficient in entries:
            constraint = self._rows[row]
            constraint.SetCoefficient(var, constraint.GetCoefficient(var) + float(coefficient))
        self._variables.append(var)
        return len(self._variables) - 1

    def bounds(self, index: int) -> tuple[float, float]:
        var = self._variables[index]
        return var.lb(), var.ub()

    def set_bounds(self, index: int, low: float, high: float) -> None:
        """Change one variable's bounds; the next `solve` starts from the last basis."""
        self._variables[index].SetBounds(float(low), float(high))

    def solve(
        self, time_limit: float, *, work_limit: float | None = None, warm: bool = False, duals: bool = True
    ) -> Relaxation | None:
        """Minimise; None when GLOP finds nothing. GLOP's dual simplex after presolve, every
        time, also after priced columns were added (the primal simplex from the last basis was
        slower both times: the new columns make it climb a long way). `warm` skips presolve,
        for a re-solve after bound changes (diving), which the dual simplex starts from the
        last basis. Without `duals` the duals and reduced costs are left empty (a dive needs
        the values alone)."""
        started = time.perf_counter()
        lp = self._lp
        parameters = "use_dual_simplex: true"
        if warm:  # presolve would rebuild the problem and lose the basis a bound change keeps
            parameters += " use_preprocessing: false"
        lp.SetTimeLimit(max(1, round(1000 * time_limit)))
        if work_limit is not None:
            parameters += f" max_deterministic_time: {work_limit:.3f}"
        lp.SetSolverSpecificParametersAsString(parameters)
        status = stop.solve(lp.Solve, lp.InterruptSolve)
        self.last_iterations = lp.iterations()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        variables, rows = self._variables, self._rows
        values = np.fromiter((v.solution_value() for v in variables), dtype=float, count=len(variables))
        optimal = status == pywraplp.Solver.OPTIMAL
        priced = optimal and duals
        return Relaxation(
            status="OPTIMAL" if optimal else "FEASIBLE",
            objective=self._objective.Value() + self._offset,
            values=values,
            seconds=time.perf_counter() - started,
            duals=np.fromiter((r.dual_value() for r in rows), dtype=float, count=len(rows)) if priced else np.zeros(0),
            reduced_costs=(
                np.fromiter((v.reduced_cost() for v in variables), dtype=float, count=len(variables)) if priced else np.zeros(0)
            ),
            iterations=lp.iterations(),
        )
