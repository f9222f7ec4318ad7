"""The hiring search: the fewest added agents (one zone, some skills) meeting every phone and
chat queue's share of intervals at target, found with full weekly jobs.

The search probes the current staff first, then an estimate from the hours missing on the
failing intervals, more until the target holds, then bisects between the largest failing and the
smallest passing count (several counts at once when processes are free). It assumes more agents
never make the plan worse; the plan written for the answer is a real run that meets the target.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wfm.whatif.runner import Progress, Runner
from wfm.whatif.scenarios import Question, Scenario
from wfm.workspace import Workspace

if TYPE_CHECKING:
    from wfm.pipeline import PlanResult

ANSWER_CHANNELS = ("phone", "chat")


@dataclass
class Probe:
    """One weekly job of a question's search: `added` agents and whether the targets held."""

    added: int
    met: bool
    shares: dict[str, float | None]  # phone/chat queue → share of intervals at target
    missing_hours: float  # agent-hours short on the intervals below target


@dataclass
class Answer:
    question: Question
    added: int  # the answer (max_added when not reached)
    reached: bool
    result: PlanResult
    scenario: Scenario  # the question as a scenario: its base plus the hire
    probes: list[Probe]
    reason: str = ""  # why the target was not reached: the queues still below it

    @property
    def label(self) -> str:
        """Its scenario name in comparison.csv and the report."""
        if self.reached:
            return f"{self.question.name}: +{self.added}"
        return f"{self.question.name}: +{self.added} (target not reached)"

    def as_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "question": q.name,
            "label": self.label,
            "added": self.added,
            "reached": self.reached,
            "timezone": q.timezone,
            "skills": "|".join(q.skills),
            "site": q.site,
            "scenario": q.scenario,
            "target_intervals": q.target_intervals,
            "max_added": q.max_added,
            "reason": self.reason or None,
            "plan_folder": q.slug,
            "probes": [dataclasses.asdict(p) for p in sorted(self.probes, key=lambda p: p.added)],
        }


def question_scenario(question: Question, count: int, base: Scenario | None = None) -> Scenario:
    """The question with `count` hires as a scenario (on top of `base`, if any)."""
    extra = (question.hire(count),) if count else ()
    if base is None:
        return Scenario(name=question.name, add_agents=extra)
    return base.model_copy(update={"name": question.name, "add_agents": (*base.add_agents, *extra)})


def _shortfall(question: Question, probe: Probe, bridged: set[str]) -> tuple[str, bool]:
    """The queues below target at `probe`, worded for the planner, and whether hires cannot
    reach any of them: not among their skills, and no agent has both that queue and one of them."""
    below = {q: s for q, s in probe.shares.items() if s is not None and s < question.target_intervals - 1e-9}
    parts = []
    for queue, share in sorted(below.items(), key=lambda item: item[1]):
        how = (
            ""
            if queue in question.skills
            else " (not among the hires' skills" + ("" if queue in bridged else ", nor shared with them") + ")"
        )
        parts.append(f"{queue} {share:.1%} of intervals at target{how}")
    hopeless = bool(below) and any(q not in question.skills and q not in bridged for q in below)
    return "; ".join(parts), hopeless


def targets_met(result: PlanResult, ws: Workspace, target_intervals: float) -> tuple[bool, dict[str, float | None]]:
    """Every phone and chat queue with contacts has at least `target_intervals` of intervals at target."""
    shares: dict[str, float | None] = {}
    for queue in ws.queues:
        if queue.channel not in ANSWER_CHANNELS:
            continue
        figures = result.plan_summary.queues.get(queue.name)
        share = None if figures is None else figures.intervals_meeting_target
        shares[queue.name] = None if share is None else float(share)
    met = all(share is None or share >= target_intervals - 1e-9 for share in shares.values())
    return met, shares


def missing_hours(result: PlanResult, ws: Workspace, interval_minutes: int) -> float:
    """Agent-hours short on phone/chat intervals below their target (required − scheduled)."""
    cov = result.roster.coverage
    channels = {q.name for q in ws.queues if q.channel in ANSWER_CHANNELS}
    rows = cov[cov["queue"].isin(channels)]
    if "target" in rows.columns:
        rows = rows[rows["service_level"].fillna(1.0) < rows["target"]]
    short = (rows["required"] - rows["scheduled"]).clip(lower=0).sum()
    return float(short) * interval_minutes / 60


def hire_hours(ws: Workspace) -> float:
    """On-queue hours one added agent can give in a week: the weekly cap less paid breaks."""
    rules = ws.rules
    length = max(rules.shifts.lengths_hours)
    paid = rules.paid_hours(length)
    on_queue = paid - rules.breaks_for(length) * rules.breaks.break_minutes / 60
    return rules.hours.max_per_week * on_queue / paid


def answer_question(
    runner: Runner,
    question: Question,
    base: Scenario | None = None,
    *,
    progress: Progress | None = None,
) -> Answer:
    """The fewest hires meeting every phone/chat queue's `target_intervals`, by weekly jobs.

    Probe 0 (no hire); then estimates from the hours short (`missing_hours` / `hire_hours`,
    at least one and half again as many as the last failing count), with larger guesses beside
    it while processes are free, until a count passes or `max_added` fails; then bisect between
    the largest failing and the smallest passing count, `runner.slots` counts at a time.
    """
    search = _Search(runner, question, base, progress)
    hopeless = search.grow()
    if hopeless is not None:
        return hopeless
    if search.high is None:
        added = question.max_added
        reason = _shortfall(question, search.probes[added], search.bridged)[0]
        return search.answer(added, False, f"with +{added}: {reason}")
    search.bisect(search.high)
    return search.answer(search.high, True)


@dataclass
class _Search:
    """The state of one question's search: every probe so far and the bracket around the answer."""

    runner: Runner
    question: Question
    base: Scenario | None
    progress: Progress | None
    probes: dict[int, Probe] = field(default_factory=dict)
    results: dict[int, PlanResult] = field(default_factory=dict)
    low: int = -1  # the largest failing count
    high: int | None = None  # the smallest passing count
    bridged: set[str] = field(init=False)

    def __post_init__(self) -> None:
        # Queues an agent shares with the hires: hires can free such agents for their other queues.
        people = [a.skills for a in self.runner.ws.agents] + [b.skills for b in (self.base.add_agents if self.base else ())]
        self.bridged = {q for skills in people if set(skills) & set(self.question.skills) for q in skills}

    def answer(self, count: int, reached: bool, reason: str = "") -> Answer:
        scenario = question_scenario(self.question, count, self.base)
        return Answer(self.question, count, reached, self.results[count], scenario, list(self.probes.values()), reason)

    def probe(self, counts: Sequence[int]) -> None:
        """Plan each count not probed yet, `runner.slots` at a time."""
        todo = sorted(set(counts) - set(self.probes))
        if not todo:
            return
        ws, question = self.runner.ws, self.question
        planned = self.runner.run([question_scenario(question, c, self.base) for c in todo], announce=False)
        for count, result in zip(todo, planned, strict=True):
            met, shares = targets_met(result, ws, question.target_intervals)
            self.probes[count] = Probe(count, met, shares, round(missing_hours(result, ws, ws.plan.interval_minutes), 1))
            self.results[count] = result
            if self.progress:
                known = {q: s for q, s in shares.items() if s is not None}
                worst = min(known, key=lambda q: known[q], default=None)
                lowest = "–" if worst is None else f"{worst} {known[worst]:.1%}"
                verdict = "meets" if met else "misses"
                lowest = f"(lowest share of intervals at target: {lowest})"
                self.progress(f"{question.name}: +{count} agents {verdict} the target {lowest}")

    def grow(self) -> Answer | None:
        """Probe larger counts until one passes (`high`) or `max_added` fails; the answer when no
        hire of these skills can reach a failing queue."""
        question = self.question
        per_hire = max(1.0, hire_hours(self.runner.ws))
        most = question.max_added
        counts = [0]
        while True:
            self.probe(counts)
            passed = [c for c in counts if self.probes[c].met]
            if passed:
                self.high = min(passed)
                self.low = max([self.low, *(c for c in counts if c < self.high and not self.probes[c].met)])
                return None
            self.low = low = max(counts)
            reason, hopeless = _shortfall(question, self.probes[low], self.bridged)
            if hopeless:
                return self.answer(low, False, f"no hire of these can help: {reason}")
            if low >= most:
                return None
            # The estimate undershoots (hires cannot all work where the gaps are): grow by half at least,
            # and use free processes to try larger counts at the same time.
            count = min(most, max(low + max(1, math.ceil(self.probes[low].missing_hours / per_hire)), math.ceil(low * 1.5)))
            counts = [count]
            while len(counts) < self.runner.slots and counts[-1] < most:
                counts.append(min(most, max(counts[-1] + 1, math.ceil(counts[-1] * 1.5))))

    def bisect(self, high: int) -> None:
        """Narrow (`low`, `high`] to one count, `runner.slots` probes per round."""
        low = self.low
        while high - low > 1:
            gap = high - low
            points = min(self.runner.slots, gap - 1)
            counts = sorted({low + round(gap * (i + 1) / (points + 1)) for i in range(points)} - {low, high})
            self.probe(counts)
            for c in counts:
                if self.probes[c].met:
                    high = min(high, c)
                else:
                    low = max(low, c)
            # More agents never hurt (by assumption): a fail above a pass is solver noise; trust the pass.
            low = min(low, high - 1)
        self.low, self.high = low, high
