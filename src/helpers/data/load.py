"""Load curated tables as validated, typed DataFrames. Validation is built from the descriptor.

    >>> import helpers
    >>> budget = helpers.load("budget")
    >>> budget.query("metric == 'city_general_revenue' and period == 2021")["value"].item()
    2285.0
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pandas as pd

from ..errors import SchemaError
from .edition import Edition, edition

_edition = edition
# ASCII digits only: `\d` (and int()/float()) also accept full-width digits such as ２２８５.
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)      # the range of the Int64 columns the loader returns
_BOOLEAN = {"true": True, "false": False}
_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "object"}

FACT_COLUMNS = ["table", "row_id", "metric", "period", "basis", "level", "budget", "item", "measure", "topic",
                "name_zh", "name_en", "value", "unit", "qualifier", "document", "line", "quote"]


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


def _convert(path: Path, line: int, field: dict, text: str):
    """One cell: check it against its field and return the typed value (None when missing)."""
    name, kind = field["name"], field.get("type", "string")
    c = field.get("constraints", {})
    if text == "":
        if c.get("required"):
            raise SchemaError(path, f"missing value; expected a {kind}", line=line, column=name)
        return None
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise SchemaError(path, f"expected an integer, got {_shown(text)}{_non_ascii(text)}", line=line, column=name)
        digits = len(text.lstrip("-"))
        # int() refuses more than 4,300 digits (ValueError) and Int64 more than 19 (OverflowError).
        value = int(text) if digits <= 19 else None
        if value is None or not _INT64[0] <= value <= _INT64[1]:
            raise SchemaError(path, f"integer {_shown(text)} ({digits:,} digits) is out of range; expected a 64-bit "
                                    f"integer (at most {len(str(_INT64[1]))} digits)", line=line, column=name)
    elif kind == "number":
        if not _NUMBER.fullmatch(text):
            raise SchemaError(path, f"expected a number, got {_shown(text)}{_non_ascii(text)}", line=line, column=name)
        value = float(text)
        if not math.isfinite(value):
            raise SchemaError(path, f"number {_shown(text)} is too large (not a finite number)", line=line, column=name)
    elif kind == "boolean":
        if text not in _BOOLEAN:
            raise SchemaError(path, f"expected true or false, got {text!r}", line=line, column=name)
        value = _BOOLEAN[text]
    else:
        value = text
    try:
        if "enum" in c and value not in c["enum"]:
            allowed = ", ".join(str(v) for v in c["enum"])
            raise SchemaError(path, f"unknown value {_shown(text)}; expected one of: {allowed}", line=line, column=name)
        if "pattern" in c and not re.fullmatch(c["pattern"], text):
            raise SchemaError(path, f"{_shown(text)} does not match the pattern {c['pattern']}", line=line, column=name)
        if "minimum" in c and value < c["minimum"] or "maximum" in c and value > c["maximum"]:
            raise SchemaError(path, f"{_shown(text)} is outside [{c.get('minimum')}, {c.get('maximum')}]", line=line, column=name)
        if "minLength" in c and len(text) < c["minLength"]:
            raise SchemaError(path, f"expected at least {c['minLength']} characters", line=line, column=name)
    except (TypeError, re.error) as exc:     # a constraint of the descriptor that cannot be applied
        raise SchemaError(path, f"the descriptor's constraints {c} cannot be applied: {exc}", line=line, column=name) from None
    return value


def _non_ascii(text: str) -> str:
    return " (digits must be ASCII 0-9, not full-width or other Unicode digits)" if any(
        ch.isdigit() and not "0" <= ch <= "9" for ch in text) else ""


def _shown(text: str, limit: int = 40) -> str:
    """A cell as quoted in a message: a 4,300-digit cell is shown by its start and length."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text):,} characters)"


def read_table(path: Path, schema: dict) -> pd.DataFrame:
    """Read one CSV file strictly against a Table Schema; raise SchemaError on the first problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SchemaError(path, "file not found") from None
    reader = csv.reader(io.StringIO(_decode(path, raw), newline=""), strict=True)
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    try:
        header = next(reader)
        if header != names:
            missing = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            detail = "; ".join(p for p in (missing and f"missing columns {missing}", extra and f"unknown columns {extra}") if p)
            raise SchemaError(path, f"header does not match the descriptor ({detail or 'columns out of order'}); expected {names}", line=1)
        rows, seen = [], {}
        key = schema.get("primaryKey", [])
        unique = [f["name"] for f in fields if f.get("constraints", {}).get("unique")]
        for cells in reader:
            line = reader.line_num
            if len(cells) != len(names):
                raise SchemaError(path, f"expected {len(names)} cells, got {len(cells)}", line=line)
            row = {f["name"]: _convert(path, line, f, text) for f, text in zip(fields, cells, strict=True)}
            for cols in ([key] if key else []) + [[u] for u in unique if [u] != key]:
                k = (tuple(cols), tuple(row[c] for c in cols))
                if k in seen:
                    raise SchemaError(path, f"duplicate key {dict(zip(cols, k[1], strict=True))}, first seen on line {seen[k]}", line=line, column=cols[0])
                seen[k] = line
            rows.append(row)
    except csv.Error as exc:
        raise SchemaError(path, f"malformed CSV: {exc}", line=reader.line_num) from None
    if not rows:
        raise SchemaError(path, "no data rows; expected at least one")
    frame = pd.DataFrame(rows, columns=names)
    try:
        return frame.astype({f["name"]: _DTYPES.get(f.get("type", "string"), "object") for f in fields})
    except (ValueError, OverflowError, TypeError) as exc:   # every cell was checked above; kept as a net
        raise SchemaError(path, f"cannot give the columns their descriptor types: {exc}") from None


def load(name: str, edition: str | Edition | None = None) -> pd.DataFrame:
    """The curated table `name` of an edition (default: the latest), validated against its datapackage.json."""
    ed = _edition(edition)
    return read_table(ed.table_path(name), ed.resource(name)["schema"])


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
