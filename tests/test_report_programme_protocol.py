"""Issue 20 for page 04: words apart from computation. The page is a registered PageModel opened with
`open_page`; its Python (report and analysis modules) holds no words of any language and builds no
HTML by concatenation; its prose is per-language templates and its short words the catalog; the
notebook's code cells are a call or two; the table behind every section is a DataFrame."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import helpers
from helpers.errors import ParameterError
from helpers.report import programme as report
from helpers.report import words as W
from helpers.report.prose import TEMPLATE_DIR
from helpers.report.protocol import open_page, pages

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks/04-programme.ipynb"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def test_the_page_is_registered_and_every_section_has_its_data():
    assert pages()["04-programme"] is report.ProgrammePage
    page = open_page("04-programme", helpers.edition(), "en")
    for section in ("findings", *page.SECTIONS, "describing", "about_reports", "later_targets"):
        frame = page.data(section)
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0, section
    with pytest.raises(ParameterError, match="no data 'nope'; data: findings, commitments"):
        page.data("nope")
    assert set(page.results()) >= {"commitments_2022", "results_2021", "about_reports"}


def test_the_old_entry_points_are_gone():
    for name in ("findings_html", "commitments_figure", "commitments_html", "achievements_html", "holdings_html",
                 "checks_html", "HEADERS", "ROLE_NAMES", "MEASURE_WORDS"):
        assert not hasattr(report, name), name
    callers = [p for folder in ("src", "benchmarks", "deploy", "notebooks") for p in (ROOT / folder).rglob("*")
               if p.suffix in (".py", ".ipynb") and re.search(r"programme\.prepare\(|helpers\.report import programme|helpers\.analysis import programme",
                                                             p.read_text(encoding="utf-8"))]
    assert callers == []


def test_the_notebook_opens_the_page_and_each_code_cell_is_a_call_or_two():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    body = [c for c in code if "import" not in c and "lang: str" not in c]      # not the imports or the parameters
    assert any('open_page("04-programme"' in c for c in body)
    for cell in body:
        assert len(ast.parse(cell).body) <= 2, cell
    assert all("04-commitments-by-topic" not in c for c in code)            # the page names its figure
    assert report.ProgrammePage.FIGURES == {"commitments": "04-commitments-by-topic"}
    for lang in ("zh", "en"):       # each language says how to explore, with page.data
        explore = [c for c in nb["cells"] if c["cell_type"] == "markdown" and f"lang-{lang}" in c["metadata"]["tags"]
                   and "page.data(" in "".join(c["source"])]
        assert len(explore) == 1, lang


def test_every_language_has_the_templates_and_the_catalog_section():
    from helpers.data.vocab import LANGS

    macros = {lang: set(re.findall(r"{% macro (\w+)", (TEMPLATE_DIR / "04-programme" / f"{lang}.html").read_text(encoding="utf-8")))
              for lang in LANGS}
    assert all(m == macros["en"] for m in macros.values()) and len(macros["en"]) >= 12
    keys = {lang: {k for k in W.catalog(lang) if k.startswith("page04.")} for lang in LANGS}
    assert all(k == keys["en"] for k in keys.values()) and len(keys["en"]) >= 80
