"""The planned week played out contact by contact: a Monte Carlo check of a roster against demand.

`simulate_plan` takes a roster (roster.csv rows), a forecast (forecast.csv rows) and the queues, draws
`runs` independent weeks of contacts and serves them with the rostered agents. It answers what Erlang
cannot: time-varying staffing inside an interval, breaks, queues sharing agents, backlog carried from
one interval to the next, and the spread of the outcome from week to week.

The model, contact by contact
- Arrivals: Poisson in each forecast interval, uniform inside it. With `overdispersion = CV > 0` each
  queue-day (a date in the queue's own clock) has its rate multiplied by a gamma variable with mean 1
  and that CV, the usual way to make daily volumes vary more than Poisson.
- Handle times: exponential with the interval's AHT, or lognormal with that mean and `aht_cv`.
- Patience: exponential with mean `patience_seconds` where the queue has one (Erlang A); a contact
  not started by then abandons. Without it contacts wait as long as it takes (Erlang C). Email never
  abandons.
- Dispatch, event by event, at the moment an agent can take a contact: an arriving contact goes
  to the agent idle longest among those who may take it now, or else waits in its queue, first in,
  first out. An agent who finishes a contact, comes back from a break or starts a row takes the
  oldest contact waiting among the queues it may serve (phone and chat before email), and only
  then idles. Nobody is booked ahead: an idle agent is free for whatever arrives.
- Which agents serve which queue (`routing`):
  - `"roster"` (default): an agent takes contacts only from the queue of its current roster row.
  - `"skills"`: the rule from the issue for multi-skilled agents, "a contact goes to the longest-idle
    skilled agent; an agent serves the queue that has waited longest": while on any queue row, an
    agent takes contacts of every queue in its skills (agents.csv) and of the row's queue.
  On `break`, `lunch` or off shift an agent takes no new contact. A contact in hand is finished
  first: when the row changes (another queue, the shift's end) the agent starts nothing new until
  its hand is empty, then works under whatever row the roster has at that moment, so an overrun
  delays the next row rather than double-booking the agent. A break or lunch that finds the hand
  full starts when it is empty and lasts its full rostered length (back-to-back rests as one);
  the agent then comes back to whatever the roster says by then. Cutting the rest short instead
  (back at the rostered end) would have agents work the overrun out of their breaks, capacity the
  roster does not have, and it put the simulation above Erlang on every phone and chat queue of
  wfm's plans and far above it where Erlang is exact (README, "What the simulation assumes").
- Chat with `concurrency = k`: an agent holds up to k conversations at once, each one server with the
  queue's AHT (the contract's "k servers per agent"). An arriving chat goes to the longest-idle agent
  with a free slot, who then goes to the back of that line. A phone call or email needs the agent's
  full attention: it starts only on an empty hand (a waiting call does not stop the agent's
  conversations from being refilled meanwhile under skills routing).
- Email: served FIFO by the agents on the email queue; "answered within target" means the reply is
  sent (handling finished) within `respond_within_hours` of arrival.

Outputs: per interval, means over the runs of offered, answered within target and abandoned contacts;
service level and ASA there are ratios of those sums over runs (contact-weighted). ASA follows
wfm.erlang: the mean time in queue over all contacts, answered ones counting their wait and
abandoners the time until they hung up (a contact no later row could ever take is left out).
Per queue: the mean over runs of the week's service level with a 95% Student-t interval across
runs, ASA and abandon rate over all runs, Erlang's prediction for the same roster and demand
(see `_erlang_prediction`) and whether that prediction lies outside the interval.

Where the simulation and Erlang part, and why (figures in the README). Erlang's prediction sees
each interval alone in steady state, with the interval's time-averaged rostered agents. The
simulation agrees with it where that holds: constant staffing, Poisson arrivals, exponential
handle times (Erlang C, or Erlang A with patience), breaks taken in turn. On a real roster three
things it cannot see remain, and they are the model, not the simulation: a queue carried from one
interval into the next (a roster gap or an overloaded hour weighs on the hour after); contacts in
hand finished at a row's end or the shift's end (the leaving agent finishes its call while those
who stay take the queue, and its late start falls on the next row, in some other state of the
queue); and handle times that vary less than exponential ones (`handle_time="lognormal"`), which
Erlang C does not model at all. Shrinkage is on neither side: every rostered agent shows up.

The rooms: `week` (`simulate_plan`), `inputs` (the roster and forecast as arrays), `dispatch`
(contacts drawn and served), `summary` (the runs summed up, Erlang's prediction), `results`
(what comes back), `files` (forecast.csv read, simulation.csv and simulation.json written).
"""

from wfm.simulate.files import read_forecast_csv, write_simulation
from wfm.simulate.results import INTERVAL_COLUMNS, HandleTime, QueueSimulation, Routing, SimulationResult, rounded
from wfm.simulate.week import MAX_OVERDISPERSION, simulate_plan

__all__ = [
    "INTERVAL_COLUMNS",
    "MAX_OVERDISPERSION",
    "HandleTime",
    "QueueSimulation",
    "Routing",
    "SimulationResult",
    "read_forecast_csv",
    "rounded",
    "simulate_plan",
    "write_simulation",
]
