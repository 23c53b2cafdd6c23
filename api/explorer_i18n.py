"""Every user-interface string of the web explorer in one dictionary: Dutch first, English alongside.

``UI(lang)`` looks strings up: ``ui["search"]`` or ``ui("results_count", n=3)``. The page language
comes from ``?lang=nl|en``, else the ``leernet_lang`` cookie the switch sets, else Dutch.
"""

from __future__ import annotations

LANGUAGES = ("nl", "en")
COOKIE = "leernet_lang"

STRINGS: dict[str, tuple[str, str]] = {
    # layout
    "site_tagline": ("Kennisgraaf van leernetwerken in jeugd, sociaal werk en onderwijs",
                     "Knowledge graph of learning networks in youth care, social work and education"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav_main": ("Hoofdmenu", "Main menu"),
    "nav_home": ("Start", "Home"),
    "nav_search": ("Zoeken", "Search"),
    "nav_dashboard": ("Grensoverschrijding", "Boundary crossing"),
    "nav_sparql": ("SPARQL", "SPARQL"),
    "nav_vocab": ("Begrippen", "Vocabulary"),
    "nav_data": ("Data en API", "Data and API"),
    "switch_to": ("English", "Nederlands"),
    "switch_label": ("Read this page in English", "Lees deze pagina in het Nederlands"),
    "footer_licence": ("Data en ontologie onder licentie", "Data and ontology licensed"),
    "footer_privacy": ("Personen staan hier alleen in een openbare beroepsrol; aantallen deelnemers onder {n} worden "
                       "niet getoond. Deze site gebruikt geen cookies behalve voor de taalkeuze en volgt niemand.",
                       "People appear here only in a public professional role; participant counts below {n} are not "
                       "shown. This site sets no cookie except for the language choice and tracks nobody."),
    "footer_api": ("REST-API", "REST API"),
    "footer_void": ("Datasetbeschrijving", "Dataset description"),
    "footer_dumps": ("Volledige download", "Full download"),
    # home
    "home_title": ("Wie werkt met wie samen in leernetwerken?", "Who works with whom in learning networks?"),
    "home_lead": ("leernet laat zien welke hogescholen, universiteiten, jeugdhulporganisaties, gemeenten en financiers "
                  "samen leren in welke leernetwerken, op welke thema's, in welke regio, met welk programma en sinds "
                  "wanneer, en uit welk document elk feit komt.",
                  "leernet shows which universities, youth-care providers, municipalities and funders learn together "
                  "in which learning networks, on which themes, in which region, in which programme and since when, "
                  "and which document each fact comes from."),
    "search_label": ("Zoek een organisatie, netwerk, programma, persoon of thema",
                     "Search for an organisation, network, programme, person or theme"),
    "search_button": ("Zoeken", "Search"),
    "search_placeholder": ("bijvoorbeeld Leiden", "for example Leiden"),
    "holds": ("Wat leernet bevat", "What leernet holds"),
    "count_organisations": ("organisaties", "organisations"),
    "count_networks": ("netwerken", "networks"),
    "count_programmes": ("programma's", "programmes"),
    "count_people": ("personen in een openbare rol", "people in a public role"),
    "count_themes": ("thema's", "themes"),
    "last_change": ("Laatst bijgewerkt", "Last updated"),
    "unknown": ("onbekend", "unknown"),
    "questions": ("Vragen die beleidsmakers stellen", "Questions policymakers ask"),
    "q_collaborates": ("Met wie werkt {name} samen?", "Who does {name} work with?"),
    "q_theme_networks": ("Welke netwerken werken aan {name}?", "Which networks work on {name}?"),
    "q_theme_map": ("Wie werkt samen aan {name}? (kaart)", "Who works together on {name}? (map)"),
    "q_programme": ("Wat financiert {name}?", "What does {name} fund?"),
    "q_sectors": ("Welke netwerken overbruggen de meeste sectoren?", "Which networks cross the most sectors?"),
    "q_spanners": ("Welke organisaties verbinden sectoren?", "Which organisations connect sectors?"),
    "q_other": ("Een andere organisatie, thema of programma? Zoek het op en open de pagina.",
                "Another organisation, theme or programme? Search for it and open its page."),
    # search
    "search_title": ("Zoeken", "Search"),
    "filters": ("Filters", "Filters"),
    "facet_type": ("Soort", "Type"),
    "facet_sector": ("Sector", "Sector"),
    "facet_theme": ("Thema", "Theme"),
    "facet_region": ("Regio", "Region"),
    "facet_programme": ("Programma", "Programme"),
    "facet_networkType": ("Soort netwerk", "Network type"),
    "facet_period": ("Periode", "Period"),
    "period_hint": ("Een jaar (2020) of van/tot (2019/2021)", "A year (2020) or from/to (2019/2021)"),
    "all": ("alle", "all"),
    "apply": ("Toepassen", "Apply"),
    "clear": ("Alles wissen", "Clear all"),
    "results_count": ("{n} resultaten", "{n} results"),
    "results_one": ("1 resultaat", "1 result"),
    "results_none": ("Niets gevonden. Probeer een deel van de naam of minder filters.",
                     "Nothing found. Try part of the name or fewer filters."),
    "results_for": ("voor “{q}”", "for “{q}”"),
    "results_table": ("Zoekresultaten", "Search results"),
    "paging": ("Pagina's", "Pages"),
    "previous": ("Vorige", "Previous"),
    "next": ("Volgende", "Next"),
    "page_n": ("Pagina {n}", "Page {n}"),
    "page_of": ("pagina {n} van {total}", "page {n} of {total}"),
    "filter_ignored": ("Het filter {name} geldt niet voor {kind}.", "The filter {name} does not apply to {kind}."),
    "bad_period": ("“{value}” is geen periode. Gebruik een jaar (2020), een maand (2020-03) of van/tot (2019/2021).",
                   "“{value}” is not a period. Use a year (2020), a month (2020-03) or from/to (2019/2021)."),
    # kinds (singular, plural)
    "kind_organisations": ("Organisatie", "Organisation"),
    "kind_organisations_pl": ("Organisaties", "Organisations"),
    "kind_networks": ("Netwerk", "Network"),
    "kind_networks_pl": ("Netwerken", "Networks"),
    "kind_programmes": ("Programma", "Programme"),
    "kind_programmes_pl": ("Programma's", "Programmes"),
    "kind_lectoraten": ("Lectoraat", "Research group"),
    "kind_lectoraten_pl": ("Lectoraten", "Research groups"),
    "kind_people": ("Persoon", "Person"),
    "kind_people_pl": ("Personen", "People"),
    "kind_themes": ("Thema", "Theme"),
    "kind_themes_pl": ("Thema's", "Themes"),
    "kind_events": ("Bijeenkomst", "Event"),
    "kind_events_pl": ("Bijeenkomsten", "Events"),
    "kind_products": ("Product", "Product"),
    "kind_products_pl": ("Producten", "Products"),
    "kind_regions": ("Regio", "Region"),
    "kind_regions_pl": ("Regio's", "Regions"),
    "kind_project": ("Project", "Project"),
    "kind_bron": ("Brondocument", "Source document"),
    "kind_lidmaatschap": ("Lidmaatschap", "Membership"),
    "kind_deelname": ("Deelnemersaantal", "Participant count"),
    "kind_periode": ("Periode", "Period"),
    "kind_datum": ("Datum", "Date"),
    "kind_concept": ("Begrip", "Concept"),
    "kind_scheme": ("Begrippenlijst", "Concept scheme"),
    "kind_ontology": ("Ontologie", "Ontology"),
    # entity pages
    "in_short": ("In het kort", "In short"),
    "iri": ("IRI", "IRI"),
    "identifiers": ("Kenmerken en verwijzingen", "Identifiers and links"),
    "website": ("Website", "Website"),
    "same_as": ("Elders beschreven", "Described elsewhere"),
    "sources": ("Bronnen", "Sources"),
    "sources_intro": ("De feiten op deze pagina komen uit deze documenten:", "The facts on this page come from these documents:"),
    "sources_n": ("{n}\u00a0bronnen", "{n}\u00a0sources"),
    "source_files": ("Sommige feiten komen uit een bestand dat op meerdere documenten steunt:",
                     "Some facts come from a file based on several documents:"),
    "to_page": ("Naar de pagina over {name}", "To the page about {name}"),
    "no_sources": ("Geen brondocument bekend.", "No source document known."),
    "all_facts": ("Alle gegevens met hun bron", "All facts with their source"),
    "col_property": ("Eigenschap", "Property"),
    "col_value": ("Waarde", "Value"),
    "col_source": ("Bron", "Source"),
    "referred_by": ("Verwijzingen naar {name}", "References to {name}"),
    "downloads": ("Dezelfde gegevens downloaden", "Download the same data"),
    "downloads_intro": ("Deze pagina als linked data:", "This page as linked data:"),
    "see_map": ("Bekijk met wie {name} samenwerkt, op een kaart", "See who {name} works with, on a map"),
    "see_theme_map": ("Bekijk wie aan {name} samenwerkt, op een kaart", "See who works together on {name}, on a map"),
    "search_in": ("Zoek {kind} met {name}", "Search {kind} with {name}"),
    "memberships": ("Netwerken en verbanden waarin {name} meedoet", "Networks and collaborations {name} takes part in"),
    "members": ("Deelnemers", "Participants"),
    "partners": ("Partners van {name}", "Partners of {name}"),
    "sub_networks": ("Netwerken binnen {name}", "Networks within {name}"),
    "counts": ("Aantallen deelnemers", "Numbers of participants"),
    "funded": ("Wat {name} financiert of omvat", "What {name} funds or frames"),
    "theme_networks": ("Netwerken over {name}", "Networks on {name}"),
    "concepts": ("Begrippen", "Concepts"),
    "col_network": ("Netwerk of verband", "Network or collaboration"),
    "col_member": ("Deelnemer", "Participant"),
    "col_partner": ("Partner", "Partner"),
    "col_role": ("Rol", "Role"),
    "col_period": ("Periode", "Period"),
    "col_sector": ("Sector", "Sector"),
    "col_via": ("Via", "Through"),
    "col_programme": ("Programma", "Programme"),
    "col_name": ("Naam", "Name"),
    "col_type": ("Soort", "Type"),
    "col_description": ("Beschrijving", "Description"),
    "col_count": ("Aantal", "Count"),
    "col_from": ("Afkomstig van", "From"),
    "col_relation": ("Relatie", "Relation"),
    "col_themes": ("Thema's", "Themes"),
    "col_regions": ("Regio's", "Regions"),
    "col_date": ("Datum", "Date"),
    "rel_funded": ("gefinancierd", "funded"),
    "rel_inProgramme": ("hoort bij het programma", "belongs to the programme"),
    "rel_partOfFunded": ("onderdeel van iets dat gefinancierd is", "part of something funded"),
    "csv": ("CSV downloaden", "Download CSV"),
    "csv_of": ("{title} als CSV downloaden", "Download {title} as CSV"),
    "since": ("sinds {date}", "since {date}"),
    "until": ("tot {date}", "until {date}"),
    "period_range": ("{start} tot {end}", "{start} to {end}"),
    "and": ("en", "and"),
    "not_found_title": ("Niet gevonden", "Not found"),
    "not_found": ("leernet kent deze pagina niet.", "leernet does not know this page."),
    # sentences
    "s_org": ("{name} is een organisatie", "{name} is an organisation"),
    "s_org_sector": (" in de sector {sectors}", " in the sector {sectors}"),
    "s_located": (", gevestigd in {places}", ", located in {places}"),
    "s_org_types": (" (soort: {types})", " (type: {types})"),
    "s_takes_part": ("{name} doet mee in {n} netwerken of samenwerkingsverbanden en werkt daarin samen met {m} organisaties.",
                     "{name} takes part in {n} networks or collaborations and works there with {m} organisations."),
    "s_parent": ("Het valt onder {parents}.", "It is part of {parents}."),
    "s_units": ("Lectoraten of onderdelen: {units}.", "Research groups or units: {units}."),
    "s_funds": ("Het financiert {items}.", "It funds {items}."),
    "s_network": ("{name} is een {types}", "{name} is a {types}"),
    "s_network_period": (" dat loopt van {start} tot {end}", " running from {start} to {end}"),
    "s_network_since": (" dat begon op {start}", " that started on {start}"),
    "s_network_themes": ("Het werkt aan {themes}.", "It works on {themes}."),
    "s_network_regions": ("Het werkgebied is {regions}.", "It serves {regions}."),
    "s_network_programme": ("Het hoort bij {programmes}.", "It belongs to {programmes}."),
    "s_network_funders": ("Het wordt gefinancierd door {funders}.", "It is funded by {funders}."),
    "s_network_parent": ("Het is onderdeel van {parent}.", "It is part of {parent}."),
    "s_network_members": ("Er doen {n} organisaties of personen mee.", "{n} organisations or people take part."),
    "s_network_members_one": ("Er doet 1 organisatie of persoon mee.", "1 organisation or person takes part."),
    "s_takes_part_one": ("{name} doet mee in 1 netwerk of samenwerkingsverband en werkt daarin samen met {m} organisaties.",
                         "{name} takes part in 1 network or collaboration and works there with {m} organisations."),
    "s_programme_funds_one": ("Het financiert of omvat 1 netwerk, project of organisatie.",
                              "It funds or frames 1 network, project or organisation."),
    "collab_sentence_one": ("{name} werkt samen met {n} organisaties uit 1 sector.", "{name} works with {n} organisations from 1 sector."),
    "s_network_size": ("Gepland: {low} tot {high} deelnemers.", "Planned: {low} to {high} participants."),
    "s_programme": ("{name} is een programma", "{name} is a programme"),
    "s_programme_funders": (" van {funders}", " of {funders}"),
    "s_programme_funds": ("Het financiert of omvat {n} netwerken, projecten of organisaties.",
                          "It funds or frames {n} networks, projects or organisations."),
    "s_lectoraat": ("{name} is een lectoraat", "{name} is a research group"),
    "s_lectoraat_of": (" van {school}", " of {school}"),
    "s_heads": ("Het wordt geleid door {heads}.", "It is led by {heads}."),
    "s_person": ("{name} staat hier in een openbare rol: {roles}.", "{name} appears here in a public role: {roles}."),
    "s_person_job": ("Functie: {job}.", "Job title: {job}."),
    "s_person_affiliation": ("Verbonden aan {orgs}.", "Affiliated with {orgs}."),
    "s_person_heads": ("Leidt {things}.", "Leads {things}."),
    "s_event": ("{name} is een bijeenkomst", "{name} is an event"),
    "s_event_date": (" op {date}", " on {date}"),
    "s_event_by": (", georganiseerd door {orgs}", ", organised by {orgs}"),
    "s_event_count": ("Aantal aanwezigen: {n}.", "Attendance: {n}."),
    "s_product": ("{name} is een product", "{name} is a product"),
    "s_product_by": (" van {makers}", " by {makers}"),
    "s_product_about": ("Het gaat over {about}.", "It is about {about}."),
    "s_region": ("{name} is een plaats of regio", "{name} is a place or region"),
    "s_region_in": (" in {places}", " in {places}"),
    "s_region_networks": ("Netwerken in dit gebied: {networks}.", "Networks in this area: {networks}."),
    "s_region_orgs": ("Organisaties hier: {orgs}.", "Organisations here: {orgs}."),
    "s_theme": ("{name} is een thema", "{name} is a theme"),
    "s_theme_broader": (" binnen {broader}", " within {broader}"),
    "s_theme_narrower": ("Smallere thema's: {narrower}.", "Narrower themes: {narrower}."),
    "s_theme_networks": ("{n} netwerken werken hieraan.", "{n} networks work on it."),
    "s_generic": ("{name} is een {kind}.", "{name} is a {kind}."),
    "s_themes": ("Thema's: {themes}.", "Themes: {themes}."),
    # collaboration view
    "collab_title": ("Samenwerking van {name}", "Collaboration of {name}"),
    "collab_theme_title": ("Samenwerking rond {name}", "Collaboration on {name}"),
    "collab_sentence": ("{name} werkt samen met {n} organisaties uit {s} sectoren.",
                        "{name} works with {n} organisations from {s} sectors."),
    "collab_theme_sentence": ("Aan {name} werken {networks} netwerken, programma's of projecten met {actors} deelnemers.",
                              "{networks} networks, programmes or projects with {actors} participants work on {name}."),
    "projection": ("Wat de kaart toont", "What the map shows"),
    "proj_organisations": ("Organisaties (verbonden door gedeelde netwerken)", "Organisations (tied by shared networks)"),
    "proj_two_mode": ("Organisaties en de netwerken waarin ze meedoen", "Organisations and the networks they take part in"),
    "depth": ("Stappen vanaf {name}", "Steps from {name}"),
    "show": ("Tonen", "Show"),
    "map": ("Netwerkkaart", "Network map"),
    "map_desc": ("Netwerkkaart met {nodes} punten en {edges} verbindingen. Elk punt is een link naar zijn pagina. "
                 "De tabel bij de kaart bevat dezelfde gegevens.",
                 "Network map with {nodes} points and {edges} ties. Every point links to its page. "
                 "The table next to the map holds the same data."),
    "map_caption": ("Elke stip is een organisatie, gekleurd naar sector; een vierkant is een netwerk, programma of "
                    "project. Een lijn betekent dat ze samen in een netwerk zitten; hoe dikker, hoe vaker. Klik op een "
                    "punt om de pagina te openen; zoom en schuif met de knoppen, het muiswiel of door te slepen.",
                    "Each dot is an organisation, coloured by sector; a square is a network, programme or project. "
                    "A line means they share a network; the thicker, the more often. Click a point to open its page; "
                    "zoom and pan with the buttons, the mouse wheel or by dragging."),
    "map_empty": ("Er is niets om op de kaart te zetten.", "There is nothing to put on the map."),
    "zoom_in": ("Inzoomen", "Zoom in"),
    "zoom_out": ("Uitzoomen", "Zoom out"),
    "zoom_reset": ("Hele kaart", "Whole map"),
    "legend": ("Legenda", "Legend"),
    "legend_context": ("netwerk, programma, project of bijeenkomst", "network, programme, project or event"),
    "legend_group": ("groep deelnemers (alleen aantallen)", "group of participants (counts only)"),
    "legend_person": ("persoon in een openbare rol", "person in a public role"),
    "legend_centre": ("dikke rand: het middelpunt van de kaart", "thick border: the centre of the map"),
    "edges_table": ("De kaart als tabel: alle {n} verbindingen", "The map as a table: all {n} ties"),
    "col_from_node": ("Van", "From"),
    "col_to_node": ("Naar", "To"),
    "col_contexts": ("Gedeeld netwerk of verband", "Shared network or collaboration"),
    "col_weight": ("Sterkte", "Strength"),
    # dashboard
    "dash_title": ("Grensoverschrijding", "Boundary crossing"),
    "dash_lead": ("Hoe goed verbinden de leernetwerken verschillende sectoren, zoals onderwijs, jeugdhulp en gemeenten? "
                  "Drie figuren, elk met de tabel eronder.",
                  "How well do the learning networks connect different sectors, such as education, youth care and "
                  "municipalities? Three figures, each with its table below."),
    "attribute": ("Groepen", "Groups"),
    "attr_sector": ("sector", "sector"),
    "attr_subsector": ("sector, met onderwijs per niveau", "sector, education by level"),
    "composition": ("Samenstelling van elk netwerk", "Composition of each network"),
    "composition_sentence": ("Elke balk is een netwerk; de kleuren laten zien uit welke sector de deelnemende "
                             "organisaties komen. Het meest gemengd is {name}, met {n} sectoren.",
                             "Each bar is a network; the colours show which sector the participating organisations "
                             "come from. The most mixed is {name}, with {n} sectors."),
    "over_time": ("Samenwerking over de sectorgrens, per jaar", "Collaboration across sectors, per year"),
    "over_time_sentence": ("Per jaar het aantal banden tussen organisaties uit verschillende sectoren (donker) en uit "
                           "dezelfde sector (licht), voor samenwerking waarvan de periode bekend is.",
                           "Per year the number of ties between organisations from different sectors (dark) and from "
                           "the same sector (light), for collaboration whose period is known."),
    "over_time_last": ("In {year} liep {share}% van de {ties} banden over de sectorgrens.",
                       "In {year}, {share}% of the {ties} ties crossed a sector boundary."),
    "spanners_top": ("Bovenaan staat {name}: {n} paren partners uit verschillende sectoren lopen via deze organisatie.",
                     "At the top is {name}: {n} pairs of partners from different sectors are linked through it."),
    "spanners": ("Grensoverschrijders", "Boundary spanners"),
    "spanners_sentence": ("Deze organisaties verbinden het vaakst partners uit verschillende sectoren die elkaar niet "
                          "direct kennen.", "These organisations most often connect partners from different sectors "
                          "who are not directly tied."),
    "show_table": ("De tabel bij deze figuur", "The table behind this figure"),
    "region_networks": ("Netwerken in {name}", "Networks in {name}"),
    "no_data": ("Geen gegevens voor deze selectie.", "No data for this selection."),
    "col_members": ("Deelnemende organisaties", "Participating organisations"),
    "col_groups": ("Aantal sectoren", "Number of sectors"),
    "col_blau": ("Diversiteit (Blau, 0–1)", "Diversity (Blau, 0–1)"),
    "col_composition": ("Samenstelling", "Composition"),
    "col_year": ("Jaar", "Year"),
    "col_across": ("Banden over de grens", "Ties across"),
    "col_within": ("Banden binnen de sector", "Ties within"),
    "col_ei": ("E-I-index (−1 binnen, +1 over de grens)", "E-I index (−1 within, +1 across)"),
    "col_orgs": ("Organisaties", "Organisations"),
    "col_rank": ("Plaats", "Rank"),
    "col_reached": ("Sectoren bereikt", "Sectors reached"),
    "col_brokerage": ("Verbonden paren over de grens", "Pairs connected across"),
    "col_networks": ("Netwerken", "Networks"),
    "axis_orgs": ("aantal organisaties", "number of organisations"),
    "axis_ties": ("aantal banden", "number of ties"),
    "axis_pairs": ("verbonden paren over de sectorgrens", "pairs connected across the sector boundary"),
    "across": ("over de grens", "across"),
    "within": ("binnen de sector", "within"),
    # sparql
    "sparql_title": ("Eigen vragen stellen met SPARQL", "Ask your own questions with SPARQL"),
    "sparql_lead": ("SPARQL is de vraagtaal van linked data. Kies een voorbeeld, pas het aan en voer het uit; "
                    "het resultaat verschijnt als tabel.",
                    "SPARQL is the query language of linked data. Pick an example, change it and run it; the result "
                    "appears as a table."),
    "sparql_query": ("Vraag (SPARQL)", "Query (SPARQL)"),
    "sparql_run": ("Uitvoeren", "Run"),
    "sparql_examples": ("Voorbeeldvragen", "Example queries"),
    "sparql_results": ("Resultaat", "Result"),
    "sparql_running": ("Bezig…", "Running…"),
    "sparql_rows": ("{n} rijen", "{n} rows"),
    "sparql_error": ("De vraag kon niet worden uitgevoerd:", "The query could not be run:"),
    "sparql_nojs": ("Zonder JavaScript opent Uitvoeren het antwoord van het SPARQL-eindpunt zelf.",
                    "Without JavaScript, Run opens the SPARQL endpoint's own answer."),
    "sparql_endpoint": ("Het SPARQL-eindpunt voor programma's staat op {url}.", "The SPARQL endpoint for programs is at {url}."),
    "ex_collaborators": ("Met wie werkt Hogeschool Leiden samen, en in welk netwerk?",
                         "Who does Hogeschool Leiden work with, and in which network?"),
    "ex_theme": ("Welke netwerken werken aan een thema?", "Which networks work on a theme?"),
    "ex_programme": ("Wat financiert elk programma?", "What does each programme fund?"),
    "ex_sectors": ("Welke netwerken hebben deelnemers uit de meeste sectoren?", "Which networks have members from the most sectors?"),
    "ex_since": ("Sinds wanneer bestaan de netwerken?", "Since when do the networks exist?"),
}


class UI:
    """The strings of one language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGUAGES else "nl"
        self._index = LANGUAGES.index(self.lang)

    def __getitem__(self, key: str) -> str:
        return STRINGS[key][self._index]

    def __call__(self, key: str, **values) -> str:
        return self[key].format(**values)

    def plural(self, key: str, n: int, **values) -> str:
        """The string for ``n`` things: the ``{key}_one`` variant when n is 1 and there is one."""
        return self(key + "_one" if n == 1 and key + "_one" in STRINGS else key, n=n, **values)

    @property
    def other(self) -> str:
        """The other language (for the switch)."""
        return "en" if self.lang == "nl" else "nl"


def choose_language(query_lang: str | None, cookie: str | None) -> tuple[str, bool]:
    """(language, whether to remember it in the cookie) from ``?lang=`` and the cookie."""
    if query_lang in LANGUAGES:
        return query_lang, query_lang != cookie
    if cookie in LANGUAGES:
        return cookie, False
    return "nl", False
