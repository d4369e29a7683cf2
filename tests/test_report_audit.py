"""Notebook 00's page (helpers.report.audit): one language per page, sourced numbers, figures."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib
import pytest

import helpers
from helpers.analysis import audit
from helpers.checks import Check
from helpers.data import vocab
from helpers.report import audit as report
from helpers.report.page import Page

matplotlib.use("Agg")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


class _Visible(HTMLParser):
    """Text outside any element with lang="zh" (attributes such as hover titles are not text)."""

    def __init__(self):
        super().__init__()
        self.stack, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img"):
            self.stack.append(dict(attrs).get("lang") == "zh")

    def handle_endtag(self, tag):
        if tag not in ("br", "img") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.text.append(data)


def visible(markup: str) -> str:
    p = _Visible()
    p.feed(markup)
    return "".join(p.text)


@pytest.fixture(scope="module")
def data():
    return audit.run()


def pages(data):
    """Every section of the page, in each language."""
    out = {}
    for lang in ("zh", "en"):
        page = Page(lang)
        out[lang] = "".join(f(data, page) for f in (report.findings_html, report.curation_html, report.checks_html,
                                                    report.known_html, report.agreement_html, report.coverage_html))
        out[lang] += page.sources_html()
    return out


@pytest.fixture(scope="module")
def markup(data):
    return pages(data)


def test_zh_spans_wraps_chinese_only_on_an_english_page():
    assert report.zh_spans("a (地方政府债务收入) & b", "en") == 'a (<span lang="zh">地方政府债务收入</span>) &amp; b'
    assert report.zh_spans("rounded to 亿元 separately", "en") == 'rounded to <span lang="zh">亿元</span> separately'
    assert report.zh_spans("债务 <收入>", "zh") == "债务 &lt;收入&gt;"
    assert not CJK.search(visible(report.zh_spans("经年中优化, 2 亿元 and 3%", "en")))


def test_html_table_aligns_the_number_columns():
    table = report.html_table(["a", "b"], [["x", "1"]], right=(1,))
    assert '<th style="text-align:left">a</th><th style="text-align:right">b</th>' in table
    assert '<td style="text-align:right">1</td>' in table


def test_the_english_page_has_no_chinese_outside_lang_zh(markup):
    leaked = sorted(set(CJK.findall(visible(markup["en"]))))
    assert not leaked, leaked


def test_no_status_or_id_in_english_words_on_the_chinese_page(data):
    passing = audit.Audit(data.edition, data.tables, [c for c in data.checks if c.status != "fail"], data.facts)
    text = visible(pages(passing)["zh"])
    for word in ("accepted", "pass", "fail", "known_discrepancy", "cross_document", "provenance"):
        assert word not in text
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert "已登记，差距未变" in text and "预算编制惯例" in text


def test_findings_are_sourced_sentences_in_the_page_language(data):
    for lang in ("zh", "en"):
        page = Page(lang)
        findings = report.findings_html(data, page)
        items = re.findall(r"<li>", findings)
        assert len(items) == (5 if audit.coverage_available(data.checks) else 4)
        assert 'class="sourced"' in findings and 'class="derived"' in findings
        assert len(page.sources_html().split("<li ")) > 1
    en = visible(report.findings_html(data, Page("en")))
    assert f"{len(data.checks):,} checks ran" in en
    assert "not an error of the document" in en    # the convention is presented as a convention


def test_known_discrepancies_are_shown_with_nature_reason_and_sourced_figures(data):
    page = Page("zh")
    known = report.known_html(data, page)
    checks = audit.known_discrepancies(data.checks)
    assert known.count("<tr>") == 1 + len(checks)
    for c in checks:
        assert report.zh_spans(c.text("reason", "zh"), "zh") in known
        for r in c.extra["rows"]:
            assert r["quote"] in known or r["quote"].replace('"', "&quot;") in known
    for nature in ("discrepancy", "partial_list", "convention", "not_reproducible"):
        assert known.count(f">{vocab.name('natures', nature, 'zh')}<") == sum(c.extra["nature"] == nature for c in checks)
    sentence = report._known_sentence(data, Page("en"))
    assert "disagree in <span" in sentence and "partial lists" in sentence and "cannot be recomputed" in sentence
    discrepancies = sum(c.extra["nature"] == "discrepancy" for c in checks)
    assert re.search(rf'disagree in <span class="derived" title="[^"]*">{discrepancies}</span> places', sentence)


def test_a_failed_check_is_listed_in_the_page_language(data):
    broken = data.checks + [Check("identity.x", "identity", "parts add up", 10, None, 0.5, "fail",
                                  description_zh="分项之和等于合计")]
    failed = audit.Audit(data.edition, data.tables, broken, data.facts)
    zh, en = report.checks_html(failed, Page("zh")), report.checks_html(failed, Page("en"))
    assert "分项之和等于合计" in zh and "未通过的检查" in zh and "没有未通过" not in zh
    assert "parts add up" in en and "No check failed" not in en
    assert "未通过的检查" in zh.split("</table>")[1] and "—" in zh       # a missing value shows as a dash
    passing = audit.Audit(data.edition, data.tables, [c for c in data.checks if c.status != "fail"], data.facts)
    assert "No check failed." in report.checks_html(passing, Page("en"))


def test_agreement_table_sources_every_statement(data):
    page = Page("en")
    table = report.agreement_html(data, page)
    agreement = audit.cross_document(data.facts, data.checks)
    groups = agreement.groupby(["metric", "period", "basis", "verdict"]).ngroups
    assert table.split("</table>")[0].count("<tr>") == 1 + groups
    assert table.split("</table>")[0].count('class="sourced"') == len(agreement)


def test_units_without_an_english_name_stay_beside_the_number():
    row = {"document": "plan_report", "line": 319, "quote": "国土绿化营造林510万亩", "value": 510.0, "unit": "万亩"}
    assert ">510 10,000 mu<" in report.num(Page("en"), row)          # the shared vocabulary names it
    unnamed = dict(row, unit="某单位")
    en = report.num(Page("en"), unnamed)
    assert en.endswith('<span lang="zh">某单位</span>') and ">510<" in en
    index = {"document": "plan_report", "line": 535, "quote": "100.3", "value": 100.3, "unit": "index"}
    assert "100.3 (previous year = 100)" in report.num(Page("en"), index)
    assert "100.3（上年=100）" in report.num(Page("zh"), index)


def test_coverage_section_without_the_coverage_kind(data, monkeypatch):
    monkeypatch.setattr(audit, "KINDS", tuple(k for k in audit.KINDS if k != "coverage"))
    assert "not available" in report.coverage_html(data, Page("en"))
    assert len(re.findall(r"<li>", report.findings_html(data, Page("en")))) == 4


def test_coverage_section_by_report_section_and_reason(data):
    if not audit.coverage_available(data.checks):
        pytest.skip("helpers.checks has no coverage kind")
    by_section, reasons = audit.number_coverage(data)
    html = report.coverage_html(data, Page("zh"))
    assert html.count("<tr>") == 1 + len(by_section) + 1 + len(reasons)
    assert "年份" in html and "year" not in visible(html)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_are_saved_under_their_stable_names(data, tmp_path, lang):
    from helpers.report import figures

    figures.setup()
    page = Page(lang)
    a = report.sections_figure(data, page, figure_dir=tmp_path)
    b = report.checks_figure(data, page, figure_dir=tmp_path, figure_format="svg")
    assert a.name == f"00-numbers-by-section.{lang}.png" and a.stat().st_size > 10_000
    assert b.name == f"00-checks-by-kind.{lang}.svg"
    if lang == "en":
        assert not CJK.search(b.read_text(encoding="utf-8"))


def test_table_titles_come_from_the_descriptor(data):
    assert report.table_title(data, "major_projects", "zh") == helpers.edition().resource("major_projects")["x_title_zh"]
    assert report.table_title(data, "major_projects", "en") == "Municipal major projects"
