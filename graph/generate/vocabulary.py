"""What the synthetic ecosystem is made of: organisation kinds with their national counts, sectors,
roles, network types, provinces, and the word lists that make Dutch-sounding (but invented) names.

The national counts are of the order of the real Dutch ecosystem (dozens of hogescholen and
universities, hundreds of lectoraten and municipalities, thousands of youth-care providers and
schools); the generator reaches them at :data:`FULL_POOL_TRIPLES` and scales them in proportion
to the number of triples (below and above), so that memberships per organisation, and so the
density of the collaboration network, stay realistic at every scale.
Themes are read from the real ``def/thema`` scheme in ontology/themes.ttl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FULL_POOL_TRIPLES = 1_000_000  # at this scale the organisation pool has its national size


@dataclass(frozen=True)
class OrgKind:
    """One kind of formal organisation: how many there are nationally, at least, and how to describe it."""

    key: str  # slug part and group name
    national: int
    minimum: int
    sector: str  # def/sector notation
    org_type: str  # def/organisatietype notation
    name_nl: str  # name pattern: {place} or {name}
    name_en: str
    roles: tuple[str, ...]  # def/rol notations it takes in networks, most likely first
    identifier: str = "kvk"  # kvk | brin | ror | none
    funder: bool = False


ORG_KINDS: tuple[OrgKind, ...] = (
    OrgKind("hogeschool", 36, 2, "hbo", "onderwijs", "Hogeschool {place}", "{place} University of Applied Sciences",
            ("kennispartner", "onderwijspartner", "penvoerder"), "ror"),
    OrgKind("universiteit", 14, 1, "wo", "onderwijs", "Universiteit {place}", "{place} University",
            ("kennispartner", "penvoerder"), "ror"),
    OrgKind("mbo", 60, 1, "mbo", "onderwijs", "ROC {place}", "ROC {place} (VET college)",
            ("onderwijspartner", "partner"), "brin"),
    OrgKind("vo-school", 650, 2, "vo", "onderwijs", "{name} College {place}", "{name} College {place} (secondary school)",
            ("onderwijspartner", "deelnemer"), "brin"),
    OrgKind("basisschool", 3000, 4, "po", "onderwijs", "Basisschool {name} {place}", "Primary school {name} {place}",
            ("onderwijspartner", "deelnemer"), "brin"),
    OrgKind("jeugdhulp", 3000, 6, "jeugdhulp", "zorg", "Jeugdhulp {name} {place}", "Youth care {name} {place}",
            ("praktijkpartner", "deelnemer", "netwerkpartner")),
    OrgKind("jgz", 25, 1, "jeugdgezondheidszorg", "zorg", "GGD {place}", "Public health service {place}",
            ("praktijkpartner", "partner")),
    OrgKind("zorg", 400, 2, "zorg", "zorg", "Zorggroep {name} {place}", "Care group {name} {place}",
            ("praktijkpartner", "partner")),
    OrgKind("welzijn", 600, 3, "welzijn-sociaal-werk", "non-profit", "Welzijn {name} {place}", "Social work {name} {place}",
            ("praktijkpartner", "netwerkpartner", "deelnemer")),
    OrgKind("gemeente", 342, 4, "lokale-overheid", "overheid", "Gemeente {place}", "Municipality of {place}",
            ("partner", "opdrachtgever", "financier")),
    OrgKind("ministerie", 4, 1, "rijksoverheid-beleid", "overheid", "Ministerie van {name}", "Ministry of {name}",
            ("opdrachtgever", "partner"), "none"),
    OrgKind("financier", 6, 1, "financiering", "financier", "Fonds {name}", "{name} Fund",
            ("financier",), "ror", True),
    OrgKind("onderzoeksinstituut", 25, 1, "onderzoek", "non-profit", "Kenniscentrum {name}", "{name} Knowledge Centre",
            ("kennispartner", "partner"), "ror"),
    OrgKind("clientenorganisatie", 120, 1, "clienten-ervaringsdeskundigen", "non-profit",
            "Clientenraad {name} {place}", "Client council {name} {place}", ("partner", "deelnemer")),
    OrgKind("bedrijf", 200, 1, "bedrijfsleven", "bedrijf", "{name} Advies {place}", "{name} Consultancy {place}",
            ("partner", "netwerkpartner")),
)
LECTORATEN_NATIONAL, LECTORATEN_MIN = 400, 2
COLLABORATIONS_NATIONAL, COLLABORATIONS_MIN = 120, 1

# Sector groups networks draw their members from (closed networks from one or two of them).
SECTOR_GROUPS = {
    "hoger-onderwijs": ("hogeschool", "universiteit", "lectoraat", "onderzoeksinstituut"),
    "scholen": ("basisschool", "vo-school", "mbo"),
    "jeugd": ("jeugdhulp", "jgz"),
    "zorg-welzijn": ("zorg", "welzijn"),
    "overheid": ("gemeente", "ministerie"),
    "overig": ("clientenorganisatie", "bedrijf", "financier"),
}
GROUP_WEIGHTS = {"hoger-onderwijs": 5, "scholen": 5, "jeugd": 6, "zorg-welzijn": 4, "overheid": 3, "overig": 1}

# def/netwerktype notation -> weight; leerhuis networks are umbrellas others sit inside.
NETWORK_TYPES = {
    "leernetwerk": 30, "professionele-leergemeenschap": 12, "professioneel-leernetwerk": 10,
    "community-of-practice": 10, "lerend-netwerk": 8, "academische-werkplaats": 6,
    "regionale-kenniswerkplaats": 4, "sprong-groep": 4, "innovatiehub": 4, "leerhuis": 3, "consortium": 3,
}
NETWORK_TYPE_NAMES = {
    "leernetwerk": ("Leernetwerk", "Learning network"),
    "professionele-leergemeenschap": ("Professionele leergemeenschap", "Professional learning community"),
    "professioneel-leernetwerk": ("Professioneel leernetwerk", "Professional learning network"),
    "community-of-practice": ("Community of practice", "Community of practice"),
    "lerend-netwerk": ("Lerend netwerk", "Learning network"),
    "academische-werkplaats": ("Academische werkplaats", "Academic workplace"),
    "regionale-kenniswerkplaats": ("Kenniswerkplaats", "Regional knowledge workplace"),
    "sprong-groep": ("SPRONG-groep", "SPRONG group"),
    "innovatiehub": ("Innovatiehub", "Innovation hub"),
    "leerhuis": ("Leerhuis", "Learning house"),
    "consortium": ("Consortium", "Consortium"),
}
KNOWLEDGE_SOURCES = ("ervaringskennis", "praktijkkennis", "wetenschappelijke-kennis", "beleidskennis")

# Roles of people who take part but are only ever counted (ln:publishable false).
COUNTED_ROLES = ("student", "stagiair", "docent", "praktijkprofessional", "praktijkbegeleider", "jongere",
                 "ouder-opvoeder", "leerling", "client", "ervaringsdeskundige", "leraar", "jeugdprofessional")
# Roles a person may be published in (ln:publishable true).
PUBLIC_ROLES = ("lector", "onderzoeker", "projectleider", "coach", "beleidsmaker", "adviseur",
                "actieonderzoeker", "schoolleider")
PERSON_MEMBER_ROLES = ("onderzoeker", "coach", "adviseur", "projectleider")
JOB_TITLES = {"lector": "Lector", "onderzoeker": "Onderzoeker", "projectleider": "Projectleider",
              "coach": "Netwerkcoach", "beleidsmaker": "Beleidsadviseur", "adviseur": "Adviseur",
              "actieonderzoeker": "Actieonderzoeker", "schoolleider": "Schoolleider"}

PRODUCT_TYPES = (("schema:Report", "Rapport", "Report"), ("schema:HowTo", "Werkvorm", "Method"),
                 ("schema:WebSite", "Website", "Website"), ("schema:PodcastSeries", "Podcast", "Podcast"),
                 ("schema:DigitalDocument", "Handreiking", "Guide"))

# Provinces with a rough weight (number of municipalities), and their Dutch/English names.
PROVINCES = (
    ("groningen", "Groningen", "Groningen", 10), ("friesland", "Fryslân", "Friesland", 18),
    ("drenthe", "Drenthe", "Drenthe", 12), ("overijssel", "Overijssel", "Overijssel", 25),
    ("flevoland", "Flevoland", "Flevoland", 6), ("gelderland", "Gelderland", "Gelderland", 51),
    ("utrecht", "Utrecht", "Utrecht", 26), ("noord-holland", "Noord-Holland", "North Holland", 44),
    ("zuid-holland", "Zuid-Holland", "South Holland", 50), ("zeeland", "Zeeland", "Zeeland", 13),
    ("noord-brabant", "Noord-Brabant", "North Brabant", 56), ("limburg", "Limburg", "Limburg", 31),
)

PLACE_HEADS = ("Ooster", "Wester", "Zuider", "Noorder", "Nieuw", "Oud", "Groot", "Klein", "Hoog", "Laag",
               "Bergen", "Ronde", "Linde", "Eiken", "Beuk", "Wilg", "Hazel", "Heem", "Mid", "Zand",
               "Veen", "Brug", "Molen", "Kerk", "Hof", "Akker", "Dal", "Meer", "Wolde", "Rijn")
PLACE_TAILS = ("veen", "broek", "dam", "dijk", "hoven", "wijk", "berg", "horst", "woude", "meer", "zijl",
               "sloot", "rade", "heide", "kerk", "burg", "hem", "um", "loo", "voort", "donk", "schoten",
               "haven", "stede", "brugge", "wold", "beek", "ven", "lo", "hout")
ORG_NAMES = ("De Linde", "Het Baken", "De Regenboog", "Perspectief", "De Bron", "Horizon", "Kompas", "De Wissel",
             "Samen Sterk", "Het Anker", "De Vlinder", "Kiem", "De Brug", "Lichtpunt", "Groeikracht", "Sterrenwacht",
             "De Kring", "Vitaal", "Ontmoeting", "De Boog", "Toekomst", "Zonnebloem", "Het Palet", "De Eik",
             "Vuurtoren", "Koers", "Wegwijs", "De Schakel", "Veldzicht", "Middelpunt", "Spectrum", "Meander")
MINISTRY_NAMES = ("Jeugd en Onderwijs", "Zorg en Welzijn", "Lokaal Bestuur", "Kennis en Innovatie",
                  "Sociale Zaken", "Cultuur en Wetenschap")
FUND_NAMES = ("Jeugdkennis", "Onderwijsonderzoek", "Praktijkgericht Onderzoek", "Sociaal Domein", "Gezond Opgroeien",
              "Kansrijk Leren", "Samen Leren", "Innovatie Zorg")
LECTORAAT_TOPICS = (
    ("Jeugd en Gezin", "Youth and Family"), ("Residentiele Jeugdzorg", "Residential Youth Care"),
    ("Sociaal Werk", "Social Work"), ("Opvoeden en Opgroeien", "Parenting and Growing Up"),
    ("Passend Onderwijs", "Inclusive Education"), ("Professionalisering", "Professional Development"),
    ("Innovatie in het Sociaal Domein", "Innovation in the Social Domain"), ("Participatie", "Participation"),
    ("Jeugdhulp in Transformatie", "Youth Care in Transformation"), ("Leren en Innoveren", "Learning and Innovating"),
    ("Ervaringskennis", "Experiential Knowledge"), ("Gezondheid en Welzijn", "Health and Wellbeing"),
    ("Integraal Werken in de Wijk", "Integrated Neighbourhood Work"), ("Talentontwikkeling", "Talent Development"),
)
FIRST_NAMES = ("Anne", "Bas", "Carla", "Daan", "Eva", "Frank", "Greet", "Hans", "Iris", "Jan", "Karin", "Lars",
               "Marieke", "Niels", "Olga", "Pieter", "Quirine", "Ruud", "Sanne", "Tom", "Ursula", "Vincent",
               "Wendy", "Xander", "Yvonne", "Zeynep", "Mohamed", "Fatima", "Sven", "Lotte", "Bram", "Noor")
SURNAMES = ("de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
            "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs", "Vermeulen", "van Dijk", "Yilmaz", "El Amrani")
PROGRAMME_WORDS = (("Samen Opgroeien", "Growing Up Together"), ("Kennis Maken", "Making Knowledge"),
                   ("Sterke Basis", "Strong Foundation"), ("Leren in de Wijk", "Learning in the Neighbourhood"),
                   ("Grenzeloos Samenwerken", "Collaborating Across Borders"), ("Kansrijk Jeugd", "Youth with Prospects"),
                   ("Praktijk en Opleiding", "Practice and Training"), ("Werkplaats Jeugd", "Youth Workplace"))


def read_themes(ontology_dir: Path) -> list[tuple[str, str]]:
    """The (notation, Dutch label) of every concept of the def/thema scheme, sorted by notation."""
    text = (ontology_dir / "themes.ttl").read_text(encoding="utf-8")
    themes = []
    for block in re.split(r"\n(?=<def/thema/)", text):
        found = re.match(r"<def/thema/([a-z0-9-]+)>", block)
        if not found:
            continue
        label = re.search(r'skos:prefLabel\s+"([^"]+)"@nl', block)
        themes.append((found.group(1), label.group(1) if label else found.group(1)))
    return sorted(set(themes))


def slugify(text: str) -> str:
    """Lower-case ASCII slug of a name (accents dropped)."""
    table = str.maketrans("âäàéëèêïîôöûüç", "aaaeeeeiioouuc")
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")
