"""helpers.analysis.growth against values computed here, independently, from the edition's CSV files."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpers
from helpers.analysis import growth
from helpers.checks import Check
from helpers.data import provenance
from helpers.errors import DataError, EditionError, HelpersError, ParameterError

ED = helpers.edition()
REVIEW, PLAN = ED.year("review"), ED.year("plan")
SETTINGS = ED.load_yaml("growth")


def _csv(name: str) -> list[dict]:
    with open(ED.table_path(name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


RAW_INDICATORS = _csv("indicators")
RAW_ECONOMY = _csv("economy")
RENAMED = growth.renamed(helpers.load("renamed_indicators", ED))
VERDICT = growth.DocumentVerdict.from_settings(SETTINGS["document_verdict"], ED.fill)


def _sectors(economy, year: int = REVIEW):
    return growth.sector_growth(economy, year, SETTINGS["sector_reference"], SETTINGS["sector_names"])


def _pairs(table_year: int = REVIEW) -> dict[str, tuple[dict, dict]]:
    """metric -> (target row, result row) of one table, straight from the CSV."""
    rows = [r for r in RAW_INDICATORS if r["table_year"] == str(table_year)]
    targets = {r["metric"]: r for r in rows if r["basis"] == "plan"}
    results = {r["metric"]: r for r in rows if r["basis"] == "actual"}
    return {m: (t, results[m]) for m, t in targets.items() if m in results}


def _numeric_pairs() -> dict[str, tuple[dict, dict]]:
    return {m: (t, r) for m, (t, r) in _pairs().items() if t["status"] == "number" and r["status"] == "number"}


@pytest.fixture(scope="module")
def indicators():
    return growth.inherit_binding(helpers.load("indicators", ED))


@pytest.fixture(scope="module")
def economy():
    return helpers.load("economy", ED)


@pytest.fixture(scope="module")
def card(indicators):
    return growth.scorecard(indicators, REVIEW)


# --- edition settings --------------------------------------------------------------------------

def test_the_edition_names_its_growth_files():
    assert ED.data_file("growth").is_file() and ED.table_path("renamed_indicators").is_file()
    assert RENAMED["digital_economy_growth"] == "digital_economy_core_growth"
    with open(ED.table_path("renamed_indicators"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["metric_review", "metric_plan", "note_zh", "note_en"]
    assert all(r["note_zh"] and r["note_en"] for r in rows)
    review_metrics = {r["metric"] for r in RAW_INDICATORS if r["table_year"] == str(REVIEW)}
    plan_metrics = {r["metric"] for r in RAW_INDICATORS if r["table_year"] == str(PLAN)}
    assert set(RENAMED) <= review_metrics and set(RENAMED.values()) <= plan_metrics


def test_a_renamed_row_without_metrics_is_refused_by_its_descriptor(data_copy):
    path = data_copy / "crosswalks" / "renamed_indicators.csv"
    path.write_text("metric_review,metric_plan,note_zh,note_en\ngdp_growth,,x,y\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"renamed_indicators.csv, line 2, column 'metric_plan': missing value"):
        growth.renamed(helpers.load("renamed_indicators", data_copy))
    path.unlink()
    with pytest.raises(DataError, match="file not found"):
        helpers.load("renamed_indicators", data_copy)


def test_document_verdict_quotes_its_line():
    lines = provenance.raw_lines(ED)
    assert VERDICT.document == "plan_report"
    assert VERDICT.quote in lines[VERDICT.line - 1]
    second_sentence = VERDICT.quote.split("其余指标全部完成。")[1]
    assert second_sentence in lines[SETTINGS["document_verdict"]["repeated_at"] - 1]
    assert "民营经济增加值占地区生产总值的比重" in second_sentence
    assert str(REVIEW) in VERDICT.quote            # {review} was filled from the edition


def test_document_verdict_needs_every_field():
    settings = dict(SETTINGS["document_verdict"])
    del settings["expected_total"]
    with pytest.raises(EditionError, match="expected_total"):
        growth.DocumentVerdict.from_settings(settings)


# --- binding sub-items ---------------------------------------------------------------------------

def test_sub_items_inherit_the_binding_flag_of_their_indicator(indicators):
    raw = {r["row_id"]: r for r in RAW_INDICATORS}
    parents = {(r["table_year"], r["code"]): r["binding"] == "true" for r in RAW_INDICATORS if r["sub_item"] == "false"}
    for row in indicators.to_dict("records"):
        r = raw[row["row_id"]]
        expected = r["binding"] == "true" or (r["sub_item"] == "true" and parents[(r["table_year"], r["code"])])
        assert row["binding"] == expected, row["row_id"]
        assert row["binding_marked"] == (r["binding"] == "true")
    inherited = indicators[indicators["binding_inherited"] & (indicators["table_year"] == REVIEW)]
    assert sorted(set(inherited["metric"])) == ["pollutant_reduction_ammonia", "pollutant_reduction_cod",
                                                "pollutant_reduction_nox", "pollutant_reduction_voc"]
    assert len(inherited) == 8                                   # their targets and results
    assert set(inherited["code"]) == {"34"}
    # the curated table itself is untouched: the sub-items print no "*"
    assert all(raw[i]["binding"] == "false" for i in inherited["row_id"])


def test_sub_items_of_expected_indicators_stay_expected(indicators):
    i = indicators.set_index("row_id")
    assert not i.loc[f"{REVIEW}.target.13a", "binding"]          # private investment, under no. 13
    assert not i.loc[f"{REVIEW}.target.18a", "binding"]          # private economy share, under no. 18


# --- the review-year scorecard ---------------------------------------------------------------------

def test_targets_assessed_counts_numeric_target_and_result(card):
    expected = len(_numeric_pairs())
    assert expected == 34
    assert len(growth.assessed(card)) == expected
    assert len(card) == sum(1 for r in RAW_INDICATORS if r["table_year"] == str(REVIEW) and r["basis"] == "plan")


def test_missed_targets_by_the_face_value_rule(card):
    missed = []
    for t, r in _numeric_pairs().values():
        target, result = float(t["value"]), float(r["value"])
        ok = result >= target if t["direction"] == "higher" else result <= target
        if not ok:
            missed.append(t["name_zh"])
    assert growth.missed_targets(card) == missed == ["高技术产业增加值占工业比重", "民营经济占比"]
    assert growth.missed_targets(card, "name_en")[0] == "High-tech industry value added as share of industry"


def test_margins_and_direction(card):
    c = card.set_index("metric")
    assert c.loc["high_tech_industry_share_of_industry", "margin"] == pytest.approx(19.1 - 19.5)
    assert c.loc["private_economy_share", "margin"] == pytest.approx(59.6 - 60)
    # lower is better: CPI index 100.3 against a ceiling of 103.2 is met, favourably by 2.9 points
    assert c.loc["cpi_inflation", "margin"] == pytest.approx(100.3 - 103.2)
    assert c.loc["cpi_inflation", "favourable_margin"] == pytest.approx(103.2 - 100.3)
    assert c.loc["cpi_inflation", "verdict"] == "met"
    assert c.loc["cpi_inflation", "margin_unit"] == growth.POINTS
    assert c.loc["work_safety_deaths_per_100m_gdp", "favourable_margin"] == pytest.approx(0.035 - 0.031)
    # a result equal to its "about" target counts as met, with a zero (not negative zero) margin
    assert c.loc["surveyed_unemployment_rate", "verdict"] == "met"
    assert math.copysign(1, c.loc["surveyed_unemployment_rate", "favourable_margin"]) == 1
    assert c.loc["gdp_growth", "margin"] == pytest.approx(8.3 - 6)
    assert c.loc["high_tech_enterprises", "margin_unit"] == "家"


def test_gdp_growth_result_and_target(card):
    t, r = _pairs()["gdp_growth"]
    c = card.set_index("metric").loc["gdp_growth"]
    assert c["result"] == float(r["value"]) == 8.3
    assert c["target"] == float(t["value"]) == 6


def test_not_assessable_are_the_non_numeric_pairs(card):
    na = card[card["verdict"] == "not_assessable"]
    expected = {m for m, (t, r) in _pairs().items() if t["status"] != "number" or r["status"] != "number"}
    assert set(na["metric"]) == expected
    assert na["result_row_id"].notna().all()


def test_verdict_counts_split_binding_and_expected(card):
    counts = growth.verdict_counts(card)
    pairs = _pairs()
    parents = {t["code"]: t["binding"] == "true" for t, _ in pairs.values() if t["sub_item"] == "false"}
    binding = [m for m, (t, _) in pairs.items() if t["binding"] == "true" or (t["sub_item"] == "true" and parents[t["code"]])]
    binding_na = [m for m in binding if m not in _numeric_pairs()]
    assert counts.loc["binding", "not_assessable"] == len(binding_na) == 8     # 31, 32, 33, 34 and 34's four sub-items
    assert counts.loc["binding", "missed"] == 0
    assert counts.loc["total"].sum() == len(card)
    assert counts.loc["total", "met"] == 34 - 2
    assert counts.loc["total", "not_assessable"] == 10


@pytest.mark.parametrize(("target", "result", "direction", "tolerance", "met"), [
    (19.5, 19.1, "higher", 0, False), (15, 15, "higher", 0, True), (5.5, 5.5, "lower", 0, True),
    (103.2, 100.3, "lower", 0, True), (1.83, 1.85, "lower", 0, False), (19.5, 19.1, "higher", 0.4, True),
    (19.5, 19.1, "higher", 0.3, False),
])
def test_target_met(target, result, direction, tolerance, met):
    assert growth.target_met(target, result, direction, tolerance) is met


def test_an_about_tolerance_applies_to_about_targets_only(indicators):
    card = growth.scorecard(indicators, REVIEW, about_tolerance=0.5).set_index("metric")
    assert card.loc["high_tech_industry_share_of_industry", "verdict"] == "met"      # 19.5左右 vs 19.1
    assert card.loc["private_economy_share", "verdict"] == "missed"                  # 60以上 vs 59.6: no tolerance
    assert SETTINGS["verdict"]["about_tolerance"] == 0


def test_bad_direction_raises_a_clear_error():
    with pytest.raises(DataError, match="direction 'up' is not allowed"):
        growth.target_met(1, 2, "up")
    with pytest.raises(DataError, match="must both be numbers"):
        growth.target_met(1, float("nan"), "higher")


def test_scorecard_rejects_wrong_inputs(indicators):
    with pytest.raises(DataError, match=r"missing columns \['direction'\]"):
        growth.scorecard(indicators.drop(columns="direction"), REVIEW)
    with pytest.raises(DataError, match="has no results"):
        growth.scorecard(indicators, PLAN)
    with pytest.raises(DataError, match="no indicator table for year 1999"):
        growth.scorecard(indicators, 1999)
    bad = indicators.copy()
    bad.loc[bad["row_id"].isin([f"{REVIEW}.target.05", f"{REVIEW}.actual.05"]), "direction"] = "sideways"
    with pytest.raises(HelpersError, match="direction 'sideways' is not allowed"):
        growth.scorecard(bad, REVIEW)
    bad = indicators.copy()
    bad.loc[bad["row_id"] == f"{REVIEW}.actual.05", "direction"] = "lower"
    with pytest.raises(DataError, match="high_tech_industry_share_of_industry disagree on direction"):
        growth.scorecard(bad, REVIEW)


# --- the document's own verdict --------------------------------------------------------------------

def test_document_and_computed_verdicts(card):
    cmp = growth.compare_with_document(card, VERDICT)
    assert len(cmp) == 34
    assert cmp.loc[~cmp["agrees"], "metric"].tolist() == ["high_tech_industry_share_of_industry"]
    assert cmp.set_index("metric").loc["private_economy_share", "document"] == "missed"
    assert growth.reconciling_tolerance(cmp) == pytest.approx(19.5 - 19.1)


def test_document_counts(card):
    d = growth.document_counts(card, VERDICT).set_index("item")
    top = [t for t, _ in _pairs().values() if t["sub_item"] == "false"]
    assert len(top) == 36
    assert d.loc["binding_total", "computed"] == sum(t["binding"] == "true" for t in top) == 7
    assert d.loc["expected_total", "computed"] == sum(t["binding"] == "false" for t in top) == 29
    assert d.loc["binding_without_data", "computed"] == 4
    assert d.loc[["binding_total", "binding_without_data", "expected_total", "binding_met_of_assessed"], "agrees"].all()
    assert not d.loc["expected_missed", "agrees"]


def test_document_verdict_naming_an_unknown_indicator_fails(card):
    bad = growth.DocumentVerdict("plan_report", 1, "x", 7, 4, 29, ("no_such_metric",))
    with pytest.raises(DataError, match="no_such_metric"):
        growth.compare_with_document(card, bad)


def test_stated_gaps_match_margins(card):
    gaps = helpers.load("target_gaps", ED)
    sg = growth.stated_gaps(card, gaps)
    pairs = _pairs()
    for row in sg.to_dict("records"):
        t, r = pairs[row["metric"]]
        assert row["margin"] == pytest.approx(float(r["value"]) - float(t["value"]))
    assert sg["agrees"].all()
    assert len(sg) == len(_csv("target_gaps"))
    assert set(sg["gap_row_id"]) == {r["row_id"] for r in _csv("target_gaps")}


# --- plan year against review year -------------------------------------------------------------------

@pytest.fixture(scope="module")
def comp(indicators):
    return growth.targets_vs_results(indicators, REVIEW, PLAN, RENAMED)


def _plan_target(code: str) -> dict:
    return next(r for r in RAW_INDICATORS if r["row_id"] == f"{PLAN}.target.{code}")


def test_gdp_target_against_the_review_year(comp):
    t_plan = _plan_target("01")
    t_review, r_review = _pairs()["gdp_growth"]
    g = comp.set_index("metric").loc["gdp_growth"]
    assert g["target_next"] == float(t_plan["value"]) == 5.5
    assert g["change_vs_result"] == pytest.approx(float(t_plan["value"]) - float(r_review["value"])) == pytest.approx(5.5 - 8.3)
    assert g["change_vs_target"] == pytest.approx(float(t_plan["value"]) - float(t_review["value"])) == pytest.approx(5.5 - 6)
    assert g["ambition"] == "lowered" and g["target_kind"] == "goal"
    assert g["target_next_row_id"] == t_plan["row_id"] and g["result_prev_row_id"] == r_review["row_id"]


def test_renamed_indicators_are_matched(comp):
    c = comp.set_index("metric")
    assert c.loc["digital_economy_core_growth", "metric_prev"] == "digital_economy_growth"
    assert c.loc["digital_economy_core_growth", "result_prev"] == 15
    assert c.loc["new_market_entities_growth", "result_prev"] == pytest.approx(19.4)
    assert c.loc["new_market_entities_growth", "change_vs_result"] == pytest.approx(12.5 - 19.4)
    assert c.loc["private_economy_share", "name_zh_prev"] == "民营经济占比"
    assert c.loc["digital_economy_core_growth", "renamed"] and not c.loc["gdp_growth", "renamed"]
    numeric_plan = [r["metric"] for r in RAW_INDICATORS if r["table_year"] == str(PLAN) and r["status"] == "number"]
    assert c.loc[numeric_plan, "metric_prev"].notna().all()


def test_ambition_respects_direction_and_ceilings(comp):
    c = comp.set_index("metric")
    assert c.loc["region_per_capita_gdp_ratio", "ambition"] == "raised"        # 1.83 -> about 1.8, lower is better
    assert c.loc["work_safety_deaths_per_100m_gdp", "ambition"] == "raised"    # about 0.035 -> about 0.032
    assert c.loc["private_investment_growth", "change_vs_target"] == pytest.approx(6 - 2)
    assert c.loc["trade_growth", "ambition"] == "unchanged"
    assert c.loc["services_trade_growth", "ambition"] == "n/a"
    # The CPI ceiling 103.2 -> 103 (at most 3.2% -> 3% inflation) is a tighter limit: stricter, but a
    # ceiling, not a goal, so it is not counted as raised ambition.
    cpi = c.loc["cpi_inflation"]
    assert (_plan_target("24")["qualifier"], cpi["direction"]) == ("at_most", "lower")
    assert cpi["change_vs_target"] == pytest.approx(103 - 103.2)
    assert cpi["stricter"] and cpi["target_kind"] == "ceiling" and cpi["ambition"] == "ceiling_lowered"
    assert c.loc["surveyed_unemployment_rate", "ambition"] == "ceiling_unchanged"


def test_ambition_counts_keep_ceilings_apart(comp):
    counts = growth.ambition_counts(comp)
    goals = comp[(comp["target_kind"] == "goal") & (comp["ambition"] != "n/a")]
    assert counts["raised"] == int(goals["stricter"].astype(bool).sum()) == 14
    assert counts["raised"] + counts["unchanged"] + counts["lowered"] == len(goals) == 32
    assert counts["ceiling_lowered"] == 1 and counts["ceiling_unchanged"] == 1


def test_target_kind():
    assert growth.target_kind("lower", "at_most") == "ceiling"
    assert growth.target_kind("lower", "about") == "goal"
    assert growth.target_kind("higher", "at_most") == "goal"


def test_growth_rate_targets_all_below_review_results(comp):
    rates = growth.growth_rate_targets(comp)
    pairs = _numeric_pairs()
    next_targets = {r["metric"]: float(r["value"]) for r in RAW_INDICATORS
                    if r["table_year"] == str(PLAN) and r["status"] == "number"}
    inverse = {v: k for k, v in RENAMED.items()}
    expected = [m for m in next_targets if m.endswith("_growth") and inverse.get(m, m) in pairs
                and pairs[inverse.get(m, m)][0]["unit"] == "%"]
    assert sorted(rates["metric"]) == sorted(expected)
    below = [m for m in expected if next_targets[m] < float(pairs[inverse.get(m, m)][1]["value"])]
    assert int((rates["change_vs_result"] < 0).sum()) == len(below) == 17


def test_dropped_indicators(indicators):
    dropped = growth.dropped_indicators(indicators, REVIEW, PLAN, RENAMED)
    assert set(dropped["metric"]) == {"non_public_economy_share", "energy_consumption_growth"}


def test_a_renaming_that_merges_two_indicators_is_refused(indicators):
    bad = dict(RENAMED, gdp_growth="digital_economy_core_growth")
    with pytest.raises(ParameterError, match="two review-year indicators"):
        growth.targets_vs_results(indicators, REVIEW, PLAN, bad)


def test_no_plan_table_is_an_error(indicators):
    with pytest.raises(DataError, match="no targets for the plan year"):
        growth.targets_vs_results(indicators, REVIEW, 1999, RENAMED)


# --- growth by sector ------------------------------------------------------------------------------

def test_fastest_and_slowest_pillar_industry(economy):
    pillars = [r for r in RAW_ECONOMY if r["sector_group"] == "pillar_industry" and r["period"] == str(REVIEW)]
    best = max(pillars, key=lambda r: float(r["value"]))
    worst = min(pillars, key=lambda r: float(r["value"]))
    sectors = _sectors(economy)
    top, bottom = growth.fastest(sectors, "pillar_industry"), growth.slowest(sectors, "pillar_industry")
    assert top["sector_zh"] == best["name_zh"].removesuffix("增加值增长") == "电子产业"
    assert top["value"] == float(best["value"]) == 17.3
    assert bottom["sector_zh"] == worst["name_zh"].removesuffix("增加值增长") == "材料产业"
    industry = next(float(r["value"]) for r in RAW_ECONOMY if r["metric"] == "industrial_value_added_growth" and r["period"] == str(REVIEW))
    assert top["vs_reference"] == pytest.approx(17.3 - industry)
    above = {r["metric"] for r in pillars if float(r["value"]) > industry}
    assert set(sectors.loc[(sectors["sector_group"] == "pillar_industry") & (sectors["vs_reference"] > 0), "metric"]) == above
    assert len(above) == 4


def test_sector_growth_keeps_value_added_once(economy):
    sectors = _sectors(economy)
    assert sectors["metric"].is_unique
    assert "software_revenue_growth" not in set(sectors["metric"])            # revenue, not value added
    assert "agro_processing_output_growth" not in set(sectors["metric"])      # output, not value added
    assert "high_tech_manufacturing_growth" in set(sectors["metric"])         # the plan report says 增加值
    assert sectors["value"].is_monotonic_decreasing
    assert sectors.loc[sectors["is_reference"], "value"].item() == 10.7
    assert sectors["row_id"].notna().all()


def test_sector_names_follow_the_edition_affixes():
    names = SETTINGS["sector_names"]

    def name(text, lang):
        return growth.sector_name(text, names["suffixes"][lang], names["prefixes"][lang])

    assert name("Value added of industry above designated size, growth", "en") == "Industry above designated size"
    assert name("Automobile industry value added growth", "en") == "Automobile industry"
    assert name("规上工业增加值增长", "zh") == "规上工业"
    assert name("服务业", "zh") == "服务业"


def test_every_sector_is_named_without_its_measure(economy):
    """The names on the page are the edition's names with the measure cut, in both languages."""
    sectors = _sectors(economy).set_index("metric")
    assert sectors.loc["electronics_value_added_growth", "sector_zh"] == "电子产业"
    assert sectors.loc["electronics_value_added_growth", "sector_en"] == "Electronics industry"
    assert sectors.loc["industrial_value_added_growth", "sector_en"] == "Industry above designated size"
    for lang in ("zh", "en"):
        assert not sectors[f"sector_{lang}"].str.endswith(tuple(SETTINGS["sector_names"]["suffixes"][lang])).any()


_WORD = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12)


@given(stem=_WORD, suffix=st.sampled_from([" growth", ", growth", "X"]))
def test_a_sector_name_loses_only_the_first_matching_suffix(stem, suffix):
    assert growth.sector_name(stem + suffix, [suffix, " growth"]) == stem
    assert growth.sector_name(stem, []) == stem


@given(rest=st.text(st.characters(categories=["Ll"]), min_size=1, max_size=12))
def test_a_cut_prefix_leaves_a_capitalised_name(rest):
    assert growth.sector_name("Value added of " + rest, [], ["Value added of "]) == rest[0].upper() + rest[1:]


def test_sector_errors(economy):
    sectors = _sectors(economy)
    with pytest.raises(ParameterError, match="no sector of group 'mining'"):
        growth.fastest(sectors, "mining")
    with pytest.raises(ParameterError, match="no sector of group 'mining'"):
        growth.slowest(sectors, "mining")
    with pytest.raises(DataError, match="reference"):
        _sectors(economy, PLAN)
    with pytest.raises(EditionError, match="sector_names needs value_added"):
        growth.sector_growth(economy, REVIEW, SETTINGS["sector_reference"], {"suffixes": {}})


# --- levels ----------------------------------------------------------------------------------------

def _value(metric: str) -> float:
    return next(float(r["value"]) for r in RAW_ECONOMY if r["metric"] == metric and r["period"] == str(REVIEW))


def test_implied_previous_levels_only_for_nominal_rates(economy):
    lv = growth.levels(economy, REVIEW, SETTINGS["growth_basis"]).set_index("metric")
    retail, g = _value("retail_sales"), _value("retail_sales_growth")
    assert lv.loc["retail_sales", "previous"] == pytest.approx(retail / (1 + g / 100)) == pytest.approx(13967.7 / 1.185)
    assert lv.loc["retail_sales", "previous_low"] == pytest.approx(retail / (1 + (g + 0.05) / 100))
    assert lv.loc["retail_sales", "previous_high"] == pytest.approx(retail / (1 + (g - 0.05) / 100))
    assert lv.loc["disposable_income", "previous"] == pytest.approx(_value("disposable_income") / (1 + _value("disposable_income_growth") / 100))
    assert math.isnan(lv.loc["gdp", "previous"])
    assert lv.loc["gdp", "growth_basis"] == "real"
    assert lv.loc["gdp", "level"] == _value("gdp") == 27894


def test_urban_rural_income_ratio(economy):
    ratio = growth.income_ratio(growth.levels(economy, REVIEW, SETTINGS["growth_basis"]))
    urban, rural = _value("urban_disposable_income"), _value("rural_disposable_income")
    assert ratio["ratio"] == pytest.approx(urban / rural) == pytest.approx(43502 / 18100)
    previous = (urban / (1 + _value("urban_disposable_income_growth") / 100)) / (rural / (1 + _value("rural_disposable_income_growth") / 100))
    assert ratio["previous"] == pytest.approx(previous)
    assert ratio["change"] < 0


def test_level_errors(economy):
    with pytest.raises(ParameterError, match="above -100"):
        growth.implied_previous_level(100, -100)
    with pytest.raises(ParameterError, match="allowed: 'real', 'nominal'"):
        growth.levels(economy, REVIEW, {"gdp": "chained"})
    with pytest.raises(DataError, match="need both gdp and gdp_growth"):
        growth.levels(economy, REVIEW - 1, {"gdp": "real"})
    with pytest.raises(DataError, match="no level for 'urban'"):
        growth.income_ratio(growth.levels(economy, REVIEW, {"gdp": "real"}), urban="urban")


# --- checks ----------------------------------------------------------------------------------------

def test_require_checks_counts_and_fails_loudly():
    ok = [Check("a", "schema", "", None, None, None, "pass"), Check("b", "identity", "", None, None, None, "pass")]
    counts = growth.require_checks(ok)
    assert counts["n"].sum() == 2
    bad = ok + [Check("identity.x", "identity", "", None, None, None, "fail")]
    with pytest.raises(DataError, match="1 checks of the data failed: identity.x"):
        growth.require_checks(bad)
    with pytest.raises(DataError, match="no checks of the data were run"):
        growth.require_checks([])


def test_scorecard_is_a_plain_frame(card):
    assert isinstance(card, pd.DataFrame)
    assert set(card["verdict"]) <= set(growth.VERDICTS)
    assert growth.margin_unit("%") == growth.margin_unit("index") == growth.POINTS
