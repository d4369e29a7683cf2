"""Issue 24: the CSV reader names the file's own lines — a row by the line it starts on, when a quoted
cell runs over several lines, after a blank line, and when a quote is never closed (once reported at
the last line of the file)."""

from __future__ import annotations

import csv
import io

import pytest

import helpers
from helpers.data import load as loader
from helpers.errors import SchemaError


@pytest.fixture
def budget(tmp_path):
    """(schema, rows as lists of cells, a writer of a CSV file from lines of text) of the budget table."""
    ed = helpers.edition()
    rows = list(csv.reader(io.StringIO(ed.table_path("budget").read_text(encoding="utf-8"), newline="")))

    def line(cells) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        return out.getvalue()

    def write(*texts) -> object:
        path = tmp_path / "budget.csv"
        path.write_text("".join(texts), encoding="utf-8")
        return path

    return ed.resource("budget")["schema"], rows, line, write


def _error(path, schema) -> SchemaError:
    loader._MEMO.clear()
    with pytest.raises(SchemaError) as caught:
        loader.read_table(path, schema)
    return caught.value


def test_a_bad_cell_in_a_row_whose_quote_runs_over_two_lines_is_named_by_the_line_it_starts_on(budget):
    schema, rows, line, write = budget
    quote = rows[0].index("quote")
    value = rows[0].index("value")
    two_lines = list(rows[2])
    two_lines[quote] = two_lines[quote] + "\nsecond line"           # lines 3 and 4 of the file
    two_lines[value] = "x"
    path = write(line(rows[0]), line(rows[1]), line(two_lines), line(rows[3]))
    error = _error(path, schema)
    assert (error.line, error.column) == (3, "value")


def test_rows_after_a_two_line_row_keep_their_file_lines(budget):
    schema, rows, line, write = budget
    quote, value = rows[0].index("quote"), rows[0].index("value")
    two_lines = list(rows[1])
    two_lines[quote] = two_lines[quote] + "\nsecond line"           # lines 2 and 3
    bad = list(rows[2])
    bad[value] = "x"                                                 # line 4
    error = _error(write(line(rows[0]), line(two_lines), line(bad)), schema)
    assert (error.line, error.column) == (4, "value")
    frame, lines = loader.read_table(write(line(rows[0]), line(two_lines), line(rows[2])), schema, with_lines=True)
    assert lines == [2, 4]


def test_a_blank_line_is_named(budget):
    schema, rows, line, write = budget
    error = _error(write(line(rows[0]), line(rows[1]), "\n", line(rows[2])), schema)
    assert error.line == 3 and "blank line" in str(error)


def test_an_unclosed_quote_is_named_by_the_line_it_opens_on(budget):
    schema, rows, line, write = budget
    plain = [r for r in rows[1:] if not any("," in c or '"' in c for c in r)]     # written without quotes
    opened = list(plain[2])
    opened[-2] = '"' + opened[-2]                                    # line 4: a quote opened, never closed
    body = [line(rows[0]), line(plain[0]), line(plain[1]), ",".join(opened) + "\n", line(plain[3]), line(plain[4])]
    error = _error(write(*body), schema)
    assert error.line == 4 and "never closed" in str(error)
