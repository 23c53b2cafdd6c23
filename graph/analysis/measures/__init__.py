"""Boundary-crossing network measures: pure functions on any networkx graph with a categorical
node attribute (no store needed). Results are plain dataclasses with ``to_rows()`` for tables.
The computations run on arrays (numpy, igraph; see ``_arrays``), so that national-scale networks
are feasible; the ``..._of`` functions take such arrays directly.

Modules: ei (Krackhardt-Stern E-I index), brokerage (Gould-Fernandez roles), diversity (Blau,
assortativity, composition), structure (constraint, effective size, betweenness, Louvain
communities and their bridges), spanners (boundary-spanner ranking), change (over time).
"""

from graph.analysis.measures.brokerage import ROLES, BrokerageResult, NodeBrokerage, brokerage, brokered_pairs
from graph.analysis.measures.change import (
    ChangeOverTime,
    MembershipChurn,
    TieChange,
    YearSummary,
    change_over_time,
    change_over_time_of,
    membership_churn,
    ties_gained_lost,
)
from graph.analysis.measures.diversity import (
    Composition,
    assortativity,
    assortativity_from_mixing,
    assortativity_of_ties,
    blau,
    blau_normalised,
    composition,
    composition_of,
    mixing_matrix,
)
from graph.analysis.measures.ei import EIResult, EIScore, ei_index
from graph.analysis.measures.spanners import BoundarySpanner, BoundarySpanners, boundary_spanners
from graph.analysis.measures.structure import (
    CommunityBridges,
    CommunityLink,
    Communities,
    betweenness,
    communities,
    community_bridges,
    constraint,
    effective_size,
)

__all__ = [
    "ROLES",
    "BoundarySpanner",
    "BoundarySpanners",
    "BrokerageResult",
    "ChangeOverTime",
    "Communities",
    "CommunityBridges",
    "CommunityLink",
    "Composition",
    "EIResult",
    "EIScore",
    "MembershipChurn",
    "NodeBrokerage",
    "TieChange",
    "YearSummary",
    "assortativity",
    "assortativity_from_mixing",
    "assortativity_of_ties",
    "betweenness",
    "blau",
    "blau_normalised",
    "boundary_spanners",
    "brokerage",
    "brokered_pairs",
    "change_over_time",
    "change_over_time_of",
    "communities",
    "community_bridges",
    "composition",
    "composition_of",
    "constraint",
    "effective_size",
    "ei_index",
    "membership_churn",
    "mixing_matrix",
    "ties_gained_lost",
]
