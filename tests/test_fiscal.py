"""helpers.analysis.fiscal against values recomputed here, by hand, from the curated CSVs
(`helpers.load` of the budget, debt, municipal_spending and economy tables), at both levels."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

import helpers
from helpers.analysis import fiscal
from helpers.checks import Facts
from helpers.errors import DataError, EditionError, HelpersError, ParameterError

ED = helpers.edition()
Y0, Y1 = ED.year("review"), ED.year("plan")
LEVELS = ("city", "municipal")


@pytest.fixture(scope="module")
def facts():
    return helpers.verified_facts(ED)


@pytest.fixture(scope="module")
def spec():
    return ED.load_yaml("fiscal")


@pytest.fixture(scope="module")
def csv():
    """metric, period -> value, read straight from the curated CSVs (first row where a metric is stated twice)."""
    frames = [helpers.load(name, ED)[["metric", "period", "value"]] for name in ("budget", "debt", "municipal_spending")]
    economy = helpers.load("economy", ED)
    frames.append(economy[(economy["metric"] == "gdp") & (economy["unit"] == "亿元")][["metric", "period", "value"]])
    table = pd.concat(frames).dropna(subset=["value"]).drop_duplicates(["metric", "period"])
    values = {(m, int(p)): float(v) for m, p, v in zip(table["metric"], table["period"], table["value"], strict=True)}
    return lambda metric, period: values.get((metric, period))


def _sum(*parts):
    return None if any(p is None for p in parts) else sum(parts)


def _div(a, b):
    return None if a is None or b is None else a / b


def _neg(x):
    return None if x is None else -x


def expected(csv, level: str, key: str, y: int):
    """Each measure's formula written out again, independently of helpers.analysis.fiscal."""
    def v(item):
        return csv(f"{level}_{item}", y)

    gf = _sum(v("general_revenue"), v("fund_revenue"))
    if v("debt_service") is not None:
        interest = _sum(v("debt_service"), _neg(v("general_debt_repayment")), _neg(v("fund_debt_repayment")))
        service = v("debt_service")
    else:
        interest = v("debt_interest")
        service = _sum(v("debt_repayment"), v("debt_interest"))
    return {
        "self_sufficiency": _div(v("general_revenue"), v("general_expenditure")),
        "tax_share": _div(v("general_tax_revenue"), v("general_revenue")),
        "land_dependence": _div(v("fund_land_sale_revenue"), gf),
        "land_to_general_revenue": _div(v("fund_land_sale_revenue"), v("general_revenue")),
        "land_sale_share_of_fund_revenue": _div(v("fund_land_sale_revenue"), v("fund_revenue")),
        "debt_to_revenue": _div(v("debt_balance"), gf),
        "general_debt_ratio": _div(v("debt_general_balance"), _sum(v("general_revenue"), v("general_central_transfers"),
                                                                   _neg(v("general_remittance_to_central")))),
        "special_debt_ratio": _div(v("debt_special_balance"), _sum(v("fund_revenue"), v("fund_central_transfers"))),
        "interest_to_revenue": _div(interest, gf),
        "debt_service_net_of_refinancing_to_revenue": _div(_sum(service, _neg(v("debt_refinancing_bonds"))), gf),
        "central_transfers_to_expenditure": _div(v("general_central_transfers"), v("general_expenditure")),
        "central_transfers_to_resources": _div(v("general_central_transfers"), _sum(v("general_revenue"), v("general_central_transfers"))),
        "central_transfers_to_revenue": _div(v("general_central_transfers"), v("general_revenue")),
        "expenditure_gap": _sum(v("general_expenditure"), _neg(v("general_revenue"))),
        "broad_gap": _sum(v("general_expenditure"), v("fund_expenditure"), _neg(v("general_revenue")), _neg(v("fund_revenue"))),
    }[key]


NEW_MEASURES = ("land_dependence", "land_to_general_revenue", "debt_to_revenue", "general_debt_ratio", "special_debt_ratio",
                "interest_to_revenue", "debt_service_net_of_refinancing_to_revenue", "central_transfers_to_expenditure",
                "central_transfers_to_resources", "central_transfers_to_revenue")


# --- Years, budgets -------------------------------------------------------------------------------

def test_years_come_from_the_edition(facts):
    assert fiscal._years(facts) == (Y0, Y1) == (facts.edition.year("review"), facts.edition.year("plan"))


def test_budgets_at_each_level(facts):
    assert fiscal.budgets_at(facts, "city", Y0) == ["general", "fund", "state_capital", "social_insurance"]
    assert fiscal.budgets_at(facts, "municipal", Y0) == ["general", "fund", "state_capital"]


# --- The analyst measures, recomputed from the CSVs ----------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("key", NEW_MEASURES + ("self_sufficiency", "tax_share", "land_sale_share_of_fund_revenue",
                                                "expenditure_gap", "broad_gap"))
def test_every_measure_equals_its_formula_over_the_csvs(facts, csv, level, key):
    for y in (Y0, Y1):
        want = expected(csv, level, key, y)
        got = fiscal.evaluate(facts, level, key, y)
        if want is None:
            assert got.value is None and got.missing, (level, key, y)
        else:
            assert got.value == pytest.approx(want), (level, key, y)
            assert not got.missing


def test_the_review_year_has_every_city_measure_and_known_gaps_are_null(facts):
    for key in NEW_MEASURES:
        assert fiscal.evaluate(facts, "city", key, Y0).value is not None, key
    # the report splits debt by type and states refinancing bonds city-wide only
    for key in ("general_debt_ratio", "special_debt_ratio", "debt_service_net_of_refinancing_to_revenue"):
        e = fiscal.evaluate(facts, "municipal", key, Y0)
        assert e.value is None and e.missing
    assert "municipal_debt_general_balance" in fiscal.evaluate(facts, "municipal", "general_debt_ratio", Y0).missing
    # the draft states no year-end balance and no central transfers
    assert fiscal.evaluate(facts, "city", "debt_to_revenue", Y1).missing == ("city_debt_balance",)
    assert fiscal.evaluate(facts, "city", "central_transfers_to_resources", Y1).missing == ("city_general_central_transfers",)


def test_interest_is_implied_in_the_review_year_and_stated_in_the_draft(facts, csv):
    e0 = fiscal.evaluate(facts, "city", "interest_to_revenue", Y0)
    assert [r["metric"] for r, _ in e0.numerator] == ["city_debt_service", "city_general_debt_repayment", "city_fund_debt_repayment"]
    assert e0.numbers().startswith(f"({csv('city_debt_service', Y0):g} − ")
    e1 = fiscal.evaluate(facts, "municipal", "interest_to_revenue", Y1)
    assert [r["metric"] for r, _ in e1.numerator] == ["municipal_debt_interest"]
    assert fiscal.evaluate(facts, "municipal", "interest_to_revenue", Y0).value == pytest.approx(
        (csv("municipal_debt_service", Y0) - csv("municipal_general_debt_repayment", Y0) - csv("municipal_fund_debt_repayment", Y0))
        / (csv("municipal_general_revenue", Y0) + csv("municipal_fund_revenue", Y0)))


def test_measure_formula_and_numbers(facts, csv):
    e = fiscal.evaluate(facts, "city", "land_dependence", Y0)
    from helpers.report.fiscal.base import formula

    assert formula("zh", e) == "国有土地使用权出让收入 ÷ (一般公共预算收入 + 政府性基金收入)"
    assert formula("en", e) == "land-use right sale revenue ÷ (general budget revenue + fund budget revenue)"
    assert e.numbers() == f"{csv('city_fund_land_sale_revenue', Y0):g} ÷ ({csv('city_general_revenue', Y0):g} + {csv('city_fund_revenue', Y0):g})"
    gap = fiscal.evaluate(facts, "city", "expenditure_gap", Y0)
    assert gap.numbers() == f"{csv('city_general_expenditure', Y0):g} − {csv('city_general_revenue', Y0):g}"
    missing = fiscal.evaluate(facts, "city", "debt_to_revenue", Y1)
    assert missing.numbers() == "—"


def test_measure_table(facts, csv):
    t = fiscal.measure_table(facts, "city", ["self_sufficiency", "central_transfers_to_expenditure"], (Y0, Y1))
    t = t.set_index(["key", "period"])
    assert t.loc[("self_sufficiency", Y0), "numbers"] == f"{csv('city_general_revenue', Y0):g} ÷ {csv('city_general_expenditure', Y0):g}"
    assert "name" not in t and "formula" not in t            # the analysis holds no words (the page's catalog names them)
    row = t.loc[("central_transfers_to_expenditure", Y1)]
    assert math.isnan(row["value"]) and row["numbers"] == "—" and row["missing"] == ("city_general_central_transfers",)


def test_thin_wrappers(facts, csv):
    assert fiscal.self_sufficiency(facts, "municipal", Y1) == pytest.approx(csv("municipal_general_revenue", Y1) / csv("municipal_general_expenditure", Y1))
    assert fiscal.central_transfer_dependence(facts, "city", Y0) == pytest.approx(
        csv("city_general_central_transfers", Y0) / csv("city_general_expenditure", Y0))
    assert fiscal.land_sale_share(facts, "municipal", Y1) == pytest.approx(csv("municipal_fund_land_sale_revenue", Y1) / csv("municipal_fund_revenue", Y1))
    assert fiscal.land_dependence(facts, "city", Y0) == pytest.approx(expected(csv, "city", "land_dependence", Y0))
    assert fiscal.broad_gap(facts, "city", Y1) == expected(csv, "city", "broad_gap", Y1)
    with pytest.raises(DataError, match="city_general_central_transfers"):
        fiscal.central_transfer_dependence(facts, "city", Y1)
    with pytest.raises(ParameterError, match="amount, not a ratio"):
        fiscal.ratio(facts, "city", "broad_gap", Y0)


@pytest.mark.parametrize("call", [
    lambda f: fiscal.sources_and_uses(f, "province", "general", Y0),
    lambda f: fiscal.self_sufficiency(f, "county", Y0),
    lambda f: fiscal.sources_and_uses(f, "city", "pension", Y0),
    lambda f: fiscal.ratio(f, "city", "debt_ratio", Y0),
    lambda f: fiscal.evaluate(f, "region", "land_dependence", Y0),
])
def test_bad_names_raise_parameter_errors_listing_the_allowed_values(facts, call):
    with pytest.raises(ParameterError, match="allowed values|defined:"):
        call(facts)


# --- Sources and uses -----------------------------------------------------------------------------

def test_city_general_sources_and_uses(facts, csv):
    t = fiscal.sources_and_uses(facts, "city", "general", Y0)
    sources = t[(t["side"] == "sources") & ~t["is_total"]]
    assert list(sources["item"]) == ["revenue", "central_transfers", "debt_revenue", "other_sources"]
    assert list(sources["value"]) == [csv(f"city_general_{i}", Y0) for i in sources["item"]]
    assert list(sources["category"]) == ["own_revenue", "central_transfers", "debt", "other_sources"]
    totals = t[t["is_total"]]
    assert totals["value"].iloc[0] == csv("city_general_total_sources", Y0)
    assert totals["gap"].iloc[0] == csv("city_general_total_sources", Y0) - sources["value"].sum()
    assert fiscal.balances(t)


def test_draft_budget_uses_the_combined_figures(facts):
    t = fiscal.sources_and_uses(facts, "city", "general", Y1)
    assert list(t.loc[~t["is_total"], "item"]) == ["revenue", "sources_beyond_revenue", "expenditure", "uses_beyond_expenditure"]
    m = fiscal.sources_and_uses(facts, "municipal", "general", Y1)
    assert "transfers_to_districts" not in set(m["item"])      # stated separately, but inside the combined figure
    assert fiscal.balances(m)


@pytest.mark.parametrize("level", LEVELS)
def test_every_budget_balances(facts, level):
    for period in (Y0, Y1):
        for budget in fiscal.budgets_at(facts, level, period):
            assert fiscal.balances(fiscal.sources_and_uses(facts, level, budget, period)), (level, budget, period)


def test_a_wrong_total_does_not_balance(facts):
    frame = facts.frame.copy()
    mask = (frame["metric"] == "city_general_total_uses") & (frame["period"] == Y0)
    frame.loc[mask, "value"] = frame.loc[mask, "value"] + 10
    assert not fiscal.balances(fiscal.sources_and_uses(Facts(frame), "city", "general", Y0))


def test_municipal_social_insurance_is_refused_with_a_clear_message(facts):
    with pytest.raises(DataError, match="city-wide only"):
        fiscal.sources_and_uses(facts, "municipal", "social_insurance", Y0)


# --- Who pays for spending ------------------------------------------------------------------------

def test_financing_city_general(facts, csv):
    f = fiscal.financing(facts, "city", "general", Y0).set_index("component")
    v = {i: csv(f"city_general_{i}", Y0) for i in ("revenue", "central_transfers", "debt_revenue", "debt_repayment",
                                                     "remittance_to_central", "other_sources", "other_uses", "expenditure")}
    assert f.loc["net_borrowing", "value"] == v["debt_revenue"] - v["debt_repayment"]
    assert f.loc["remittance", "value"] == -v["remittance_to_central"]
    assert f.loc["other_net", "value"] == v["other_sources"] - v["other_uses"]
    assert f.attrs["gap"] == 0
    assert f.loc["own_revenue", "share_of_expenditure"] == pytest.approx(v["revenue"] / v["expenditure"])
    assert f.loc["net_borrowing", "terms"] == (("city_general_debt_revenue", 1), ("city_general_debt_repayment", -1))


def test_municipal_transfers_to_districts_hold_the_transfers_only(facts, csv):
    f = fiscal.financing(facts, "municipal", "general", Y0).set_index("component")
    assert f.loc["to_districts", "value"] == -csv("municipal_general_transfers_to_districts", Y0)
    assert f.loc["to_districts", "terms"] == (("municipal_general_transfers_to_districts", -1),)
    # debt on-lent to districts is inside net borrowing
    assert f.loc["net_borrowing", "value"] == (csv("municipal_general_debt_revenue", Y0) - csv("municipal_general_debt_repayment", Y0)
                                               - csv("municipal_general_debt_onlending", Y0))
    assert f["value"].iloc[:-1].sum() == csv("municipal_general_expenditure", Y0)


def test_financing_draft_is_combined(facts, csv):
    parts = fiscal.financing(facts, "city", "general", Y1).set_index("component")["value"]
    assert dict(parts) == {"own_revenue": csv("city_general_revenue", Y1),
                           "combined_net": csv("city_general_sources_beyond_revenue", Y1) - csv("city_general_uses_beyond_expenditure", Y1),
                           "expenditure": csv("city_general_expenditure", Y1)}


def test_financing_refuses_the_social_insurance_fund(facts):
    with pytest.raises(ParameterError, match="social_insurance"):
        fiscal.financing(facts, "city", "social_insurance", Y0)


def test_year_on_year(facts, csv):
    yoy = fiscal.year_on_year(facts, "municipal", Y0, Y1).set_index("metric")
    m = "municipal_general_expenditure"
    assert yoy.loc[m, "change"] == csv(m, Y1) - csv(m, Y0)
    assert yoy.loc[m, "change_pct"] == pytest.approx(csv(m, Y1) / csv(m, Y0) - 1)
    assert yoy.loc[m, "stated_growth"] == csv(m + "_growth", Y1)
    assert "municipal_social_insurance_revenue" not in yoy.index


# --- Social insurance, debt -----------------------------------------------------------------------

def test_social_insurance(facts, csv):
    si = fiscal.social_insurance(facts, Y0)
    p = "city_social_insurance_"
    assert si["balance"] == csv(p + "revenue", Y0) - csv(p + "expenditure", Y0) == si["stated_surplus"]
    assert si["fiscal_subsidy_share"] == pytest.approx(csv(p + "fiscal_subsidy", Y0) / csv(p + "revenue", Y0))
    assert round(100 * si["fiscal_subsidy_share"], 1) == csv(p + "fiscal_subsidy_share", Y0)   # as printed
    assert si["reserve_months"] == pytest.approx(csv(p + "accumulated_balance", Y0) / (csv(p + "expenditure", Y0) / 12))
    assert fiscal.social_insurance(facts, Y1)["reserve_months"] is None


def test_debt_summary_and_gdp(facts, csv):
    d = fiscal.debt_summary(facts, Y0).set_index("part")
    assert d.loc["total", "headroom"] == csv("city_debt_limit", Y0) - csv("city_debt_balance", Y0) == fiscal.debt_headroom(facts, Y0)
    assert d.loc["district", "share_of_balance"] == pytest.approx(csv("district_debt_balance", Y0) / csv("city_debt_balance", Y0))
    assert fiscal.debt_to_gdp(facts, Y0) == pytest.approx(csv("city_debt_balance", Y0) / csv("gdp", Y0))


@pytest.mark.parametrize("level", LEVELS)
def test_debt_service(facts, csv, level):
    s = fiscal.debt_service(facts, Y0, level)
    principal = csv(f"{level}_general_debt_repayment", Y0) + csv(f"{level}_fund_debt_repayment", Y0)
    assert s["principal"] == principal and s["interest_implied"]
    assert s["interest"] == csv(f"{level}_debt_service", Y0) - principal
    refi = csv(f"{level}_debt_refinancing_bonds", Y0)
    assert s["refinancing_to_principal"] == (None if refi is None else pytest.approx(refi / principal))
    s1 = fiscal.debt_service(facts, Y1, level)
    assert s1["service"] == csv(f"{level}_debt_repayment", Y1) + csv(f"{level}_debt_interest", Y1) and not s1["interest_implied"]


def test_bonds(facts, csv):
    b = fiscal.bonds(facts, (Y0, Y1)).set_index("period")
    assert b.loc[Y0, "refinancing_share"] == pytest.approx(csv("city_debt_refinancing_bonds", Y0) / csv("city_debt_bonds_issued", Y0))
    assert b.loc[Y1, "new"] + b.loc[Y1, "refinancing"] == csv("city_debt_bonds_issued", Y1)
    assert list(b["basis"]) == ["actual", "plan"]


def test_missing_gdp_raises_a_data_error(data_copy):
    economy = data_copy / "curated" / "economy.csv"
    lines = economy.read_text(encoding="utf-8").splitlines(keepends=True)
    economy.write_text("".join(line for line in lines if ",gdp," not in line), encoding="utf-8")
    with pytest.raises(HelpersError, match="no verified GDP"):
        fiscal.debt_to_gdp(helpers.verified_facts(data_copy), Y0)


# --- The debt ratio -------------------------------------------------------------------------------

def test_debt_ratio_variants_come_from_the_edition(spec):
    variants = fiscal.debt_ratio_variants(spec)
    assert [v.key for v in variants] == [item["key"] for item in spec["debt_ratio"]["variants"]]
    post = [v for v in variants if v.post_hoc]
    assert len(post) == 1 and all(post[0].note)
    assert ("general", "remittance_to_central", -1) in post[0].terms


@pytest.mark.parametrize("broken, message", [
    ({}, "debt_ratio.variants"),
    ({"debt_ratio": {"variants": [{"key": "x", "family": "capacity", "terms": ["pension.revenue"]}]}}, "budget.item"),
    ({"debt_ratio": {"variants": [{"key": "x", "family": "guess", "terms": ["general.revenue"]}]}}, "family"),
    ({"debt_ratio": {"variants": [{"key": "x", "family": "totals", "terms": ["general.revenue"], "post_hoc": True}]}}, "note"),
])
def test_a_malformed_variant_list_is_refused(broken, message):
    with pytest.raises(EditionError, match=message):
        fiscal.debt_ratio_variants(broken)


def test_debt_ratio_attempts(facts, csv, spec):
    a = fiscal.debt_ratio_attempts(facts, Y0, fiscal.debt_ratio_variants(spec)).set_index("key")
    assert list(a["code"]) == [f"V{i}" for i in range(1, len(a) + 1)]
    balance, reported = csv("city_debt_balance", Y0), csv("city_debt_ratio", Y0)
    den = sum(csv(f"city_{b}", Y0) for b in ("general_revenue", "general_central_transfers", "fund_revenue", "fund_central_transfers"))
    assert a.loc["plus_fund_transfers", "ratio_pct"] == pytest.approx(100 * balance / den)
    assert a.loc["plus_fund_transfers", "tolerance_pp"] == pytest.approx(0.5 + 100 * (0.5 / den + balance * 0.5 * 4 / den ** 2))
    less_debt = (csv("city_general_total_sources", Y0) + csv("city_fund_total_sources", Y0)
                 - csv("city_general_debt_revenue", Y0) - csv("city_fund_debt_revenue", Y0))
    assert a.loc["total_sources_less_debt", "denominator"] == less_debt
    # the one match is the variant found after the fact, and it does not count as reproducing the ratio
    assert list(a.index[a["matches"]]) == [v.key for v in fiscal.debt_ratio_variants(spec) if v.post_hoc]
    assert not fiscal.debt_ratio_reproduced(a.reset_index())
    assert a.attrs["implied_denominator"] == pytest.approx(balance / (reported / 100))
    assert a.attrs["implied_low"] == pytest.approx(balance / ((reported + 0.5) / 100))


def test_a_listed_variant_that_matches_counts_as_reproduced():
    assert fiscal.debt_ratio_reproduced(pd.DataFrame({"matches": [False, True], "post_hoc": [False, False]}))


# --- Municipal spending by function ---------------------------------------------------------------

def test_unlisted_spending(facts, csv):
    for y in (Y0, Y1):
        lines = [csv(fiscal.SPENDING_PREFIX + f, y) for f in fiscal.spending_functions(facts, y)]
        u = fiscal.unlisted_spending(facts, y)
        assert u["unlisted"] == csv(fiscal.TOTAL_METRIC, y) - sum(lines)


def test_growth_bases_and_their_summary(facts, csv, spec):
    g = fiscal.growth_bases(facts, Y0, Y1).set_index("function")
    m = fiscal.TOTAL_METRIC
    assert g.loc["total", "base_implied"] == pytest.approx(csv(m, Y1) / (1 + csv(m + "_growth", Y1) / 100))
    assert g.loc["total", "budget_implied"] == pytest.approx(csv(m, Y0) / (csv(m + "_completion_rate", Y0) / 100))
    summary = fiscal.growth_base_summary(g.reset_index(), spec["thresholds"])
    far = spec["thresholds"]["far_from_outturn"]
    ratio = {f: csv(fiscal.SPENDING_PREFIX + f, Y1) / (1 + csv(fiscal.SPENDING_PREFIX + f + "_growth", Y1) / 100)
             / csv(fiscal.SPENDING_PREFIX + f, Y0) for f in fiscal.spending_functions(facts, Y0)}
    assert summary["far_above"] == [f for f, r in ratio.items() if r > far]
    assert summary["far_below"] == [f for f, r in ratio.items() if r < 1 / far]
    assert "agriculture_forestry_water" in summary["far_below"]      # lines far below the outturn are flagged too
    assert summary["neither"]
    assert summary["growth_on_outturn"] == pytest.approx(csv(m, Y1) / csv(m, Y0) - 1)


def test_the_growth_base_is_registered_as_a_convention(spec):
    checks = helpers.run_checks(ED)
    c = fiscal.convention(checks, "growth_base")
    assert c is not None and c.extra["nature"] == "convention"
    ids = {c.id for c in fiscal.fiscal_discrepancies(checks, spec)}
    assert f"known.debt_ratio.{Y0}" in ids and f"known.municipal_growth_base.{Y1}" in ids
    assert not any("project" in i for i in ids)


# --- Execution ------------------------------------------------------------------------------------

def test_execution_and_reserve_funds(facts, csv):
    e = fiscal.execution(facts, "city", Y0).set_index(["budget", "side"])
    m = "city_general_expenditure"
    assert e.loc[("general", "expenditure"), "budget_implied"] == pytest.approx(csv(m, Y0) / (csv(m + "_completion_rate", Y0) / 100))
    r = fiscal.reserve_and_stabilisation(facts)
    p = "municipal_general_"
    uses = [u["item"] for u in ED.load_yaml("fiscal")["reserve_fund"]["uses"]]
    itemised = fiscal.reserve_and_stabilisation(facts, uses)
    assert itemised["uses_residual"] == pytest.approx(csv(p + "reserve_fund_used", Y0) - sum(csv(p + u, Y0) for u in uses))
    assert r["reserve_residual"] == pytest.approx(csv(p + "reserve_fund_budgeted", Y0) - csv(p + "reserve_fund_used", Y0)
                                                  - csv(p + "reserve_fund_to_stabilisation_fund", Y0))
    assert r["stabilisation_residual"] == pytest.approx(csv(p + "stabilisation_fund_opening", Y0) + csv(p + "stabilisation_fund_replenished", Y0)
                                                        - csv(p + "stabilisation_fund_drawn", Y1) - csv(p + "stabilisation_fund_closing", Y1))


# --- Results --------------------------------------------------------------------------------------

OLD_KEYS = ["level", f"self_sufficiency_{Y0}", f"self_sufficiency_{Y1}", f"tax_share_{Y0}", f"tax_share_{Y1}",
            f"central_transfer_dependence_{Y0}", f"land_sale_share_of_fund_revenue_{Y0}", f"land_sale_share_of_fund_revenue_{Y1}",
            f"expenditure_gap_{Y0}", f"expenditure_gap_{Y1}", f"broad_gap_{Y0}", f"broad_gap_{Y1}",
            f"net_borrowing_share_of_expenditure_{Y0}", f"debt_to_gdp_{Y0}", f"debt_headroom_{Y0}", f"debt_ratio_reported_{Y0}",
            "debt_ratio_reproduced", "debt_ratio_matching_variants", "debt_ratio_post_hoc_matches", "debt_ratio_implied_denominator",
            f"refinancing_to_principal_{Y0}", f"social_insurance_reserve_months_{Y0}", f"social_insurance_fiscal_subsidy_share_{Y0}",
            f"municipal_spending_unlisted_share_{Y0}", f"municipal_spending_unlisted_share_{Y1}", f"municipal_expenditure_growth_base_{Y1}"]


@pytest.mark.parametrize("level", LEVELS)
def test_results_keep_the_old_keys_and_add_the_new_measures(facts, csv, spec, level):
    r = fiscal.results(facts, level, spec)
    assert set(OLD_KEYS) <= set(r)
    assert r[f"central_transfer_dependence_{Y0}"] == r[f"central_transfers_to_expenditure_{Y0}"]
    for key in NEW_MEASURES:
        want = expected(csv, level, key, Y0)
        assert r[f"{key}_{Y0}"] == (None if want is None else round(want, 4)), key
    # the plan year only where the draft gives the parts (at one level at least)
    for key in ("land_dependence", "land_to_general_revenue", "interest_to_revenue", "debt_service_net_of_refinancing_to_revenue"):
        want = expected(csv, level, key, Y1)
        assert r[f"{key}_{Y1}"] == (None if want is None else round(want, 4)), key
    for key in ("debt_to_revenue", "general_debt_ratio", "special_debt_ratio", "central_transfers_to_expenditure",
                "central_transfers_to_resources", "central_transfers_to_revenue"):
        assert f"{key}_{Y1}" not in r
    assert r[f"expenditure_gap_{Y0}"] == round(expected(csv, level, "expenditure_gap", Y0), 1)
    assert r["debt_ratio_reproduced"] is False and r["debt_ratio_post_hoc_matches"]


def test_municipal_results_are_null_where_the_report_is_silent(facts, spec):
    r = fiscal.results(facts, "municipal", spec)
    assert r[f"general_debt_ratio_{Y0}"] is None and r[f"special_debt_ratio_{Y0}"] is None
    assert r[f"debt_service_net_of_refinancing_to_revenue_{Y0}"] is None
    assert r[f"social_insurance_reserve_months_{Y0}"] is None


def test_a_year_shifted_edition_gives_the_same_results_with_shifted_keys(tmp_path, spec):
    from tests.support.synthetic import shift_edition

    shifted = helpers.edition(shift_edition(ED.root, tmp_path))
    assert shifted.year("review") == Y0 + 1
    facts = helpers.verified_facts(shifted)
    for level in LEVELS:
        original = fiscal.results(helpers.verified_facts(ED), level, spec)
        moved = fiscal.results(facts, level, shifted.load_yaml("fiscal"))

        def shift(key):            # every year in a key, wherever it stands (general_revenue_2020_implied)
            return re.sub(r"(?<![0-9])(20[0-9]{2})(?![0-9])", lambda m: str(int(m.group(1)) + 1), key)

        def shift_value(v):        # the risk summary names result keys, which carry years too
            if isinstance(v, dict):
                return {k: shift_value(x) for k, x in v.items()}
            if isinstance(v, list):
                return [shift(x) if isinstance(x, str) else x for x in v]
            return v

        assert moved == {shift(k): shift_value(v) if k == "risk_summary" else v for k, v in original.items()}


# --- The district level (issue 22) -------------------------------------------------------------------

def test_district_facts_are_city_minus_municipal_with_their_parts(facts, csv):
    d = fiscal.district_facts(facts)
    for line in ("general_revenue", "general_tax_revenue", "general_expenditure", "fund_revenue", "fund_land_sale_revenue",
                 "fund_expenditure"):
        for period in (Y0, Y1):
            row = d.get(f"district_{line}", period)
            assert row["value"] == csv(f"city_{line}", period) - csv(f"municipal_{line}", period)
            assert row["table"] == fiscal.DERIVED_TABLE and row["derived"] == "difference"
            assert [p["metric"] for p in row["parts"]] == [f"city_{line}", f"municipal_{line}"]
    # the printed district figures stay printed; nothing is derived that the reports print for districts
    assert d.get("district_debt_balance", Y0)["table"] == "debt"
    assert not facts.has("district_general_revenue", Y0)          # the verified facts are not changed


def test_district_growth_comes_from_the_two_printed_rates(facts, csv):
    d = fiscal.district_facts(facts)
    c, m = csv("city_fund_land_sale_revenue", Y0), csv("municipal_fund_land_sale_revenue", Y0)
    gc, gm = csv("city_fund_land_sale_revenue_growth", Y0), csv("municipal_fund_land_sale_revenue_growth", Y0)
    expected = 100 * ((c - m) / (c / (1 + gc / 100) - m / (1 + gm / 100)) - 1)
    assert d.value("district_fund_land_sale_revenue_growth", Y0) == pytest.approx(expected)
    assert expected < -30 < 0 < gm            # district land sales fell by about a third while municipal sales rose
    row = fiscal.history(facts, "district", Y0).set_index("item").loc["land_sale_revenue"]
    assert row["previous"] == pytest.approx(c / (1 + gc / 100) - m / (1 + gm / 100))
    assert row["previous_low"] < row["previous"] < row["previous_high"]


def test_district_results_recompute_from_the_csv(facts, spec, csv):
    r = fiscal.results(facts, "district", spec)

    def d(metric, period=Y0):
        return csv(f"city_{metric}", period) - csv(f"municipal_{metric}", period)

    own = d("general_revenue") + d("fund_revenue")
    assert r[f"self_sufficiency_{Y0}"] == round(d("general_revenue") / d("general_expenditure"), 4)
    assert r[f"land_dependence_{Y0}"] == round(d("fund_land_sale_revenue") / own, 4)
    assert r[f"debt_to_revenue_{Y0}"] == round(csv("district_debt_balance", Y0) / own, 4)
    assert r[f"debt_service_to_revenue_{Y0}"] == round(csv("district_debt_service", Y0) / own, 4)
    assert r[f"land_dependence_{Y1}"] == round(d("fund_land_sale_revenue", Y1) / (d("general_revenue", Y1) + d("fund_revenue", Y1)), 4)
    # central transfers cannot be split between the levels: null, never estimated
    assert r[f"central_transfers_to_expenditure_{Y0}"] is None and r[f"general_debt_ratio_{Y0}"] is None
    assert r[f"fund_land_sale_revenue_growth_{Y0}_derived"] < -0.3
    assert r[f"fund_land_sale_revenue_{Y0 - 1}_implied"] == pytest.approx(
        csv("city_fund_land_sale_revenue", Y0) / (1 + csv("city_fund_land_sale_revenue_growth", Y0) / 100)
        - csv("municipal_fund_land_sale_revenue", Y0) / (1 + csv("municipal_fund_land_sale_revenue_growth", Y0) / 100), abs=0.05)


@pytest.mark.parametrize("level", ["city", "municipal", "district"])
def test_debt_service_to_revenue_at_every_level_where_it_is_printed(facts, spec, csv, level):
    r = fiscal.results(facts, level, spec)
    city, municipal = (csv(f"{k}_general_revenue", Y0) + csv(f"{k}_fund_revenue", Y0) for k in ("city", "municipal"))
    own = {"city": city, "municipal": municipal, "district": city - municipal}[level]
    assert r[f"debt_service_to_revenue_{Y0}"] == round(csv(f"{level}_debt_service", Y0) / own, 4)


def test_the_city_wide_debt_figures_are_measures_with_formulas(facts):
    """The results the risk summary shows are measures of MEASURES (no special case in the page)."""
    for key, value in (("district_debt_share", facts.value("district_debt_balance", Y0) / facts.value("city_debt_balance", Y0)),
                       ("refinancing_to_principal", facts.value("city_debt_refinancing_bonds", Y0)
                        / (facts.value("city_general_debt_repayment", Y0) + facts.value("city_fund_debt_repayment", Y0)))):
        for level in ("city", "municipal", "district"):       # city-wide on every page
            assert fiscal.evaluate(fiscal.facts_at(facts, level), level, key, Y0).value == pytest.approx(value)
    months = fiscal.evaluate(facts, "city", "social_insurance_reserve_months", Y0)
    assert months.value == pytest.approx(facts.value("city_social_insurance_accumulated_balance", Y0)
                                         / (facts.value("city_social_insurance_expenditure", Y0) / 12))
    from helpers.report.fiscal.base import formula

    assert formula("en", months).endswith("÷ 12)") and fiscal.measure_spec("social_insurance_reserve_months").kind == "months"
    assert fiscal.evaluate(facts, "municipal", "social_insurance_reserve_months", Y0).value is None


def test_land_sale_shock_refuses_a_fall_outside_zero_to_one(facts):
    with pytest.raises(ParameterError, match="land_sale_falls"):
        fiscal.land_sale_shock(facts, "city", Y1, Y0, (0.1, 1.5))


# --- The reports' risk statements: a curated table of words (issue 22) -----------------------------

def test_risk_statements_are_checked_like_every_curated_table(data_copy):
    """A table of words (x_role statements): its schema, and each quote on its line, by helpers check."""
    from helpers.checks.engine import run_checks

    ok = {c.id: c for c in run_checks(helpers.edition())}
    rows = [c for cid, c in ok.items() if cid.startswith("provenance.evidence.risk_statements.")]
    assert len(rows) >= 12 and all(c.status == "pass" for c in rows)
    assert all(c.status == "pass" for cid, c in ok.items() if cid.startswith("coverage."))
    path = data_copy / "curated" / "risk_statements.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("pb.345.hidden_debt,plan_report,345,", "pb.345.hidden_debt,plan_report,346,"), encoding="utf-8")
    failed = [c for c in run_checks(helpers.edition(data_copy)) if c.status == "fail"]
    assert [c.id for c in failed] == ["provenance.evidence.risk_statements.pb.345.hidden_debt"]
    assert "the quote is not on line 346" in failed[0].actual


def test_the_risk_statements_hold_the_lines_the_issue_names():
    from helpers.data import load

    frame = load.load("risk_statements", helpers.edition())
    lines = set(zip(frame["line"], frame["kind"], strict=True))
    for line in (743, 751):
        assert (line, "risk") in lines
    for line in (345, 479, 733, 767, 203):
        assert (line, "pledge") in lines
    assert (733, "measure") in lines and (781, "measure") in lines
    keys = {m.key for m in fiscal.MEASURES}
    # each concerns a measure or a metric the page can show beside it
    assert all(c in keys or c.startswith("district_") or c in ("debt_balance", "general_revenue_growth") for c in frame["concerns"])
