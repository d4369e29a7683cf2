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


# --- Validation is pandera's, from the descriptor (helpers.data.schema) ------------------------------

_ED = helpers.edition()
_BUDGET = _ED.resource("budget")["schema"]
_BUDGET_ROWS = _rows(_ED.table_path("budget"))
_TYPED = [f for f in _BUDGET["fields"] if f.get("type") in ("integer", "number", "boolean") or "enum" in f.get("constraints", {})]
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _bad_cell(field: dict) -> st.SearchStrategy[str]:
    """Cells that a field's Table Schema refuses: its own digits made full-width, letters, a value
    outside its enum."""
    kind = field.get("type", "string")
    if kind in ("integer", "number"):
        digits = st.integers(min_value=0, max_value=10**6).map(str)
        return st.one_of(digits.map(lambda d: d.translate(_FULL_WIDTH)), st.sampled_from(["1,5", "x", "1.5.1", " 12", "inf", "NaN"]))
    if kind == "boolean":
        return st.sampled_from(["True", "yes", "1", "FALSE", "t"])
    return st.text(alphabet="xyz问题", min_size=1, max_size=6).filter(lambda v: v not in field["constraints"]["enum"])


def _write_table(path, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_one_bad_cell_is_named_by_its_line_and_column(tmp_path_factory, data):
    """Property: one cell of any typed column on any row made invalid gives a SchemaError at exactly
    that line and column, whatever the column's type."""
    field = data.draw(st.sampled_from(_TYPED))
    row = data.draw(st.integers(min_value=1, max_value=len(_BUDGET_ROWS) - 1))
    bad = data.draw(_bad_cell(field))
    rows = [list(r) for r in _BUDGET_ROWS]
    rows[row][rows[0].index(field["name"])] = bad
    path = tmp_path_factory.mktemp("bad") / "budget.csv"
    _write_table(path, rows)
    with pytest.raises(SchemaError) as err:
        loader.read_table(path, _BUDGET)
    assert (err.value.line, err.value.column) == (row + 1, field["name"]), str(err.value)


@settings(max_examples=150, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False), line=st.integers(min_value=1, max_value=2**63 - 1))
def test_numbers_and_integers_round_trip_exactly(tmp_path_factory, value, line):
    """Property: a finite float written with repr() and any 64-bit line number read back unchanged."""
    rows = [list(r) for r in _BUDGET_ROWS[:2]]
    rows[1][rows[0].index("value")] = repr(value)
    rows[1][rows[0].index("line")] = str(line)
    path = tmp_path_factory.mktemp("ok") / "budget.csv"
    _write_table(path, rows)
    frame = loader.read_table(path, _BUDGET)
    assert frame["value"].iloc[0] == value and frame["line"].iloc[0] == line


def test_booleans_are_read_by_the_descriptors_true_and_false_values(data_copy):
    """pandas' astype(bool) makes the string 'false' True; the loader reads the field's falseValues."""
    frame = loader.load("budget", data_copy)
    raw = _rows(data_copy / "curated" / "budget.csv")
    written = [r[raw[0].index("projected")] for r in raw[1:]]
    assert frame["projected"].tolist() == [w == "true" for w in written] and "false" in written


def test_an_integer_enum_is_compared_as_integers(data_copy):
    """pandera's bridge types an enum column as category (strings); the loader keeps it Int64."""
    frame = loader.load("indicators", data_copy)
    assert frame["table_year"].dtype == "Int64"
    _broken(data_copy, "indicators", lambda r: r[1].__setitem__(_col(r, "table_year"), str(int(r[1][_col(r, "table_year")]) + 10)))
    with pytest.raises(SchemaError, match=r"indicators.csv, line 2, column 'table_year': unknown value '\d+'; expected one of"):
        loader.load("indicators", data_copy)


def test_constraints_come_from_the_descriptor(data_copy):
    """Tighten a constraint in the copied edition's datapackage.json only: the loader refuses the
    same, unchanged CSV, with no code change."""
    import json

    path = data_copy / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    budget = next(r for r in descriptor["resources"] if r["name"] == "budget")
    line = next(f for f in budget["schema"]["fields"] if f["name"] == "line")
    line["constraints"]["maximum"] = 10
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"budget.csv, line 2, column 'line': '\d+' is outside \[1, 10\]"):
        loader.load("budget", data_copy)


def test_every_problem_is_counted_and_the_first_is_named(data_copy):
    def edit(rows):
        value = _col(rows, "value")
        for k in (3, 5, 9):
            rows[k][value] = "x"
    _broken(data_copy, "budget", edit)
    with pytest.raises(SchemaError, match=r"line 4, column 'value': expected a number, got 'x' \(2 more problems in this file\)"):
        loader.load("budget", data_copy)


def test_a_table_rewritten_in_place_is_read_again(data_copy):
    """The loader remembers validated tables by content, not by time: a rewrite is always seen."""
    first = loader.load("budget", data_copy)
    first.loc[0, "value"] = -1.0            # a caller's change to a returned frame stays its own
    assert loader.load("budget", data_copy).loc[0, "value"] != -1.0
    _broken(data_copy, "budget", lambda r: r[1].__setitem__(_col(r, "value"), "１"))
    with pytest.raises(SchemaError, match="digits must be ASCII"):
        loader.load("budget", data_copy)


_SHARED = {"unit": "units", "level": "levels", "budget": "budgets", "document": "documents", "topic": "topics",
           "reason": "exclusion_reasons"}


@pytest.mark.parametrize("name", _ED.table_names + _ED.support_table_names)
def test_descriptor_enums_over_a_shared_vocabulary_use_its_codes(name):
    """A descriptor's enum of units, levels, budgets, documents, topics or exclusion reasons lists only
    codes that data/vocab defines (with their zh and en names), so every page can name them."""
    from helpers.data import vocab

    for field in _ED.resource(name)["schema"]["fields"]:
        enum = field.get("constraints", {}).get("enum")
        if enum and field["name"] in _SHARED:
            unknown = set(enum) - set(vocab.vocabulary(_SHARED[field["name"]]))
            assert not unknown, f"{name}.{field['name']}: {sorted(unknown)} not in data/vocab/{_SHARED[field['name']]}.csv"


def test_a_resource_without_a_schema_is_not_a_table():
    with pytest.raises(SchemaError, match="'gazette' is not a table"):
        helpers.load("gazette")
