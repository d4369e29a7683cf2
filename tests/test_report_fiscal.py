"""helpers.report.fiscal (the page model FiscalPage, opened with open_page): notebook 02's page in one language, its sources, corrections and figures;
and the notebook itself (thin, one language per markdown cell, cross-references that resolve)."""

from __future__ import annotations

import json
import re
from html import escape
from html.parser import HTMLParser

import pandas as pd
import pytest

import helpers
from helpers.analysis import fiscal as af
from helpers.data import paths
from helpers.errors import DataError, ParameterError
from helpers.report import words as W
from helpers.report.fiscal import FiscalPage
from helpers.report.fiscal import base as report
from helpers.report.fiscal import debt as report_debt
from helpers.report.fiscal import risk as report_risk
from helpers.report.protocol import open_page

ED = helpers.edition()
Y0, Y1 = ED.year("review"), ED.year("plan")
NOTEBOOK = paths.NOTEBOOKS_DIR / "02-fiscal.ipynb"
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
PARTS = ("findings", "risk_section", "sources_uses", "who_pays", "measures_section", "draft_changes", "history_section", "social_insurance_section",
         "debt_section", "districts_section", "statements_section", "bonds_section", "sensitivity_section", "debt_ratio_section",
         "spending_section", "execution_section", "checks_section")
LEVELS = ("city", "municipal", "district")
# The parts of the page as the tests name them → the page's sections.
SECTION = {"findings": "findings", "risk_section": "risk", "sources_uses": "sources_uses", "who_pays": "who_pays",
           "measures_section": "measures", "draft_changes": "draft_changes", "history_section": "history",
           "social_insurance_section": "social_insurance", "debt_section": "debt", "districts_section": "districts",
           "statements_section": "statements", "bonds_section": "bonds", "sensitivity_section": "sensitivity",
           "debt_ratio_section": "debt_ratio", "spending_section": "spending", "execution_section": "execution",
           "checks_section": "checks"}


@pytest.fixture(scope="module")
def pages():
    """Every part of the page for each language and level, the sources list last."""
    out = {}
    for lang in ("zh", "en"):
        for level in LEVELS:
            page = open_page("02-fiscal", ED, lang, level=level)
            ctx = page.ctx
            parts = {name: page.section(SECTION[name]) for name in PARTS}
            parts["sources"] = page.section("sources")
            out[(lang, level)] = (ctx, parts)
    return out


class _Visible(HTMLParser):
    """Visible text outside any element with lang="zh" (attributes such as title are not visible)."""

    def __init__(self):
        super().__init__()
        self.stack, self.outside = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(dict(attrs).get("lang"))

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        if "zh" not in self.stack:
            self.outside.append(data)


def _outside_zh(markup: str) -> str:
    p = _Visible()
    p.feed(markup)
    return "".join(p.outside)


def _plain(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r'<sup class="src">.*?</sup>', "", markup))


# --- Language ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["city", "municipal"])
def test_an_english_page_shows_no_chinese_outside_lang_zh(pages, level):
    _, parts = pages[("en", level)]
    for name, markup in parts.items():
        assert not CJK.findall(_outside_zh(markup)), (name, CJK.findall(_outside_zh(markup))[:5])
        assert "亿元" not in _outside_zh(markup)


def test_a_chinese_page_shows_no_english_status(pages):
    _, parts = pages[("zh", "city")]
    text = _plain(parts["checks_section"])
    assert "accepted" not in text and "known_discrepancy" not in text and "预算编制惯例" in text


def test_the_text_helper_marks_chinese_on_an_english_page(pages):
    ctx, _ = pages[("en", "city")]
    assert report.text(ctx, "debt ratio (债务率)") == 'debt ratio (<span lang="zh">债务率</span>)'
    assert report.units_in("en", "the gap is 2 亿元.") == "the gap is 2 CNY 100 million."


def test_bad_parameters_are_refused():
    with pytest.raises(ParameterError, match="allowed values"):
        open_page("02-fiscal", ED, "fr", level="city")
    with pytest.raises(ParameterError, match="allowed values"):
        open_page("02-fiscal", ED, "en", level="county")
    with pytest.raises(ParameterError, match="no section 'debts'"):
        open_page("02-fiscal", ED, "en").section("debts")


# --- Sources -----------------------------------------------------------------------------------------

def test_every_citation_points_into_the_source_list(pages):
    ctx, parts = pages[("en", "city")]
    body = "".join(v for k, v in parts.items() if k != "sources")
    cited = {int(n) for n in re.findall(r'href="#src-(\d+)"', body)}
    listed = {int(n) for n in re.findall(r'<li id="src-(\d+)"', parts["sources"])}
    assert cited and cited == listed


def test_findings_are_three_to_five_sourced_sentences(pages):
    for (lang, level), (_, parts) in pages.items():
        items = re.findall(r"<li>(.*?)</li>", parts["findings"])
        assert 3 <= len(items) <= 5, (lang, level)
        # every number sourced, or (district figures: city-wide − municipal) with its formula
        shown = ('class="sourced"', 'class="derived"') if level == "district" else ('class="sourced"',)
        assert all(any(c in s for c in shown) for s in items), (lang, level)


# --- The analyst measures on the page ---------------------------------------------------------------

def test_each_measure_is_shown_with_formula_numbers_and_sources(pages):
    ctx, parts = pages[("en", "city")]
    for key in ("land_dependence", "land_to_general_revenue", "central_transfers_to_resources"):
        assert W.text(f"page02.measure.{key}", "en") in parts["measures_section"]
    for key in ("debt_to_revenue", "general_debt_ratio", "special_debt_ratio", "interest_to_revenue",
                "debt_service_net_of_refinancing_to_revenue"):
        e = af.evaluate(ctx.facts, "city", key, Y0)
        assert report.text(ctx, report.formula("en", e)) in parts["debt_section"], key
        assert report.pct(e.value) in parts["debt_section"], key
    row = re.search(r"<tr><td[^>]*>land dependence</td>.*?</tr>", parts["measures_section"]).group(0)
    assert row.count('class="sourced"') == 2 * 3          # three numbers a year, both years, each sourced


def test_a_missing_part_is_null_and_the_page_says_why(pages):
    _, parts = pages[("en", "municipal")]
    text = _plain(parts["debt_section"])
    assert "the report does not state the municipal-level general debt balance" in text
    assert "General debt ratio is null" in text
    _, zh = pages[("zh", "municipal")]
    assert "报告未给出" in _plain(zh["debt_section"]) and "不作推算" in _plain(zh["debt_section"])


def test_reference_lines_are_shown_as_references_with_their_source(pages):
    ctx, parts = pages[("en", "city")]
    html = parts["debt_section"]
    for ref in ctx.spec["references"]:
        assert ref["source"]["url"] in html
        assert report.pct(ref["value"], 0) in html
    assert "not figures of the gazette" in _plain(html)

def test_the_debt_headline_names_its_measures_and_says_the_balance_is_explicit_debt(pages):
    """Issue 21: no "ratio the press calls 债务率"; the broad measure leads, each named with its
    formula; the balance is explicit debt and the gazette's hidden-debt pledges are cited; a
    sovereign benchmark is not the headline comparison."""
    for lang in ("en", "zh"):
        for level in ("city", "municipal"):
            ctx, parts = pages[(lang, level)]
            text = _plain(parts["findings"])
            assert "press" not in text and "媒体" not in text and "Maastricht" not in text and "马斯特里赫特" not in text
            if lang == "en":
                assert "explicit debt (government bonds) only, not hidden debt" in text
                assert text.index("debt to revenue and transfers") < text.index("debt to own revenue")
            else:
                assert "显性债务" in text and "不含隐性债务" in text
            titles = [t for t in re.findall(r'title="([^"]*)"', parts["findings"]) if "隐性债务" in t]
            cited = [int(n) for t in titles for n in re.findall(r"line (\d+)" if lang == "en" else r"第(\d+)行", t)]
            assert sorted(cited) == [345, 479, 733, 767]
            # The budget report's pledge is in the same words on lines 733 and 767 (the 2021 review and
            # the 2022 plan): shown once, both lines cited, not the same words twice.
            pledges = re.findall(r'<span class="sourced" data-row="risk_statements:[^"]*"[^>]*>([^<]*)<sup', parts["findings"])
            assert len(pledges) == len(set(pledges)) == 3, pledges
            assert re.search(r'data-row="risk_statements:bb\.733\.hidden_debt" data-also="risk_statements:bb\.767\.hidden_debt"'
                             r'[^>]*>[^<]*<sup class="src"><a href="#src-(\d+)">\1</a>,<a href="#src-(\d+)">\2</a></sup>', parts["findings"])


# --- Corrections ------------------------------------------------------------------------------------

def test_draft_changes_label_the_absolute_change_and_the_rate_apart(pages):
    _, en = pages[("en", "city")]
    assert "change (CNY 100 million)</th>" in en["draft_changes"] and "change (%)</th>" in en["draft_changes"]
    _, zh = pages[("zh", "city")]
    assert "变化（亿元）</th>" in zh["draft_changes"] and "变化（%）</th>" in zh["draft_changes"]


def _headings(lang: str) -> list[str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return [re.sub(r"^#+\s*(\d+\.\s*)?", "", line).strip() for c in cells if c["cell_type"] == "markdown"
            and f"lang-{lang}" in c["metadata"].get("tags", []) for line in "".join(c["source"]).splitlines() if line.startswith("#")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cross_references_name_a_section_of_the_notebook(pages, lang):
    headings = _headings(lang)
    titles = W.names("page02.section_title", lang)
    for key, title in titles.items():
        assert title in headings, key
    _, parts = pages[(lang, "city")]
    title = titles["growth_base"]
    assert title in parts["draft_changes"]
    # the growth-base section is the spending-by-function one, and it is the section that explains the base
    assert title in (h for h in headings)
    assert ("基数" if lang == "zh" else "base") in _plain(parts["spending_section"])


def test_the_municipal_transfers_row_is_labelled_as_transfers_only(pages):
    _, parts = pages[("en", "municipal")]
    assert "transfers to districts (debt on-lent to districts is in net borrowing)" in parts["who_pays"]
    assert "transfers and debt on-lending to districts" not in parts["who_pays"]
    _, zh = pages[("zh", "municipal")]
    assert "补助区县（转移支付；转贷给区县的债务已计入净举债）" in zh["who_pays"]


def test_the_bond_plan_is_shown_as_an_advance_quota_with_its_evidence(pages):
    ctx, parts = pages[("en", "city")]
    quota = report.advance_quota(ctx)
    assert quota["period"] == Y1 and "city_debt_bonds_issued" in quota["metrics"]
    lines = [e["line"] for e in quota["evidence"]]
    for n in lines:
        assert f"budget report, line {n}" in parts["sources"]
    text = _plain(parts["debt_section"])
    assert "advance quota, to be revised" in text and "not comparable like for like" in text
    assert "released in advance" in _plain(parts["findings"])
    _, zh = pages[("zh", "city")]
    assert "中央提前下达" in _plain(zh["debt_section"]) and "同口径比较" in _plain(zh["debt_section"])


def test_a_quote_off_its_line_refuses_the_page(data_copy):
    """The quotes of fiscal.yaml and of the risk statements are checked by `helpers check`; the page's
    gate refuses to build a page whose checks failed, naming the check."""
    path = data_copy / "analysis" / "fiscal.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("line: 847, quote: 按照中央提前下达", "line: 848, quote: 按照中央提前下达", 1), encoding="utf-8")
    with pytest.raises(DataError, match="advance_quota"):
        open_page("02-fiscal", data_copy, "en", level="city")


def test_the_growth_base_is_presented_as_a_convention_with_evidence(pages):
    ctx, parts = pages[("en", "city")]
    text = _plain(parts["spending_section"])
    assert "budgeting convention, not an inconsistency of the document" in text
    assert "The evidence:" in text and "The register classes the gap as a convention" in text
    summary = af.growth_base_summary(af.growth_bases(ctx.facts, Y0, Y1), ctx.spec["thresholds"])
    names = af.growth_bases(ctx.facts, Y0, Y1).set_index("function")["name_en"].str.lower()
    for f in summary["far_below"] + summary["far_above"]:
        assert names[f] in text, f
    assert summary["far_below"]          # lines far below the outturn are discussed like those far above
    _, zh = pages[("zh", "city")]
    assert "农林水" in _plain(zh["spending_section"]) and "预算编制惯例" in _plain(zh["spending_section"])
    assert "convention" in _plain(parts["findings"])


def test_the_register_table_shows_each_entrys_nature(pages):
    ctx, parts = pages[("en", "city")]
    text = _plain(parts["checks_section"])
    assert "convention (a comparable base or an advance quota)" in text and "partial list (the report lists only" in text
    assert "not reproducible (an input is not published)" in text and "Only the first kind is an error of the document" in text


def test_the_debt_ratio_section_names_the_post_hoc_fit(pages):
    ctx, parts = pages[("en", "city")]
    post = [v for v in af.debt_ratio_variants(ctx.spec) if v.post_hoc]
    code = f"V{[v.key for v in af.debt_ratio_variants(ctx.spec)].index(post[0].key) + 1}"
    assert f"{code}†" in parts["debt_ratio_section"]
    assert "post-hoc fit" in _plain(parts["debt_ratio_section"])


def test_results_are_the_analysis_results(pages):
    ctx, _ = pages[("en", "municipal")]
    assert report.results(ctx) == af.results(ctx.facts, "municipal", ctx.spec)


# --- Figures -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_figures_are_written_with_stable_names(tmp_path, level):
    """The page owns its figures' file names (FIGURES); the district level has no budgets to draw."""
    page = open_page("02-fiscal", ED, "en", level=level, figure_dir=str(tmp_path), figure_format="svg")
    for name in page.FIGURES:
        page.show_figure(name)
    budgets = [] if level == "district" else [f"02-sources-uses-{level}.en.svg", f"02-financing-{level}.en.svg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*budgets, "02-debt.en.svg", "02-debt-ratio.en.svg", "02-municipal-spending.en.svg", f"02-sensitivity-{level}.en.svg"])
    svg = (tmp_path / "02-debt.en.svg").read_text(encoding="utf-8")
    assert "advance quota" in svg or "<path" in svg      # text is drawn as paths; the file is complete


# --- The notebook ------------------------------------------------------------------------------------

def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_the_notebook_is_thin():
    code = [c for c in _cells() if c["cell_type"] == "code"]
    lines = sum(1 for c in code for line in "".join(c["source"]).splitlines() if line.strip())
    assert lines <= 150
    for c in code:
        src = "".join(c["source"])
        assert "plt." not in src and "f\"" not in src and "Labels(" not in src


def test_every_markdown_cell_has_one_language():
    for c in _cells():
        if c["cell_type"] == "markdown":
            tags = c["metadata"].get("tags", [])
            assert len([t for t in tags if t in ("lang-zh", "lang-en")]) == 1, c["source"][:1]
            if "lang-en" in tags:
                assert not CJK.search("".join(c["source"]).replace("全市", "").replace("市级", ""))


def test_the_page_ends_with_the_sources_then_the_results():
    code = [("".join(c["source"])) for c in _cells() if c["cell_type"] == "code"]
    assert code[-2] == 'page.show("sources")' and code[-1] == "page.show_results()"


def test_the_draft_is_compared_like_for_like_with_the_previous_budget(pages):
    """Issue 21: a draft is set against the previous year's budget (outturn ÷ completion rate) as well
    as the outturn, the overshoot is named, and total sources are marked as advance transfers only."""
    from helpers.analysis import fiscal as af

    for level in ("city", "municipal"):
        ctx, parts = pages[("en", level)]
        html = parts["draft_changes"]
        yoy = af.year_on_year(ctx.facts, level, ctx.y0, ctx.y1).set_index("item")
        fund = yoy[yoy["budget"] == "fund"].loc["revenue"]
        expected = fund["draft"] / (fund["outturn"] / (fund["completion_rate"] / 100)) - 1
        assert f"vs the {ctx.y0} budget (implied)</th>" in html
        assert f"{expected:+.1%}".replace("-", "−") in html
        text = _plain(html)
        assert "not a planned cut" in text and "draft: advance-notified transfers only" in text
        assert "is not a planned fall" in text
        zh = _plain(pages[("zh", level)][1]["draft_changes"])
        assert "预算数只含中央提前下达的补助" in zh and "不是计划减收" in zh


def test_the_district_level_is_derived_from_the_csv_and_quotes_the_reports_warnings(pages):
    """Issue 22: districts = city-wide − municipal; their share of the debt and their debt against
    their own revenue recompute from the curated CSVs; the budget report's warnings are quoted
    with their lines; the municipal page points to the city page."""
    ctx, parts = pages[("en", "city")]
    rows = _csv_rows(ctx)
    y0 = ctx.y0
    own = sum(rows[(f"city_{b}_revenue", y0)] - rows[(f"municipal_{b}_revenue", y0)] for b in ("general", "fund"))
    share = rows[("district_debt_balance", y0)] / rows[("city_debt_balance", y0)]
    to_own = rows[("district_debt_balance", y0)] / own
    html = parts["districts_section"]
    for value in (share, to_own, rows[("district_debt_service", y0)] / own):
        assert f"{value:.1%}" in html, value
    assert f"{own:,.0f} CNY 100 million" in _plain(html)
    for line in (743, 751):
        assert re.search(rf'title="budget report, line {line}:', html), line
    assert "city-wide page" in _plain(pages[("en", "municipal")][1]["districts_section"])
    zh = _plain(pages[("zh", "city")][1]["districts_section"])
    assert "一些区县进入偿债高峰期" in zh and "紧平衡" in zh


@pytest.mark.parametrize("level", LEVELS)
def test_the_land_sale_what_if_recomputes_from_the_csv(pages, level):
    """Issue 22, item 3: land sales 10/20/30% below the plan year's budget, at each level, from the
    curated numbers (district = city-wide − municipal): fund revenue, land dependence, debt to own
    revenue, and the special debt ratio where the special debt is printed (city-wide); the page's
    table and text and the results carry them."""
    ctx, parts = pages[("en", level)]
    rows, y0, y1 = _csv_rows(ctx), ctx.y0, ctx.y1

    def at(metric, period):
        if level == "district" and not metric.startswith("debt"):
            return rows[(f"city_{metric}", period)] - rows[(f"municipal_{metric}", period)]
        return rows.get((f"{level}_{metric}", period))

    land, fund, general = at("fund_land_sale_revenue", y1), at("fund_revenue", y1), at("general_revenue", y1)
    debt, special = rows[(f"{level}_debt_balance", y0)], rows.get((f"{level}_debt_special_balance", y0))
    text, results = _plain(parts["sensitivity_section"]), report.results(ctx)
    assert "not a forecast" in text
    falls = ctx.spec["sensitivity"]["land_sale_falls"]
    for fall in falls:
        f = fund - fall * land
        expected = {"fund_revenue": round(f, 1), "land_dependence": round(land * (1 - fall) / (general + f), 4),
                    "debt_to_revenue": round(debt / (general + f), 4),
                    "special_debt_ratio": None if special is None else
                    round(special / (f + rows[(f"{level}_fund_central_transfers", y0)]), 4)}
        for key, value in expected.items():
            assert results[f"{key}_{y1}_land_sales_minus_{round(fall * 100)}pct"] == pytest.approx(value, abs=1e-9), (key, fall)
        assert f"{land * (1 - fall) / (general + f):.1%}" in text and f"{debt / (general + f):.1%}" in text
    assert (special is None) == (level != "city")


def _csv_rows(ctx) -> dict:
    import csv

    rows = {}
    for name in ("budget", "debt"):
        with open(ctx.ed.table_path(name), encoding="utf-8", newline="") as fh:
            rows.update({(r["metric"], int(r["period"])): float(r["value"]) for r in csv.DictReader(fh)})
    return rows


@pytest.mark.parametrize("level", ["city", "municipal"])
def test_one_year_of_history_recomputes_from_the_csv(pages, level):
    """Issue 22: every line with a printed growth rate gets its implied previous level, value ÷
    (1 + growth), on the page and in the results; on the city page the district growth of land
    sales and revenue is derived from both levels' implied levels."""
    ctx, parts = pages[("en", level)]
    rows, y0 = _csv_rows(ctx), ctx.y0
    text, results = _plain(parts["history_section"]), report.results(ctx)
    assert "implied" in text and "comparable base" in text
    implied, found = {}, 0
    for (metric, period), value in rows.items():
        if period != y0 or not metric.startswith(f"{level}_") or (f"{metric}_growth", y0) not in rows:
            continue
        growth = rows[(f"{metric}_growth", y0)]
        previous = value / (1 + growth / 100)
        suffix = metric.removeprefix(f"{level}_")
        if suffix.startswith(("general_", "fund_")) and suffix.endswith(("revenue", "expenditure")):
            found += 1
            assert f"{previous:,.1f}" in text, metric
            assert results[f"{suffix}_{y0 - 1}_implied"] == round(previous, 1), metric
    assert found >= 6
    if level == "city":
        for lv in ("city", "municipal"):
            implied[lv] = rows[(f"{lv}_fund_land_sale_revenue", y0)] / (1 + rows[(f"{lv}_fund_land_sale_revenue_growth", y0)] / 100)
        district = rows[("city_fund_land_sale_revenue", y0)] - rows[("municipal_fund_land_sale_revenue", y0)]
        growth = district / (implied["city"] - implied["municipal"]) - 1
        assert f"{growth:+.1%}".replace("-", "−") in text and "derived" in text


def test_the_refinancing_what_if_recomputes_from_the_csv(pages):
    """Issue 22: debt service paid from revenue when refinancing covers 10/20/30 points less of the
    principal, from the curated numbers, on the page and in the results (keyed by the shock)."""
    ctx, parts = pages[("en", "city")]
    rows, y0 = _csv_rows(ctx), ctx.y0
    principal = rows[("city_general_debt_repayment", y0)] + rows[("city_fund_debt_repayment", y0)]
    interest = rows[("city_debt_service", y0)] - principal
    revenue = rows[("city_general_revenue", y0)] + rows[("city_fund_revenue", y0)]
    coverage = rows[("city_debt_refinancing_bonds", y0)] / principal
    text, results = _plain(parts["districts_section"]), report.results(ctx)
    for drop in (0.1, 0.2, 0.3):
        share = (interest + principal * (1 - (coverage - drop))) / revenue
        assert f"{share:.1%}" in text, drop
        assert results[f"debt_service_from_revenue_to_revenue_{y0}_refinancing_minus_{round(drop * 100)}pts"] == round(share, 4)


@pytest.mark.parametrize("level", ["city", "municipal"])
def test_the_risk_summary_lists_exactly_the_entries_past_their_thresholds(pages, level):
    """Issue 22: strengths, weaknesses and things to watch come from the data and fiscal.yaml's
    thresholds: an entry is listed if and only if its figure passes its threshold; the page says the
    thresholds are the project's, and the findings (hence the front page) carry the summary."""
    ctx, parts = pages[("en", level)]
    results = report.results(ctx)
    listed = {k for keys in results["risk_summary"].values() for k in keys}
    for entry in ctx.spec["risk_summary"]:
        period = ctx.ed.year(entry["year"])
        if "result" in entry:
            value, key = results.get(f"{entry['result']}_{period}"), entry["result"]
        else:
            metric = f"{level}_{entry['metric']}"
            value = ctx.facts.value(metric, period) if ctx.facts.has(metric, period) else None
            key = entry["metric"]
        passes = value is not None and (value > entry["threshold"] if entry["when"] == "above" else value < entry["threshold"])
        assert (f"{key}_{period}" in listed) == passes, (key, value)
    html = report_risk.risk_section(ctx)
    assert "not official limits" in _plain(html)
    for side, keys in results["risk_summary"].items():
        assert (f"<h3>{W.text(f'page02.risk_heading.{side}', 'en')}</h3>" in html) == bool(keys)
        assert html.count("<li>") == sum(map(len, results["risk_summary"].values()))
    assert "Risk summary (thresholds set by this project" in _plain(parts["findings"])


def test_a_risk_summary_entry_with_an_unknown_side_is_named(pages):
    ctx, _ = pages[("en", "city")]
    spec = {**ctx.spec, "risk_summary": [{"side": "opportunity", "result": "tax_share", "year": "review",
                                          "when": "above", "threshold": 0.5, "why": {"zh": "x", "en": "x"}}]}
    with pytest.raises(ParameterError, match="fiscal.yaml risk_summary: side must be one of"):
        af.risk_summary(ctx.facts, "city", spec)


def test_bonds_and_the_debt_path_recompute_from_the_csv(pages):
    """Issue 22: new bonds split by budget with the refinancing cross-check, the plan year's debt
    floor against the limit, the stabilisation drawing ÷ spending, municipal net retained transfers."""
    import csv

    ctx, _ = pages[("en", "city")]
    rows, y0, y1 = _csv_rows(ctx), ctx.y0, ctx.y1
    with open(ctx.ed.table_path("economy"), encoding="utf-8", newline="") as fh:
        special = next(float(r["value"]) for r in csv.DictReader(fh)
                       if r["metric"] == "local_government_special_bonds_secured" and int(r["period"]) == y0)
    new_general = rows[("city_debt_new_bonds", y0)] - special
    refi = (rows[("city_general_debt_revenue", y0)] - new_general) + (rows[("city_fund_debt_revenue", y0)] - special)
    floor = rows[("city_debt_balance", y0)] + rows[("city_debt_new_bonds", y1)]
    drawn = rows[("municipal_general_stabilisation_fund_drawn", y1)] / rows[("municipal_general_expenditure", y1)]
    kept = rows[("municipal_general_central_transfers", y0)] - rows[("municipal_general_transfers_to_districts", y0)]
    text, results = _plain(report_debt.bonds_section(ctx)), report.results(ctx)
    for shown in (f"{new_general:,.0f} CNY", f"{refi:,.0f} CNY", f"{floor:,.0f} CNY", f"{drawn:.1%}", f"+{kept:,.0f}"):
        assert shown in text, shown
    assert "they agree" in text and abs(refi - rows[("city_debt_refinancing_bonds", y0)]) <= 2
    assert "(advance quota)" in text                       # the plan year's new bonds keep their mark
    assert results[f"bonds_new_general_{y0}"] == new_general and results[f"debt_floor_{y1}"] == floor
    assert results[f"stabilisation_drawn_to_expenditure_{y1}"] == round(drawn, 4)
    assert results[f"municipal_net_retained_transfers_general_{y0}"] == kept


# --- The district page and the reports' words on risk (issue 22) --------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_district_page_says_once_how_it_is_derived_and_shows_derived_figures_with_formulas(pages, lang):
    ctx, parts = pages[(lang, "district")]
    page = "".join(parts[p] for p in PARTS)
    caveat = "assignment of revenue" if lang == "en" else "收入划分"
    marker = "city-wide − municipal (city-wide = municipal + districts)" if lang == "en" else "按“全市 − 市级”推算（全市 = 市级 + 区县）"
    assert _plain(page).count(marker) == 1 and caveat in _plain(parts["findings"])
    row = ctx.facts.get("district_fund_land_sale_revenue", ctx.y0)
    c, m = (p["value"] for p in row["parts"])
    assert f"{c:g} − {m:g}" in parts["findings"]                        # the formula with the printed numbers, on hover
    growth = ctx.facts.get("district_fund_land_sale_revenue_growth", ctx.y0)
    assert f"({c:g} − {m:g}) ÷ ({c:g} ÷ (1 + " in parts["findings"] and f"{growth['value']:.1f}%".replace("-", "−") in parts["findings"]
    for absent in ("sources_uses", "execution_section", "social_insurance_section"):
        assert "<table" not in parts[absent]


def test_the_risk_statements_are_quoted_with_their_lines_beside_their_figures(pages):
    from helpers.data import load

    frame = load.load("risk_statements", ED)
    for (lang, level), (_, parts) in pages.items():
        html = parts["statements_section"]
        for r in frame.to_dict("records"):
            shown = r["quote"] if lang == "zh" else r["text_en"]
            assert escape(shown) in html, (lang, level, r["row_id"])
        assert html.count("<tr>") == len(frame) + 1
        for n in set(frame["line"]):
            assert f"line {n}" in parts["sources"] or f"第{n}行" in parts["sources"]
    # hidden-debt pledges beside the explicit-debt headline; the repayment peak beside district debt service
    ctx, parts = pages[("en", "city")]
    assert "curb new hidden government debt" in parts["findings"]
    assert "debt-repayment peak" in parts["districts_section"]


# --- The page protocol (issue 20) ------------------------------------------------------------------------

def test_the_page_is_registered_and_gives_the_data_behind_every_section():
    from helpers.report.protocol import pages

    assert pages()["02-fiscal"] is FiscalPage
    for level in LEVELS:
        page = open_page("02-fiscal", ED, "en", level=level)
        for section in page.SECTIONS:
            frame = page.data(section)
            assert isinstance(frame, pd.DataFrame), (level, section)
        assert not page.data("measures").empty and not page.data("sensitivity").empty
        assert (page.data("sources_uses").empty and page.data("execution").empty) == (level == "district")
        assert page.results()["level"] == level
    with pytest.raises(ParameterError, match="no data .nothing.; data: risk, sources_uses"):
        page.data("nothing")


def test_the_notebook_opens_the_page_once_and_each_cell_is_one_call():
    code = ["".join(c["source"]) for c in _cells() if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    assert sum("open_page(" in c for c in code) == 1
    calls = code[2:]
    assert calls and all(re.fullmatch(r'page\.(show|show_figure)\("[a-z_]+"\)|page\.show_results\(\)', c) for c in calls), calls
    names = {re.search(r'"([a-z_]+)"', c).group(1) for c in calls if "show_figure" in c}
    assert names == set(FiscalPage(ED, "en").FIGURES)


# --- Words apart from computation (issue 20) ------------------------------------------------------------


