"""Queueing maths for staffing: Erlang B, Erlang C, Erlang A (M/M/n+M), sizing and service curves.

Pure and vectorised with numpy; no I/O. Everything broadcasts over arrays of servers and traffic.
The rooms: `metrics` (how a staffing performs), `sizing` (the fewest agents meeting a target),
`curves` (figures over a range of staffing), `interval` (one interval sized or evaluated, with
its verdict), `series` (the special functions underneath), `checks` (input checks).

Conventions
- Traffic `A` is offered load in Erlangs: contacts per interval × AHT / interval length.
- A *server* handles one contact at a time. A chat agent with concurrency k is k servers, each
  working one conversation for the whole AHT (the conversation's own length); occupancy is
  reported per server.
- Service level is the share of ALL arrivals answered within `answer_seconds`. Under Erlang A
  an abandoner counts as not answered, even one who leaves before `answer_seconds`.
- ASA is the mean time in queue over all arrivals (those answered at once count 0 s; under
  Erlang A abandoners count the time they waited before leaving).
- With no traffic nobody waits: service level 1, ASA 0, occupancy 0. With traffic but too few
  servers for Erlang C (servers ≤ A) the queue grows without bound: P(wait) 1, service level 0,
  ASA infinite, occupancy 1. Zero servers with traffic report occupancy 1 (the n → 0 limit).
"""

from wfm.erlang.checks import MAX_TRAFFIC_ERLANGS, FloatArray, IntArray
from wfm.erlang.curves import asa_curve, service_curve
from wfm.erlang.metrics import (
    QueueMetrics,
    Staffing,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    evaluate,
    queue_metrics,
    traffic_erlangs,
)
from wfm.erlang.sizing import required_agents

__all__ = [
    "MAX_TRAFFIC_ERLANGS",
    "FloatArray",
    "IntArray",
    "QueueMetrics",
    "Staffing",
    "asa_curve",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "evaluate",
    "queue_metrics",
    "required_agents",
    "service_curve",
    "traffic_erlangs",
]
