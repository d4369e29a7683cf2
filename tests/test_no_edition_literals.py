"""No knowledge of one edition in code: no year, sha256 or edition file name in the package or in the
notebooks' code cells (docstrings and comments may mention them). Years come from the edition."""

from __future__ import annotations

import ast
import json
import re

import pytest

from helpers.data import paths

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
SHA256 = re.compile(r"[0-9a-f]{64}")
EDITION_FILE = re.compile(r"cq-gazette-\d{4}")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def literals(source: str) -> list[str]:
    """Edition literals in Python source: year-like ints, and strings holding a year, a sha256 or an edition file name.

    >>> literals("x = 2021\\ny = f'{x} ok'\\nz = 'gdp_growth_2022'")
    ['line 1: 2021', "line 3: 'gdp_growth_2022'"]
    >>> literals('def f():\\n    \\"\\"\\"Mentions 2021 in a docstring.\\"\\"\\"\\n    return 1  # and 2022 in a comment')
    []
    """
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skip:
            continue
        v = node.value
        if isinstance(v, int) and not isinstance(v, bool) and 1950 <= v <= 2099:
            found.append(f"line {node.lineno}: {v}")
        elif isinstance(v, str) and (YEAR.search(v) or SHA256.search(v) or EDITION_FILE.search(v)):
            found.append(f"line {node.lineno}: {v[:60]!r}")
    return found


def _package_files():
    return sorted((paths.ROOT / "src" / "helpers").rglob("*.py"))


@pytest.mark.parametrize("path", _package_files(), ids=lambda p: p.relative_to(paths.ROOT).as_posix())
def test_package_module_has_no_edition_literal(path):
    assert literals(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")), ids=lambda p: p.name)
def test_notebook_code_has_no_edition_literal(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            found += [f"cell {k} {hit}" for hit in literals("\n".join(line for line in source.splitlines() if not line.startswith(("%", "!"))))]
    assert found == []


def test_the_detector_catches_what_it_should():
    assert literals("YEARS = (2021, 2022)") == ["line 1: 2021", "line 1: 2022"]
    assert literals("H = 'f514b3b613736213402612b8483e6783d0b75d5530939d9631cf37290d286157'")
    assert literals("RAW = 'raw/cq-gazette-2022-02.txt'")
    assert literals("n = 2285") == []
