"""Article facts as the text states them: statistics keep their measure, qualifier and period;
page furniture after (or inside) an article yields no facts and shifts no span.

Every text here is written for these tests.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import RDF, XSD

from policykg.graph.store import OxigraphStore
from policykg.load import load_paths
from policykg.loaders.article.extract import (
    Extraction,
    Statistic,
    document_from_text,
    extract,
    read_document,
)
from policykg.loaders.article.text import drop_page_furniture, html_to_text
from policykg.ontology.namespace import PKG


def _ex(text: str, date: str | None = None) -> Extraction:
    return extract(document_from_text(text, date=date))


def _stat(ex: Extraction, value: float) -> Statistic:
    found = [s for s in ex.statistics if s.value == value]
    assert len(found) == 1, [(s.text, s.value) for s in ex.statistics]
    return found[0]


# ----------------------------------------------------------------------------- statistics


COUNTS = (
    "In 2019, Guatemala detained 64,000 Hondurans, according to official records, and this "
    "year the overall number of detainees stood at nearly 90,000."
)


def test_a_count_is_of_the_noun_it_quantifies_not_of_an_earlier_one() -> None:
    ex = _ex(COUNTS, date="2020-06-30")
    first, second = _stat(ex, 64000.0), _stat(ex, 90000.0)
    assert (first.unit, first.measure, first.qualifier) == (
        "Hondurans", "Hondurans detained", None)
    assert (first.period, first.period_value, first.subject) == ("In 2019", "2019", "Guatemala")
    # The second figure is the total of detainees, stated in its own clause and year.
    assert (second.unit, second.measure) == ("detainees", "overall number of detainees")
    assert second.qualifier == "nearly" and second.text == "nearly 90,000"
    assert (second.period, second.period_value) == ("this year", "2020")
    # The subject carries over from the first clause, not from the attribution.
    assert second.subject == "Guatemala"


def test_a_relative_period_without_a_document_date_stays_a_phrase() -> None:
    second = _stat(_ex(COUNTS), 90000.0)
    assert (second.period, second.period_value) == ("this year", None)


PERCENT = (
    "Over the past three years, thefts of cargo on northern highways have jumped as much as "
    "150 percent, local newspapers reported last week."
)


def test_a_percentage_is_a_change_of_its_subject_over_the_period_of_its_clause() -> None:
    stat = _stat(_ex(PERCENT), 150.0)
    assert stat.unit == "percent" and stat.qualifier == "as much as"
    assert stat.measure == "increase in thefts of cargo on northern highways"
    # "last week" dates the newspapers' report, not the increase.
    assert stat.period == "Over the past three years" and stat.period_value is None


def test_fiscal_years_and_open_periods_are_not_calendar_years() -> None:
    text = (
        "In fiscal year 2018, arrests at the crossing topped 12,500. "
        "Since 2014, the academy has trained more than 5,000 officers."
    )
    ex = _ex(text)
    arrests, officers = _stat(ex, 12500.0), _stat(ex, 5000.0)
    assert (arrests.unit, arrests.measure) == ("arrests", "arrests at the crossing")
    assert (arrests.period, arrests.period_value) == ("In fiscal year 2018", None)
    assert (officers.unit, officers.measure, officers.qualifier) == (
        "officers", "officers trained", "more than")
    assert (officers.period, officers.period_value) == ("Since 2014", None)


def test_parallel_figures_share_the_measure_but_not_the_period() -> None:
    text = "Shelter admissions fell to about 2,400 in March 2021, down from roughly 3,100 a year earlier."
    ex = _ex(text)
    now, before = _stat(ex, 2400.0), _stat(ex, 3100.0)
    assert now.measure == before.measure == "shelter admissions"
    assert (now.period, now.period_value) == ("in March 2021", "2021-03")
    assert (before.period, before.qualifier) == ("a year earlier", "roughly")


def test_an_elliptical_clause_continues_the_previous_figure() -> None:
    text = "The ministry returned 7,200 Salvadorans in 2016, and more than 9,800 in 2017."
    later = _stat(_ex(text), 9800.0)
    assert (later.unit, later.period_value, later.qualifier) == ("Salvadorans", "2017", "more than")


def test_a_percent_before_a_noun_measures_that_noun() -> None:
    ex = _ex("The council approved a 12 percent levy on imported steel. "
             "About 40 percent of the inspectors were reassigned.")
    assert _stat(ex, 12.0).measure == "levy"
    assert _stat(ex, 40.0).measure == "share of inspectors"


def test_part_of_a_year_is_not_the_year_and_a_level_verb_names_the_measure() -> None:
    ex = _ex("In the first half of 2019, 45,000 migrants crossed the river. "
             "About 60 percent of respondents said they felt unsafe. "
             "The surcharge could rise to 25 percent by October.")
    crossed = _stat(ex, 45000.0)
    assert (crossed.period, crossed.period_value) == ("In the first half of 2019", None)
    assert _stat(ex, 60.0).measure == "share of respondents"
    assert _stat(ex, 25.0).measure == "surcharge"


def test_observations_carry_measure_unit_qualifier_and_period(tmp_path: Path) -> None:
    article = tmp_path / "figures.txt"
    article.write_text("---\ntitle: Figures\ndate: 2020-06-30\n---\n" + COUNTS + "\n\n" + PERCENT
                       + "\n", encoding="utf-8")
    store = OxigraphStore()
    try:
        load_paths(store, [article])
        graph = store.union_graph()
    finally:
        store.close()
    rows = {}
    for obs in graph.subjects(RDF.type, PKG.Observation):
        rows[graph.value(obs, PKG.value).toPython()] = {
            p: graph.value(obs, term) for p, term in (
                ("measure", PKG.measure), ("unit", PKG.unit), ("qualifier", PKG.qualifier),
                ("period", PKG.period))}
    total = rows[90000]
    assert total["measure"] == Literal("overall number of detainees")
    assert total["unit"] == Literal("detainees") and total["qualifier"] == Literal("nearly")
    assert total["period"] == Literal("2020", datatype=XSD.gYear)
    rise = rows[150]
    assert rise["unit"] == Literal("percent")
    assert rise["measure"] == Literal("increase in thefts of cargo on northern highways")
    # A period that is no calendar year is kept as stated, a plain string.
    assert rise["period"] == Literal("Over the past three years")


# ----------------------------------------------------------------------------- statements


def test_a_cue_and_name_ending_the_sentence_attribute_it() -> None:
    text = (
        "Marta Quiroga, an economist at the Colegio de Mexico, studies remittances.\n\n"
        "Some families now wire money through cooperatives, notes Marta Quiroga, who has "
        "surveyed them since 2015. Lenders want to \"follow the money home\" before winter, "
        "says Quiroga.\n\n"
        "That may not last, she tells the Ledger, because fees keep rising."
    )
    ex = _ex(text)
    said = [(s.speaker, s.kind, s.cue, s.text) for s in ex.statements]
    assert said == [
        ("Marta Quiroga", "indirect", "note", "Some families now wire money through cooperatives"),
        ("Marta Quiroga", "partial", "say", "follow the money home"),
        ("Marta Quiroga", "indirect", "tell",
         "That may not last, she tells the Ledger, because fees keep rising"),
    ]


# ------------------------------------------------------------------------- page furniture

BODY = (
    "Port officials in Veracruz said on Tuesday that inspections would double.\n\n"
    "Sign up for our weekly Border Brief newsletter\n\n"
    "\u201cWe will check every container,\u201d said Lucia Ferrer, the port director. "
    "The ministry allotted $12 million to new scanners, she said.\n\n"
    "Ferrer said the scanners would arrive in the spring.\n\n"
)
TRAILER = (
    "You have read 3 of 5 free articles this month. Subscribe to keep reading.\n\n"
    "Dear Reader,\n\n"
    "\u201cI read every issue,\u201d says our longtime subscriber Harriet Stone. "
    "Join her: subscribe to the Weekly Ledger for $20.\n\n"
    "Related stories\n\n"
    "Customs director Tomas Ruiz resigns\n"
)


def test_the_trailer_after_an_article_yields_no_facts(tmp_path: Path) -> None:
    path = tmp_path / "port.txt"
    path.write_text(BODY + TRAILER, encoding="utf-8")
    doc = read_document(path)
    ex = extract(doc)
    names = {p.name for p in ex.persons}
    assert "Lucia Ferrer" in names
    assert not names & {"Harriet Stone", "Tomas Ruiz"}
    assert [a.value for a in ex.amounts] == [12_000_000.0]
    assert all("newsletter" not in s.text and "subscriber" not in s.text
               for s in ex.statements)
    # Spans point into the file's text: the kept text is the raw text, the box blanked.
    raw = path.read_text(encoding="utf-8")
    for s in ex.statements:
        assert raw[s.start : s.end] == s.text
    assert "Subscribe" not in doc.text and "Border Brief" not in doc.text
    assert len(doc.text) <= len(raw)


def test_a_banner_above_the_article_does_not_cut_it() -> None:
    text = "Subscribe to continue reading our coverage.\n\n" + BODY * 3
    kept = drop_page_furniture(text)
    assert kept.rstrip() == kept and "Ferrer said the scanners" in kept[-80:]
    assert not kept.startswith("Subscribe")


def test_furniture_words_inside_an_article_paragraph_are_kept() -> None:
    text = (
        "Port officials in Veracruz said on Tuesday that inspections would double.\n\n"
        "Sign up for our alerts at the port office, officials said, which opened a help desk "
        "for drivers and shipping agents affected by the inspections, the related stories of "
        "delays and the subscription fees that carriers pay to the port authority.\n"
    )
    # Long paragraphs are article text even when they open like furniture.
    assert drop_page_furniture(text) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "Port officials met on Monday.", "Sign up for our daily newsletter", "Related stories",
    "Dear Reader,", "Read more: the port", "Advertisement", "", "A/B", "Lucia Ferrer said so.",
    "You've read 2 of 3 free articles.", "\u00a9 2021 Ledger Media",
]), max_size=30))
def test_dropping_furniture_never_moves_a_kept_character(lines: list[str]) -> None:
    text = "\n".join(lines)
    kept = drop_page_furniture(text)
    assert len(kept) <= len(text)
    for i, ch in enumerate(kept):
        assert ch == text[i] or (ch == " " and text[i] != "\n")


PAGE = """<html><head><title>Port inspections</title></head><body>
<article class="story has-related">
<p>Port officials in Veracruz said on Tuesday that inspections would double.</p>
<div class="newsletter-signup"><p>Get the Border Brief in your inbox every week.</p></div>
<p>\u201cWe will check every container,\u201d said Lucia Ferrer, the port director.</p>
<section id="related-coverage"><p>Customs director Tomas Ruiz resigns</p></section>
<p>Ferrer said the scanners would arrive in the spring.</p>
<p>Support our journalism: become a member for $20 a year, writes editor Harriet Stone.</p>
<p>Mariana Soto contributed reporting from the market.</p>
</article></body></html>"""


def test_html_furniture_boxes_and_trailer_are_dropped() -> None:
    _meta, body = html_to_text(PAGE)
    assert "Port officials" in body and "arrive in the spring" in body
    for furniture in ("Border Brief", "Tomas Ruiz", "Harriet Stone", "Mariana Soto"):
        assert furniture not in body
    ex = extract(document_from_text(body))
    assert {p.name for p in ex.persons} == {"Lucia Ferrer"}
    assert ex.amounts == []
