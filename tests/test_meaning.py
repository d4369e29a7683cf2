"""Provenance checks more than digits: a row given another row's unit, year, level, basis or budget
fails `helpers check` whenever the swap changes what the number means."""

from __future__ import annotations

import pytest

import helpers
from helpers.checks import meaning
from helpers.data import provenance
from helpers.errors import HelpersError

COLUMNS = ("unit", "period", "level", "basis", "budget", "projected", "flag")
# Units that name the same thing (a swap between them changes nothing).
SAME = [{"个", "项"}]


def _present(value) -> bool:
    return value is not None and value == value          # NaN is a missing cell


def _passes(name, row, lines, sections, ed, units=None) -> bool:
    try:
        provenance.verify_row(name, row, lines, ed, units)     # units: known_units(ed), once per run as `check` does
    except HelpersError:
        return False
    return not meaning.mismatches(row, sections, ed)


def swaps():
    """Every row of every prose table × every column × every other value that column takes in the table."""
    ed = helpers.edition()
    for name in ed.table_names:
        if name == "indicators":           # table cells: checked by the table layout, not by sections
            continue
        rows = helpers.load(name, ed).to_dict("records")
        for col in COLUMNS:
            if col not in rows[0]:
                continue
            values = sorted({r[col] for r in rows if _present(r[col])}, key=str)
            for r in rows:
                if r["value"] is None or r["value"] != r["value"]:
                    continue
                for v in values + ([None] if col == "flag" else []):
                    if v != (r[col] if _present(r[col]) else None) and {v, r[col]} not in SAME:
                        yield name, col, r, v


def test_every_shipped_row_passes_the_meaning_check():
    ed = helpers.edition()
    sections, lines = meaning.section_map(ed), provenance.raw_lines(ed)
    wrong = [(name, r["row_id"], meaning.mismatches(r, sections, ed)) for name in ed.table_names if name != "indicators"
             for r in helpers.load(name, ed).to_dict("records") if meaning.mismatches(r, sections, ed)]
    assert wrong == [] and lines


def test_swapping_unit_period_level_basis_or_budget_fails():
    ed = helpers.edition()
    sections, lines, units = meaning.section_map(ed), provenance.raw_lines(ed), provenance.known_units(ed)
    tried, survivors = 0, []
    for name, col, row, value in swaps():
        tried += 1
        if _passes(name, dict(row, **{col: value}), lines, sections, ed, units):
            survivors.append((name, row["row_id"], col, row[col], value, row.get("role")))
    assert tried > 20_000
    assert survivors == []


@pytest.mark.parametrize("col,value", [("unit", "万元"), ("period", 2022), ("basis", "plan"), ("level", "municipal"),
                                       ("budget", "fund")])
def test_one_budget_row_swapped_fails_the_check_command(data_copy, col, value):
    import csv
    import io

    path = data_copy / "curated" / "budget.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    target = next(r for r in rows if r["row_id"] == "2021.city.general.revenue.amount")
    target[col] = str(value)
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    failed = {c.id for c in helpers.run_checks(data_copy) if c.status == "fail"}
    assert {"provenance.budget.2021.city.general.revenue.amount", "schema.budget"} & failed
