"""Analysis of major-project investment (helpers.analysis.investment), checked against values
computed here from the CSV's own numbers.

The expected values are recomputed from `curated/major_projects.csv` read with the csv module (the
gazette's figures: plan report lines 353 and 377), so that a change in either the CSV or the code
shows up as a failure.
"""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
import yaml
from test_audit import shifted_edition

import helpers
from helpers.analysis import investment
from helpers.checks import Check, Facts
from helpers.errors import DataError, EditionError, HelpersError


@pytest.fixture(scope="module")
def ed():
    return helpers.edition()


@pytest.fixture(scope="module")
def data(ed) -> investment.Investment:
    return investment.prepare(ed)


@pytest.fixture(scope="module")
def csv_rows(ed) -> list[dict]:
    with ed.table_path("major_projects").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def value(rows, period, category, measure, portfolio="annual") -> float:
    hits = [r for r in rows if int(r["period"]) == period and r["category"] == category and r["measure"] == measure
            and r["portfolio"] == portfolio]
    assert len(hits) == 1, (period, category, measure)
    factor = 10_000 if hits[0]["unit"] == "万亿元" else 1
    return float(hits[0]["value"]) * factor


def sectors(rows, period) -> dict:
    return {r["category"]: float(r["value"]) for r in rows
            if int(r["period"]) == period and r["breakdown"] == "sector" and r["measure"] == "investment"}


# --- the edition's knowledge ----------------------------------------------------------------------

def test_years_come_from_the_edition(ed, data):
    assert (data.review, data.plan) == (ed.year("review"), ed.year("plan"))
    assert investment.years(data.projects) == (data.review, data.plan)
    assert data.crosswalk.years == (data.review, data.plan)


def test_config_names_the_sources_and_portfolios(data):
    assert data.config.source_codes() == ("government", "enterprise")
    assert data.config.sources["enterprise"]["zh"] == "企业投资项目"
    assert list(data.config.portfolios) == ["annual", "preliminary"]
    assert data.config.headline == {"sector": "urban", "source": "enterprise"}


def test_config_with_a_source_lacking_a_language_is_refused(data_copy):
    path = data_copy / "analysis" / "investment.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    del spec["sources"]["government"]["en"]
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EditionError, match="sources.government needs exactly the names zh and en"):
        investment.read_config(helpers.edition(data_copy))


def test_amounts_are_converted_by_the_factors_of_the_edition(data, csv_rows):
    """The amount unit and the factors are edition data (analysis/investment.yaml, `amounts`)."""
    assert data.config.amounts["unit"] == "亿元" and data.config.amounts["factors"]["万亿元"] == 10_000
    totals = data.projects[data.projects["measure"] == "total_investment"]
    assert (totals["amount"] == totals["value"] * 10_000).all() and (totals["unit"] == "万亿元").all()
    assert (totals["half_amount"] == totals["half_unit"] * 10_000).all()
    counts = data.projects[data.projects["measure"] == "count"]
    assert counts["amount"].isna().all()                                   # a count is no amount
    with pytest.raises(HelpersError, match=r"row \S+ \(个\) has no amount"):
        investment.amount(data.projects, data.review, "total", "count")
    bare = data.projects.drop(columns=["amount", "half_amount"])
    with pytest.raises(HelpersError, match="needs the amount columns of `with_amounts`"):
        investment.sector_table(bare, data.review)


@pytest.mark.parametrize("amounts", [None, {"unit": "亿元"}, {"unit": "亿元", "factors": {"万亿元": 10000}},
                                     {"unit": "亿元", "factors": {"亿元": 1, "万亿元": -1}}])
def test_config_without_a_proper_amount_unit_is_refused(data_copy, amounts):
    path = data_copy / "analysis" / "investment.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    if amounts is None:
        del spec["amounts"]
    else:
        spec["amounts"] = amounts
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EditionError, match="amounts"):
        investment.read_config(helpers.edition(data_copy))


def test_project_checks_are_those_on_the_table(data):
    ids = {c.id for c in data.checks}
    assert "schema.major_projects" in ids
    assert sum(c.kind == "provenance" for c in data.checks) == len(data.projects)
    assert any(c.kind == "known_discrepancy" for c in data.checks)
    assert all(c.kind != "identity" or any(r["table"] == "major_projects" for r in c.extra["rows"]) for c in data.checks)
    assert not any(c.id.startswith("provenance.budget.") for c in data.checks)


def test_a_failed_project_check_stops_the_analysis(data):
    bad = Check("identity.projects_x", "identity", "x", 1, 2, 0, "fail", extra={"rows": [{"table": "major_projects"}]})
    with pytest.raises(HelpersError, match="checks of the major-project numbers failed: identity.projects_x"):
        investment.project_checks(data.checks + [bad], data.projects)
    with pytest.raises(HelpersError, match="no checks of the major-project numbers"):
        investment.project_checks([], data.projects)


# --- numbers --------------------------------------------------------------------------------------

def test_sector_table_completed(data, csv_rows):
    r = data.review
    expected, total = sectors(csv_rows, r), value(csv_rows, r, "total", "investment")
    table = investment.sector_table(data.projects, r).set_index("category")
    assert list(table.index) == list(expected)  # the report's order
    for code, v in expected.items():
        assert table.at[code, "investment"] == v
        assert table.at[code, "share"] == pytest.approx(v / total)
    assert table["count"].isna().all()
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.at["urban", "share"] == pytest.approx(2132 / 4093)


def test_sector_table_planned_with_counts_and_averages(data, csv_rows):
    p = data.plan
    total = value(csv_rows, p, "total", "investment")
    table = investment.sector_table(data.projects, p).set_index("category")
    for code, v in sectors(csv_rows, p).items():
        n = value(csv_rows, p, code, "count")
        assert table.at[code, "count"] == n and table.at[code, "investment"] == v
        assert table.at[code, "share"] == pytest.approx(v / total)
        assert table.at[code, "avg_per_project"] == pytest.approx(v / n)
    assert table.at["urban", "avg_per_project"] == pytest.approx(2293 / 352)


def test_compare_sectors_matches_through_the_crosswalk(data, csv_rows):
    r, p = data.review, data.plan
    cmp = investment.compare_sectors(data.projects, data.crosswalk)
    by_from = cmp.set_index("sector_from")
    assert by_from.at["industry", "sector_to"] == "industrial_transformation"
    done, plan = value(csv_rows, r, "industry", "investment"), value(csv_rows, p, "industrial_transformation", "investment")
    assert by_from.at["industry", "change"] == plan - done
    assert by_from.at["industry", "change_rate"] == pytest.approx(plan / done - 1)
    assert by_from.at["ecology_energy", "sector_to"] == "ecology_environment"
    assert by_from.at["urban", "share_change"] == pytest.approx(
        value(csv_rows, p, "urban", "investment") / value(csv_rows, p, "total", "investment")
        - value(csv_rows, r, "urban", "investment") / value(csv_rows, r, "total", "investment"))
    assert by_from.at["chengdu_chongqing", "sector_to"] is None
    assert math.isnan(by_from.at["chengdu_chongqing", "planned"]) and math.isnan(by_from.at["chengdu_chongqing", "change_rate"])
    assert sorted(cmp["sector_from"]) == sorted(sectors(csv_rows, r))
    assert sorted(s for s in cmp["sector_to"] if s) == sorted(sectors(csv_rows, p))
    assert "生态能源改为生态环保" in by_from.at["ecology_energy", "note_zh"]


def test_compare_sectors_does_not_match_by_position(data):
    """Reordering the crosswalk's rows reorders the output but changes no pairing."""
    cw = data.crosswalk
    shuffled = investment.SectorCrosswalk(cw.path, cw.years, cw.frame.iloc[::-1].reset_index(drop=True))
    a = investment.compare_sectors(data.projects, cw).set_index("sector_from").sort_index()
    b = investment.compare_sectors(data.projects, shuffled).set_index("sector_from").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_source_table_completed(data, csv_rows):
    r, sources = data.review, data.config.source_codes()
    table = investment.source_table(data.projects, r, sources).set_index("category")
    g, e = value(csv_rows, r, "government", "investment"), value(csv_rows, r, "enterprise", "investment")
    ng, ne = value(csv_rows, r, "government", "count"), value(csv_rows, r, "enterprise", "count")
    rg, re_, rt = (value(csv_rows, r, c, "completion_rate") for c in ("government", "enterprise", "total"))
    assert table.at["enterprise", "share_investment"] == pytest.approx(e / (g + e))
    assert table.at["government", "share_count"] == pytest.approx(ng / (ng + ne))
    assert table.at["government", "avg_per_project"] == pytest.approx(g / ng)
    assert table.at["total", "implied_plan"] == pytest.approx((g + e) / (rt / 100))
    assert table.at["enterprise", "implied_plan"] == pytest.approx(e / (re_ / 100))
    assert table.at["enterprise", "implied_plan_share"] == pytest.approx((e / re_) / (g / rg + e / re_))
    assert list(table.index) == [*sources, "total"]


def test_source_table_planned_has_no_rates(data):
    table = investment.source_table(data.projects, data.plan, data.config.source_codes()).set_index("category")
    assert table.at["enterprise", "share_investment"] == pytest.approx(2035 / 3570)
    assert table.at["total", "avg_per_project"] == pytest.approx(3570 / 850)
    assert table["implied_plan"].isna().all()


def test_completion_rate_gap_agrees_with_the_register(data):
    sources = data.config.source_codes()
    gap = investment.completion_rate_gap(investment.source_table(data.projects, data.review, sources), sources)
    assert gap == pytest.approx(4093 / 1.158 - 1349 / 1.101 - 2744 / 1.171)
    known = [c for c in data.checks if c.kind == "known_discrepancy"]
    assert len(known) == 1 and gap == pytest.approx(known[0].actual, abs=1e-6)


def test_unit_conversion_and_portfolio_scale(data):
    r, p = data.review, data.plan
    assert investment.convert(2.6, "万亿元", data.config.amounts["factors"]) == pytest.approx(26000)
    scale = investment.portfolio_scale(data.projects).set_index(["portfolio", "period"])
    assert scale.at[("annual", r), "years_of_work"] == pytest.approx(26000 / 4093)
    assert scale.at[("annual", p), "years_of_work"] == pytest.approx(25000 / 3570)
    assert scale.at[("preliminary", p), "count"] == 257
    assert scale.at[("preliminary", p), "years_of_work"] == pytest.approx(13000 / 3570)
    # bounds from the printed rounding: 2.6 万亿元 is 2.55–2.65, 4093 is 4092.5–4093.5
    assert scale.at[("annual", r), "years_low"] == pytest.approx(25500 / 4093.5)
    assert scale.at[("annual", r), "years_high"] == pytest.approx(26500 / 4092.5)


def test_implied_plan_and_bad_input(data):
    assert investment.implied_plan(4093, 115.8) == pytest.approx(4093 / 1.158)
    with pytest.raises(HelpersError, match="completion rate must be positive"):
        investment.implied_plan(4093, 0)
    with pytest.raises(HelpersError, match="expected one row for annual total investment 1999"):
        investment.row(data.projects, 1999, "total", "investment")
    with pytest.raises(HelpersError, match="cannot convert unit '万元'"):
        investment.convert(1, "万元", data.config.amounts["factors"])


def test_unverified_rows_are_refused(ed):
    facts = helpers.verified_facts(ed)
    frame = facts.frame[facts.frame["row_id"] != f"{ed.year('review')}.annual.urban.investment"]
    with pytest.raises(HelpersError, match=r"not verified against the gazette: \d{4}.annual.urban.investment"):
        investment.verified(helpers.load("major_projects", ed), Facts(frame))


# --- results --------------------------------------------------------------------------------------

def test_results_are_recomputed_from_the_csv(data, csv_rows):
    r, p = data.review, data.plan
    res = investment.results(data)
    done, plan = value(csv_rows, r, "total", "investment"), value(csv_rows, p, "total", "investment")
    rates = {c: value(csv_rows, r, c, "completion_rate") for c in ("government", "enterprise", "total")}
    implied = done / (rates["total"] / 100)
    by_source = sum(value(csv_rows, r, c, "investment") / (rates[c] / 100) for c in ("government", "enterprise"))
    assert res[f"completed_{r}_total"] == done and res[f"planned_{p}_total"] == plan
    assert res[f"planned_{p}_vs_completed_{r}"] == round(plan / done - 1, 4)
    assert res[f"urban_share_planned_{p}"] == round(value(csv_rows, p, "urban", "investment") / plan, 4)
    assert res[f"enterprise_share_completed_{r}"] == round(value(csv_rows, r, "enterprise", "investment") / done, 4)
    assert res[f"implied_plan_{r}_total"] == round(implied, 2)
    assert res[f"implied_plan_{r}_by_source"] == round(by_source, 2)
    assert res[f"completion_rate_gap_{r}"] == round(implied - by_source, 2)
    assert res[f"planned_{p}_vs_implied_plan_{r}"] == round(plan / implied - 1, 4)
    assert res[f"avg_planned_investment_per_project_{p}"] == round(plan / value(csv_rows, p, "total", "count"), 2)
    assert res[f"portfolio_years_of_work_{r}"] == round(value(csv_rows, r, "total", "total_investment") / done, 2)
    assert res[f"preliminary_total_investment_{p}"] == value(csv_rows, p, "total", "total_investment", "preliminary")
    assert res["sectors_without_counterpart"] == ["chengdu_chongqing"]
    assert len(res) == 17


def test_a_shifted_edition_gives_the_same_results_with_its_years(tmp_path, ed, data):
    shifted = helpers.edition(shifted_edition(ed.root, tmp_path / "next"))
    moved = investment.results(investment.prepare(shifted))
    shift = {str(y): str(y + 1) for y in (data.review, data.plan)}

    def renamed(key):
        for old in sorted(shift, reverse=True):   # the later year first, so that 2021 → 2022 is not shifted twice
            key = key.replace(old, f"<{old}>")
        for old, new in shift.items():
            key = key.replace(f"<{old}>", new)
        return key

    assert moved == {renamed(k): v for k, v in investment.results(data).items()}


# --- the crosswalk file ---------------------------------------------------------------------------

def _lines(ed) -> list[str]:
    """The crosswalk's lines, of an edition or of an edition folder (a test's copy)."""
    return investment.crosswalk_path(helpers.edition(ed)).read_text(encoding="utf-8").splitlines()


def _write(data_copy, lines):
    path = data_copy / "crosswalks" / "project_sectors.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return helpers.edition(data_copy), path


def test_shipped_crosswalk_is_one_row_per_sector(ed, data, csv_rows):
    cw = data.crosswalk
    assert sorted(cw.sectors(data.review)) == sorted(sectors(csv_rows, data.review))
    assert sorted(cw.sectors(data.plan)) == sorted(sectors(csv_rows, data.plan))
    assert cw.frame["note_zh"].str.len().min() > 3 and cw.frame["note_en"].str.len().min() > 10
    assert _lines(ed)[0] == ",".join(investment.crosswalk_columns(data.review, data.plan))
    assert cw.names("zh")["industrial_transformation"] == "产业转型升级"
    assert cw.names("en")["urban"] == "Urban improvement"
    with pytest.raises(HelpersError, match="lang='fr'"):
        cw.names("fr")


def test_crosswalk_note_does_not_claim_where_energy_projects_went(data):
    note = data.crosswalk.frame.set_index("sector_from").at["ecology_energy", "note_en"]
    assert "does not say where energy projects" in note
    assert "moved to a sector" not in note


def test_crosswalk_unknown_sector_code_names_file_and_line(data_copy, data):
    lines = _lines(data_copy)
    lines[4] = lines[4].replace(",rural_revitalisation,乡村振兴,Rural", ",rural_revival,乡村振兴,Rural")
    ed, path = _write(data_copy, lines)
    with pytest.raises(DataError) as err:
        investment.load_crosswalk(ed, data.projects)
    assert err.value.line == 5 and err.value.column == f"sector_{data.plan}"
    assert str(path) in str(err.value) and f"unknown sector code 'rural_revival' for {data.plan}" in str(err.value)


def test_crosswalk_missing_column(data_copy, data):
    lines = [line.rsplit(",", 1)[0] if i == 0 else line for i, line in enumerate(_lines(data_copy))]
    ed, path = _write(data_copy, lines)
    with pytest.raises(DataError, match=r"line 1: header does not match the descriptor \(missing columns \['note_en'\]\)") as err:
        investment.load_crosswalk(ed, data.projects)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(("edit", "message", "line"), [
    (lambda ls: ls[:3] + ls[4:], "missing from the crosswalk: industry", None),
    (lambda ls: ls + [ls[5]], "sector 'urban' of .* listed twice, first on line 6", 9),
    (lambda ls: ls[:2] + [ls[2].replace("成渝地区双城经济圈,", "成渝双城,", 1)] + ls[3:], "does not match sector", 3),
    (lambda ls: ls[:4] + ["rural_revitalisation,乡村振兴,Rural,rural_revitalisation,乡村振兴,Rural,两年名称相同。,"] + ls[5:],
     "column 'note_en': missing value", 5),
    (lambda ls: ls[:4] + ["rural_revitalisation,乡村振兴,,rural_revitalisation,乡村振兴,Rural,同,same"] + ls[5:],
     "missing English name", 5),
    (lambda ls: ls + [",,,,,,empty,empty"], "names no sector of either year", 9),
])
def test_crosswalk_bad_content(data_copy, data, edit, message, line):
    ed, _ = _write(data_copy, edit(_lines(data_copy)))
    with pytest.raises(DataError, match=message) as err:
        investment.load_crosswalk(ed, data.projects)
    assert err.value.line == line


def test_crosswalk_for_other_years_is_refused(data_copy, data):
    with pytest.raises(DataError, match="the edition's years are 2000 and 2001"):
        investment.load_crosswalk(helpers.edition(data_copy), data.projects, years=(2000, 2001))


def test_crosswalk_with_bom_or_missing_file(data_copy, data):
    ed, path = _write(data_copy, _lines(data_copy))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with pytest.raises(DataError, match="byte-order mark"):
        investment.load_crosswalk(ed, data.projects)
    path.unlink()
    with pytest.raises(DataError, match="project_sectors.csv: file not found"):
        investment.load_crosswalk(ed, data.projects)


def test_crosswalk_is_read_from_the_edition(data_copy):
    copy = helpers.edition(data_copy)
    assert investment.crosswalk_path(copy) == data_copy / "crosswalks" / "project_sectors.csv"
    assert investment.load_crosswalk(copy).years == (helpers.edition().year("review"), helpers.edition().year("plan"))
