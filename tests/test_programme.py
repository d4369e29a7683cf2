"""The plan year's work programme (helpers.analysis.programme), checked against counts recomputed
here from the curated CSVs read with the csv module, so that a change in either the CSVs or the
code shows up as a failure; and on a copy of the edition with every year moved forward by one."""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import pandas as pd
import pytest

import helpers
from helpers.analysis import programme as P
from helpers.checks import Check
from helpers.checks.engine import CONVERSIONS
from helpers.data import vocab
from helpers.errors import HelpersError


@pytest.fixture(scope="module")
def ed():
    return helpers.edition()


@pytest.fixture(scope="module")
def data(ed) -> P.Programme:
    return P.prepare(ed)


@pytest.fixture(scope="module")
def tables(ed) -> dict[str, list[dict]]:
    out = {}
    for name in ed.table_names:
        with ed.table_path(name).open(encoding="utf-8", newline="") as fh:
            out[name] = [r for r in csv.DictReader(fh) if r.get("value", "") != ""]
    return out


def key(r: dict) -> tuple:
    return r["metric"], int(r["period"]), r["basis"]


def first(rows: list[dict], ed) -> dict:
    """The statement a figure shows: statements table first, then economy, then indicators;
    then the edition's order of reports, then the line."""
    docs = list(ed.documents)
    order = ["statements", "economy", "indicators"]
    return min(rows, key=lambda r: (order.index(r["_table"]), docs.index(r["document"]), int(r["line"]), r["row_id"]))


def figures(rows: list[dict]) -> dict[tuple, list[dict]]:
    out = defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def tagged(tables, name) -> list[dict]:
    return [{**r, "_table": name} for r in tables[name]]


def _factor(unit: str) -> tuple[str, float]:
    """(canonical unit, factor) from the project's table of unit conversions (checks/engine.py)."""
    if unit in CONVERSIONS and unit != "index":
        canonical, convert, _ = CONVERSIONS[unit]
        return canonical, convert(1.0)
    return unit, 1.0


def _convertible(a: str, b: str) -> bool:
    return _factor(a)[0] == _factor(b)[0]


@pytest.fixture(scope="module")
def expected(ed, tables) -> dict:
    """The results JSON recomputed from the CSVs alone."""
    review, plan = ed.year("review"), ed.year("plan")
    statements = tagged(tables, "statements")
    headline = [r for name in ("economy", "indicators") for r in tagged(tables, name)
                if int(r["period"]) == plan and r["basis"] == "plan"]
    targets = figures([r for r in statements if r["role"] == "target" and int(r["period"]) == plan] + headline)
    results = figures([r for r in statements if r["role"] == "result" and int(r["period"]) == review])
    holdings = figures([r for r in statements if r["role"] in ("stock", "cumulative")])
    later = figures([r for r in statements if r["role"] == "target" and int(r["period"]) != plan])
    actual = defaultdict(set)                                  # metric -> units of its review-year actuals
    for rows in tables.values():
        for r in rows:
            if int(r["period"]) == review and r.get("basis") == "actual":
                actual[r["metric"]].add(r["unit"])
    by_topic = defaultdict(lambda: dict.fromkeys(P.ROLES, 0))
    for group in targets.values():
        by_topic[first(group, ed)["topic"]]["target"] += 1
    for group in results.values():
        by_topic[first(group, ed)["topic"]]["result"] += 1
    for group in holdings.values():
        f = first(group, ed)
        by_topic[f["topic"]][f["role"]] += 1
    with_counterpart = [k for k in targets if k[0] in actual]
    # The page shows each commitment's review-year counterpart beside it: a row of its own, counted
    # once even when it is also a result; here (metric, period) groups stand for the curated rows.
    counterparts = defaultdict(list)
    for rows in tables.values():
        for r in rows:
            if int(r["period"]) == review and r.get("basis") == "actual" and any(k[0] == r["metric"] for k in with_counterpart):
                counterparts[(r["metric"], review)].append(r)
    shown_keys = {k for fs in (targets, results, holdings, later) for k in fs}
    extra = {k: g for k, g in counterparts.items() if not any(s[:2] == k for s in shown_keys)}
    every = [targets, results, holdings, later, extra]
    projected = sum(any(r.get("projected") == "true" for r in g) for fs in every for g in fs.values())
    flagged = sum(any(r.get("flag") for r in g) for fs in every for g in fs.values())
    comparable = [k for k in with_counterpart if first(targets[k], ed)["unit"] in actual[k[0]]
                  or any(_convertible(first(targets[k], ed)["unit"], u) for u in actual[k[0]])]
    return {
        f"commitments_{plan}": len(targets),
        f"commitment_statements_{plan}": sum(len(g) for g in targets.values()),
        f"commitment_topics_{plan}": sum(1 for t in by_topic.values() if t["target"]),
        f"commitments_with_review_counterpart_{plan}": len(with_counterpart),
        f"commitments_comparable_{plan}": len(comparable),
        f"results_{review}": len(results),
        f"result_statements_{review}": sum(len(g) for g in results.values()),
        "stocks": sum(first(g, ed)["role"] == "stock" for g in holdings.values()),
        "cumulative": sum(first(g, ed)["role"] == "cumulative" for g in holdings.values()),
        "later_targets": len(later),
        "by_topic": dict(by_topic),
        "projected": projected,
        "flagged": flagged,
    }


# --- Counts recomputed from the CSVs --------------------------------------------------------------

def test_results_are_the_counts_recomputed_from_the_csv(data, expected):
    got = P.results(data)
    for k, v in expected.items():
        if k != "by_topic":
            assert got[k] == v, k
    assert got["by_topic"] == expected["by_topic"]
    assert got["provisional"] + got["advance_quota"] == got["flagged"]


def test_keys_carry_the_edition_years(data, ed):
    got = P.results(data)
    assert f"commitments_{ed.year('plan')}" in got and f"results_{ed.year('review')}" in got
    assert f"commitments_with_review_counterpart_{ed.year('plan')}" in got
    assert set(got["by_topic"]) <= set(vocab.vocabulary("topics"))
    assert all(set(v) == set(P.ROLES) for v in got["by_topic"].values())


def test_every_commitment_is_a_plan_year_target_counted_once(data, ed):
    c = P.commitments(data)
    assert (c["period"] == ed.year("plan")).all() and (c["role"] == "target").all()
    assert not c.duplicated(P.KEY).any()
    assert c["n_statements"].sum() == sum(len(s) for s in c["statements"])
    # a commitment stated in both reports and in the indicator table shows every statement, in reading order
    docs = list(ed.documents)
    for statements in c["statements"]:
        order = [(docs.index(s["document"]), s["line"]) for s in statements]
        assert order == sorted(order)
    assert (c["n_statements"] > 1).sum() > 0


def test_changes_are_recomputed_from_the_csv_values(data, tables, ed):
    review = ed.year("review")
    c = P.commitments(data)
    checked = 0
    for r in c[c["comparable"]].to_dict("records"):
        candidates = [float(x["value"]) * _factor(x["unit"])[1] / _factor(r["unit"])[1] for rows in tables.values() for x in rows
                      if x.get("metric") == r["metric"] and int(x["period"]) == review and x.get("basis") == "actual"
                      and _convertible(x["unit"], r["unit"])]
        assert any(r["review_value"] == pytest.approx(v) for v in candidates)
        assert r["change"] == pytest.approx(r["value"] - r["review_value"], abs=1e-9)
        if r["unit"] not in P.POINT_UNITS and r["review_value"] > 0:
            assert r["change_rate"] == pytest.approx(r["change"] / r["review_value"])
        else:
            assert math.isnan(r["change_rate"])
        checked += 1
    assert checked == P.results(data)[f"commitments_comparable_{ed.year('plan')}"]


def test_a_counterpart_in_a_convertible_unit_is_compared_in_the_commitments_unit(data):
    """Issue 21: 1.5万户 of shantytown renovation against 20,100户 the year before is compared
    (2.01万户, a change of −0.51万户), not left as 'different unit'; an inconvertible unit stays apart."""
    c = P.commitments(data).set_index("metric")
    row = c.loc["shantytown_renovation_households"]
    assert (row["unit"], row["review_unit"], row["comparable"]) == ("万户", "户", True)
    assert row["review_value"] == pytest.approx(row["review_row"]["value"] / 10_000)
    assert row["change"] == pytest.approx(row["value"] - row["review_value"])
    assert P.in_unit(5.0, "公里", "%") is None and P.in_unit(3.0, "万家", "家") == 30_000.0


def test_the_counterpart_prefers_the_commitment_unit():
    pool = pd.DataFrame([
        {"table": "indicators", "row_id": "a", "metric": "m", "unit": "index", "value": 100.3, "document": "plan_report", "line": 9},
        {"table": "economy", "row_id": "b", "metric": "m", "unit": "%", "value": 0.3, "document": "work_report", "line": 5},
        {"table": "statements", "row_id": "c", "metric": "n", "unit": "户", "value": 20100.0, "document": "plan_report", "line": 3},
    ])
    docs = ["work_report", "plan_report"]
    assert P.counterpart({"metric": "m", "unit": "%"}, pool, docs)["row_id"] == "b"
    assert P.counterpart({"metric": "m", "unit": "index"}, pool, docs)["row_id"] == "a"
    assert P.counterpart({"metric": "n", "unit": "万户"}, pool, docs)["row_id"] == "c"      # shown, other unit
    assert P.counterpart({"metric": "z", "unit": "%"}, pool, docs) is None


def test_change_rounds_to_the_printed_precision():
    assert P.change(0.032, 0.031, "人") == (0.001, pytest.approx(0.001 / 0.031))
    assert P.change(5.5, 8.3, "%")[0] == -2.8 and math.isnan(P.change(5.5, 8.3, "%")[1])
    assert math.isnan(P.change(3.0, 0.0, "个")[1])
    assert P.change(1.8, 1.8, "ratio") == (0.0, 0.0)
    assert P.decimals(2.21) == 2 and P.decimals(839.0) == 0


# --- Collapsing statements into figures -----------------------------------------------------------

def _row(**kw):
    base = {"table": "statements", "row_id": "x", "metric": "m", "period": 1, "basis": "plan", "role": "target",
            "topic": "transport", "measure": "length", "name_zh": "名", "name_en": "name", "value": 1.0, "unit": "公里",
            "qualifier": "exact", "projected": False, "flag": None, "document": "work_report", "line": 10, "quote": "q"}
    return {**base, **kw}


def test_collapse_keeps_one_figure_showing_the_preferred_statement():
    rows = pd.DataFrame([_row(row_id="i", table="indicators", document="plan_report", line=5, name_en="table name"),
                         _row(row_id="p", document="plan_report", line=3, projected=True, name_en="plan name"),
                         _row(row_id="w", document="work_report", line=90, flag="provisional", name_en="work name"),
                         _row(row_id="o", metric="other", line=1)])
    out = P.collapse(rows, ["work_report", "plan_report"])
    assert list(out["metric"]) == ["other", "m"]                           # in the order of first statements
    m = out.set_index("metric").loc["m"]
    assert m["row_id"] == "w" and m["name_en"] == "work name"             # statements table, work report first
    assert [s["row_id"] for s in m["statements"]] == ["w", "p", "i"]      # reading order: report, then line
    assert m["n_statements"] == 3 and bool(m["projected"]) and m["flag"] == "provisional"
    assert P.collapse(rows.iloc[0:0], ["work_report"]).empty


def test_by_topic_follows_the_vocabulary_order():
    frame = pd.DataFrame({"topic": ["governance", "macro", "transport", "macro"], "n": [1, 2, 3, 4]})
    out = P.by_topic(frame)
    assert list(out["topic"]) == ["macro", "macro", "transport", "governance"] and list(out["n"]) == [2, 4, 3, 1]


def test_largest_topics_break_ties_in_vocabulary_order():
    counts = pd.DataFrame({"target": [3, 5, 5, 0]}, index=["macro", "fiscal", "transport", "debt"])
    assert list(P.largest_topics(counts, "target", 2).index) == ["fiscal", "transport"]


def test_comparisons_count_and_pick_the_extremes():
    c = pd.DataFrame([
        {"metric": "a", "unit": "公里", "value": 120.0, "review_value": 100.0, "comparable": True, "change": 20.0, "change_rate": 0.2},
        {"metric": "b", "unit": "个", "value": 10.0, "review_value": 40.0, "comparable": True, "change": -30.0, "change_rate": -0.75},
        {"metric": "c", "unit": "%", "value": 5.0, "review_value": 9.0, "comparable": True, "change": -4.0, "change_rate": math.nan},
        {"metric": "d", "unit": "%", "value": 5.0, "review_value": 5.0, "comparable": True, "change": 0.0, "change_rate": math.nan},
        {"metric": "e", "unit": "万户", "value": 1.5, "review_value": 20100.0, "comparable": False, "change": math.nan,
         "change_rate": math.nan},
    ])
    got = P.comparisons(c)
    assert (got["compared"], got["higher"], got["lower"], got["equal"]) == (4, 1, 2, 1)
    assert got["step_up"]["metric"] == "a" and got["step_down"]["metric"] == "b"
    assert (got["points"], got["points_lower"], got["points_down"]["metric"]) == (2, 1, "c")


def test_marked_counts_projections_and_flags():
    frame = pd.DataFrame({"projected": [True, False, False], "flag": [None, "provisional", "advance_quota"]})
    assert P.marked(frame) == {"projected": 1, "flagged": 2, "provisional": 1, "advance_quota": 1}


# --- Verification and checks ----------------------------------------------------------------------

def test_an_unverified_statement_stops_the_analysis(ed):
    facts = helpers.verified_facts(ed).frame
    statements = helpers.load("statements", ed)
    P.statement_rows(facts, statements)                                     # all verified: no error
    with pytest.raises(HelpersError, match="not verified against the gazette: " + statements["row_id"].iloc[0]):
        P.statement_rows(facts[facts["row_id"] != statements["row_id"].iloc[0]], statements)


def test_role_projected_and_flag_come_from_the_statements_table(data, ed):
    statements = helpers.load("statements", ed).set_index("row_id")
    rows = data.rows[data.rows["table"] == "statements"].set_index("row_id")
    assert (rows["role"] == statements.loc[rows.index, "role"]).all()
    assert (rows["projected"] == statements.loc[rows.index, "projected"].astype(bool)).all()
    headline = data.rows[data.rows["table"] != "statements"]
    assert set(headline["table"]) == set(P.HEADLINE_TABLES)
    assert (headline["period"] == ed.year("plan")).all() and (headline["basis"] == "plan").all()
    assert (headline["role"] == "target").all() and headline["topic"].notna().all()


def test_checks_cover_the_page_and_a_failure_stops_it(data):
    kinds = {c.kind for c in data.checks}
    assert {"schema", "provenance", "cross_document"} <= kinds
    assert all(c.status != "fail" for c in data.checks)
    row = data.rows.iloc[0]
    bad = Check(f"provenance.{row['table']}.{row['row_id']}", "provenance", "x", None, None, None, "fail")
    with pytest.raises(HelpersError, match="failed"):
        P.programme_checks([bad], data.rows)
    with pytest.raises(HelpersError, match="no checks"):
        P.programme_checks([], data.rows)


# --- A year-shifted edition -----------------------------------------------------------------------

def test_a_year_shifted_edition_gives_the_same_results_with_shifted_keys(tmp_path, ed, data):
    from tests.support.synthetic import shift_edition

    shifted = helpers.edition(shift_edition(ed.root, tmp_path))
    assert shifted.years == {role: y + 1 for role, y in ed.years.items()}
    moved = P.results(P.prepare(shifted))
    review, plan = ed.year("review"), ed.year("plan")

    def shift(k):
        for y in (plan, review):
            if k.endswith(f"_{y}"):
                return k[: -len(str(y))] + str(y + 1)
        return k

    assert moved == {shift(k): v for k, v in P.results(data).items()}


def test_the_chengdu_chongqing_economic_circle_is_a_topic_of_its_own(data):
    """Issue 21: the twin-city economic circle, a headline area of the work report (lines 115-119),
    has a topic in the shared vocabulary, its statements carry it, and the page counts them there."""
    assert vocab.name("topics", "chengdu_chongqing", "en") == "Chengdu–Chongqing economic circle"
    twin = [r for r in P.shown_figures(data).to_dict("records") if "twin_city" in r["row_id"]]
    assert twin and {r["topic"] for r in twin} == {"chengdu_chongqing"}
    assert P.results(data)["by_topic"]["chengdu_chongqing"]["target"] >= 1


def test_a_ceiling_is_compared_as_a_ceiling(data):
    """Issue 21: a commitment stated as a ceiling (at most: the CPI rise within 3%) is a limit, not
    a level: it is counted apart and in none of higher / lower / equal."""
    c = P.commitments(data)
    got = P.comparisons(c)
    comparable = c[c["comparable"]]
    ceilings = comparable[comparable["qualifier"] == "at_most"]
    assert got["ceilings"] == len(ceilings) >= 1 and "cpi_inflation" in set(ceilings["metric"])
    assert got["higher"] + got["lower"] + got["equal"] == len(comparable) - len(ceilings) == got["compared"]
