"""A table's Table Schema (from datapackage.json) as pandera schemas, and pandera's failures as SchemaErrors.

Validation is pandera's, and the constraints come from the descriptor through pandera's own
Table Schema bridge (`pandera.io.pandas_io.from_frictionless_schema`): types, required, enum,
pattern, minimum/maximum, minLength, unique and the primary key. This module adds only what that
bridge does not do, each for a reason:

* **Lexical forms first.** Table Schema defines how an integer, a number or a boolean is written
  (ASCII digits; the field's `trueValues`/`falseValues`). pandas' coercion is laxer: it reads the
  full-width `２２８５` as 2285, and `bool("false")` is True. So the raw strings are checked against
  the lexical forms (a first pandera schema over strings) before anything is coerced.
* **The project's dtypes.** The bridge types an enum column as `category` (so an integer enum is
  compared as strings) and a boolean as numpy `bool` (no missing value). Every column gets the
  dtype the loader has always returned: `Int64`, `float64`, `boolean`, `object`.
* **Finite numbers.** A 4,300-digit number is lexically valid and becomes infinity.
* **Messages.** pandera reports every failure of a table; `first_error` turns the first one (in
  file order) into a SchemaError naming file, line and column, and says how many more there are.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import SchemaError

# Lexical forms of Table Schema's integer and number (ASCII digits only: `\d`, int() and float() also
# accept full-width digits such as ２２８５). The project's curated files write no `+` sign and no INF.
INTEGER = r"-?[0-9]+"
NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "object"}
INT64_DIGITS = len(str(2**63 - 1))


def truth_values(field: dict) -> dict[str, bool]:
    """How the field writes true and false (Table Schema's defaults where the descriptor says nothing)."""
    true = field.get("trueValues", ["true", "True", "TRUE", "1"])
    false = field.get("falseValues", ["false", "False", "FALSE", "0"])
    return {**{v: True for v in true}, **{v: False for v in false}}


@lru_cache(maxsize=64)
def _schemas(schema_json: str):
    import pandera.pandas as pa
    from frictionless import Schema
    from pandera.io.pandas_io import from_frictionless_schema

    schema = json.loads(schema_json)
    lexical = {}
    for f in schema["fields"]:
        kind = f.get("type", "string")
        if kind in ("integer", "number"):
            form = INTEGER if kind == "integer" else NUMBER
            check = pa.Check.str_matches(f"^(?:{form})$", error=f"lexical_{kind}")
        elif kind == "boolean":
            check = pa.Check.isin(list(truth_values(f)), error="lexical_boolean")
        else:
            continue
        lexical[f["name"]] = pa.Column(object, check, nullable=True)
    # The descriptor itself is validated by `frictionless validate` (make validate). Importing it
    # without validating again skips frictionless' metadata check, which imports jsonschema: 1.5 s
    # in every process that loads a table, for a check `make test` already makes.
    typed = from_frictionless_schema(Schema.metadata_import(json.loads(schema_json)))  # it consumes its dict
    for f in schema["fields"]:   # the bridge's schema is ours: set in place (update_columns deep-copies)
        column, kind = typed.columns[f["name"]], f.get("type", "string")
        column.dtype = DTYPES.get(kind, "object")
        if kind == "number":
            column.checks.append(pa.Check(lambda s: s.map(math.isfinite), ignore_na=True, error="finite"))
    return pa.DataFrameSchema(lexical), typed


def schemas(schema: dict, path: Path | str = "datapackage.json"):
    """(lexical, typed): the pandera schemas of one Table Schema, built once per descriptor."""
    try:
        return _schemas(json.dumps(schema, sort_keys=True, ensure_ascii=False))
    except Exception as exc:   # the bridge refuses a descriptor it cannot read (frictionless metadata errors)
        raise SchemaError(path, f"the descriptor's table schema cannot be turned into checks: {exc}") from None


def validate(path: Path, frame: pd.DataFrame, schema: dict, lines: list[int]) -> pd.DataFrame:
    """The frame of raw strings (None where missing) typed and checked against `schema`; `lines[i]`
    is the file line of row i. Raises the first failure, in file order, as a SchemaError."""
    from pandera.errors import SchemaErrors

    lexical, typed = schemas(schema, path)
    try:
        lexical.validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise first_error(path, exc.failure_cases, schema, lines) from None
    for f in schema["fields"]:
        if f.get("type") == "boolean":
            frame[f["name"]] = frame[f["name"]].map(truth_values(f), na_action="ignore")
    try:
        return typed.validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise first_error(path, exc.failure_cases, schema, lines) from None


def first_error(path: Path, failures: pd.DataFrame, schema: dict, lines: list[int]) -> SchemaError:
    """The failure met first when reading the file (line, then column), as the project's error.

    pandera lists every failure, some twice (a cell that cannot be coerced fails `coerce_dtype` and
    `dtype`; a check then fails on the whole uncoerced column, with no row). A problem is one cell:
    a (line, column) pair; failures without a row count only for a column with no cell failure."""
    fields = {f["name"]: f for f in schema["fields"]}
    order = list(fields)
    cells, columns = [], []
    for case in failures.to_dict("records"):
        index, column = case.get("index"), case.get("column")
        pos = order.index(column) if column in order else len(order)
        if index is None or pd.isna(index):
            columns.append((pos, case))
        else:
            cells.append((lines[int(index)], pos, case))
    cells.sort(key=lambda c: (c[0], c[1]))
    # A duplicate is reported at its second occurrence, with its first; pandera lists every occurrence.
    first_seen: dict[tuple, int] = {}
    problems: dict[tuple, tuple] = {}
    for line, pos, case in cells:
        if case["check"] == "field_uniqueness":
            key = (case["column"], str(case["failure_case"]))
            if key not in first_seen:
                first_seen[key] = line
                continue
            case = {**case, "first_line": first_seen[key]}
        problems.setdefault((line, pos), (line, case))
    failed_columns = {pos for _, pos in problems}
    for pos, case in sorted(columns, key=lambda c: c[0]):
        if pos not in failed_columns:
            problems.setdefault((None, pos), (None, case))
    if not problems:   # pandera raised without a failure case; still named, never a traceback
        return SchemaError(path, "the table does not match its descriptor")
    line, case = next(iter(problems.values()))
    error = _error(path, line, case, fields.get(case.get("column"), {}))
    more = len(problems) - 1
    if more:
        error = SchemaError(path, f"{error.problem} ({more:,} more problem{'s' if more > 1 else ''} in this file)",
                            line=error.line, column=error.column)
    return error


def _error(path: Path, line: int | None, case: dict, field: dict) -> SchemaError:
    name, check, value = case.get("column"), str(case["check"]), case["failure_case"]
    kind = field.get("type", "string")
    c = field.get("constraints", {})
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    shown = _shown(text)
    if check == "not_nullable" or (text == "" and check.startswith(("coerce_dtype", "dtype"))):
        problem = f"missing value; expected a {kind}"
    elif check == "lexical_integer":
        problem = f"expected an integer, got {shown}{_non_ascii(text)}"
    elif check == "lexical_number":
        problem = f"expected a number, got {shown}{_non_ascii(text)}"
    elif check == "lexical_boolean":
        problem = f"expected {' or '.join(truth_values(field))}, got {text!r}"
    elif check.startswith(("coerce_dtype", "dtype")) and kind == "integer":
        # Lexically an integer, but it does not fit the Int64 column the loader returns.
        digits = len(text.lstrip("-"))
        problem = (f"integer {shown} ({digits:,} digits) is out of range; expected a 64-bit integer "
                   f"(at most {INT64_DIGITS} digits)")
    elif check == "finite":
        problem = f"number {shown} is too large (not a finite number)"
    elif check == "field_uniqueness":
        problem = f"duplicate key {{{name!r}: {text!r}}}, first seen on line {case['first_line']}"
    elif check.startswith("isin"):
        allowed = ", ".join(str(v) for v in c.get("enum", []))
        problem = f"unknown value {shown}; expected one of: {allowed}"
    elif check.startswith("str_matches"):
        problem = f"{shown} does not match the pattern {c.get('pattern')}"
    elif check.startswith(("in_range", "greater_than", "less_than")):
        problem = f"{shown} is outside [{c.get('minimum')}, {c.get('maximum')}]"
    elif check.startswith("str_length"):
        problem = f"expected at least {c.get('minLength')} characters"
    else:
        problem = f"{shown} fails the descriptor's check {check}"
    return SchemaError(path, problem, line=line, column=name)


def _non_ascii(text: str) -> str:
    return " (digits must be ASCII 0-9, not full-width or other Unicode digits)" if any(
        ch.isdigit() and not "0" <= ch <= "9" for ch in text) else ""


def _shown(text: str, limit: int = 40) -> str:
    """A cell as quoted in a message: a 4,300-digit cell is shown by its start and length."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text):,} characters)"
