"""The networks of a selection as arrays (:class:`~graph.analysis.projection.Projection`): the
two-mode network and the actor and network projections, without the evidence of each tie.

In the actor projection two actors are tied by every context they share, keeping only the closest
ones (a shared umbrella does not count again when they already share a network inside it).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from graph.analysis.projection import Projection, pair_table
from graph.analysis.selection import Selection
from graph.analysis.ties import Tie


class ArrayBuilders:
    """Projections as arrays: the part of :class:`~graph.analysis.build.KnowledgeGraphNetworks`
    that builds what the measures compute on (and what the networkx graphs are made from)."""

    def _two_mode_arrays(self, ties: list[Tie]) -> Projection:
        index: dict[str, int] = {}
        mode: dict[str, int] = {}
        edges: dict[tuple[int, int], int] = {}
        for tie in ties:
            for node, side in ((tie.actor, 0), (tie.context, 1)):
                if node not in index:
                    index[node] = len(index)
                    mode[node] = side
            pair = (index[tie.actor], index[tie.context])
            if pair not in edges and pair[::-1] in edges:
                pair = pair[::-1]
            edges[pair] = edges.get(pair, 0) + 1
        nodes = list(index)
        ends = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
        return Projection("two-mode", nodes, self._attributes(nodes, ties, **{n: {"bipartite": mode[n]} for n in nodes}),
                          ends[:, 0].copy(), ends[:, 1].copy(), np.array(list(edges.values()), dtype=np.int64))

    def _affiliations(self, ties: list[Tie], sel: Selection, kinds: tuple[str, ...]) -> dict[str, dict[str, list]]:
        """Per actor (in order of appearance) the contexts it takes part in, each with the ties
        (and the enclosing context they count for) that say so."""
        affiliations: dict[str, dict[str, list]] = {}
        actor_type, ancestors, matches = self.actor_type, self.ancestors, self.matches
        for tie in ties:
            if actor_type(tie.actor) not in kinds:
                continue
            contexts = affiliations.setdefault(tie.actor, {})
            contexts.setdefault(tie.context, []).append((tie, None))
            if sel.indirect:
                for outer in ancestors(tie.context):
                    if matches(outer, sel):
                        contexts.setdefault(outer, []).append((tie, outer))
        return affiliations

    def _actor_pairs(self, ties: list[Tie], sel: Selection, kinds: tuple[str, ...], keep: bool = False):
        """The actor projection as arrays; with ``keep`` also the affiliations, contexts and per-edge
        closest contexts the evidence is made of."""
        if keep:
            affiliations = self._affiliations(ties, sel, kinds)
            joined = {actor: list(contexts) for actor, contexts in affiliations.items()}
        else:  # the same contexts in the same order, without keeping which tie says what
            seen: dict[str, list[str]] = {}
            outer_of: dict[str, tuple[str, ...]] = {}
            actor_type, ancestors, matches = self.actor_type, self.ancestors, self.matches
            for tie in ties:
                if actor_type(tie.actor) not in kinds:
                    continue
                context = tie.context
                outer = outer_of.get(context)
                if outer is None:
                    outer = outer_of[context] = tuple(a for a in ancestors(context) if matches(a, sel)) if sel.indirect else ()
                found = seen.get(tie.actor)
                if found is None:
                    found = seen[tie.actor] = []
                found.append(context)
                found.extend(outer)
            joined = {actor: list(dict.fromkeys(contexts)) for actor, contexts in seen.items()}
        nodes = list(joined)
        by_iri = sorted(range(len(nodes)), key=nodes.__getitem__)
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[by_iri] = np.arange(len(nodes))
        members: dict[str, list[int]] = {}
        for r, contexts in zip(rank.tolist(), joined.values()):
            for context in contexts:
                found = members.get(context)
                if found is None:
                    members[context] = [r]
                else:
                    found.append(r)
        contexts = list(members)
        position = {c: p for p, c in enumerate(contexts)}
        sets = [np.sort(np.array(members[c], dtype=np.int64)) for c in contexts]
        # A context whose members are exactly those of a context inside it is never the closest
        # shared context of any pair: leave it out, but keep its place in the order of first occurrence.
        family: dict[bytes, list[int]] = defaultdict(list)
        for p, ids in enumerate(sets):
            if ids.size > 1:
                family[ids.tobytes()].append(p)
        skip: set[int] = set()
        place = list(range(len(contexts)))
        for group in family.values():
            if len(group) < 2:
                continue
            inside = set(group)
            for p in group:
                skip.update(position[a] for a in self.ancestors(contexts[p]) if position.get(a) in inside)
            kept = [p for p in group if p not in skip]
            if not kept:  # contexts enclosing each other (a cycle in the data): count them all
                skip.difference_update(group)
                continue
            place[kept[0]] = min(group)
        outer = [sorted(position[a] for a in self.ancestors(c) if a in position and position[a] not in skip)
                 if p not in skip else [] for p, c in enumerate(contexts)]
        enclosing = (np.concatenate([[0], np.cumsum([len(o) for o in outer])]).astype(np.int64),
                     np.array([a for o in outer for a in o], dtype=np.int64))
        blocks = sorted(((place[p], p) for p in range(len(contexts)) if p not in skip and sets[p].size > 1))
        table = pair_table(((p, sets[p]) for _, p in blocks), len(nodes), enclosing=enclosing,
                           block_count=len(contexts), keep_blocks=keep)
        back = np.array(by_iri, dtype=np.int64)
        source, target = back[table.source], back[table.target]
        built = Projection("", nodes, self._attributes(nodes, ties), source, target, table.weight)
        return built, (affiliations, contexts, table) if keep else None

    def _network_pairs(self, ties: list[Tie], keep: bool = False):
        """The networks projection as arrays (contexts tied by the actors they share)."""
        index: dict[str, int] = {}
        by_actor: dict[str, dict[str, list[Tie]]] = {}
        for tie in ties:
            if tie.context not in index:
                index[tie.context] = len(index)
            by_actor.setdefault(tie.actor, {}).setdefault(tie.context, []).append(tie)
        nodes = list(index)
        by_iri = sorted(range(len(nodes)), key=nodes.__getitem__)
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[by_iri] = np.arange(len(nodes))
        actors = list(by_actor)
        table = pair_table(((i, np.sort(rank[[index[c] for c in by_actor[a]]])) for i, a in enumerate(actors)),
                           len(nodes), keep_blocks=keep)
        back = np.array(by_iri, dtype=np.int64)
        built = Projection("", nodes, self._attributes(nodes, []), back[table.source], back[table.target], table.weight)
        return built, (by_actor, actors, table) if keep else None
