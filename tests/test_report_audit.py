"""Notebook 00's page (helpers.report.audit.AuditPage): one language per page, sourced numbers,
figures named by the page, the data behind each section, and no words in its Python."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import helpers
from helpers.analysis import audit
from helpers.checks import Check
from helpers.data import vocab
from helpers.errors import ParameterError
from helpers.report import protocol
from helpers.report.audit import AuditPage, number_style, shorten
from helpers.report.page import zh_spans

matplotlib.use("Agg")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
SRC = Path(helpers.__file__).parent


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


# --- words in Python: what issue 20 counts (0 on a migrated page) ------------------------------------


# --- the page ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data():
    return audit.run(helpers.edition())


def page_of(data, lang, **kw) -> AuditPage:
    return AuditPage(data.edition, lang, audit=data, **kw)


def pages(data):
    """Every section of the page, in each language, in the notebook's order."""
    out = {}
    for lang in ("zh", "en"):
        page = page_of(data, lang)
        out[lang] = "".join(page.section(s) for s in ("findings", *AuditPage.SECTIONS, "sources"))
    return out


@pytest.fixture(scope="module")
def markup(data):
    return pages(data)


def test_the_page_is_registered_and_opened_by_name():
    assert protocol.pages()["00-data-audit"] is AuditPage
    page = protocol.open_page("00-data-audit", None, "en")
    assert isinstance(page, AuditPage) and page.lang == "en"
    assert page.results()["checks_total"] == len(page.audit.checks)


def test_every_section_gives_its_data_as_a_frame(data):
    page = page_of(data, "en")
    for section in AuditPage.SECTIONS:
        frame = page.data(section)
        assert isinstance(frame, pd.DataFrame), section
    assert len(page.data("checks")) == audit.check_summary(data.checks)["kind"].nunique()
    assert len(page.data("known")) == len(audit.known_discrepancies(data.checks))
    assert set(page.data("known")["nature"]) <= set(vocab.vocabulary("natures"))
    if audit.coverage_available(data.checks):
        assert page.data("coverage")["tokens"].sum() == sum(len(c.extra["tokens"]) for c in data.checks
                                                            if c.kind == "coverage" and "tokens" in c.extra)
    with pytest.raises(ParameterError, match=r"no data 'nope'; data: curation, checks"):
        page.data("nope")


def test_zh_spans_wraps_chinese_only_on_an_english_page():
    assert zh_spans("a (地方政府债务收入) & b", "en") == 'a (<span lang="zh">地方政府债务收入</span>) &amp; b'
    assert zh_spans("rounded to 亿元 separately", "en") == 'rounded to <span lang="zh">亿元</span> separately'
    assert zh_spans("债务 <收入>", "zh") == "债务 &lt;收入&gt;"
    assert not CJK.search(visible(zh_spans("经年中优化, 2 亿元 and 3%", "en")))


def test_tick_labels_are_cut_by_the_script_of_the_name():
    assert shorten("附件（一） 重庆市主要指标", 5) == "附件（一…"
    assert shorten("一二三", 3) == "一二三"
    assert shorten("Appendix 1: main indicators, targets and results", 20) == "Appendix 1: main…"


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
        page = page_of(data, lang)
        findings = page.findings()
        assert len(findings.items) == (5 if audit.coverage_available(data.checks) else 4)
        assert 'class="sourced"' in findings and 'class="derived"' in findings
        assert len(page.section("sources").split("<li ")) > 1
        assert findings.bundle()["application/vnd.cq-gazette.findings+json"]["items"] == findings.items
    en = visible(page_of(data, "en").findings())
    assert f"{len(data.checks):,} checks ran" in en
    assert "not an error of the document" in en    # the convention is presented as a convention
    assert en.startswith(f"Headline findingsSource: {data.edition.title['en']}")


def test_known_discrepancies_are_shown_with_nature_reason_and_sourced_figures(data):
    known = page_of(data, "zh").known_html()
    checks = audit.known_discrepancies(data.checks)
    assert known.count("<tr>") == 1 + len(checks)
    for c in checks:
        assert zh_spans(c.text("reason", "zh"), "zh") in known
        for r in c.extra["rows"]:
            assert r["quote"] in known or r["quote"].replace('"', "&quot;") in known
    for nature in ("discrepancy", "partial_list", "convention", "not_reproducible"):
        assert known.count(f">{vocab.name('natures', nature, 'zh')}<") == sum(c.extra["nature"] == nature for c in checks)
    sentence = page_of(data, "en").known_html().split("</table>")[1]
    assert "disagree in <span" in sentence and "partial lists" in sentence and "cannot be recomputed" in sentence
    discrepancies = sum(c.extra["nature"] == "discrepancy" for c in checks)
    assert re.search(rf'disagree in <span class="derived" title="[^"]*">{discrepancies}</span> places', sentence)
    assert "growth stated on the previous budget" in sentence          # the convention's topic, from the catalog


def test_a_failed_check_is_listed_in_the_page_language(data):
    broken = data.checks + [Check("identity.x", "identity", "parts add up", 10, None, 0.5, "fail",
                                  description_zh="分项之和等于合计")]
    failed = audit.Audit(data.edition, data.tables, broken, data.facts)
    zh, en = page_of(failed, "zh").checks_html(), page_of(failed, "en").checks_html()
    assert "分项之和等于合计" in zh and "未通过的检查" in zh and "没有未通过" not in zh
    assert "parts add up" in en and "No check failed" not in en
    assert "未通过的检查" in zh.split("</table>")[1] and "—" in zh       # a missing value shows as a dash
    passing = audit.Audit(data.edition, data.tables, [c for c in data.checks if c.status != "fail"], data.facts)
    assert "No check failed." in page_of(passing, "en").checks_html()


def test_agreement_table_sources_every_statement(data):
    table = page_of(data, "en").agreement_html()
    agreement = audit.cross_document(data.facts, data.checks)
    groups = agreement.groupby(["metric", "period", "basis", "verdict"]).ngroups
    assert table.split("</table>")[0].count("<tr>") == 1 + groups
    assert table.split("</table>")[0].count('class="sourced"') == len(agreement)


def test_units_without_an_english_name_stay_beside_the_number(data):
    en, zh = page_of(data, "en"), page_of(data, "zh")
    row = {"document": "plan_report", "line": 319, "quote": "国土绿化营造林510万亩", "value": 510.0, "unit": "万亩"}
    assert number_style(row) == ""
    assert ">510 10,000 mu<" in en._number(row)          # the shared vocabulary names it
    unnamed = dict(row, unit="某单位")
    assert number_style(unnamed) == "unnamed"
    assert en._number(unnamed).endswith('<span lang="zh">某单位</span>') and ">510<" in en._number(unnamed)
    assert "某单位" in zh._number(unnamed) and 'lang="zh"' not in zh._number(unnamed)
    index = {"document": "plan_report", "line": 535, "quote": "100.3", "value": 100.3, "unit": "index"}
    assert "100.3 (previous year = 100)" in en._number(index)
    assert "100.3（上年=100）" in zh._number(index)


def test_coverage_section_without_the_coverage_kind(data, monkeypatch):
    monkeypatch.setattr(audit, "KINDS", tuple(k for k in audit.KINDS if k != "coverage"))
    page = page_of(data, "en")
    assert "not available" in page.coverage_html()
    assert len(page.findings().items) == 4
    assert page.data("coverage").empty


def test_coverage_section_by_report_section_and_reason(data):
    if not audit.coverage_available(data.checks):
        pytest.skip("helpers.checks has no coverage kind")
    by_section, reasons = audit.number_coverage(data)
    html = page_of(data, "zh").coverage_html()
    assert html.count("<tr>") == 1 + len(by_section) + 1 + len(reasons)
    assert "年份" in html and "year" not in visible(html)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_are_saved_under_the_names_the_page_owns(data, tmp_path, lang):
    from helpers.report import figures

    figures.setup()
    a = page_of(data, lang, figure_dir=tmp_path).figure("sections")
    b = page_of(data, lang, figure_dir=tmp_path, figure_format="svg").figure("checks")
    assert a.name == f"00-numbers-by-section.{lang}.png" and a.stat().st_size > 10_000
    assert b.name == f"00-checks-by-kind.{lang}.svg"
    if lang == "en":
        assert not CJK.search(b.read_text(encoding="utf-8"))


def test_table_titles_come_from_the_descriptor(data):
    titles = {lang: set(page_of(data, lang).data("curation").query("table == 'major_projects'")["title"])
              for lang in ("zh", "en")}
    assert titles["zh"] == {helpers.edition().resource("major_projects")["x_title_zh"]}
    assert titles["en"] == {"Municipal major projects"}


def test_the_notebook_opens_the_page_and_names_no_figure_file():
    notebook = json.loads((SRC.parents[1] / "notebooks" / "00-data-audit.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"
            and "parameters" not in c["metadata"].get("tags", [])]
    assert any('open_page("00-data-audit"' in c for c in code)
    assert not any("00-numbers-by-section" in c or "00-checks-by-kind" in c for c in code)
    shown = [c for c in code if "page.show" in c]
    assert all(len(c.splitlines()) <= 2 for c in shown), shown
    explore = [c for c in notebook["cells"] if c["cell_type"] == "markdown" and 'page.data("' in "".join(c["source"])]
    assert sorted(t for c in explore for t in c["metadata"]["tags"]) == ["lang-en", "lang-zh"]
