"""wfm: workforce planning for contact centers.

Stages, in the order data flows: workspace (loading, validation) → forecast → staffing
(Erlang) → roster (CP-SAT) → exports and report → what-if and simulation.
"""

__version__ = "0.1.0"
