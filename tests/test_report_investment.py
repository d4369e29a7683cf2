"""Notebook 03's page (helpers.report.investment): sourced sentences and tables in one language,
derived numbers with their formula, figures under stable names."""

from __future__ import annotations

import re

import matplotlib
import pytest
from test_report_audit import CJK, SNAKE, visible

from helpers.analysis import investment
from helpers.report import investment as report
from helpers.report.page import Page

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data():
    return investment.prepare()


def page_html(data, lang):
    page = Page(lang)
    parts = [report.findings_html(data, page), report.sectors_html(data, page, "review"),
             report.sectors_html(data, page, "plan"), report.crosswalk_html(data, page), report.sources_html(data, page),
             report.per_project_html(data, page), report.scale_html(data, page), report.checks_html(data, page)]
    return "".join(parts) + page.sources_html(), page


@pytest.fixture(scope="module")
def pages(data):
    return {lang: page_html(data, lang)[0] for lang in ("zh", "en")}


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
        page = Page(lang)
        findings = report.findings_html(data, page)
        assert findings.count("<li>") == 5
        assert findings.count('class="sourced"') >= 10 and 'class="derived"' in findings
    en = visible(re.sub(r'<sup class="src">.*?</sup>', "", report.findings_html(data, Page("en"))))
    assert "4,093 CNY 100 million" in en and "115.8% of the year's plan" in en
    assert "about\u00a03,570 CNY 100 million" in en            # the plan figure is approximate (约)
    assert "CNY 2.6 trillion" in en and "gap of 34.0 CNY 100 million" in en


def test_derived_numbers_carry_their_formula(data):
    page = Page("zh")
    findings = report.findings_html(data, page)
    # the implied plan: completed ÷ completion rate, its formula in the hover title
    assert re.search(r'class="derived" title="推算的计划 = 4,093 ÷ 115.8%">3,534.5亿元</span>', findings)
    assert re.search(r'title="城市提升完成投资 ÷ 全年完成投资：2,132 ÷ 4,093">52.1%</span>', findings)


def test_sector_tables_source_every_curated_cell(data):
    page = Page("en")
    completed = report.sectors_html(data, page, "review").split("</table>")[0]
    table = investment.sector_table(data.projects, data.review)
    assert completed.count("<tr>") == 1 + len(table) + 1          # header, sectors, total
    assert completed.count('class="sourced"') == len(table) + 1
    planned = report.sectors_html(data, page, "plan").split("</table>")[0]
    assert planned.count('class="sourced"') == 2 * (len(investment.sector_table(data.projects, data.plan)) + 1)
    with pytest.raises(ValueError, match="role='next'"):
        report.sectors_html(data, page, "next")


def test_crosswalk_section_uses_the_notes_of_the_page_language(data):
    zh, en = report.crosswalk_html(data, Page("zh")), report.crosswalk_html(data, Page("en"))
    frame = data.crosswalk.frame
    for note_zh, note_en in zip(frame["note_zh"], frame["note_en"], strict=True):
        assert note_zh in zh and note_en.replace("'", "&#x27;") in en
    assert "moved to a sector" not in en and "能源项目已移出" not in zh
    assert "无对应" in zh and "no counterpart" in en


def test_sources_section_shows_the_known_discrepancy_in_the_page_language(data):
    known = [c for c in data.checks if c.kind == "known_discrepancy"][0]
    zh = report.sources_html(data, Page("zh"))
    assert known.text("reason", "zh") in zh and "已登记，差距未变" in zh
    assert "经年中优化" in visible(zh)


def test_shown_numbers_read_naturally():
    page = Page("en")
    assert report.shown({"value": 2.6, "unit": "万亿元", "measure": "total_investment"}, page) == "CNY 2.6 trillion"
    assert report.shown({"value": 850.0, "unit": "个", "measure": "count"}, page) == "850 projects"
    assert report.shown({"value": 850.0, "unit": "个", "measure": "count"}, Page("zh")) == "850个"
    assert report.shown({"value": 115.8, "unit": "%", "measure": "completion_rate"}, page, bare=True) == "115.8%"
    assert report.shown({"value": 4093.0, "unit": "亿元", "measure": "investment"}, page, bare=True) == "4,093"
    assert report.qualified({"qualifier": "about"}, "zh", "3,570亿元") == "3,570亿元左右"
    assert report.qualified({"qualifier": "at_least"}, "en", "500") == "at\u00a0least\u00a0500"


def test_checks_section_counts_the_checks(data):
    html = report.checks_html(data, Page("en"))
    assert f"{len(data.checks)}</span> checks concern" in html
    assert html.split("</table>")[1].count("<tr>") == 1 + sum(c.kind in ("identity", "known_discrepancy") for c in data.checks)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_are_saved_under_their_stable_names(data, tmp_path, lang):
    from helpers.report import figures

    figures.setup()
    page = Page(lang)
    paths = [report.sectors_figure(data, page, "review", figure_dir=tmp_path),
             report.sectors_figure(data, page, "plan", figure_dir=tmp_path),
             report.compared_figure(data, page, figure_dir=tmp_path),
             report.sources_figure(data, page, figure_dir=tmp_path),
             report.per_project_figure(data, page, figure_dir=tmp_path),
             report.scale_figure(data, page, figure_dir=tmp_path, figure_format="svg")]
    names = [p.name for p in paths]
    assert names == [f"03-sectors-completed.{lang}.png", f"03-sectors-planned.{lang}.png", f"03-sectors-compared.{lang}.png",
                     f"03-sources.{lang}.png", f"03-avg-per-project.{lang}.png", f"03-portfolio-scale.{lang}.svg"]
    if lang == "en":
        assert not CJK.search(paths[-1].read_text(encoding="utf-8"))


def test_bars_refuse_mismatched_inputs():
    with pytest.raises(ValueError, match="as many labels"):
        report._bars(["a"], [1, 2], ["1"], title="t", xlabel="x", color="k")
