"""Issue 21, point 6: page 04 counts what it says it counts. Size thresholds, the upper end of a range,
the scope of work already under way and figures about the reports themselves are curated as what they
are (roles of their own, dated by the meaning check) and stay out of the commitment and result counts;
a counted number in a table reads, on the English page, with what it counts."""

from __future__ import annotations

import html
import json
import re

import pytest

import helpers
from helpers.analysis import programme as P
from helpers.checks import meaning

THRESHOLDS = {"pc.2022.rail_coverage_city_population_threshold", "pc.2022.rural_sewage_settlement_threshold_households",
              "pc.2022.rural_sewage_settlement_threshold_persons"}
RANGE_END = "pc.2022.new_regional_tcm_centres_max"
RANGE_START = "pc.2022.new_regional_tcm_centres_min"
SCOPE = {"pc.2022.cofco_rice_processing_capacity", "pc.2022.cofco_wheat_processing_capacity",
         "pc.2022.sinograin_storage_project_capacity", "wr.2022.emergency_hospitals_under_construction",
         "pc.2022.emergency_hospitals_under_construction", "pc.2022.twin_city_joint_fields",
         "wr.2022.urban_rail_continuing_projects_km", "pc.2022.waste_incineration_facilities"}
BULLETINS = {"pc.2021.chongqing_finance_issues_sent", "pc.2021.fiscal_work_bulletins_sent"}


@pytest.fixture(scope="module")
def programme():
    return P.prepare(helpers.edition())


@pytest.fixture(scope="module")
def statements():
    return helpers.load("statements")


def _ids(frame) -> set[str]:
    """Every curated row behind the figures of a frame (all their statements)."""
    return {s["row_id"] for statements in frame["statements"] for s in statements}


def test_thresholds_range_ends_and_scope_are_recorded_as_such(statements):
    role = statements.set_index("row_id")["role"]
    assert {role[r] for r in THRESHOLDS} == {"threshold"}
    assert role[RANGE_END] == "range_end" and role[RANGE_START] == "target"    # a range counts once
    assert {role[r] for r in SCOPE} == {"scope"}
    indicator_rows = statements[statements["metric"].str.startswith("plan_indicators_")]
    assert len(indicator_rows) == 21 and set(indicator_rows["role"]) == {"reporting"}
    assert {role[r] for r in BULLETINS} == {"reporting"}


def test_commitments_count_targets_only(programme):
    committed = _ids(P.commitments(programme))
    assert not committed & (THRESHOLDS | SCOPE | {RANGE_END})
    assert RANGE_START in committed
    described = P.describing(programme)
    assert _ids(described) >= THRESHOLDS | SCOPE | {RANGE_END}
    assert set(described["role"]) == set(P.DESCRIBING)
    results = P.results(programme)
    y = programme.plan
    assert results[f"commitments_{y}"] == 70 and results[f"commitment_statements_{y}"] == 113
    assert results[f"describing_commitments_{y}"] == {"threshold": 3, "range_end": 1, "scope": 14}
    assert sum(results["by_topic"][t]["target"] for t in results["by_topic"]) == 70


def test_results_leave_out_figures_about_the_reports(programme):
    shown = _ids(P.achievements(programme)) | _ids(P.holdings(programme))
    about = _ids(P.about_reports(programme))
    assert not shown & about
    assert about >= BULLETINS and all("plan_indicators_" in r or r in BULLETINS for r in about) and len(about) == 23
    results = P.results(programme)
    assert results[f"results_{programme.review}"] == 199 and results["about_reports"] == 13


def test_every_role_is_in_the_schema_and_known_to_the_meaning_check(statements):
    ed = helpers.edition()
    package = json.loads((ed.root / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "statements")
    enum = next(f for f in resource["schema"]["fields"] if f["name"] == "role")["constraints"]["enum"]
    assert set(statements["role"]) == set(enum)
    dated = set(meaning.ROLE_OF_STATEMENT) | set(meaning.DATED_BY_SENTENCE) | {P.REPORTING}
    assert set(enum) <= dated


@pytest.mark.parametrize("row_id,period,expected", [
    ("pc.2022.rural_sewage_settlement_threshold_households", 2021, 2022),   # a threshold is the plan's
    ("pc.2022.new_regional_tcm_centres_max", 2021, 2022),
    ("pc.2022.cofco_rice_processing_capacity", 2021, 2022),
    ("pc.2022.plan_indicators_total", 2021, 2022),        # 2022年…计划指标…沿用2021年指标体系: its first year
    ("pc.2021.fiscal_work_bulletins_sent", 2022, 2021),   # no year in the quote: its (review) section's
])
def test_the_meaning_check_dates_the_new_roles(statements, row_id, period, expected):
    ed = helpers.edition()
    sections = meaning.section_map(ed)
    row = statements.set_index("row_id").loc[row_id].to_dict() | {"row_id": row_id}
    assert meaning.mismatches(row, sections, ed) == []
    wrong = meaning.mismatches({**row, "period": period}, sections, ed)
    assert ("period", period, expected) in wrong


def test_an_unknown_role_is_refused_by_the_checks(data_copy):
    path = data_copy / "curated" / "statements.csv"
    text = path.read_text(encoding="utf-8")
    row = "pc.2022.rural_sewage_settlement_threshold_households,rural_sewage_settlement_threshold_households,2022,plan,threshold,"
    assert row in text
    path.write_text(text.replace(row, row.replace(",threshold,", ",commitment_size,")), encoding="utf-8")
    failed = {c.id for c in helpers.run_checks(data_copy) if c.status == "fail"}
    assert "schema.statements" in failed


# --- Counted numbers in tables (issue 21, point 5) -------------------------------------------------

# A sourced value cell and the cell after it, when that one is a text (unit) cell.
UNIT_CELL = re.compile(r'<td style="text-align:right"><span class="sourced" data-row="([^"]+)"[^>]*>(?:(?!</td>).)*</td>'
                       r'<td style="text-align:left">((?:(?!</td>).)*)</td>')


def test_a_counted_number_in_a_table_reads_with_its_noun_in_english(page_html, statements):
    """A number shown bare under a value column has its unit in the next cell: on the English page that
    cell names what the row counts ("emergency hospitals"), not the counter's word ("firms", "number")."""
    nouns = statements.set_index("row_id")[["count_noun", "count_noun_one"]].to_dict("index")
    checked, wrong = 0, []
    for ident, cell in UNIT_CELL.findall(page_html("en")):
        row_id = html.unescape(ident).split(":", 1)[1]
        noun = nouns.get(row_id, {}).get("count_noun")
        if not isinstance(noun, str) or not noun:
            continue
        checked += 1
        text = html.unescape(re.sub(r"<[^>]+>", "", cell))
        if noun not in text and nouns[row_id]["count_noun_one"] not in text:
            wrong.append((row_id, text, noun))
    assert checked >= 40 and wrong == [], wrong[:10]


def test_the_page_lists_the_describing_figures_and_those_about_the_reports(page_html):
    for lang in ("zh", "en"):
        markup = page_html(lang)
        rows = set(re.findall(r'data-row="statements:([^"]+)"', markup))
        assert THRESHOLDS | {RANGE_END} | BULLETINS <= rows, lang


@pytest.fixture(scope="module")
def page_html():
    from helpers.report.protocol import open_page

    cache = {}

    def render(lang: str) -> str:
        if lang not in cache:
            page = open_page("04-programme", helpers.edition(), lang)
            cache[lang] = "".join(page.section(name) for name in ("findings", *page.SECTIONS, "sources"))
        return cache[lang]
    return render
