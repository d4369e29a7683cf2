"""Load curated tables as validated, typed DataFrames; pandera validates them against the descriptor.

    >>> import helpers
    >>> budget = helpers.load("budget")
    >>> budget.query("metric == 'city_general_revenue' and period == 2021")["value"].item()
    2285.0
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from pathlib import Path

import pandas as pd

from ..errors import SchemaError
from . import schema as table_schema
from .edition import Edition, edition

_edition = edition

FACT_COLUMNS = ["table", "row_id", "metric", "period", "basis", "level", "budget", "item", "measure", "topic",
                "name_zh", "name_en", "value", "unit", "qualifier", "projected", "flag", "count_noun_one", "count_noun", "document", "line", "quote"]
# Validated tables by (file content, descriptor): a notebook loads the same tables several times.
# Keyed by the bytes' sha256, never by mtime, so a file rewritten within a clock tick is read again.
_MEMO: dict[tuple[str, str], tuple[pd.DataFrame, list[int]]] = {}
_MEMO_SIZE = 64


def _decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise SchemaError(path, "the file is empty; expected a header row and data rows")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SchemaError(path, "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", line=1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SchemaError(path, f"not valid UTF-8 at byte {exc.start} (is it GBK?); expected UTF-8", line=line) from None


def _cells(path: Path, text: str, schema: dict) -> tuple[pd.DataFrame, list[int]]:
    """The file's structure (the part of reading a CSV that is not a column's type): header, row
    lengths, quoting. Returns the cells as strings, None where the descriptor's missingValues say so,
    and the file line of every row."""
    names = [f["name"] for f in schema["fields"]]
    missing = set(schema.get("missingValues", [""]))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines = [], []
    # A row is named by the file line it starts on: a quoted cell may run over several lines, and
    # reader.line_num is the last line read so far (a quote left open is met only at the end of the file).
    start = 1
    try:
        header = next(reader)
        if header != names:
            absent = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            detail = "; ".join(p for p in (absent and f"missing columns {absent}", extra and f"unknown columns {extra}") if p)
            raise SchemaError(path, f"header does not match the descriptor ({detail or 'columns out of order'}); expected {names}", line=1)
        start = reader.line_num + 1
        for cells in reader:
            if not cells:
                raise SchemaError(path, f"blank line; expected a row of {len(names)} cells", line=start)
            if len(cells) != len(names):
                raise SchemaError(path, f"expected {len(names)} cells, got {len(cells)}", line=start)
            rows.append([None if cell in missing else cell for cell in cells])
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        if reader.line_num > start and "unexpected end of data" in str(exc):
            problem = f"a quoted cell opened in this row is never closed (the file ends at line {reader.line_num})"
        elif reader.line_num > start:
            problem = f"malformed CSV in the row that starts here, at line {reader.line_num}: {exc}"
        else:
            problem = f"malformed CSV: {exc}"
        raise SchemaError(path, problem, line=start) from None
    if not rows:
        raise SchemaError(path, "no data rows; expected at least one")
    return pd.DataFrame(rows, columns=names, dtype=object), lines


def memo_items() -> dict:
    """The validated tables read so far, keyed by (sha256 of the file's bytes, schema)."""
    return dict(_MEMO)


def adopt_tables(items: dict) -> None:
    """Take tables another process validated (`memo_items`): found again only for files whose bytes
    have the same sha256, so a changed file is read afresh."""
    for key, value in items.items():
        _MEMO.setdefault(key, value)


def read_table(path: Path, schema: dict, with_lines: bool = False):
    """Read one CSV file against its Table Schema: the structure here, the columns by pandera
    (`helpers.data.schema`). Raises a SchemaError naming file, line and column of the first problem.
    with_lines: return (frame, the file line of each row), for errors a caller finds later."""
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():   # a FIFO or device would block or never end
            raise SchemaError(path, "is not a regular file (a FIFO, device or socket); expected a CSV file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SchemaError(path, "file not found") from None
    except IsADirectoryError:
        raise SchemaError(path, "is a folder; expected a CSV file") from None
    key = (hashlib.sha256(raw).hexdigest(), json.dumps(schema, sort_keys=True, ensure_ascii=False))
    if key not in _MEMO:
        frame, lines = _cells(path, _decode(path, raw), schema)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = (table_schema.validate(path, frame, schema, lines), lines)
    frame, lines = _MEMO[key]
    return (frame.copy(), list(lines)) if with_lines else frame.copy()


def load(name: str, edition: str | Edition | None = None, with_lines: bool = False):
    """The table `name` of an edition (default: the latest), validated against its datapackage.json:
    a curated table, or a crosswalk or check list (`Edition.support_table_names`)."""
    ed = _edition(edition)
    resource = ed.resource(name)
    if "schema" not in resource:
        tables = ", ".join(ed.table_names + ed.support_table_names)
        raise SchemaError(ed.descriptor_path, f"{name!r} is not a table (it has no schema); the tables are: {tables}")
    return read_table(ed.table_path(name), resource["schema"], with_lines)


def load_all(edition: str | Edition | None = None) -> dict[str, pd.DataFrame]:
    ed = _edition(edition)
    return {name: load(name, ed) for name in ed.table_names}


def facts(edition: str | Edition | None = None, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every curated number in one long table (rows of symbol or text cells carry no number)."""
    ed = _edition(edition)
    tables = tables if tables is not None else load_all(ed)
    parts = []
    for name, frame in tables.items():
        part = frame.assign(table=name)
        for col in FACT_COLUMNS:
            if col not in part:
                part[col] = None
        # A table about one subject declares it once (x_topic); other tables carry a topic per row.
        default_topic = ed.resource(name).get("x_topic")
        if default_topic:
            part["topic"] = part["topic"].fillna(default_topic) if "topic" in frame else default_topic
        parts.append(part.loc[part["value"].notna(), FACT_COLUMNS])
    return pd.concat(parts, ignore_index=True)
