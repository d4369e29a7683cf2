"""The checks pass on the shipped data and fail when any curated number is wrong."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
import helpers.cli
from helpers import checks
from helpers.data import provenance
from helpers.errors import ProvenanceError


@pytest.fixture(scope="module")
def shipped():
    return checks.run_checks()


def test_shipped_data_passes_every_check(shipped):
    failed = [c for c in shipped if c.status == "fail"]
    assert not failed, "\n".join(f"{c.id}: {c.actual} {c.reason}" for c in failed)


def test_every_kind_of_check_runs(shipped):
    kinds = {c.kind for c in shipped}
    assert kinds == set(checks.KINDS)
    rows = [c for c in shipped if c.kind == "provenance" and not c.id.startswith("provenance.evidence.")]
    assert len(rows) == sum(len(helpers.load(n)) for n in helpers.edition().table_names)   # one per curated row
    assert any(c.id.startswith("provenance.evidence.") for c in shipped)                   # and the analysis files' quotes


def test_known_discrepancies_are_accepted_with_reasons(shipped):
    known = [c for c in shipped if c.kind == "known_discrepancy"]
    assert {c.status for c in known} == {"accepted"}
    assert all(len(c.reason) > 40 for c in known)
    assert "known.debt_revenue_vs_bonds_issued.2021" in {c.id for c in known}


def _numeric_rows():
    for name in helpers.edition().table_names:
        for row in helpers.load(name).to_dict("records"):
            if row["value"] == row["value"]:
                yield name, row


NUMERIC_ROWS = list(_numeric_rows())


def _wrong_digit(value: float) -> float:
    """The value with its last printed digit changed (2285 -> 2286, 9.1 -> 9.2, 103.9 -> 104.0)."""
    text = f"{abs(value):g}"
    step = 10 ** -(len(text.split(".")[1]) if "." in text else 0)
    return round(value + (step if value >= 0 else -step), 6)


def test_every_curated_number_with_a_wrong_digit_fails_provenance():
    lines = provenance.raw_lines()
    survivors = []
    for name, row in NUMERIC_ROWS:
        bad = dict(row, value=_wrong_digit(row["value"]))
        try:
            provenance.verify_row(name, bad, lines, helpers.edition())
            survivors.append(f"{name}:{row['row_id']}")
        except ProvenanceError:
            pass
    assert not survivors
    assert len(NUMERIC_ROWS) > 400


def _rewrite(path, edit):
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(min_value=0, max_value=10**6))
def test_check_command_fails_when_one_number_changes(data_copy, pick):
    name, row = NUMERIC_ROWS[pick % len(NUMERIC_ROWS)]
    path = data_copy / "curated" / f"{name}.csv"
    original = path.read_text(encoding="utf-8")

    def edit(rows):
        id_col, value_col = rows[0].index("row_id"), rows[0].index("value")
        target = next(r for r in rows[1:] if r[id_col] == row["row_id"])
        target[value_col] = f"{_wrong_digit(row['value']):g}"

    _rewrite(path, edit)
    try:
        assert helpers.cli.main(["check", "--edition", str(data_copy)]) == 1
    finally:
        path.write_text(original, encoding="utf-8")


def test_quote_not_on_its_line_is_reported(data_copy):
    def edit(rows):
        rows[1][rows[0].index("line")] = str(int(rows[1][rows[0].index("line")]) + 2)
    _rewrite(data_copy / "curated" / "budget.csv", edit)
    failed = [c for c in checks.run_checks(data_copy) if c.status == "fail"]
    assert any(c.kind == "provenance" and "occurs 0 times" in c.actual for c in failed)


def test_value_not_inside_its_quote_is_reported():
    row = dict(helpers.load("budget").iloc[0].to_dict(), value=1.0)
    with pytest.raises(ProvenanceError, match="is not the number in its quote"):
        provenance.verify_row("budget", row, provenance.raw_lines(), helpers.edition())


def test_identity_fails_when_a_total_and_its_quote_change_together(data_copy):
    """Even a consistent edit of value and quote is caught by the identities."""
    raw = data_copy / "raw" / "cq-gazette-2022-02.txt"
    text = raw.read_text(encoding="utf-8").replace("收入总量为6270亿元", "收入总量为6271亿元")
    raw.write_text(text, encoding="utf-8")

    def edit(rows):
        m, v, q = (rows[0].index(c) for c in ("metric", "value", "quote"))
        for r in rows[1:]:
            if r[m] == "city_general_total_sources" and r[v] == "6270":
                r[v], r[q] = "6271", r[q].replace("6270", "6271")
    _rewrite(data_copy / "curated" / "budget.csv", edit)
    failed = {c.id for c in checks.run_checks(data_copy) if c.status == "fail"}
    assert "identity.city_general_sources.2021" in failed
    assert "raw.sha256" in failed


def test_check_json_lists_every_check(capsys):
    assert helpers.cli.main(["check", "--json"]) == 0
    import json
    records = json.loads(capsys.readouterr().out)
    assert {"id", "kind", "description", "expected", "actual", "tolerance", "status", "reason"} <= set(records[0])


def test_missing_raw_text_is_a_clear_error(data_copy):
    helpers.edition(data_copy).raw_path.unlink()
    results = checks.run_checks(data_copy)
    failed = [c for c in results if c.status == "fail"]
    assert failed and all("raw gazette text is missing" in str(c.actual) for c in failed if c.kind in ("schema", "provenance")
                          and c.id != "raw.sha256" and not c.id.startswith("schema."))
    assert any(c.id == "raw.sha256" and "missing" in str(c.actual) for c in failed)
    with pytest.raises(ProvenanceError, match="raw gazette text is missing"):
        provenance.raw_lines(data_copy)


def test_a_qualifier_contradicting_its_quote_is_reported():
    row = helpers.load("economy").query("row_id == '2021.work.digital_economy.growth'").iloc[0].to_dict()
    assert row["qualifier"] == "at_least"
    with pytest.raises(ProvenanceError, match="qualifier 'exact' but the quote says '以上'"):
        provenance.verify_row("economy", dict(row, qualifier="exact"), provenance.raw_lines(), helpers.edition())


def test_verified_facts_follow_a_changed_file_after_a_check_run(data_copy):
    checks.run_checks(data_copy)
    assert checks.verified_facts(data_copy).value("city_general_revenue", 2021) == 2285
    budget = data_copy / "curated" / "budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace(",2285,", ",2286,"), encoding="utf-8")
    assert not checks.verified_facts(data_copy).has("city_general_revenue", 2021)   # failed provenance: not trusted


def test_a_page_reads_the_editions_state_once_for_its_checks_and_facts(monkeypatch):
    """`checked` gives the checks and the verified facts from one hashing of the edition's files
    (run_checks then verified_facts hashed them twice); both are private copies."""
    from helpers.checks import engine
    from helpers.data.edition import Edition

    calls = []
    original = Edition.state
    monkeypatch.setattr(Edition, "state", lambda self: calls.append(1) or original(self))
    first, facts = engine.checked(helpers.edition())
    assert len(calls) == 1
    assert len(facts.frame) and {c.kind for c in first} == set(checks.KINDS)
    first[0].status, again = "changed", engine.checked(helpers.edition())[0]
    assert again[0].status != "changed"
