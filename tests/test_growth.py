"""helpers.growth against values computed here, independently, from the curated CSV files."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

import helpers
from helpers import growth, paths, provenance
from helpers.checks import Check
from helpers.errors import DataError, HelpersError, ParameterError


def _csv(name: str) -> list[dict]:
    with open(paths.ROOT / "data" / "curated" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


RAW_INDICATORS = _csv("indicators")
RAW_ECONOMY = _csv("economy")


def _pairs(table_year: str = "2021") -> dict[str, tuple[dict, dict]]:
    """metric -> (target row, result row) of one table, straight from the CSV."""
    rows = [r for r in RAW_INDICATORS if r["table_year"] == table_year]
    targets = {r["metric"]: r for r in rows if r["basis"] == "plan"}
    results = {r["metric"]: r for r in rows if r["basis"] == "actual"}
    return {m: (t, results[m]) for m, t in targets.items() if m in results}


def _numeric_pairs() -> dict[str, tuple[dict, dict]]:
    return {m: (t, r) for m, (t, r) in _pairs().items() if t["status"] == "number" and r["status"] == "number"}


@pytest.fixture(scope="module")
def indicators():
    return helpers.load("indicators")


@pytest.fixture(scope="module")
def economy():
    return helpers.load("economy")


@pytest.fixture(scope="module")
def card(indicators):
    return growth.scorecard(indicators)


# --- the 2021 scorecard ----------------------------------------------------------------------------

def test_years_come_from_the_data(indicators):
    assert growth.years(indicators) == (2021, 2022)


def test_targets_assessed_counts_numeric_target_and_result(card):
    expected = len(_numeric_pairs())
    assert expected == 34
    assert len(growth.assessed(card)) == expected
    assert len(card) == sum(1 for r in RAW_INDICATORS if r["table_year"] == "2021" and r["basis"] == "plan")


def test_missed_targets_by_the_face_value_rule(card):
    missed = []
    for t, r in _numeric_pairs().values():
        target, result = float(t["value"]), float(r["value"])
        ok = result >= target if t["direction"] == "higher" else result <= target
        if not ok:
            missed.append(t["name_zh"])
    assert growth.missed_targets(card) == missed == ["高技术产业增加值占工业比重", "民营经济占比"]


def test_margins_and_direction(card):
    c = card.set_index("metric")
    assert c.loc["high_tech_industry_share_of_industry", "margin"] == pytest.approx(19.1 - 19.5)
    assert c.loc["private_economy_share", "margin"] == pytest.approx(59.6 - 60)
    # lower is better: CPI index 100.3 against a ceiling of 103.2 is met, favourably by 2.9 points
    assert c.loc["cpi_inflation", "margin"] == pytest.approx(100.3 - 103.2)
    assert c.loc["cpi_inflation", "favourable_margin"] == pytest.approx(103.2 - 100.3)
    assert c.loc["cpi_inflation", "verdict"] == "met"
    assert c.loc["work_safety_deaths_per_100m_gdp", "favourable_margin"] == pytest.approx(0.035 - 0.031)
    # a result equal to its "about" target counts as met, with a zero (not negative zero) margin
    assert c.loc["surveyed_unemployment_rate", "verdict"] == "met"
    assert math.copysign(1, c.loc["surveyed_unemployment_rate", "favourable_margin"]) == 1
    assert c.loc["gdp_growth", "margin"] == pytest.approx(8.3 - 6)
    assert c.loc["high_tech_enterprises", "margin_unit"] == "家"
    assert c.loc["gdp_growth", "margin_unit"] == "百分点"


def test_gdp_growth_result_and_target(card):
    t, r = _pairs()["gdp_growth"]
    c = card.set_index("metric").loc["gdp_growth"]
    assert c["result"] == float(r["value"]) == 8.3
    assert c["target"] == float(t["value"]) == 6


def test_not_assessable_carry_the_legend_meaning(card):
    na = card[card["verdict"] == "not_assessable"].set_index("metric")
    expected = {m for m, (t, r) in _pairs().items() if t["status"] != "number" or r["status"] != "number"}
    assert set(na.index) == expected
    assert "不再纳入统计体系的指标" in na.loc["non_public_economy_share", "reason_zh"]
    assert "no longer included" in na.loc["non_public_economy_share", "reason_en"]
    assert "空白" in na.loc["pollutant_reduction", "reason_zh"]
    assert "由负转正" in na.loc["services_trade_growth", "reason_zh"]


def test_verdict_counts_split_binding_and_expected(card):
    counts = growth.verdict_counts(card)
    pairs = _pairs()
    binding = [m for m, (t, _) in pairs.items() if t["binding"] == "true"]
    binding_na = [m for m in binding if m not in _numeric_pairs()]
    assert counts.loc["binding", "not_assessable"] == len(binding_na) == 4
    assert counts.loc["binding", "missed"] == 0
    assert counts.loc["total"].sum() == len(card)
    assert counts.loc["total", "met"] == 34 - 2


@pytest.mark.parametrize(("target", "result", "direction", "met"), [
    (19.5, 19.1, "higher", False), (15, 15, "higher", True), (5.5, 5.5, "lower", True),
    (103.2, 100.3, "lower", True), (1.83, 1.85, "lower", False),
])
def test_target_met_face_value(target, result, direction, met):
    assert growth.target_met(target, result, direction) is met


def test_bad_direction_raises_a_clear_error():
    with pytest.raises(DataError, match="direction 'up' is not allowed"):
        growth.target_met(1, 2, "up")


def test_scorecard_rejects_wrong_inputs(indicators):
    with pytest.raises(DataError, match=r"missing columns \['direction'\]"):
        growth.scorecard(indicators.drop(columns="direction"))
    with pytest.raises(DataError, match="has no results"):
        growth.scorecard(indicators, 2022)
    with pytest.raises(DataError, match="no indicator table for year 1999"):
        growth.scorecard(indicators, 1999)
    bad = indicators.copy()
    bad.loc[bad["row_id"].isin(["2021.target.05", "2021.actual.05"]), "direction"] = "sideways"
    with pytest.raises(HelpersError, match="direction 'sideways' is not allowed"):
        growth.scorecard(bad)
    bad = indicators.copy()
    bad.loc[bad["row_id"] == "2021.actual.05", "direction"] = "lower"
    with pytest.raises(DataError, match="high_tech_industry_share_of_industry disagree on direction"):
        growth.scorecard(bad)


# --- the document's own verdict --------------------------------------------------------------------

def test_document_verdict_quotes_line_351():
    lines = provenance.raw_lines()
    v = growth.DOCUMENT_VERDICT
    assert v.line == 351 and v.document == "plan_report"
    assert v.quote in lines[350]
    second_sentence = v.quote.split("其余指标全部完成。")[1]
    assert second_sentence in lines[488]        # repeated in appendix 1, line 489
    assert "民营经济增加值占地区生产总值的比重" in second_sentence


def test_document_and_computed_verdicts(card):
    cmp = growth.compare_with_document(card)
    assert len(cmp) == 34
    assert cmp.loc[~cmp["agrees"], "metric"].tolist() == ["high_tech_industry_share_of_industry"]
    assert cmp.set_index("metric").loc["private_economy_share", "document"] == "missed"


def test_document_counts(card):
    d = growth.document_counts(card).set_index("item")
    top = [t for t, _ in _pairs().values() if t["sub_item"] == "false"]
    assert len(top) == 36
    assert d.loc["binding_total", "computed"] == sum(t["binding"] == "true" for t in top) == 7
    assert d.loc["expected_total", "computed"] == sum(t["binding"] == "false" for t in top) == 29
    assert d.loc["binding_without_data", "computed"] == 4
    assert d.loc[["binding_total", "binding_without_data", "expected_total", "binding_met_of_assessed"], "agrees"].all()
    assert not d.loc["expected_missed", "agrees"]


def test_document_verdict_naming_an_unknown_indicator_fails(card):
    bad = growth.DocumentVerdict("plan_report", 351, "x", 7, 4, 29, ("no_such_metric",))
    with pytest.raises(DataError, match="no_such_metric"):
        growth.compare_with_document(card, bad)


def test_stated_gaps_match_margins(card):
    gaps = helpers.load("target_gaps")
    sg = growth.stated_gaps(card, gaps)
    pairs = _pairs()
    for row in sg.to_dict("records"):
        t, r = pairs[row["metric"]]
        assert row["margin"] == pytest.approx(float(r["value"]) - float(t["value"]))
    assert sg["agrees"].all()
    assert len(sg) == len(_csv("target_gaps"))


# --- 2022 against 2021 -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def comp(indicators):
    return growth.targets_vs_results(indicators)


def test_gdp_target_2022_against_2021(comp):
    t22 = next(r for r in RAW_INDICATORS if r["row_id"] == "2022.target.01")
    r21 = _pairs()["gdp_growth"][1]
    g = comp.set_index("metric").loc["gdp_growth"]
    assert g["target_next"] == float(t22["value"]) == 5.5
    assert g["change_vs_result"] == pytest.approx(float(t22["value"]) - float(r21["value"]))
    assert g["change_vs_result"] == pytest.approx(5.5 - 8.3)
    assert g["change_vs_target"] == pytest.approx(5.5 - 6)
    assert g["ambition"] == "lowered"


def test_renamed_indicators_are_matched(comp):
    c = comp.set_index("metric")
    assert c.loc["digital_economy_core_growth", "metric_prev"] == "digital_economy_growth"
    assert c.loc["digital_economy_core_growth", "result_prev"] == 15
    assert c.loc["new_market_entities_growth", "result_prev"] == pytest.approx(19.4)
    assert c.loc["new_market_entities_growth", "change_vs_result"] == pytest.approx(12.5 - 19.4)
    assert c.loc["private_economy_share", "name_zh_prev"] == "民营经济占比"
    assert c.loc["digital_economy_core_growth", "renamed"] and not c.loc["gdp_growth", "renamed"]
    # every numeric 2022 target finds its 2021 indicator
    numeric_2022 = [r["metric"] for r in RAW_INDICATORS if r["table_year"] == "2022" and r["status"] == "number"]
    assert c.loc[numeric_2022, "metric_prev"].notna().all()


def test_ambition_respects_direction(comp):
    c = comp.set_index("metric")
    assert c.loc["region_per_capita_gdp_ratio", "ambition"] == "raised"        # 1.83 -> 1.8, lower is better
    assert c.loc["cpi_inflation", "ambition"] == "raised"                      # 103.2 -> 103
    assert c.loc["private_investment_growth", "change_vs_target"] == pytest.approx(6 - 2)
    assert c.loc["trade_growth", "ambition"] == "unchanged"
    assert c.loc["services_trade_growth", "ambition"] == "n/a"


def test_growth_rate_targets_all_below_2021_results(comp):
    rates = growth.growth_rate_targets(comp)
    pairs = _numeric_pairs()
    next_targets = {r["metric"]: float(r["value"]) for r in RAW_INDICATORS
                    if r["table_year"] == "2022" and r["status"] == "number"}
    inverse = {v: k for k, v in growth.RENAMED_INDICATORS.items()}
    expected = [m for m in next_targets if m.endswith("_growth") and inverse.get(m, m) in pairs
                and pairs[inverse.get(m, m)][0]["unit"] == "%"]
    assert sorted(rates["metric"]) == sorted(expected)
    below = [m for m in expected if next_targets[m] < float(pairs[inverse.get(m, m)][1]["value"])]
    assert int((rates["change_vs_result"] < 0).sum()) == len(below) == 17


def test_dropped_indicators(indicators):
    assert set(growth.dropped_indicators(indicators)["metric"]) == {"non_public_economy_share", "energy_consumption_growth"}


def test_a_renaming_that_merges_two_indicators_is_refused(indicators):
    bad = dict(growth.RENAMED_INDICATORS, gdp_growth="digital_economy_core_growth")
    with pytest.raises(ParameterError, match="two 2021 indicators"):
        growth.targets_vs_results(indicators, bad)


# --- growth by sector ------------------------------------------------------------------------------

def test_fastest_pillar_industry(economy):
    pillars = [r for r in RAW_ECONOMY if r["sector_group"] == "pillar_industry" and r["period"] == "2021"]
    best = max(pillars, key=lambda r: float(r["value"]))
    sectors = growth.sector_growth(economy, 2021)
    top = growth.fastest(sectors, "pillar_industry")
    assert top["sector_zh"] == best["name_zh"].removesuffix("增加值增长") == "电子产业"
    assert top["value"] == float(best["value"]) == 17.3
    industry = next(float(r["value"]) for r in RAW_ECONOMY if r["metric"] == "industrial_value_added_growth" and r["period"] == "2021")
    assert top["vs_reference"] == pytest.approx(17.3 - industry)
    above = {r["metric"] for r in pillars if float(r["value"]) > industry}
    assert set(sectors.loc[(sectors["sector_group"] == "pillar_industry") & (sectors["vs_reference"] > 0), "metric"]) == above
    assert len(above) == 4


def test_sector_growth_keeps_value_added_once(economy):
    sectors = growth.sector_growth(economy, 2021)
    assert sectors["metric"].is_unique
    assert "software_revenue_growth" not in set(sectors["metric"])            # revenue, not value added
    assert "agro_processing_output_growth" not in set(sectors["metric"])      # output, not value added
    assert "high_tech_manufacturing_growth" in set(sectors["metric"])         # plan report says 增加值
    assert sectors["value"].is_monotonic_decreasing
    assert sectors.loc[sectors["is_reference"], "value"].item() == 10.7


def test_sector_errors(economy):
    sectors = growth.sector_growth(economy, 2021)
    with pytest.raises(ParameterError, match="no sector of group 'mining'"):
        growth.fastest(sectors, "mining")
    with pytest.raises(DataError, match="reference"):
        growth.sector_growth(economy, 2022)


# --- levels ----------------------------------------------------------------------------------------

def _value(metric: str) -> float:
    return next(float(r["value"]) for r in RAW_ECONOMY if r["metric"] == metric and r["period"] == "2021")


def test_implied_previous_levels_only_for_nominal_rates(economy):
    lv = growth.levels(economy, 2021).set_index("metric")
    assert lv.loc["retail_sales", "previous"] == pytest.approx(13967.7 / 1.185)
    assert lv.loc["retail_sales", "previous_low"] == pytest.approx(13967.7 / 1.1855)
    assert lv.loc["retail_sales", "previous_high"] == pytest.approx(13967.7 / 1.1845)
    assert lv.loc["disposable_income", "previous"] == pytest.approx(_value("disposable_income") / (1 + _value("disposable_income_growth") / 100))
    assert math.isnan(lv.loc["gdp", "previous"])
    assert lv.loc["gdp", "growth_basis"] == "real"
    assert lv.loc["gdp", "level"] == 27894


def test_urban_rural_income_ratio(economy):
    ratio = growth.income_ratio(growth.levels(economy, 2021))
    urban, rural = _value("urban_disposable_income"), _value("rural_disposable_income")
    assert ratio["ratio"] == pytest.approx(urban / rural) == pytest.approx(43502 / 18100)
    previous = (urban / (1 + _value("urban_disposable_income_growth") / 100)) / (rural / (1 + _value("rural_disposable_income_growth") / 100))
    assert ratio["previous"] == pytest.approx(previous)
    assert ratio["change"] < 0


def test_level_errors(economy):
    with pytest.raises(ParameterError, match="above -100"):
        growth.implied_previous_level(100, -100)
    with pytest.raises(ParameterError, match="allowed: 'real', 'nominal'"):
        growth.levels(economy, 2021, {"gdp": "chained"})
    with pytest.raises(DataError, match="need both gdp and gdp_growth"):
        growth.levels(economy, 2020)


# --- checks and formatting -------------------------------------------------------------------------

def test_require_checks_counts_and_fails_loudly():
    ok = [Check("a", "schema", "", None, None, None, "pass"), Check("b", "identity", "", None, None, None, "pass")]
    counts = growth.require_checks(ok)
    assert counts["n"].sum() == 2
    bad = ok + [Check("identity.x", "identity", "", None, None, None, "fail")]
    with pytest.raises(DataError, match="1 data checks failed: identity.x"):
        growth.require_checks(bad)


def test_formatting():
    assert growth.format_change(-0.4, "%", "zh") == "-0.4 百分点"
    assert growth.format_change(-0.0) == "0"
    assert growth.format_change(float("nan"), "%") == "—"
    assert growth.format_change(608.0, "家", "en") == "+608 firms"
    assert growth.cell_text("103.2以内", "index", "en") == "103.2 or less"
    assert growth.cell_text("19.5左右", "%", "zh") == "19.5%左右"
    assert growth.cell_text("○", "%", "en") == "○"


def test_scorecard_is_a_plain_frame(card):
    assert isinstance(card, pd.DataFrame)
    assert set(card["verdict"]) <= set(growth.VERDICTS)


def test_margin_html_carries_the_sources(card, indicators):
    rows = {r["row_id"]: r for r in indicators.to_dict("records")}
    r = card.set_index("metric").loc["high_tech_industry_share_of_industry"].to_dict()
    html = growth.margin_html(r, rows[r["target_row_id"]], rows[r["result_row_id"]], "en")
    assert html.startswith("High-tech industry value added as share of industry (target ")
    assert "about 19.5%" in html and "19.1%" in html and "-0.4 pp" in html
    assert 'title="plan report, line 509: 5\t高技术产业增加值占工业比重(%)\t19.5左右\t19.1"' in html
    zh = growth.margin_html(r, rows[r["target_row_id"]], rows[r["result_row_id"]], "zh")
    assert zh.startswith("高技术产业增加值占工业比重（目标 ") and "19.5%左右" in zh and "-0.4 百分点" in zh
