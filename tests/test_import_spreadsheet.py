"""Spreadsheet imports (CSV and XLSX through a column mapping) on real files and the real store."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from graph.errors import InputError, ValidationFailed
from graph.importers import batch_graph_iri, run_import
from graph.importers.mapping import load_mapping, shipped_mappings
from graph.importers.periods import parse_day
from graph.importers.tables import read_csv
from graph.settings import load_settings
from graph.store import open_store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "import"
BASE = "https://data.leernet.nl/"
LN = f"{BASE}def/leernet#"
PREFIXES = f"""PREFIX ln: <{LN}> PREFIX org: <http://www.w3.org/ns/org#> PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX time: <http://www.w3.org/2006/time#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
NETWORK = f"{BASE}id/netwerk/leernetwerk-jeugd-leiden-noord"
HS_LEIDEN = f"{BASE}id/organisatie/hogeschool-leiden"


@pytest.fixture
def store(initialised_store):
    """A private copy of an initialised store (conftest.initialised_store)."""
    return initialised_store


def all_quads(store) -> list[str]:
    return sorted(str(q) for q in store.quads())


def rows(store, where: str) -> list[dict]:
    return [{k: v.value for k, v in row.items()} for row in store.select(PREFIXES + where)]


def workbook(path: Path, sheet: str, lines: list[list]) -> Path:
    book = Workbook()
    book.active.title = "Voorblad"
    book.active.append(["Deelnemers van het leernetwerk"])
    data = book.create_sheet(sheet)
    for line in lines:
        data.append(line)
    book.save(path)
    return path


# ---- participants ------------------------------------------------------------------------------------

def test_students_become_counts_and_a_lector_a_person_with_an_opaque_iri(store):
    result = run_import("csv", FIXTURES / "deelnemers.csv", store, mapping="participants", command="test")
    graph = batch_graph_iri(BASE, "csv", FIXTURES / "deelnemers.csv")
    assert result.graphs == [graph]
    counts = rows(store, f"""SELECT ?role ?count ?org ?period WHERE {{ GRAPH <{graph}> {{
        ?c a ln:ParticipantCount ; ln:inNetwork <{NETWORK}> ; ln:role ?role ; ln:count ?count .
        OPTIONAL {{ ?c ln:fromOrganization ?org }} OPTIONAL {{ ?c ln:period ?period }} }} }} ORDER BY ?role""")
    assert counts == [
        {"role": f"{BASE}def/rol/ouder-opvoeder", "count": "1", "org": f"{BASE}id/organisatie/gemeente-leiden-noord",
         "period": f"{BASE}id/periode/2019-01-01--open"},
        {"role": f"{BASE}def/rol/student", "count": "2", "org": HS_LEIDEN,
         "period": f"{BASE}id/periode/2019-09-01--2020-06-30"},
    ]
    people = rows(store, f"""SELECT ?p ?name ?role ?aff ?title WHERE {{ GRAPH <{graph}> {{
        ?p a schema:Person ; schema:name ?name ; ln:publicRole ?role ; schema:affiliation ?aff ;
           schema:jobTitle ?title }} }}""")
    assert len(people) == 1
    person = people[0]
    assert re.fullmatch(rf"{BASE}id/persoon/p-[0-9a-f]{{10}}", person["p"])
    assert (person["name"], person["role"], person["aff"], person["title"]) == (
        "Chris Lectorius", f"{BASE}def/rol/lector", HS_LEIDEN, "Lector Jeugd")  # affiliation via ROR id 0093src13
    assert store.ask(PREFIXES + f"""ASK {{ ?m a org:Membership ; org:member <{person['p']}> ;
        org:organization <{NETWORK}> ; org:role <{BASE}def/rol/lector> ;
        org:memberDuring <{BASE}id/periode/2019-09-01--open> }}""")
    # nobody in a non-public role is stored by name, anywhere
    for name in ("Anna de Vries", "Bram Jansen", "Dora Ouwens"):
        assert not store.ask(f'ASK {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{name}")) }}'), name
    # the new network and organisation, and where they come from
    assert store.ask(PREFIXES + f"ASK {{ <{NETWORK}> a ln:LearningNetwork ; "
                     f"org:classification <{BASE}def/netwerktype/leernetwerk> }}")
    assert store.ask(PREFIXES + f"ASK {{ <{BASE}id/organisatie/gemeente-leiden-noord> "
                     f"org:classification <{BASE}def/sector/lokale-overheid> }}")
    notes = {(w.location, w.message.split(";")[0]) for w in result.warnings if w.shape == "graph.importers"}
    assert ("deelnemers.csv, row 6", 'new organisation "Gemeente Leiden-Noord"') in notes
    assert any("3 name(s) of people in a non-public role" in w.message for w in result.warnings)
    # the year-only start keeps its precision
    assert store.ask(PREFIXES + f'ASK {{ <{BASE}id/datum/2019-01-01> time:inXSDgYear ?y }}')


def test_reimport_gives_the_same_quads_and_the_same_person(store):
    run_import("csv", FIXTURES / "deelnemers.csv", store, mapping="participants")
    graph = batch_graph_iri(BASE, "csv", FIXTURES / "deelnemers.csv")
    first = sorted(str(q) for q in store.quads(graph=graph))
    assert run_import("csv", FIXTURES / "deelnemers.csv", store, mapping="participants").replaced
    assert sorted(str(q) for q in store.quads(graph=graph)) == first


def test_a_person_already_in_the_store_is_reused_by_another_file(store, tmp_path):
    run_import("csv", FIXTURES / "deelnemers.csv", store, mapping="participants")
    other = tmp_path / "ander-netwerk.csv"
    other.write_text("Naam;Rol;Organisatie;Netwerk\nChris Lectorius;lector;Hogeschool Leiden;PLN Leiden\n",
                     encoding="utf-8")
    run_import("csv", other, store, mapping="participants")
    people = rows(store, "SELECT DISTINCT ?p WHERE { ?p schema:name \"Chris Lectorius\" }")
    assert len(people) == 1
    assert len(rows(store, f"SELECT ?m WHERE {{ ?m org:member <{people[0]['p']}> }}")) == 2


def test_csv_with_errors_names_every_row_and_column_and_writes_nothing(store):
    before = all_quads(store)
    with pytest.raises(InputError) as error:
        run_import("csv", FIXTURES / "deelnemers-fouten.csv", store, mapping="participants")
    details = error.value.details
    assert error.value.message == "deelnemers-fouten.csv: 5 error(s); nothing was imported"
    assert details[0].startswith('deelnemers-fouten.csv, row 2, column Rol: unknown role "Stagaire" '
                                 '(did you mean "stagiair"?): use one of ')
    assert "lector" in details[0] and "penvoerder" not in details[0]
    assert details[1] == "deelnemers-fouten.csv, row 3, column Organisatie: the organisation is empty; fill it in"
    assert details[2].startswith("deelnemers-fouten.csv, row 4, column Start: start date '31-02-2020' is not an "
                                 "existing date")
    assert details[3] == ("deelnemers-fouten.csv, row 5, column Einde: the end date 2020-06-30 is before the "
                          "start date 2021-09-01; correct one of them")
    assert details[4].startswith("deelnemers-fouten.csv, row 6, column Organisatie: no organisation with ROR id "
                                 "0abcdef12 in the store")
    assert all_quads(store) == before


def test_xlsx_with_excel_dates_imports_and_with_errors_names_the_sheet(store, tmp_path):
    good = workbook(tmp_path / "deelnemers.xlsx", "Deelnemers", [
        ["Naam", "Rol", "Organisatie", "Netwerk", "Start", "Einde", "Functie"],
        [None, "student", "21RI", "PLN Zuid", dt.datetime(2021, 9, 1), dt.datetime(2022, 7, 1), None],
        [None, None, None, None, None, None, None],
        ["", "student", "21RI", "PLN Zuid", 44440, "1-7-2022", None],
        ["Sam Onderzoeker", "onderzoeker", "Universiteit Utrecht", "PLN Zuid", dt.date(2021, 9, 1), None, None],
    ])
    result = run_import("xlsx", good, store, mapping="participants")
    graph = result.graphs[0]
    assert graph == batch_graph_iri(BASE, "xlsx", good, "Deelnemers")
    counts = rows(store, f"SELECT ?n ?period WHERE {{ GRAPH <{graph}> {{ ?c ln:count ?n ; ln:period ?period }} }}")
    assert counts == [{"n": "2", "period": f"{BASE}id/periode/2021-09-01--2022-07-01"}]
    assert rows(store, f"SELECT ?aff WHERE {{ GRAPH <{graph}> {{ ?p schema:name \"Sam Onderzoeker\" ; "
                       "schema:affiliation ?aff } }") == [{"aff": f"{BASE}id/organisatie/universiteit-utrecht"}]

    before = all_quads(store)
    bad = workbook(tmp_path / "fouten.xlsx", "Blad1", [
        ["Naam", "Rol", "Organisatie", "Netwerk", "Start", "Einde"],
        ["Tom", "stagiair", "Hogeschool Leiden", "PLN Zuid", "volgende week", None],
        ["Ulla", "lector", "Hogeschool Leiden", "PLN Zuid", dt.datetime(2022, 1, 1), dt.datetime(2021, 1, 1)],
        ["Vera", "lector", None, "PLN Zuid", None, dt.datetime(2021, 1, 1)],
    ])
    with pytest.raises(InputError) as error:
        run_import("xlsx", bad, store, mapping="participants", sheet="blad1")
    details = error.value.details
    assert error.value.message.startswith("fouten.xlsx, sheet Blad1: ")
    assert details[0] == ("fouten.xlsx, sheet Blad1, row 2, column Start: start date 'volgende week' is not a "
                          "date; write dates as YYYY-MM-DD (2021-09-01), DD-MM-YYYY (01-09-2021) or "
                          "D-M-YYYY (1-9-2021)")
    assert details[1] == ("fouten.xlsx, sheet Blad1, row 3, column Einde: the end date 2021-01-01 is before the "
                          "start date 2022-01-01; correct one of them")
    assert details[2] == "fouten.xlsx, sheet Blad1, row 4, column Organisatie: the organisation is empty; fill it in"
    assert details[3].startswith("fouten.xlsx, sheet Blad1, row 4, column Start: the end date 2021-01-01 is "
                                 "filled in but the start date is empty")
    with pytest.raises(InputError) as error:
        run_import("xlsx", bad, store, mapping="participants", sheet="Deelnemers")
    assert "no sheet 'Deelnemers'" in error.value.message and "Voorblad, Blad1" in error.value.details[0]
    assert all_quads(store) == before


def test_shape_violations_point_at_the_row_and_nothing_is_written(store, tmp_path):
    sheet = tmp_path / "netwerk-is-hogeschool.csv"
    sheet.write_text(f"Rol;Organisatie;Netwerk\nstudent;Hogeschool Leiden;{HS_LEIDEN}\n", encoding="utf-8")
    before = all_quads(store)
    with pytest.raises(ValidationFailed) as error:
        run_import("csv", sheet, store, mapping="participants")
    located = {(r.location, r.path) for r in error.value.report.results if r.severity == "Violation"}
    assert ("netwerk-is-hogeschool.csv, row 2", f"{LN}inNetwork") in located
    assert all_quads(store) == before


# ---- partners and mappings -----------------------------------------------------------------------------

def test_partners_become_memberships_with_periods(store):
    result = run_import("csv", FIXTURES / "partners.csv", store, mapping="partners")
    graph = result.graphs[0]
    found = rows(store, f"""SELECT ?member ?role ?period WHERE {{ GRAPH <{graph}> {{
        ?m a org:Membership ; org:member ?member ; org:organization <{NETWORK}> ; org:role ?role .
        OPTIONAL {{ ?m org:memberDuring ?period }} }} }} ORDER BY ?member ?role""")
    jeugdzorg = f"{BASE}id/organisatie/jeugdzorg-leiden-noord"
    assert found == [
        {"member": HS_LEIDEN, "role": f"{BASE}def/rol/kennispartner",  # by BRIN 21RI, period column
         "period": f"{BASE}id/periode/2019-09-01--2021-08-31"},
        {"member": HS_LEIDEN, "role": f"{BASE}def/rol/penvoerder",
         "period": f"{BASE}id/periode/2019-09-01--2021-08-31"},
        {"member": jeugdzorg, "role": f"{BASE}def/rol/praktijkpartner",
         "period": f"{BASE}id/periode/2019-01-01--2021-12-31"},
        {"member": f"{BASE}id/organisatie/universiteit-utrecht", "role": f"{BASE}def/rol/kennispartner",
         "period": f"{BASE}id/periode/2019-09-01--open"},
    ]
    assert store.ask(PREFIXES + f"ASK {{ <{jeugdzorg}> org:classification <{BASE}def/sector/jeugdhulp> }}")
    assert store.ask(PREFIXES + f"ASK {{ <{BASE}id/datum/2021-12-31> time:inXSDgYear ?y }}")


def test_a_persons_role_in_a_partners_sheet_is_refused(store, tmp_path):
    sheet = tmp_path / "partners.csv"
    sheet.write_text("Organisatie,Netwerk,Rol\nHogeschool Leiden,PLN Zuid,student\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        run_import("csv", sheet, store, mapping="partners")
    assert error.value.details[0].startswith('partners.csv, row 2, column Rol: "student" is a person\'s role, not '
                                             "for a partners sheet: use one of ")


def test_a_mapping_file_with_other_columns_defaults_and_a_period_column(store):
    mapping = FIXTURES / "kolommen-eigen.toml"
    result = run_import("csv", FIXTURES / "kolommen-eigen.csv", store, mapping=str(mapping))
    graph = result.graphs[0]
    network = f"{BASE}id/netwerk/cop-jeugdprofessionals-leiden-noord"
    kind = f"{BASE}def/netwerktype/community-of-practice"
    assert store.ask(PREFIXES + f"ASK {{ <{network}> org:classification <{kind}> }}")
    counts = rows(store, f"""SELECT ?n ?period WHERE {{ GRAPH <{graph}> {{ ?c ln:count ?n ; ln:period ?period ;
        ln:role <{BASE}def/rol/jongere> ; ln:inNetwork <{network}>
        FILTER NOT EXISTS {{ ?c ln:fromOrganization ?o }} }} }}""")
    assert counts == [{"n": "2", "period": f"{BASE}id/periode/2022-01-01--open"}]
    assert len(rows(store, f'SELECT ?p WHERE {{ GRAPH <{graph}> {{ ?p schema:name "Jan Pieters" }} }}')) == 1


def test_bad_mappings_are_explained(store, tmp_path):
    with pytest.raises(InputError) as error:
        load_mapping(FIXTURES / "kapotte-mapping.toml")
    text = "\n".join(error.value.details)
    assert "[columns] colour: unknown field for kind participants" in text
    assert "[columns] network: required but no column given" in text
    with pytest.raises(InputError, match="no mapping 'deelnemerz'") as error:
        load_mapping("deelnemerz")
    assert "participants, partners" in error.value.details[0]
    with pytest.raises(InputError, match="needs a column mapping"):
        run_import("csv", FIXTURES / "deelnemers.csv", store)
    headerless = tmp_path / "kolommen.csv"
    headerless.write_text("Wie;Wat\nA;B\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        run_import("csv", headerless, store, mapping="participants")
    assert "column 'Rol' (the role) is missing; columns found: Wie, Wat" in error.value.details[0]


# ---- reading cells and files -----------------------------------------------------------------------------

def test_dates_in_every_accepted_form():
    assert parse_day("2021-09-01").date == dt.date(2021, 9, 1)
    for written in ("01-09-2021", "1-9-2021", "1/9/2021", "1.9.2021"):
        assert parse_day(written).date == dt.date(2021, 9, 1), written
    assert parse_day(dt.datetime(2021, 9, 1, 0, 0)).date == dt.date(2021, 9, 1)
    assert parse_day(44440).date == parse_day("44440").date == dt.date(2021, 9, 1)  # Excel serial numbers
    assert parse_day("2021-09-01 00:00:00").date == dt.date(2021, 9, 1)
    assert (parse_day("2021").date, parse_day("2021").precision) == (dt.date(2021, 1, 1), "year")
    assert parse_day("2021", end=True).date == dt.date(2021, 12, 31)
    assert (parse_day("2024-02", end=True).date, parse_day("2024-02").precision) == (dt.date(2024, 2, 29), "month")
    for bad in ("31-02-2021", "2021-13-01", "sept 2021", "01-09-21"):
        with pytest.raises(ValueError):
            parse_day(bad)


def test_csv_delimiters_bom_and_empty_rows(tmp_path):
    semicolon = read_csv(FIXTURES / "deelnemers.csv")
    assert semicolon.headers[0] == "Naam"  # the BOM is gone
    assert [row.number for row in semicolon.rows] == [2, 3, 5, 6]  # row 4 is empty
    comma = tmp_path / "comma.csv"
    comma.write_text('Naam,Rol,Organisatie\n"Jansen, B.",student,Hogeschool Leiden\n', encoding="utf-8")
    table = read_csv(comma)
    assert table.rows[0].cells == {"Naam": "Jansen, B.", "Rol": "student", "Organisatie": "Hogeschool Leiden"}
    commas_inside = tmp_path / "semicolon.csv"
    commas_inside.write_text("Naam;Rol;Organisatie\nJansen, B.;student;Universiteit Utrecht, faculteit X\n"
                             "Vries, A. de;lector;Hogeschool Leiden\n", encoding="utf-8")
    assert read_csv(commas_inside).rows[0].cells == {"Naam": "Jansen, B.", "Rol": "student",
                                                     "Organisatie": "Universiteit Utrecht, faculteit X"}
    windows = tmp_path / "windows.csv"
    windows.write_bytes("Naam;Rol\r\nJosé Müller;lector\r\n".encode("cp1252"))
    assert read_csv(windows).rows[0].cells["Naam"] == "José Müller"


def test_templates_match_the_shipped_mappings():
    assert shipped_mappings() == ["participants", "partners"]
    for name in shipped_mappings():
        mapping = load_mapping(name)
        known = {column.casefold() for names in mapping.columns.values() for column in names}
        csv_headers = (ROOT / "docs" / "templates" / f"{name}.csv").read_text(encoding="utf-8-sig").strip().split(";")
        book = load_workbook(ROOT / "docs" / "templates" / f"{name}.xlsx", read_only=True)
        assert book.sheetnames[0] == mapping.sheet
        xlsx_headers = [c for c in next(book[mapping.sheet].iter_rows(values_only=True)) if c]
        book.close()
        assert csv_headers == xlsx_headers
        assert {h.casefold() for h in csv_headers} <= known, name
        for field in mapping.required:
            assert mapping.columns[field][0] in csv_headers, (name, field)


def test_the_leernet_command_imports_and_reports_row_errors(cli_store, run_cli):
    def quads() -> list[str]:
        with open_store(load_settings(store_path=cli_store, base_iri=BASE), initialise=False) as opened:
            return all_quads(opened)

    before = quads()
    failed = run_cli("import", "csv", FIXTURES / "deelnemers-fouten.csv", "--mapping", "participants")
    assert failed.returncode == 2
    assert "deelnemers-fouten.csv, row 2, column Rol: unknown role \"Stagaire\"" in failed.stderr
    assert "deelnemers-fouten.csv, row 5, column Einde" in failed.stderr
    assert quads() == before
    empty = run_cli("import", "xlsx", ROOT / "docs" / "templates" / "participants.xlsx", "--mapping", "participants")
    assert empty.returncode == 2
    assert "participants.xlsx, sheet Deelnemers has no rows below the column names" in empty.stderr
    done = run_cli("import", "csv", FIXTURES / "deelnemers.csv", "--mapping", "participants")
    assert done.returncode == 0, done.stderr
    assert "imported 43 triples into <graph/import/csv-deelnemers-" in done.stdout + done.stderr
