"""Participants and partners from a spreadsheet, through a column mapping, as RDF.

Participants: people in a publishable role (``ln:publishable true``) with a name become
``schema:Person`` at an opaque ``id/persoon/p-{10 hex}`` with an ``org:Membership`` in the network;
everybody else is only counted, as ``ln:ParticipantCount`` per network, role, period and
organisation. Partners: each row is an ``org:Membership`` of an organisation in a network.
Organisations and networks are linked to the store by IRI, ROR id, BRIN or name before new ones are
minted. All row errors are collected and raised together; nothing is converted when there is one.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import secrets
from collections import Counter

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

from graph.errors import InputError
from graph.importers.classify import guess_organisation_type, guess_sector
from graph.importers.common import Conversion, ln_term, new_graph
from graph.importers.mapping import FIELD_HELP, Mapping
from graph.importers.matching import Concept, Index
from graph.importers.naming import slugify
from graph.importers.periods import Day, add_period, parse_day
from graph.importers.tables import Row, Table
from graph.namespaces import SCHEMA

ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}[0-9]{2})$")
BRIN = re.compile(r"^[0-9]{2}[A-Z]{2}$")
WIKIDATA = re.compile(r"^(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$")
PERIOD_SPLIT = re.compile(r"\s*(?:--|–|—|\s-\s|\stot\s|\st/m\s)\s*")


def _hash(*parts) -> str:
    return hashlib.sha1("|".join(str(p or "") for p in parts).encode("utf-8")).hexdigest()


class RowError(Exception):
    """A problem with one cell: the column and the message (the row is added by the caller)."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class RowErrors(Exception):
    """Several problems in one row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class SpreadsheetConverter:
    """Converts the rows of one table with one mapping; collects every row error."""

    def __init__(self, table: Table, mapping: Mapping, index: Index, *, graph_iri: str = ""):
        self.table, self.mapping, self.index = table, mapping, index
        self.base = index.base_iri
        self.graph_iri = graph_iri
        self.result = Conversion(new_graph(self.base))
        self.errors: list[str] = []
        self.columns = {key: table.column(names) for key, names in mapping.columns.items()}
        self.roles = index.scheme("rol")
        self.counts: Counter = Counter()
        self.count_rows: dict[tuple, str] = {}
        self.hidden_names = 0
        self.described: set[str] = set()  # organisations and networks this batch describes

    # ---- checks before the rows --------------------------------------------------------------
    def check_setup(self) -> None:
        """Raise InputError when the table cannot be read with this mapping at all."""
        problems = []
        for key in self.mapping.required:
            if self.columns.get(key) is None and key not in self.mapping.defaults:
                names = " or ".join(f"'{n}'" for n in self.mapping.columns[key])
                problems.append(f"{self.table.where}: column {names} ({FIELD_HELP[key]}) is missing; "
                                f"columns found: {', '.join(self.table.headers)}. Add the column or change "
                                f"[columns] {key} in mapping {self.mapping.name}")
        if not self.roles:
            problems.append("the store holds no role concepts (def/rol): run 'leernet init' to load the ontology")
        if self.index.find_concept("netwerktype", self.mapping.network_type) is None:
            known = sorted(c.notation for c in self.index.scheme("netwerktype").values()) or ["(none loaded)"]
            problems.append(f"mapping {self.mapping.name}: network_type '{self.mapping.network_type}' is not a "
                            f"network type; use one of: {', '.join(known)}")
        if self.index.find_concept("sector", self.mapping.organisation_sector) is None:
            known = sorted(c.notation for c in self.index.scheme("sector").values()) or ["(none loaded)"]
            problems.append(f"mapping {self.mapping.name}: organisation_sector '{self.mapping.organisation_sector}'"
                            f" is not a sector; use one of: {', '.join(known)}")
        if not self.table.rows:
            problems.append(f"{self.table.where} has no rows below the column names; fill in one row per "
                            "entry (or pick another sheet with --sheet)")
        if problems:
            raise InputError(f"{self.table.where}: cannot import with mapping {self.mapping.name}", problems)

    # ---- cells ------------------------------------------------------------------------------
    def cell(self, row: Row, key: str) -> str:
        return row.text(self.columns.get(key)) or self.mapping.defaults.get(key, "")

    def column_name(self, key: str) -> str:
        return self.columns.get(key) or self.mapping.columns.get(key, [key])[0]

    def required(self, row: Row, key: str) -> str:
        value = self.cell(row, key)
        if not value and key in self.mapping.required:
            raise RowError(self.column_name(key), f"{FIELD_HELP[key]} is empty; fill it in")
        return value

    def allowed_roles(self) -> list[Concept]:
        """The roles this kind of sheet may use: person roles for participants, organisation roles
        for partners (the collections def/rol/persoonsrollen and def/rol/organisatierollen)."""
        collection = "persoonsrollen" if self.mapping.kind == "participants" else "organisatierollen"
        members = self.index.collections.get(f"{self.base}def/rol/{collection}")
        return sorted((c for iri, c in self.roles.items() if not members or iri in members),
                      key=lambda c: c.notation)

    def role(self, row: Row) -> Concept:
        text = self.required(row, "role")
        allowed = self.allowed_roles()
        names = [c.notation or c.label() for c in allowed]
        concept = self.index.find_concept("rol", text)
        if concept is None:
            close = difflib.get_close_matches(text.casefold(), [n.casefold() for n in names], n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise RowError(self.column_name("role"), f'unknown role "{text}"{hint}: use one of {", ".join(names)}')
        if concept.iri not in {c.iri for c in allowed}:
            kind = "an organisation role" if self.mapping.kind == "participants" else "a person's role"
            raise RowError(self.column_name("role"), f'"{text}" is {kind}, not for a {self.mapping.kind} sheet: '
                           f'use one of {", ".join(names)}')
        return concept

    def period(self, row: Row) -> tuple[Day | None, Day | None]:
        start_raw, end_raw = self.value(row, "start"), self.value(row, "end")
        period_text = self.cell(row, "period")
        start_column, end_column = self.column_name("start"), self.column_name("end")
        if period_text:
            if start_raw is not None or end_raw is not None:
                raise RowError(self.column_name("period"), "both a period and start/end dates are filled in; "
                               "keep one of them")
            years = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", period_text)
            parts = list(years.groups()) if years else PERIOD_SPLIT.split(period_text, maxsplit=1)
            start_raw = parts[0]
            open_end = len(parts) < 2 or parts[1].strip().lower() in ("", "open", "heden", "nu")
            end_raw = None if open_end else parts[1]
            start_column = end_column = self.column_name("period")
        errors = []
        start = end = None
        if start_raw is not None:
            try:
                start = parse_day(start_raw)
            except ValueError as error:
                errors.append(RowError(start_column, f"start date {error}"))
        if end_raw is not None:
            try:
                end = parse_day(end_raw, end=True)
            except ValueError as error:
                errors.append(RowError(end_column, f"end date {error}"))
        if errors:
            raise errors[0] if len(errors) == 1 else RowErrors(errors)
        if end is not None and start is None:
            raise RowError(start_column, f"the end date {end.date} is filled in but the start date is empty; "
                           "fill in the start date")
        if start and end and end.date < start.date:
            raise RowError(end_column, f"the end date {end.date} is before the start date {start.date}; "
                           "correct one of them")
        if start is None and "start" in self.mapping.required:
            raise RowError(start_column, "the start date is empty; fill it in")
        return start, end

    def value(self, row: Row, key: str):
        raw = row.value(self.columns.get(key))
        return raw if raw is not None else (self.mapping.defaults.get(key) or None)

    # ---- organisations and networks --------------------------------------------------------------
    def organisation(self, row: Row, where: str) -> URIRef | None:
        text = self.required(row, "organisation")
        if not text:
            return None
        column = self.column_name("organisation")
        found = self._by_identifier(text, column)
        if found:
            return found
        hits = self.index.organisations_named(text)
        if len(hits) > 1:
            raise RowError(column, f'organisation "{text}" matches {len(hits)} organisations '
                           f'({", ".join(hits[:4])}); write its ROR id, BRIN or IRI instead')
        if hits and self._described(self.index.organisations, hits[0]):
            return URIRef(hits[0])
        iri = URIRef(hits[0] if hits else self.index.unique_iri("organisatie", slugify(text), ""))
        sector = self._sector(row, text)
        graph = self.result.graph
        graph.add((iri, RDF.type, ORG.FormalOrganization))
        graph.add((iri, SKOS.prefLabel, Literal(text, lang="nl")))
        graph.add((iri, ORG.classification, URIRef(sector.iri)))
        kind = self.index.find_concept("organisatietype", guess_organisation_type(text) or "")
        if kind is not None:
            graph.add((iri, DCTERMS.type, URIRef(kind.iri)))
        self.index.register(self.index.organisations, str(iri), labels={"nl": text})
        self.described.add(str(iri))
        self.result.place(iri, where)
        self.result.warn(f'new organisation "{text}"; if it is in the graph already under another name, write '
                         "its ROR id, BRIN or IRI in the cell", focus=iri, where=where, severity="Info")
        return iri

    def _described(self, table, iri: str) -> bool:
        """True when another graph, or this batch, describes ``iri`` (a hit only in the graph being
        replaced is described again, under the same IRI)."""
        return iri in self.described or table[iri].elsewhere

    def _sector(self, row: Row, name: str) -> Concept:
        text = self.cell(row, "sector")
        if text:
            concept = self.index.find_concept("sector", text)
            if concept is None:
                known = sorted(c.notation for c in self.index.scheme("sector").values())
                raise RowError(self.column_name("sector"), f'unknown sector "{text}": use one of {", ".join(known)}')
            return concept
        guessed = guess_sector(name)
        return (self.index.find_concept("sector", guessed) if guessed else None) or \
            self.index.find_concept("sector", self.mapping.organisation_sector)

    def _by_identifier(self, text: str, column: str) -> URIRef | None:
        checks = [(ROR, "rorId", "ROR id", "import the ROR file first (leernet import ror FILE)"),
                  (BRIN, "brin", "BRIN", "import DUO's list first (leernet import duo FILE)"),
                  (WIKIDATA, "wikidataId", "Wikidata id", "import the ROR file first or write the name")]
        for pattern, prop, label, fix in checks:
            match = pattern.match(text.strip())
            if match:
                value = match.group(1) if pattern.groups else match.group(0)
                hits = self.index.organisations_with(prop, value)
                if not hits:
                    raise RowError(column, f"no organisation with {label} {value} in the store; {fix}, "
                                   "or write the organisation's name")
                return URIRef(hits[0])
        if re.match(r"^https?://", text):
            if text in self.index.used or text in self.described:
                return URIRef(text)
            raise RowError(column, f"{text} is not in the store; write the name or a ROR id instead")
        return None

    def network(self, row: Row, where: str) -> URIRef:
        text = self.required(row, "network")
        column = self.column_name("network")
        if re.match(r"^https?://", text):
            if text in self.index.used or text in self.described:
                return URIRef(text)
            raise RowError(column, f"{text} is not in the store; write the network's name instead")
        hits = self.index.networks_named(text)
        if len(hits) > 1:
            raise RowError(column, f'network "{text}" matches {len(hits)} networks ({", ".join(hits[:4])}); '
                           "write its IRI instead")
        table = self.index.networks if hits and hits[0] in self.index.networks else self.index.organisations
        if hits and self._described(table, hits[0]):
            return URIRef(hits[0])
        kind = self.index.find_concept("netwerktype", self.mapping.network_type)
        iri = URIRef(hits[0] if hits else self.index.unique_iri("netwerk", slugify(text), ""))
        graph = self.result.graph
        graph.add((iri, RDF.type, ln_term(self.base, "LearningNetwork")))
        graph.add((iri, SKOS.prefLabel, Literal(text, lang="nl")))
        graph.add((iri, ORG.classification, URIRef(kind.iri)))
        self.index.register(self.index.networks, str(iri), labels={"nl": text})
        self.described.add(str(iri))
        self.result.place(iri, where)
        self.result.warn(f'new network "{text}" ({self.mapping.network_type})', focus=iri, where=where,
                         severity="Info")
        return iri

    # ---- rows ------------------------------------------------------------------------------
    def run(self) -> Conversion:
        """Convert every row; raise one InputError with all row errors."""
        self.check_setup()
        for row in self.table.rows:
            where = f"{self.table.where}, row {row.number}"
            try:
                if self.mapping.kind == "participants":
                    self.participant(row, where)
                else:
                    self.partner(row, where)
            except RowErrors as many:
                self.errors += [f"{where}, column {e.column}: {e.message}" for e in many.errors]
            except RowError as error:
                self.errors.append(f"{where}, column {error.column}: {error.message}")
        if self.errors:
            raise InputError(f"{self.table.where}: {len(self.errors)} error(s); nothing was imported", self.errors)
        self._write_counts()
        if self.hidden_names:
            self.result.warn(f"{self.hidden_names} name(s) of people in a non-public role were not stored; "
                             "they are only counted", where=self.table.where, severity="Info")
        return self.result

    def _read(self, row: Row, where: str):
        """Role, organisation, network and period of a row (with its instants described), gathering
        the errors of all four."""
        steps = [lambda: self.role(row), lambda: self.organisation(row, where),
                 lambda: self.network(row, where), lambda: self.period(row)]
        values, errors = [], []
        for step in steps:
            try:
                values.append(step())
            except RowErrors as many:
                errors += many.errors
            except RowError as error:
                errors.append(error)
        if errors:
            raise RowErrors(errors)
        role, organisation, network, (start, end) = values
        period = add_period(self.result.graph, self.base, start, end) if start else None
        if period is not None:
            self.result.place(period, where)
        return role, organisation, network, period

    def participant(self, row: Row, where: str) -> None:
        role, organisation, network, period = self._read(row, where)
        name = self.cell(row, "person")
        if role.publishable and name:
            self._person(row, where, name, role, organisation, network, period)
            return
        if name:
            self.hidden_names += 1
        key = (str(network), role.iri, str(period or ""), str(organisation or ""))
        self.counts[key] += 1
        self.count_rows.setdefault(key, where)

    def partner(self, row: Row, where: str) -> None:
        role, organisation, network, period = self._read(row, where)
        self._membership(where, organisation, network, role, period)

    def _person(self, row, where, name, role, organisation, network, period) -> None:
        affiliation = str(organisation) if organisation else None
        iri = self.index.person(name, affiliation)
        if iri is None:
            while iri is None or iri in self.index.known:
                iri = f"{self.base}id/persoon/p-{secrets.token_hex(5)}"
            self.index.register_person(name, affiliation, iri)
        person = URIRef(iri)
        graph = self.result.graph
        graph.add((person, RDF.type, SCHEMA.Person))
        graph.add((person, SCHEMA.name, Literal(name)))
        graph.add((person, ln_term(self.base, "publicRole"), URIRef(role.iri)))
        if organisation is not None:
            graph.add((person, SCHEMA.affiliation, organisation))
        job_title = self.cell(row, "job_title")
        if job_title:
            graph.add((person, SCHEMA.jobTitle, Literal(job_title, lang="nl")))
        self.result.place(person, where)
        self._membership(where, person, network, role, period)

    def _membership(self, where, member, network, role, period) -> None:
        iri = URIRef(f"{self.base}id/lidmaatschap/{_hash(member, network, role.iri, period)[:12]}")
        graph = self.result.graph
        graph.add((iri, RDF.type, ORG.Membership))
        graph.add((iri, ORG.member, member))
        graph.add((iri, ORG.organization, network))
        graph.add((iri, ORG.role, URIRef(role.iri)))
        if period is not None:
            graph.add((iri, ORG.memberDuring, period))
        self.result.place(iri, where)

    def _write_counts(self) -> None:
        graph = self.result.graph
        for (network, role, period, organisation), count in sorted(self.counts.items()):
            iri = URIRef(f"{self.base}id/deelname/{_hash(self.graph_iri, network, role, period, organisation)[:12]}")
            graph.add((iri, RDF.type, ln_term(self.base, "ParticipantCount")))
            graph.add((iri, ln_term(self.base, "inNetwork"), URIRef(network)))
            graph.add((iri, ln_term(self.base, "role"), URIRef(role)))
            graph.add((iri, ln_term(self.base, "count"), Literal(count, datatype=XSD.nonNegativeInteger)))
            if period:
                graph.add((iri, ln_term(self.base, "period"), URIRef(period)))
            if organisation:
                graph.add((iri, ln_term(self.base, "fromOrganization"), URIRef(organisation)))
            self.result.place(iri, self.count_rows[(network, role, period, organisation)])


def convert_spreadsheet(table: Table, mapping: Mapping, index: Index, *, graph_iri: str = "") -> Conversion:
    """The rows of ``table`` read with ``mapping`` as RDF (see the module docstring)."""
    return SpreadsheetConverter(table, mapping, index, graph_iri=graph_iri).run()
