"""Notebook 00's helpers, against values counted independently from the CSV files."""

from __future__ import annotations

import csv

import pytest

import helpers
from helpers import audit, catalog, checks, paths


@pytest.fixture(scope="module")
def state():
    results = checks.run_checks()
    return helpers.load_all(), results, checks.verified_facts().frame


def _csv_rows(name):
    with open(paths.ROOT / "data" / "curated" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_coverage_counts_rows_per_table_and_report(state):
    tables, results, _ = state
    cov = audit.coverage(tables, results)
    for name in catalog.table_names():
        rows = _csv_rows(name)
        for document in {r["document"] for r in rows}:
            line = cov[(cov["table"] == name) & (cov["document"] == document)].iloc[0]
            expected = [r for r in rows if r["document"] == document]
            assert line["rows"] == len(expected)
            assert line["numbers"] == sum(r["value"] != "" for r in expected)
            assert line["verified"] == len(expected) and line["verified_share"] == 1.0


def test_coverage_drops_a_row_whose_provenance_fails(state):
    tables, results, _ = state
    broken = [c if c.id != "provenance.budget.2021.city.general.revenue.amount" else
              checks.Check(c.id, c.kind, c.description, c.expected, "not found", None, "fail") for c in results]
    cov = audit.coverage(tables, broken)
    line = cov[(cov["table"] == "budget")].iloc[0]
    assert line["verified"] == line["rows"] - 1


def test_check_summary_counts_by_kind_and_status(state):
    _, results, _ = state
    summary = audit.check_summary(results).set_index("kind")
    for kind in checks.KINDS:
        for status in ("pass", "accepted"):
            expected = sum(c.kind == kind and c.status == status for c in results)
            assert summary.get(status, {}).get(kind, 0) == expected


def test_cross_document_lists_grain_output_in_two_units(state):
    _, results, facts = state
    table = audit.cross_document(facts, results)
    grain = table[(table["metric"] == "grain_output") & (table["period"] == 2021)]
    assert set(grain["document"]) == {"work_report", "plan_report"}
    work = grain[grain["document"] == "work_report"].iloc[0]
    assert work["unit"] == "万吨" and work["canonical_unit"] == "亿公斤"
    assert work["canonical_value"] == pytest.approx(1092.8 / 10)
    assert set(grain["verdict"]) == {"pass"}
    assert (table.groupby(["metric", "period", "basis"])["document"].nunique() >= 2).all()


def test_sections_follow_the_report_headings():
    assert audit.section_of(655) == "一、2021年预算执行情况"
    assert audit.section_of(827) == "四、2022年预算草案"
    assert audit.section_of(535).startswith("附件（一）")   # a table row, not the table's own 二、 heading
    assert audit.section_of(617).startswith("附件（二）")


def test_numbers_by_section_add_up_to_all_verified_numbers(state):
    _, _, facts = state
    by_section = audit.numbers_by_section(facts)
    assert by_section["numbers"].sum() == len(facts)
    assert list(by_section["first_line"]) == sorted(by_section["first_line"])
