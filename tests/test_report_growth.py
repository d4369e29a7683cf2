"""helpers.report.growth: notebook 01's page (GrowthPage, opened with open_page) in one language, every
curated number sourced, no edition knowledge and no words in code (the page follows the edition's
years; its words are templates and catalog entries), English that reads as English."""

from __future__ import annotations

import ast
import csv
import re
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml

import helpers
from helpers.analysis import growth as analysis
from helpers.checks import Check
from helpers.data import paths
from helpers.errors import DataError, ParameterError
from helpers.report import figures, protocol
from helpers.report import growth as report

ED = helpers.edition()
REVIEW, PLAN = ED.year("review"), ED.year("plan")
PASSING = [Check("schema.x", "schema", "", None, None, None, "pass"),
           Check("known.x", "known_discrepancy", "", 1, 1, 0, "accepted")]
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
SECTIONS = ("intro", "findings", *report.GrowthPage.SECTIONS, "sources")


@pytest.fixture(scope="module")
def pages() -> dict[str, report.GrowthPage]:
    return {lang: report.GrowthPage(ED, lang, checks=PASSING) for lang in ("zh", "en")}


def _html(page: report.GrowthPage) -> str:
    return "".join(page.section(name) for name in SECTIONS)


class _Visible(HTMLParser):
    """Visible text outside elements marked lang="zh" (attributes such as hover titles are not visible text)."""

    VOID = {"br", "img", "hr", "meta", "link", "input", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.outside: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(dict(attrs).get("lang") == "zh" or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.outside.append(data)


def _visible_outside_zh(markup: str) -> str:
    p = _Visible()
    p.feed(markup)
    return "".join(p.outside)


def _csv(name: str) -> list[dict]:
    with open(ED.table_path(name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- one language per page ---------------------------------------------------------------------------

def test_the_english_page_has_no_chinese_outside_lang_zh(pages):
    text = _visible_outside_zh(_html(pages["en"]))
    assert not CJK.findall(text), sorted(set(CJK.findall(text)))
    assert '<blockquote lang="zh">' in pages["en"].document_quote()     # the verdict is quoted in the original


def test_english_units_and_cells_read_naturally(pages):
    text = _visible_outside_zh(_html(pages["en"]))
    for unit in ("10,000 people", "10,000 yuan per worker", "100 million kg", "CNY 100 million", "percentage points"):
        assert unit in text, unit
    for wrong in ("10k", "100m", "person-year", " pp", "亿元"):
        assert wrong not in text, wrong
    # text cells and qualifiers are translated
    assert "turned positive" in text and "turn from negative to positive" in text
    # one wording of a qualifier on the page, the shared catalog's (no-break spaces keep it with its number)
    assert "about\u00a070%" in text and "at\u00a0least\u00a06%" in text and "at\u00a0most\u00a0103.2" in text
    assert "or more" not in text and "or less" not in text
    assert "at\u00a0most\u00a01.80:1" in text                        # a ratio's ":1" stays with its number


def test_the_chinese_page_speaks_chinese(pages):
    text = _visible_outside_zh(_html(pages["zh"]))
    for english in ("met", "missed", "passed", "accepted", "binding", "cross_document", "known_discrepancy"):
        assert not re.search(rf"\b{english}\b", text), english
    assert "实现转正" in text and "70%左右" in text and "万元/人年" in text
    assert "1.80:1以下" in text                 # the Chinese page keeps the word the table prints (以下, not 以内)


# --- findings first, every number sourced -------------------------------------------------------------

def test_findings_are_three_to_five_sourced_sentences(pages):
    for page in pages.values():
        findings = page.findings()
        items = re.findall(r"<li>(.*?)</li>", findings)
        assert 3 <= len(items) <= 5
        assert all('class="sourced"' in item for item in items)


def test_table_cells_carry_their_sources(pages):
    page = report.GrowthPage(ED, "en", checks=PASSING)
    table = page.scorecard_table()
    assessed = page.d.card[page.d.card["assessable"]]
    assert table.count('class="sourced"') == 2 * len(assessed)          # every target and result cell
    sources = page.section("sources")
    assert sources.count("<li id=") == len(page.page._sources)
    assert 'href="#src-1"' in table and '<q lang="zh">' in sources


def test_derived_numbers_name_their_formula(pages):
    findings = pages["en"].findings()
    assert 'class="derived" title="previous result − planned target = 8.3 − 5.5">2.8 percentage points' in findings


# --- the corrections a reader asked for ---------------------------------------------------------------

def test_a_lower_cpi_ceiling_is_not_counted_as_raised_ambition(pages):
    page = pages["en"]
    cpi = page.d.comp.set_index("metric").loc["cpi_inflation"]
    assert cpi["ambition"] == "ceiling_lowered"
    summary = page.targets_summary()
    assert "ambition is raised for 14, unchanged for 11 and lowered for 7" in summary
    assert "prices may rise by at most" in summary and "tighter limit" in summary
    assert "ceiling lowered (a tighter limit)" in page.targets_table()
    assert "上限降低（限制收紧）" in pages["zh"].targets_table()


def test_the_scorecard_figure_title_says_what_it_shows(pages):
    for lang, words in (("en", "price index"), ("zh", "价格指数")):
        fig = pages[lang].scorecard_figure()
        title = fig.axes[0].get_title()
        assert words in title and str(REVIEW) in title
        assert "growth" not in title.lower()
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        plt.close(fig)
        assert any(label.startswith("Consumer price index") or label.startswith("居民消费价格指数") for label in labels)


def test_sub_items_of_a_binding_indicator_are_shown_as_binding(pages):
    page = pages["en"]
    table = page.section("not_assessable")
    assert table.count("binding (as its indicator)") == 4
    assert "# Chemical oxygen demand" in table
    assert "indicator 34" in page.rule_note()
    counts = page.d.counts
    assert counts.loc["binding", "not_assessable"] == 8 and counts.loc["total", "not_assessable"] == 10


# --- results --------------------------------------------------------------------------------------

def test_results_keep_their_keys_and_follow_the_language(pages):
    zh, en = pages["zh"].results(), pages["en"].results()
    assert list(zh) == list(en)
    expected_keys = {f"gdp_growth_{REVIEW}", f"gdp_growth_target_{PLAN}_minus_result_{REVIEW}",
                     f"targets_missed_not_named_by_report_{REVIEW}", f"urban_rural_income_ratio_{REVIEW - 1}_implied",
                     f"retail_sales_{REVIEW - 1}_implied", f"fastest_growing_pillar_industry_{REVIEW}"}
    assert expected_keys <= set(zh)
    for key, value in zh.items():
        if isinstance(value, (int, float)):
            assert en[key] == value, key
    assert zh[f"fastest_growing_pillar_industry_{REVIEW}"] == "电子产业"
    assert en[f"fastest_growing_pillar_industry_{REVIEW}"] == "Electronics industry"
    assert en[f"targets_missed_not_named_by_report_{REVIEW}"] == ["High-tech industry value added as share of industry"]


def test_results_recomputed_from_the_csv(pages):
    res = pages["zh"].results()
    economy = {(r["metric"], r["period"]): float(r["value"]) for r in _csv("economy") if r["basis"] == "actual"}
    urban, rural = economy[("urban_disposable_income", str(REVIEW))], economy[("rural_disposable_income", str(REVIEW))]
    assert res[f"urban_rural_income_ratio_{REVIEW}"] == round(urban / rural, 4)
    ug, rg = economy[("urban_disposable_income_growth", str(REVIEW))], economy[("rural_disposable_income_growth", str(REVIEW))]
    assert res[f"urban_rural_income_ratio_{REVIEW - 1}_implied"] == round((urban / (1 + ug / 100)) / (rural / (1 + rg / 100)), 4)
    retail, g = economy[("retail_sales", str(REVIEW))], economy[("retail_sales_growth", str(REVIEW))]
    assert res[f"retail_sales_{REVIEW - 1}_implied"] == round(retail / (1 + g / 100), 1)
    ind = {r["row_id"]: float(r["value"]) for r in _csv("indicators") if r["value"]}
    assert res[f"gdp_growth_target_{PLAN}_minus_result_{REVIEW}"] == round(ind[f"{PLAN}.target.01"] - ind[f"{REVIEW}.actual.01"], 2)
    assert (res[f"targets_assessed_{REVIEW}"], res[f"targets_met_{REVIEW}"], res[f"targets_not_assessable_{REVIEW}"]) == (34, 32, 10)


# --- no edition knowledge in code -------------------------------------------------------------------

_YEAR = re.compile(r"(?<![\d.])(20[0-3]\d)(?![\d])")
_SHIFTED = re.compile(r"(?<![\d.])(20[0-3]\d)(?![\d-])")   # not the edition id in file names (2022-02)


def _shift_years(folder: Path) -> None:
    """Every year of an edition folder + 1: raw text, tables, metadata and analysis files."""
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".csv", ".txt", ".json", ".md"):
            text = path.read_text(encoding="utf-8")
            path.write_text(_SHIFTED.sub(lambda m: str(int(m.group(1)) + 1), text), encoding="utf-8")


def test_a_shifted_edition_gives_the_same_values_under_shifted_keys(pages, data_copy):
    _shift_years(data_copy)
    shifted_ed = helpers.edition(data_copy)
    assert shifted_ed.year("review") == REVIEW + 1
    shifted = report.GrowthPage(shifted_ed, "en", checks=PASSING)
    original = pages["en"].results()
    expected = {_YEAR.sub(lambda m: str(int(m.group(1)) + 1), k): v for k, v in original.items()}
    assert shifted.results() == expected
    assert str(REVIEW + 1) in shifted.scorecard_figure().axes[0].get_title()
    plt.close("all")


def test_no_year_literal_in_the_code():
    for module in (report, analysis):
        source = Path(module.__file__).read_text(encoding="utf-8")
        code = re.sub(r'"""[\s\S]*?"""', "", source)
        code = "\n".join(line.split("#", 1)[0] for line in code.splitlines())
        assert not _YEAR.search(code), (module.__name__, _YEAR.findall(code))


# --- refusals -------------------------------------------------------------------------------------

def test_a_failed_check_stops_the_page():
    with pytest.raises(DataError, match="1 checks of the data failed: identity.broken"):
        report.GrowthPage(ED, "en", checks=PASSING + [Check("identity.broken", "identity", "", 1, 2, 0, "fail")])


def test_a_verdict_quote_not_on_its_line_stops_the_page_through_the_checks(data_copy):
    """The page checks no quote itself: `helpers check` does (checks/evidence.py), and the page's gate
    refuses to show a page whose checks failed."""
    path = data_copy / "analysis" / "growth.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["document_verdict"]["line"] += 1
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    shifted = helpers.edition(data_copy)
    report.GrowthPage(shifted, "zh", checks=PASSING)                     # no page-time check of quotes
    with pytest.raises(DataError, match=r"provenance\.evidence\.growth\.document_verdict"):
        report.GrowthPage(shifted, "zh")


def test_without_inheritance_the_sub_items_stay_expected(data_copy):
    path = data_copy / "analysis" / "growth.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["binding"]["sub_items_inherit"] = False
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    page = report.GrowthPage(helpers.edition(data_copy), "en", checks=PASSING)
    assert page.d.counts.loc["binding", "not_assessable"] == 4
    assert "binding (as its indicator)" not in page.section("not_assessable")


# --- small helpers ----------------------------------------------------------------------------------

def test_formatting_helpers(pages):
    zh, en = pages["zh"].r, pages["en"].r
    assert zh.change(-0.4, "%") == "-0.4个百分点"
    assert en.change(1.0, "%") == "+1 percentage point" and en.change(-0.4, "index") == "-0.4 percentage points"
    assert report.signed_text(-0.0) == "0" and en.change(-0.0) == "0"
    assert en.change(float("nan"), "%") == "—"
    assert en.change(608.0, "家") == "+608"
    row = {"status": "number", "unit": "index", "cell": "103.2以内"}
    assert en.cell(row) == "at\u00a0most\u00a0103.2" and zh.cell(row) == "103.2以内"
    assert zh.cell({"status": "number", "unit": "%", "cell": "19.5左右"}) == "19.5%左右"
    assert zh.cell({"status": "number", "unit": "ratio", "cell": "1.8左右:1"}) == "1.8:1左右"
    assert en.cell({"status": "symbol", "unit": "%", "cell": "○"}) == "○"
    assert en.cell({"status": "text", "unit": "%", "cell": "实现转正", "meaning_en": "turned positive"}) == "turned positive"
    assert en.with_unit("75.1", "万人") == "75.1 (10,000 people)"
    assert zh.with_unit("75.1", "万人") == "75.1万人"
    assert en.with_unit("27,894", "亿元") == "27,894 CNY 100 million"
    assert en.plain("mid_sentence", name="Grain output") == "grain output"
    assert en.plain("mid_sentence", name="GDP growth") == "GDP growth"
    assert en.plain("mid_sentence", name="R&D spending") == "R&D spending"
    assert zh.plain("mid_sentence", name="粮食产量") == "粮食产量"
    with pytest.raises(helpers.report.words.CatalogError, match="no key 'page01.no_such_word'"):
        en.word("no_such_word")


def test_figures_render_without_missing_glyphs(pages, tmp_path):
    figures.setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang, page in pages.items():
            for name, stem in page.FIGURES.items():
                path = figures.savefig(getattr(page, f"{name}_figure")(), stem, figure_dir=tmp_path, figure_format="png",
                                       lang=lang, show=False)
                assert path.stat().st_size > 0
    plt.close("all")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{lang}.png" for n in ("01-scorecard", "01-targets", "01-sector-growth") for lang in ("zh", "en"))


def test_the_notebook_is_thin_and_tagged():
    import nbformat

    notebook = nbformat.read(paths.NOTEBOOKS_DIR / "01-growth.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    lines = [line for c in code for line in c.source.splitlines() if line.strip()]
    assert len(lines) <= 100
    assert not any(_YEAR.search(line.split("#", 1)[0]) for line in lines)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            tags = cell.metadata.get("tags", [])
            assert ("lang-zh" in tags) != ("lang-en" in tags), cell.source[:40]
            assert not _YEAR.search(cell.source), cell.source[:60]
    assert "parameters" in code[1].metadata.get("tags", [])
    assert "show_results" in code[-1].source and 'show("sources")' in code[-2].source
    # one or two calls a cell, the page opened through the protocol, no figure file named in the notebook
    calls = code[2:]                                # after the imports and the parameters
    assert all(len([line for line in c.source.splitlines() if line.strip()]) <= 2 for c in calls)
    assert 'open_page("01-growth"' in code[2].source
    assert not any(stem in c.source for c in code for stem in report.GrowthPage.FIGURES.values())
    explore = [c.source for c in notebook.cells if c.cell_type == "markdown" and "page.data(" in c.source]
    assert len(explore) == 2 and all(f"`{s}`" in text for text in explore for s in report.GrowthPage.SECTIONS)


def test_the_scorecard_says_its_results_are_partly_estimates(pages):
    """Issue 21: the plan report calls part of the review year's appendix data estimates (line 489);
    the verdicts say so where they are given, with that line as their source."""
    for lang, page in pages.items():
        for part in (page.findings(), page.scorecard_summary()):
            assert re.search(r'title="[^"]*(line 489|第489行)[^"]*为预计数"', part), lang


# --- the page protocol ----------------------------------------------------------------------------

def test_the_page_opens_through_the_protocol_and_saves_figures_under_its_names(tmp_path):
    page = protocol.open_page("01-growth", ED, "en", figure_dir=tmp_path)
    assert isinstance(page, report.GrowthPage)
    page.figure("targets")
    assert [p.name for p in tmp_path.iterdir()] == [f"{report.GrowthPage.FIGURES['targets']}.en.png"]
    plt.close("all")


def test_every_section_gives_its_data_as_a_frame(pages):
    for name in ("findings", *report.GrowthPage.SECTIONS):
        frame = pages["en"].data(name)
        assert isinstance(frame, pd.DataFrame) and len(frame), name
    assert set(pages["en"].data("scorecard")["verdict"]) == {"met", "missed", "not_assessable"}
    with pytest.raises(ParameterError, match="no data .nope.; data: findings, intro, checks"):
        pages["en"].data("nope")


def test_the_old_entry_points_are_gone():
    assert not hasattr(report, "GrowthReport") and not hasattr(report, "label")
    found = subprocess.run(["git", "grep", "-n", "-e", "GrowthReport", "--", "src", "benchmarks", "notebooks", "tests", "deploy"],
                           cwd=paths.ROOT, capture_output=True, text=True).stdout
    assert [line for line in found.splitlines() if not line.startswith("tests/test_report_growth.py")] == []


# --- no words in the page's code: they are templates and catalog entries ----------------------------------


def test_every_word_and_macro_the_page_asks_for_exists_in_every_language():
    from helpers.data.vocab import LANGS
    from helpers.report import words
    from helpers.report.prose import environment

    source = Path(report.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r'word\("([\w./]+)"', source))
    prefixes = set(re.findall(r'word\(f"([\w./]+)\{', source))
    macros = set(re.findall(r'(?:say|plain)\("(\w+)"', source))
    # table headers: the string keys of the dicts given to `table(...)` are `col.<key>`
    for call in ast.walk(ast.parse(source)):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "table":
            keys |= {f"col.{k.value}" for d in (*call.args, *(kw.value for kw in call.keywords)) if isinstance(d, ast.Dict)
                     for k in d.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    assert len(keys) > 40 and len(prefixes) > 4 and len(macros) > 15
    for lang in LANGS:
        catalog = words.catalog(lang)
        assert {f"page01.{k}" for k in keys} <= set(catalog), lang
        assert all(any(k.startswith(f"page01.{p}") for k in catalog) for p in prefixes), lang
        module = environment().get_template(f"{report.GrowthPage.NAME}/{lang}.html").module
        assert all(callable(getattr(module, m, None)) for m in macros), (lang, sorted(m for m in macros if not hasattr(module, m)))
