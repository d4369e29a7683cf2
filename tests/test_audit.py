"""Notebook 00's computations (helpers.analysis.audit), against values counted independently from
the edition's files: the curated CSVs read with the csv module, the raw text read line by line."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

import helpers
from helpers.analysis import audit
from helpers.checks import CONVERSIONS, KINDS, Check
from helpers.data.parsing import numbers_in
from helpers.errors import EditionError, HelpersError

YEAR = re.compile(r"(?<![0-9])(2019|2020|2021|2022|2023)(?![0-9])")


@pytest.fixture(scope="module")
def ed():
    return helpers.edition()


@pytest.fixture(scope="module")
def data(ed):
    return audit.run(ed)


def _csv_rows(ed, name):
    with ed.table_path(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def shifted_edition(source: Path, target: Path, years: int = 1) -> Path:
    """A copy of an edition with every year of its text, tables and metadata moved by `years`
    (the raw text's hash and size in the descriptor follow)."""
    import hashlib
    import json

    shutil.copytree(source, target)
    for f in sorted(target.rglob("*"), reverse=True):   # file names too (the raw text's name has the year)
        if YEAR.search(f.name):
            f.rename(f.with_name(YEAR.sub(lambda m: str(int(m.group(1)) + years), f.name)))
    for f in target.rglob("*"):
        if f.is_file() and f.suffix in (".txt", ".csv", ".yaml", ".json", ".md"):
            text = f.read_bytes().decode("utf-8")
            f.write_bytes(YEAR.sub(lambda m: str(int(m.group(1)) + years), text).encode("utf-8"))
    descriptor = target / "datapackage.json"
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in meta["resources"]:
        if resource["name"] == "gazette":
            raw = (target / resource["path"]).read_bytes()
            resource["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
            resource["bytes"] = len(raw)
    descriptor.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


# --- curated rows and checks ---------------------------------------------------------------------

def test_coverage_counts_rows_per_table_and_report(ed, data):
    cov = audit.coverage(data.tables, data.checks)
    ok = {c.id for c in data.checks if c.kind == "provenance" and c.status == "pass"}
    assert set(cov["table"]) == set(ed.table_names)
    for name in ed.table_names:
        rows = _csv_rows(ed, name)
        for document in {r["document"] for r in rows}:
            line = cov[(cov["table"] == name) & (cov["document"] == document)].iloc[0]
            expected = [r for r in rows if r["document"] == document]
            assert line["rows"] == len(expected)
            assert line["numbers"] == sum(r["value"] != "" for r in expected)
            passed = sum(f"provenance.{name}.{r['row_id']}" in ok for r in expected)
            assert line["verified"] == passed and line["verified_share"] == pytest.approx(passed / len(expected))


def test_coverage_drops_a_row_whose_provenance_fails(data):
    target = next(c for c in data.checks if c.kind == "provenance" and ".budget." in c.id)
    broken = [c if c.id != target.id else Check(c.id, c.kind, c.description, c.expected, "not found", None, "fail")
              for c in data.checks]
    cov = audit.coverage(data.tables, broken)
    before = audit.coverage(data.tables, data.checks)
    assert before["verified"].sum() - cov["verified"].sum() == 1
    assert audit.failed(broken) == [b for b in broken if b.id == target.id]


def test_check_summary_counts_by_kind_and_status(data):
    summary = audit.check_summary(data.checks)
    counted = Counter((c.kind, c.status) for c in data.checks)
    assert list(summary["kind"]) == [k for k in KINDS if any(c.kind == k for c in data.checks)]
    for r in summary.to_dict("records"):
        for status in audit.STATUSES:
            assert r[status] == counted.get((r["kind"], status), 0)
        assert r["total"] == sum(n for (k, _), n in counted.items() if k == r["kind"])
    assert summary["total"].sum() == len(data.checks)


def test_known_discrepancies_have_both_languages_and_a_nature(data):
    known = audit.known_discrepancies(data.checks)
    assert known and all(c.kind == "known_discrepancy" for c in known)
    for c in known:
        assert c.extra["nature"] in ("discrepancy", "partial_list", "convention", "not_reproducible")
        assert c.text("reason", "zh") != c.text("reason", "en")
        assert c.extra["rows"], c.id


def test_only_gaps_between_the_documents_own_figures_are_discrepancies(data):
    """A list the report calls its main items is a partial list, and a ratio whose denominator is not
    published is not reproducible: neither is a discrepancy of the document (issue 21)."""
    nature = {c.id.rsplit(".", 1)[0]: c.extra["nature"] for c in audit.known_discrepancies(data.checks)}
    assert nature == {"known.debt_revenue_vs_bonds_issued": "discrepancy", "known.functional_lines_vs_total": "partial_list",
                      "known.municipal_growth_base": "convention", "known.debt_ratio": "not_reproducible",
                      "known.project_completion_rates": "discrepancy"}


def test_cross_document_lists_grain_output_in_two_units(ed, data):
    table = audit.cross_document(data.facts, data.checks)
    grain = table[(table["metric"] == "grain_output") & (table["period"] == ed.year("review"))]
    assert {"work_report", "plan_report"} <= set(grain["document"])
    work = grain[grain["unit"] == "万吨"].iloc[0]
    assert work["canonical_unit"] == "亿公斤"
    assert work["canonical_value"] == pytest.approx(work["value"] / 10)   # 1 万吨 = 0.1 亿公斤
    assert set(grain["verdict"]) == {"pass"}
    assert (table.groupby(["metric", "period", "basis"])["document"].nunique() >= 2).all()


def test_agreement_summary_recounts_metrics_in_two_reports(data):
    facts = data.facts
    docs = facts.groupby(["metric", "period", "basis"])["document"].nunique()
    summary = audit.agreement_summary(audit.cross_document(facts, data.checks))
    assert summary["metrics"] == int((docs >= 2).sum())
    failed = {c.id for c in data.checks if c.kind == "cross_document" and c.status == "fail"}
    assert summary["disagreements"] == sum(f"cross_document.{m}.{p}.{b}" in failed for (m, p, b) in docs[docs >= 2].index)


def test_conversion_examples_pair_a_converted_statement_with_a_canonical_one(data):
    agreement = audit.cross_document(data.facts, data.checks)
    examples = audit.conversion_examples(agreement)
    converted = set(agreement.loc[agreement["unit"] != agreement["canonical_unit"], "unit"])
    assert {"万吨", "index"} <= {a["unit"] for a, _ in examples} <= converted <= set(CONVERSIONS)
    for a, b in examples:
        assert (a["metric"], a["period"], a["basis"]) == (b["metric"], b["period"], b["basis"])
        assert b["unit"] == a["canonical_unit"] != a["unit"]


# --- sections ---------------------------------------------------------------------------------------

def test_sections_follow_the_report_headings(ed):
    review, plan = ed.year("review"), ed.year("plan")
    first_budget_line = ed.documents["budget_report"][0]
    s = audit.section_of(first_budget_line + 14, ed)
    assert s["document"] == "budget_report" and s["name_zh"] == f"一、{review}年预算执行情况"
    assert s["name_en"] == f"I. Budget execution in {review}"
    assert audit.section_of(first_budget_line, ed)["name_en"] == "opening"
    table = audit.sections(ed)
    appendices = table[table["name_zh"].str.startswith("附件")]
    assert len(appendices) == 2 and all(appendices["document"] == "plan_report")
    assert appendices.iloc[1]["name_zh"].endswith(f"{plan}年国民经济和社会发展规划草案")   # the title follows the marker
    # inside an appendix, its own 一、二、 headings are not top-level sections
    assert len(table[table["document"] == "plan_report"]) == 1 + 5
    with pytest.raises(HelpersError, match="line 1 is in no report"):
        audit.section_of(1, ed)


def test_a_report_with_more_headings_than_names_is_refused(data_copy):
    spec = yaml.safe_load((data_copy / "analysis" / "audit.yaml").read_text(encoding="utf-8"))
    spec["sections"]["names_en"]["work_report"].pop()
    (data_copy / "analysis" / "audit.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(EditionError, match="names_en.work_report lists 2 names, but the report has 3"):
        audit.sections(helpers.edition(data_copy))


def test_numbers_by_section_add_up_to_all_verified_numbers(ed, data):
    by_section = audit.numbers_by_section(data.facts, ed)
    assert by_section["numbers"].sum() == len(data.facts)
    assert list(by_section["first_line"]) == sorted(by_section["first_line"])
    table = audit.sections(ed)
    counted = Counter(audit.section_of(int(n), ed, table)["first_line"] for n in data.facts["line"])  # each number once
    for r in by_section.to_dict("records"):
        assert counted[r["first_line"]] == r["numbers"]


# --- number coverage --------------------------------------------------------------------------------

def test_number_coverage_accounts_for_every_number_token_of_the_reports(ed, data):
    assert audit.coverage_available(data.checks) == ("coverage" in KINDS)
    if not audit.coverage_available(data.checks):
        pytest.skip("helpers.checks has no coverage kind")
    by_section, reasons = audit.number_coverage(data)
    lines = ed.raw_path.read_text(encoding="utf-8").split("\n")
    for document, (first, last) in ed.documents.items():
        tokens = sum(len(numbers_in(lines[n - 1])) for n in range(first, last + 1))
        assert by_section.loc[by_section["document"] == document, "tokens"].sum() == tokens
    assert reasons["tokens"].sum() == by_section["excluded"].sum()
    assert list(reasons["tokens"]) == sorted(reasons["tokens"], reverse=True)
    curated = by_section["curated"].sum()
    stated = sum(int(re.search(r"(\d+) curated", c.description).group(1)) for c in data.checks
                 if c.kind == "coverage" and c.id != "coverage.exclusions")
    assert curated == stated
    for r in reasons.to_dict("records"):
        for line, start, token in r["examples"]:
            assert lines[line - 1][start:start + len(token)] == token


# --- results and the next edition ---------------------------------------------------------------

def test_results_recount_the_audit(data):
    results = audit.results(data)
    assert results["curated_rows"] == sum(len(t) for t in data.tables.values())
    assert results["checks_total"] == len(data.checks)
    assert results["checks_failed"] == sum(c.status == "fail" for c in data.checks)
    assert results["checks_by_kind"] == {k: sum(c.kind == k for c in data.checks) for k in KINDS}
    registered = yaml.safe_load(data.edition.data_file("known_discrepancies").read_text(encoding="utf-8"))
    assert results["known_discrepancies"] == len(registered)
    assert results["verified_rows"] <= results["curated_rows"]
    assert results["curated_numbers"] == sum(int(t["value"].notna().sum()) for t in data.tables.values())


def test_a_shifted_edition_gives_the_same_audit_with_its_own_years(tmp_path, ed, data):
    shifted = helpers.edition(shifted_edition(ed.root, tmp_path / "next"))
    assert shifted.year("review") == ed.year("review") + 1
    moved = audit.run(shifted)
    assert audit.results(moved) == audit.results(data)
    names = audit.sections(shifted)["name_en"]
    assert f"I. Budget execution in {ed.year('review') + 1}" in set(names)
    assert list(audit.numbers_by_section(moved.facts, shifted)["numbers"]) == \
        list(audit.numbers_by_section(data.facts, ed)["numbers"])
