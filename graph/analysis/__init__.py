"""Network analysis of the learning-network graph: measures usable on any networkx graph.

Each line re-exports public names; other modules of graph.analysis add their own lines.
"""

from graph.analysis.measures import (
    ROLES,
    BoundarySpanner,
    BoundarySpanners,
    BrokerageResult,
    ChangeOverTime,
    Communities,
    CommunityBridges,
    CommunityLink,
    Composition,
    EIResult,
    EIScore,
    MembershipChurn,
    NodeBrokerage,
    TieChange,
    YearSummary,
    assortativity,
    assortativity_from_mixing,
    betweenness,
    blau,
    blau_normalised,
    boundary_spanners,
    brokerage,
    brokered_pairs,
    change_over_time,
    communities,
    community_bridges,
    composition,
    constraint,
    effective_size,
    ei_index,
    membership_churn,
    mixing_matrix,
    ties_gained_lost,
)

# Building networks from the knowledge graph, running measures on it, exports and the notebook API.
from graph.analysis.build import KnowledgeGraphNetworks, Selection, parse_period, snapshot  # noqa: E402
from graph.analysis.notebook import KnowledgeGraph, open_graph  # noqa: E402
from graph.analysis.results import MEASURES, AnalysisRun, run_measure, save_run  # noqa: E402
from graph.analysis.progress import Progress  # noqa: E402
from graph.analysis.projection import Projection  # noqa: E402
