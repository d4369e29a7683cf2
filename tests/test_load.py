"""The loader accepts the shipped tables and refuses bad input with a message that names the place."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from helpers.data import load as loader
from helpers.errors import HelpersError, SchemaError


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("name", helpers.edition().table_names)
def test_every_shipped_table_loads_typed(name):
    frame = helpers.load(name)
    assert len(frame) > 0
    assert frame["value"].dtype == "float64"
    assert frame["line"].dtype == "Int64"
    assert frame["row_id"].is_unique


def test_facts_has_the_export_columns_and_every_numeric_row():
    facts = helpers.facts()
    assert list(facts.columns[:2]) == ["table", "row_id"]
    for col in ["value", "unit", "qualifier", "document", "line", "quote"]:
        assert col in facts.columns
    numeric_rows = sum(int(helpers.load(n)["value"].notna().sum()) for n in helpers.edition().table_names)
    assert len(facts) == numeric_rows


def _broken(data_copy, table, edit):
    path = data_copy / "curated" / f"{table}.csv"
    rows = _rows(path)
    edit(rows)
    _write(path, rows)
    return path


def _col(rows, name):
    return rows[0].index(name)


CASES = {
    "missing column": (lambda r: [row.pop(r[0].index("qualifier")) for row in list(r)[1:]] and r[0].remove("qualifier"), "missing columns ['qualifier']"),
    "extra column": (lambda r: [row.append("x") for row in r], "unknown columns ['x']"),
    "non-numeric value": (lambda r: r[1].__setitem__(_col(r, "value"), "2,285"), "column 'value': expected a number, got '2,285'"),
    "unknown unit": (lambda r: r[1].__setitem__(_col(r, "unit"), "亿元人民币"), "column 'unit': unknown value '亿元人民币'"),
    "unknown qualifier": (lambda r: r[1].__setitem__(_col(r, "qualifier"), "roughly"), "column 'qualifier': unknown value 'roughly'"),
    "duplicate key": (lambda r: r.append(list(r[1])), "duplicate key {'row_id'"),
    "short row": (lambda r: r[2].pop(), "line 3: expected"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_budget_file_names_file_line_and_column(data_copy, case):
    edit, message = CASES[case]
    _broken(data_copy, "budget", edit)
    with pytest.raises(SchemaError) as err:
        loader.load("budget", data_copy)
    assert "budget.csv" in str(err.value)
    assert message in str(err.value)


def test_unknown_table_symbol_is_refused(data_copy):
    def edit(rows):
        status = _col(rows, "status")
        rows[1][status] = "symbol?"
    _broken(data_copy, "indicators", edit)
    with pytest.raises(SchemaError, match="column 'status': unknown value 'symbol\\?'"):
        loader.load("indicators", data_copy)


def test_empty_file(data_copy):
    (data_copy / "curated" / "debt.csv").write_bytes(b"")
    with pytest.raises(SchemaError, match="debt.csv: the file is empty"):
        loader.load("debt", data_copy)


def test_gbk_file_is_refused_with_its_line(data_copy):
    path = data_copy / "curated" / "debt.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(SchemaError, match=r"debt.csv, line 2: not valid UTF-8 .*GBK"):
        loader.load("debt", data_copy)


def test_bom_is_refused(data_copy):
    path = data_copy / "curated" / "debt.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with pytest.raises(SchemaError, match="debt.csv, line 1: starts with a UTF-8 byte-order mark"):
        loader.load("debt", data_copy)


# Property: whatever bytes a curated file holds, the loader either returns a frame or raises one of
# the project's own exceptions, never a stray KeyError, ValueError or csv.Error.
_header = ",".join(f["name"] for f in helpers.edition().resource("debt")["schema"]["fields"])
_cell = st.one_of(st.text(max_size=8), st.sampled_from(["", "2021", "city", "亿元", "exact", "1.5", "-3", "true", "\"", "\n"]))
_line = st.lists(_cell, min_size=0, max_size=14).map(lambda cells: ",".join(cells))
_content = st.one_of(
    st.binary(max_size=200),
    st.lists(_line, max_size=5).map(lambda lines: "\n".join([_header, *lines]).encode("utf-8")),
    st.lists(_line, max_size=5).map(lambda lines: "\n".join(lines).encode("utf-8")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=_content)
def test_loader_only_raises_project_errors(data_copy, content):
    (data_copy / "curated" / "debt.csv").write_bytes(content)
    try:
        frame = loader.load("debt", data_copy)
    except HelpersError:
        return
    assert len(frame) >= 1
