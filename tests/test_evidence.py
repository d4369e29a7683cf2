"""The gazette quotes the analysis files cite are checked by `helpers check`, not when a page is built:
a quote moved off its line, a line outside its report or an unknown report each fail with the reason."""

from __future__ import annotations

import pytest

import helpers
from helpers.checks.engine import run_checks
from helpers.checks.evidence import citations


def _evidence(root):
    return {c.id: c for c in run_checks(helpers.edition(root)) if c.id.startswith("provenance.evidence.")}


def test_every_citation_of_the_analysis_files_is_checked_and_holds():
    found = _evidence(None)
    ed = helpers.edition()
    expected = sum(1 for key in ("growth", "fiscal") for _ in citations(ed.load_yaml(key)))
    assert len(found) >= expected > 4      # the hidden-debt and risk quotes are a curated table now (risk_statements)
    assert all(c.status == "pass" for c in found.values()), [c.id for c in found.values() if c.status != "pass"]


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("line: 847, quote: 按照中央提前下达", "line: 848, quote: 按照中央提前下达", "the quote is not on line 848"),
    ("line: 847, quote: 按照中央提前下达", "line: 999999, quote: 按照中央提前下达", "line 999999 is outside the budget_report"),
    ("{document: budget_report, line: 847", "{document: no_report, line: 847", "document 'no_report' is not a report"),
])
def test_a_wrong_citation_fails_with_its_reason(data_copy, old, new, reason):
    path = data_copy / "analysis" / "fiscal.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    failed = [c for c in _evidence(data_copy).values() if c.status == "fail"]
    assert [c.id for c in failed] == ["provenance.evidence.fiscal.advance_quota.evidence[0]"]
    assert reason in failed[0].actual
