"""Checks each curated number against the sentence of the gazette it came from."""

from __future__ import annotations

import hashlib
import numbers
import re
from functools import lru_cache
from pathlib import Path

from ..errors import ProvenanceError, SchemaError
from .edition import Edition, edition
from .parsing import (
    Number,
    has_decline_word,
    implied_qualifier,
    is_projected,
    last_number,
    parse_cell,
    read_yaml,
)

# Scale between a row's unit and the printed number, when they differ (none do today: values are
# stored as published). Kept explicit so a converted column would have to declare itself here.
UNIT_SCALE: dict[str, float] = {}


@lru_cache(maxsize=4)
def _lines(path: str, stamp: tuple) -> tuple[str, ...]:
    raw = _read_raw(Path(path))
    try:
        return tuple(raw.decode("utf-8").split("\n"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProvenanceError(path, f"not valid UTF-8 at byte {exc.start} (is it GBK?); expected the UTF-8 gazette text",
                              line=line) from None


def _read_raw(path: Path) -> bytes:
    import stat

    try:
        if path.exists() and not path.is_dir() and not stat.S_ISREG(path.stat().st_mode):
            # a FIFO would block the check run forever, a device (/dev/zero) would never end
            raise ProvenanceError(path, "is not a regular file (a FIFO, device or socket); expected the raw gazette text file")
        return path.read_bytes()
    except FileNotFoundError:
        raise ProvenanceError(path, "the raw gazette text is missing; the descriptor's 'gazette' resource names this file") from None
    except IsADirectoryError:
        raise ProvenanceError(path, "is a folder; expected the raw gazette text file") from None
    except PermissionError:
        raise ProvenanceError(path, "cannot be read (permission denied); expected a readable text file") from None
    except OSError as exc:          # any other reason the file cannot be read (a broken link, an I/O error)
        raise ProvenanceError(path, f"cannot be read ({exc.strerror or exc}); expected the raw gazette text file") from None


def known_units(ed: Edition) -> frozenset:
    """Every unit a curated row of the edition uses, plus the shared vocabulary's."""
    from . import vocab

    curated = sorted((ed.root / "curated").glob("*.csv"))
    return frozenset(vocab.vocabulary("units")) | _edition_units(str(ed.root), tuple(_stamp(p) for p in curated))


@lru_cache(maxsize=4)
def _edition_units(root: str, stamps: tuple) -> frozenset:
    import csv
    import io
    import stat

    from .load import _decode

    units = set()
    for path in sorted((Path(root) / "curated").glob("*.csv")):
        # The loader's rules, so that a file it would refuse is named here too, never a traceback:
        # a FIFO or device (opening it would block), a folder, bytes that are not UTF-8 (GBK).
        try:
            if not stat.S_ISREG(path.stat().st_mode):
                raise SchemaError(path, "is not a regular file (a folder, FIFO, device or socket); expected a CSV file")
            text = _decode(path, path.read_bytes())
            units |= {r.get("unit", "") for r in csv.DictReader(io.StringIO(text, newline=""))}
        except OSError as exc:
            raise SchemaError(path, f"cannot be read ({exc.strerror or exc})") from None
        except csv.Error as exc:
            raise SchemaError(path, f"malformed CSV: {exc}") from None
    return frozenset(u for u in units if u and u not in ("index", "ratio"))


def implied_units(root: str) -> dict:
    path = Path(root) / "checks" / "units.yaml"
    return _implied_units(str(path), _stamp(path))


@lru_cache(maxsize=4)
def _implied_units(path: str, stamp: tuple) -> dict:
    """Row ids whose unit the sentence implies instead of printing (checks/units.yaml, each with a reason)."""
    path = Path(path)
    if not path.is_file():
        return {}
    spec = read_yaml(path.read_text(encoding="utf-8")) or {}
    return {item["row_id"]: item["unit"] for item in spec.get("implied", [])}


def _stamp(path: Path) -> str | None:
    """The memo key of a file: its content (paths.content_key), as for every cache of the package."""
    from .paths import content_key

    return content_key(path)


def raw_lines(ed: str | Edition | None = None) -> tuple[str, ...]:
    """The gazette's lines; index i holds line i + 1."""
    path = edition(ed).raw_path
    return _lines(str(path), _stamp(path))


def raw_sha256(ed: str | Edition | None = None) -> str:
    return hashlib.sha256(_read_raw(edition(ed).raw_path)).hexdigest()


def _text(value) -> str:
    """A string cell as text: missing values (None or NaN) read as empty."""
    return value if isinstance(value, str) else ""


def _where(table: str, row: dict) -> str:
    return f"curated/{table}.csv, row_id {row['row_id']}"


def verify_row(table: str, row: dict, lines: tuple[str, ...], ed: Edition, units: frozenset | None = None,
               implied: dict | None = None) -> Number | None:
    """Raise ProvenanceError unless the row's quote and value are on its line; return the printed number.
    units, implied: the edition's `known_units` and `implied_units`, when the caller checks many rows
    (computed here otherwise: each is keyed by the sha256 of its files, so once per row is a hash per row)."""
    try:
        return _verify_row(table, row, lines, ed, units, implied)
    except (ValueError, OverflowError, TypeError, KeyError, IndexError) as exc:
        # Rows come from the validating loader, so this is a net: whatever a row holds, the answer is
        # a ProvenanceError that names the row, never a stray traceback.
        where = f"curated/{table}.csv, row_id {row.get('row_id')}" if isinstance(row, dict) else f"curated/{table}.csv"
        raise ProvenanceError(where, f"cannot be checked against the gazette: {type(exc).__name__}: "
                                                  f"{str(exc)[:200]}") from None


def _verify_row(table: str, row: dict, lines: tuple[str, ...], ed: Edition, units: frozenset | None,
                implied_by_row: dict | None) -> Number | None:
    path = _where(table, row)
    n, quote = row["line"], row["quote"]
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ProvenanceError(path, f"line {str(n)[:40]!r} is not a line number", column="line")
    if not isinstance(quote, str) or not quote:
        raise ProvenanceError(path, "missing quote", column="quote")
    if not 1 <= n <= len(lines):
        raise ProvenanceError(path, f"line {n} is outside the gazette (1-{len(lines)})", column="line")
    first, last = ed.documents[row["document"]]
    if not first <= n <= last:
        raise ProvenanceError(path, f"line {n} is not in the {row['document']} (lines {first}-{last})", column="line")
    text = lines[n - 1]
    count = text.count(quote)
    if count != 1:
        raise ProvenanceError(path, f"quote {quote!r} occurs {count} times on gazette line {n}; expected exactly once", column="quote")
    value = row["value"]
    if table == "indicators":
        return _verify_cell(path, row, text, ed)
    number = last_number(quote)
    if number is None:
        raise ProvenanceError(path, f"no number in quote {quote!r}", column="quote")
    if value is None or value != value:
        raise ProvenanceError(path, "missing value", column="value")
    printed = number.value * UNIT_SCALE.get(row["unit"], 1.0)
    if value < 0 and not has_decline_word(quote):
        raise ProvenanceError(path, f"value {value} is negative but the quote has no decline word (下降/压减/减少)", column="value")
    if abs(value) != printed:
        raise ProvenanceError(path, f"value {value} is not the number in its quote ({number.text} in {quote!r})", column="value")
    # A qualifier word in the quote decides the qualifier. (Without one, a row may still be `about`
    # when its sentence is a projection stated outside the quote; its note says so.)
    implied = implied_qualifier(quote)
    if "projected" in row:
        # Tables that record projections apart from `about`: 预计 makes a projection, not an approximation.
        if row["projected"] is not is_projected(quote):
            said = "says 预计 before the number" if is_projected(quote) else "has no 预计 before the number"
            raise ProvenanceError(path, f"projected {row['projected']} but the quote {said}", column="projected")
        if implied and implied[1] == "预计":
            implied = None
    if implied and implied[0] != row["qualifier"]:
        raise ProvenanceError(path, f"qualifier {row['qualifier']!r} but the quote says {implied[1]!r} ({implied[0]})", column="qualifier")
    _verify_unit(path, row, _continued(lines, n), text.find(quote) + number.end,
                 units if units is not None else known_units(ed),
                 implied_by_row if implied_by_row is not None else implied_units(str(ed.root)))
    return number


# A ratio `a:1` prints no unit after a; the index unit is that of the indicator tables only.
_RATIO = re.compile(r"^\s*(?:左右|以下|以上)?\s*[:：]\s*1(?![0-9.])")
_FULL_WIDTH_DIGITS = re.compile(r"[０-９]")


def _continued(lines: tuple[str, ...], n: int) -> str:
    """Line n and, after a page break (blank lines), the next line that has text: a number at the end
    of a line may have its unit on the next page."""
    text = lines[n - 1]
    for following in lines[n:n + 4]:
        if following.strip():
            return text + following.strip()
    return text


def printed_unit(after: str, units) -> str | None:
    """The longest known unit the text right after a number starts with (亿元 before 亿, 万人 before 万)."""
    found = [u for u in units if after.startswith(u)]
    return max(found, key=len) if found else None


def _verify_unit(path: str, row: dict, text: str, end: int, units, implied: dict) -> None:
    """The unit printed right after the number (spaces, 个, 余 or a qualifier word may come between;
    a range `4—6个` takes the unit of its second number) must be the row's unit, and the longest
    unit printed there: 亿 where the text says 亿元 is wrong. A ratio `a:1` has unit ratio."""
    unit = row["unit"]
    rest = text[end:]
    if _RATIO.match(rest) or unit == "ratio":
        if not (_RATIO.match(rest) and unit == "ratio"):
            raise ProvenanceError(path, f"unit {unit!r} but the number is {'a ratio a:1' if _RATIO.match(rest) else 'not a ratio a:1'}",
                                  column="unit")
        return
    after = rest.lstrip()
    if row["row_id"] in implied:    # the edition lists this row's unit as implied by its sentence
        if implied[row["row_id"]] != unit:
            raise ProvenanceError(path, f"unit {unit!r} but checks/units.yaml gives {implied[row['row_id']]!r}", column="unit")
        return
    after = re.sub(r"^[—\-－~～至]\s*[0-9]+(?:\.[0-9]+)?\s*", "", after)
    for word in ("余", "左右", "以上", "以内", "以下", "多"):
        after = after.removeprefix(word).lstrip()
    if unit == "%" and after.startswith("％"):
        after = "%" + after[1:]
    printed = printed_unit(after, units | {unit})
    if after.startswith("个百分点"):      # 2.3个百分点: 个 is a measure word of 百分点
        printed = "百分点"
    if printed == unit:
        return
    raise ProvenanceError(path, f"unit {unit!r} but the text after the number reads {after[:8]!r}", column="unit")


def _verify_cell(path: str, row: dict, text: str, ed: Edition) -> Number | None:
    cells = text.split("\t")
    # The edition's table layout: which cell holds which basis, per table (review or plan year).
    role = next((r for r, y in ed.years.items() if y == row["table_year"]), None)
    col = ed.meta["indicator_tables"].get(role, {}).get("columns", {}).get(row["basis"])
    if col is None:
        raise ProvenanceError(path, f"no value column for table {row['table_year']} basis {row['basis']}", column="basis")
    printed = cells[col].strip() if col < len(cells) else ""
    cell = _text(row.get("cell"))
    if cell != printed:
        raise ProvenanceError(path, f"cell {cell!r} differs from the table's cell {printed!r}", column="cell")
    try:
        parsed = parse_cell(cell)
    except ValueError as exc:
        raise ProvenanceError(path, str(exc), column="cell") from None
    if parsed.status != row["status"]:
        raise ProvenanceError(path, f"status {row['status']!r} but the cell {cell!r} reads as {parsed.status!r}", column="status")
    value = row["value"]
    value = None if value is None or value != value else value
    if parsed.value != value:
        raise ProvenanceError(path, f"value {value} differs from the cell {cell!r} ({parsed.value})", column="value")
    if parsed.qualifier != row["qualifier"]:
        raise ProvenanceError(path, f"qualifier {row['qualifier']!r} but the cell {cell!r} reads {parsed.qualifier!r}", column="qualifier")
    return parsed.number
