"""Notebook 03's page (helpers.report.investment.InvestmentPage): sourced sentences and tables in one
language, derived numbers with their formula, figures named by the page, the data behind each
section, and no words in its Python."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from test_report_audit import CJK, SNAKE, visible

import helpers
from helpers.analysis import investment
from helpers.errors import ParameterError
from helpers.report import protocol
from helpers.report.investment import InvestmentPage, bars

matplotlib.use("Agg")

SRC = Path(helpers.__file__).parent


@pytest.fixture(scope="module")
def data():
    return investment.prepare(helpers.edition())


def page_of(data, lang, **kw) -> InvestmentPage:
    return InvestmentPage(data.edition, lang, investment=data, **kw)


def page_html(data, lang):
    page = page_of(data, lang)
    return "".join(page.section(s) for s in ("findings", *InvestmentPage.SECTIONS, "sources")), page


@pytest.fixture(scope="module")
def pages(data):
    return {lang: page_html(data, lang)[0] for lang in ("zh", "en")}


def test_the_page_is_registered_and_opened_by_name():
    assert protocol.pages()["03-investment"] is InvestmentPage
    page = protocol.open_page("03-investment", None, "zh")
    assert isinstance(page, InvestmentPage) and page.results() == investment.results(page.d)


def test_every_section_gives_its_data_as_a_frame(data):
    page = page_of(data, "en")
    for section in InvestmentPage.SECTIONS:
        assert isinstance(page.data(section), pd.DataFrame), section
    assert list(page.data("completed")["category"]) == list(investment.sector_table(data.projects, data.review)["category"])
    assert sorted(set(page.data("finance")["period"])) == [data.review, data.plan]
    assert len(page.data("checks")) == len(data.checks)
    with pytest.raises(ParameterError, match=r"no data 'sources'; data: completed, planned"):
        page.data("sources")        # "sources" is the page's list of sources; the finance section is "finance"


def test_english_page_has_no_chinese_outside_lang_zh(pages):
    leaked = sorted(set(CJK.findall(visible(pages["en"]))))
    assert not leaked, leaked
    assert "CNY 100 million" in pages["en"] and "亿元" not in visible(pages["en"])


def test_chinese_page_shows_no_codes_or_english_statuses(pages):
    text = visible(pages["zh"])
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    for word in ("accepted", "pass", "fail", "government", "enterprise", "annual"):
        assert word not in text


def test_findings_are_five_sourced_sentences(data):
    for lang in ("zh", "en"):
        findings = page_of(data, lang).findings()
        assert findings.count("<li>") == 5 and len(findings.items) == 5
        assert findings.count('class="sourced"') >= 10 and 'class="derived"' in findings
    en = visible(re.sub(r'<sup class="src">.*?</sup>', "", page_of(data, "en").findings()))
    assert "4,093 CNY 100 million" in en and "115.8% of the year's plan" in en
    assert "about\u00a03,570 CNY 100 million" in en            # the plan figure is approximate (约)
    assert "CNY 2.6 trillion" in en and "gap of 34.0 CNY 100 million" in en
    assert "(provisional)" in en                               # the plan figure is provisional (暂列) wherever shown


def test_derived_numbers_carry_their_formula(data):
    findings = page_of(data, "zh").findings()
    # the implied plan: completed ÷ completion rate, its formula in the hover title
    assert re.search(r'class="derived" title="推算的计划 = 4,093 ÷ 115.8%">3,534.5亿元</span>', findings)
    assert re.search(r'title="城市提升完成投资 ÷ 全年完成投资：2,132 ÷ 4,093">52.1%</span>', findings)
    assert re.search(r'title="1,349 ÷ 110.1% \+ 2,744 ÷ 117.1%">', findings)     # the sources' implied plans


def test_sector_tables_source_every_curated_cell(data):
    page = page_of(data, "en")
    completed = page.completed_html().split("</table>")[0]
    table = investment.sector_table(data.projects, data.review)
    assert completed.count("<tr>") == 1 + len(table) + 1          # header, sectors, total
    assert completed.count('class="sourced"') == len(table) + 1
    planned = page.planned_html().split("</table>")[0]
    assert planned.count('class="sourced"') == 2 * (len(investment.sector_table(data.projects, data.plan)) + 1)


def test_crosswalk_section_uses_the_notes_of_the_page_language(data):
    zh, en = page_of(data, "zh").crosswalk_html(), page_of(data, "en").crosswalk_html()
    frame = data.crosswalk.frame
    for note_zh, note_en in zip(frame["note_zh"], frame["note_en"], strict=True):
        assert note_zh in zh and note_en.replace("'", "&#x27;") in en
    assert "moved to a sector" not in en and "能源项目已移出" not in zh
    assert "无对应" in zh and "no counterpart" in en


def test_finance_section_shows_the_known_discrepancy_in_the_page_language(data):
    known = [c for c in data.checks if c.kind == "known_discrepancy"][0]
    zh = page_of(data, "zh").finance_html()
    assert known.text("reason", "zh") in zh and "已登记，差距未变" in zh
    assert "经年中优化" in visible(zh)


def test_numbers_read_naturally_in_each_language(data):
    en, zh = page_of(data, "en"), page_of(data, "zh")
    total = {"value": 2.6, "unit": "万亿元", "measure": "total_investment", "qualifier": "exact",
             "document": "plan_report", "line": 353, "quote": "总投资2.6万亿元"}
    count = dict(total, value=850.0, unit="个", measure="count", quote="850个")
    rate = dict(total, value=115.8, unit="%", measure="completion_rate", quote="115.8%")
    assert ">CNY 2.6 trillion<" in en.say("q", r=total) and ">2.6万亿元<" in zh.say("q", r=total)
    assert ">850 projects<" in en.say("q", r=count) and ">850个<" in zh.say("q", r=count)
    assert ">850<" in en.say("count", r=count)
    assert ">115.8%<" in en.say("q", r=rate, bare=True)
    assert ">2.6<" in en.say("q", r=total, bare=True)
    assert ">3,570亿元左右<" in zh.say("q", r=dict(total, value=3570.0, unit="亿元", qualifier="about"))
    assert ">at\u00a0least\u00a0500<" in en.say("count", r=dict(count, value=500.0, qualifier="at_least"))


def test_headers_carry_their_year_and_unit_in_the_page_language(data):
    assert page_of(data, "zh")._h("completed", "亿元", 2021) == "2021年完成投资（亿元）"
    assert page_of(data, "en")._h("completed", "亿元", 2021) == "completed investment 2021 (CNY 100 million)"


def test_checks_section_counts_the_checks(data):
    html = page_of(data, "en").checks_html()
    assert f"{len(data.checks)}</span> checks concern" in html
    assert html.split("</table>")[1].count("<tr>") == 1 + sum(c.kind in ("identity", "known_discrepancy") for c in data.checks)
    assert "the document&#x27;s own figures disagree" in html       # the register's summary, escaped once


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_are_saved_under_the_names_the_page_owns(data, tmp_path, lang):
    from helpers.report import figures

    figures.setup()
    page = page_of(data, lang, figure_dir=tmp_path)
    paths = [page.figure(name) for name in ("completed", "planned", "compared", "finance", "per_project")]
    paths.append(page_of(data, lang, figure_dir=tmp_path, figure_format="svg").figure("scale"))
    names = [p.name for p in paths]
    assert names == [f"03-sectors-completed.{lang}.png", f"03-sectors-planned.{lang}.png", f"03-sectors-compared.{lang}.png",
                     f"03-sources.{lang}.png", f"03-avg-per-project.{lang}.png", f"03-portfolio-scale.{lang}.svg"]
    if lang == "en":
        assert not CJK.search(paths[-1].read_text(encoding="utf-8"))


def test_bars_refuse_mismatched_inputs():
    with pytest.raises(ValueError, match="as many labels"):
        bars(["a"], [1, 2], ["1"], title="t", xlabel="x", color="k")


def test_the_notebook_opens_the_page_and_names_no_figure_file():
    notebook = json.loads((SRC.parents[1] / "notebooks" / "03-investment.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"
            and "parameters" not in c["metadata"].get("tags", [])]
    assert any('open_page("03-investment"' in c for c in code)
    assert not any("03-" in c.replace('"03-investment"', "") for c in code)
    assert all(len(c.splitlines()) <= 2 for c in code if "page.show" in c)
    explore = [c for c in notebook["cells"] if c["cell_type"] == "markdown" and 'page.data("' in "".join(c["source"])]
    assert sorted(t for c in explore for t in c["metadata"]["tags"]) == ["lang-en", "lang-zh"]
