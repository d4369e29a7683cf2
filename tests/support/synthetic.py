"""A synthetic next edition: a copy of an edition with every year moved forward, for tests only.

It proves that the code holds no knowledge of one edition: the same checks, notebooks and results
must come out of it, with the years shifted. It is never published.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

# A year: 1950-2039 standing alone, not followed by an amount unit (2035亿 is an amount, not a year).
_YEAR = re.compile(r"(?<![\d.])(19[5-9]\d|20[0-3]\d)(?![\d.])(?!\s*[亿万元%千百])")
# CSV columns that hold numbers or positions, never years, and must not change.
_FIXED_COLUMNS = {"value", "line", "code", "cell", "expected_gap", "tolerance"}
# Identifier columns: every year inside them moves (2021.city.general.revenue.amount).
_ID_COLUMNS = {"row_id", "metric", "obs_id", "inputs"}
_ID_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")


def shift_id(text: str, years: int = 1) -> str:
    """Every year inside an identifier moved by `years`: shift_id("2021.gap.x") == "2022.gap.x"."""
    return _ID_YEAR.sub(lambda m: str(int(m.group(1)) + years), text)


def shift_text(text: str, years: int = 1) -> str:
    """Every year in `text` moved by `years`.

    >>> shift_text("2021年预算收入2035亿元，2022 年")
    '2022年预算收入2035亿元，2023 年'
    """
    return _YEAR.sub(lambda m: str(int(m.group(1)) + years), text)


def _shift_csv(text: str, years: int) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    header = rows[0]
    writer.writerow([shift_text(h, years) for h in header])
    for row in rows[1:]:
        writer.writerow([cell if name in _FIXED_COLUMNS else shift_id(cell, years) if name in _ID_COLUMNS
                         else shift_text(cell, years) for name, cell in zip(header, row, strict=True)])
    return out.getvalue()


def shift_edition(source: Path, parent: Path, years: int = 1) -> Path:
    """Copy the edition folder `source` into `parent` with every year shifted; return the new folder."""
    target = parent / shift_text(source.name, years)
    shutil.copytree(source, target)
    for path in sorted(target.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".csv":
            new = _shift_csv(text, years)
        elif path.suffix in (".yaml", ".json"):
            new = shift_id(text, years)      # metadata: ids (wr.2022.x) and years alike; no amounts
        else:
            new = shift_text(text, years)    # the raw text and its README: years, not amounts (2035亿元)
        path.write_text(new, encoding="utf-8", newline="")
        renamed = path.with_name(shift_text(path.name, years))
        if renamed != path:
            path.rename(renamed)
    descriptor = target / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if "hash" in resource:
            data = (target / resource["path"]).read_bytes()
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            resource["bytes"] = len(data)
    descriptor.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target
