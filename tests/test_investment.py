"""Analysis of major-project investment, checked against values computed here from the CSV's numbers.

The expected values are written out from the gazette's figures (plan report lines 353 and 377) so
that a change in either the CSV or the code shows up as a failure.
"""

from __future__ import annotations

import math
import shutil

import matplotlib
import pandas as pd
import pytest

import helpers
from helpers import checks, investment, paths
from helpers.errors import DataError, HelpersError

matplotlib.use("Agg")

SECTORS_2021 = {"science_innovation": 370, "chengdu_chongqing": 290, "industry": 603, "rural_revitalisation": 242,
                "urban": 2132, "ecology_energy": 221, "social_livelihood": 235}
SECTORS_2022 = {"science_innovation": (15, 14), "industrial_transformation": (227, 781), "rural_revitalisation": (33, 113),
                "urban": (352, 2293), "ecology_environment": (53, 129), "social_livelihood": (170, 240)}
CROSSWALK_HEADER = "sector_2021,name_zh_2021,sector_2022,name_zh_2022,note"


@pytest.fixture(scope="module")
def projects() -> pd.DataFrame:
    return investment.verified(helpers.load("major_projects"), checks.verified_facts())


@pytest.fixture(scope="module")
def crosswalk(projects) -> investment.SectorCrosswalk:
    return investment.load_crosswalk(projects=projects)


# --- numbers ------------------------------------------------------------------------------------

def test_years_come_from_the_data(projects):
    assert investment.years(projects) == (2021, 2022)


def test_sector_table_completed(projects):
    table = investment.sector_table(projects, 2021).set_index("category")
    assert list(table.index) == list(SECTORS_2021)  # the report's order
    for code, value in SECTORS_2021.items():
        assert table.at[code, "investment"] == value
        assert table.at[code, "share"] == pytest.approx(value / 4093)
    assert table["count"].isna().all()
    assert table.at["urban", "share"] == pytest.approx(2132 / 4093)
    assert table["share"].sum() == pytest.approx(1.0)


def test_sector_table_planned_with_counts_and_averages(projects):
    table = investment.sector_table(projects, 2022).set_index("category")
    for code, (count, value) in SECTORS_2022.items():
        assert table.at[code, "count"] == count
        assert table.at[code, "investment"] == value
        assert table.at[code, "share"] == pytest.approx(value / 3570)
        assert table.at[code, "avg_per_project"] == pytest.approx(value / count)
    assert table.at["urban", "share"] == pytest.approx(2293 / 3570)
    assert table.at["urban", "avg_per_project"] == pytest.approx(2293 / 352)


def test_compare_sectors_matches_through_the_crosswalk(projects, crosswalk):
    cmp = investment.compare_sectors(projects, crosswalk)
    by_from = cmp.set_index("sector_from")
    assert by_from.at["industry", "sector_to"] == "industrial_transformation"
    assert by_from.at["industry", "completed"] == 603 and by_from.at["industry", "planned"] == 781
    assert by_from.at["industry", "change"] == 781 - 603
    assert by_from.at["industry", "change_rate"] == pytest.approx(781 / 603 - 1)
    assert by_from.at["ecology_energy", "sector_to"] == "ecology_environment"
    assert by_from.at["ecology_energy", "planned"] == 129
    assert by_from.at["urban", "share_change"] == pytest.approx(2293 / 3570 - 2132 / 4093)
    assert by_from.at["chengdu_chongqing", "sector_to"] is None
    assert math.isnan(by_from.at["chengdu_chongqing", "planned"])
    assert math.isnan(by_from.at["chengdu_chongqing", "change_rate"])
    # every sector of both years appears once
    assert sorted(cmp["sector_from"]) == sorted(SECTORS_2021)
    assert sorted(s for s in cmp["sector_to"] if s) == sorted(SECTORS_2022)


def test_compare_sectors_does_not_match_by_position(projects, crosswalk):
    """Reordering the crosswalk's rows reorders the output but changes no pairing."""
    shuffled = investment.SectorCrosswalk(crosswalk.path, crosswalk.years, crosswalk.frame.iloc[::-1].reset_index(drop=True))
    a = investment.compare_sectors(projects, crosswalk).set_index("sector_from").sort_index()
    b = investment.compare_sectors(projects, shuffled).set_index("sector_from").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_source_table_completed(projects):
    table = investment.source_table(projects, 2021).set_index("category")
    assert table.at["government", "count"] == 269 and table.at["enterprise", "count"] == 592
    assert table.at["enterprise", "share_investment"] == pytest.approx(2744 / 4093)
    assert table.at["government", "share_count"] == pytest.approx(269 / 861)
    assert table.at["government", "avg_per_project"] == pytest.approx(1349 / 269)
    assert table.at["enterprise", "avg_per_project"] == pytest.approx(2744 / 592)
    assert table.at["total", "implied_plan"] == pytest.approx(4093 / 1.158)
    assert table.at["government", "implied_plan"] == pytest.approx(1349 / 1.101)
    assert table.at["enterprise", "implied_plan"] == pytest.approx(2744 / 1.171)
    assert table.at["enterprise", "implied_plan_share"] == pytest.approx((2744 / 1.171) / (1349 / 1.101 + 2744 / 1.171))


def test_source_table_planned_has_no_rates(projects):
    table = investment.source_table(projects, 2022).set_index("category")
    assert table.at["enterprise", "share_investment"] == pytest.approx(2035 / 3570)
    assert table.at["total", "avg_per_project"] == pytest.approx(3570 / 850)
    assert table["implied_plan"].isna().all()


def test_completion_rate_gap_agrees_with_the_register(projects):
    gap = investment.completion_rate_gap(investment.source_table(projects, 2021))
    assert gap == pytest.approx(4093 / 1.158 - 1349 / 1.101 - 2744 / 1.171)
    known = {c.id: c for c in helpers.run_checks() if c.kind == "known_discrepancy"}["known.project_completion_rates.2021"]
    assert gap == pytest.approx(known.actual, abs=1e-6)


def test_unit_conversion_and_portfolio_scale(projects):
    assert investment.to_yi(2.6, "万亿元") == pytest.approx(26000)
    assert investment.to_yi(4093, "亿元") == 4093
    scale = investment.portfolio_scale(projects).set_index(["portfolio", "period"])
    assert scale.at[("annual", 2021), "total_investment"] == pytest.approx(26000)
    assert scale.at[("annual", 2021), "years_of_work"] == pytest.approx(26000 / 4093)
    assert scale.at[("annual", 2022), "years_of_work"] == pytest.approx(25000 / 3570)
    assert scale.at[("preliminary", 2022), "count"] == 257
    assert scale.at[("preliminary", 2022), "years_of_work"] == pytest.approx(13000 / 3570)
    # bounds from the printed rounding: 2.6 万亿元 is 2.55–2.65, 4093 is 4092.5–4093.5
    assert scale.at[("annual", 2021), "years_low"] == pytest.approx(25500 / 4093.5)
    assert scale.at[("annual", 2021), "years_high"] == pytest.approx(26500 / 4092.5)


def test_implied_plan():
    assert investment.implied_plan(4093, 115.8) == pytest.approx(4093 / 1.158)
    with pytest.raises(HelpersError, match="completion rate must be positive"):
        investment.implied_plan(4093, 0)


def test_summary_states_sourced_numbers(projects, crosswalk):
    zh = investment.summary_html(projects, crosswalk, "zh")
    en = investment.summary_html(projects, crosswalk, "en")
    for text in (zh, en):
        assert text.count('class="sourced"') >= 5
        assert "4,093" in text and "plan report" in en and "计划报告" in zh
    assert "52.1%" in en and "城市提升" in zh
    assert "about " in en and "约" in zh  # 3570 is an approximate plan figure
    with pytest.raises(HelpersError, match="lang='fr'"):
        investment.summary_html(projects, crosswalk, "fr")


def test_sector_labels(crosswalk):
    assert investment.sector_labels(crosswalk, "zh")["industrial_transformation"] == "产业转型升级"
    assert investment.sector_labels(crosswalk, "en")["urban"] == "Urban improvement"


def test_sector_bars_draws_one_annotated_bar_per_label():
    import matplotlib.pyplot as plt

    fig = investment.sector_bars(["a", "b"], [2, 1], ["2", "1"], title="t", xlabel="x")
    ax = fig.axes[0]
    assert len(ax.patches) == 2 and [t.get_text() for t in ax.texts] == [" 2", " 1"]
    plt.close(fig)
    with pytest.raises(HelpersError, match="as many labels"):
        investment.sector_bars(["a"], [1, 2], ["1"], title="t", xlabel="x")


# --- bad input ----------------------------------------------------------------------------------

def test_missing_row_raises(projects):
    with pytest.raises(HelpersError, match="expected one row for annual total investment 1999"):
        investment.row(projects, 1999, "total", "investment")
    with pytest.raises(HelpersError, match="cannot convert unit '万元'"):
        investment.to_yi(1, "万元")


def test_unverified_rows_are_refused(projects):
    facts = checks.verified_facts()
    frame = facts.frame[facts.frame["row_id"] != "2021.annual.urban.investment"]
    with pytest.raises(HelpersError, match="not verified against the gazette: 2021.annual.urban.investment"):
        investment.verified(helpers.load("major_projects"), checks.Facts(frame))


def _write_crosswalk(tmp_path, text: str):
    data = tmp_path / "data"
    (data / "crosswalks").mkdir(parents=True)
    path = data / "crosswalks" / "project_sectors.csv"
    path.write_text(text, encoding="utf-8")
    return data, path


def _shipped_lines() -> list[str]:
    return (paths.ROOT / "data" / "crosswalks" / "project_sectors.csv").read_text(encoding="utf-8").splitlines()


def test_shipped_crosswalk_is_one_row_per_sector(crosswalk):
    assert crosswalk.years == (2021, 2022)
    assert sorted(crosswalk.sectors(2021)) == sorted(SECTORS_2021)
    assert sorted(crosswalk.sectors(2022)) == sorted(SECTORS_2022)
    assert crosswalk.frame["note"].str.len().min() > 10
    assert _shipped_lines()[0] == CROSSWALK_HEADER


def test_crosswalk_unknown_sector_code_names_file_and_line(tmp_path, projects):
    lines = _shipped_lines()
    lines[4] = lines[4].replace("rural_revitalisation,乡村振兴,rural_revitalisation", "rural_revitalisation,乡村振兴,rural_revival")
    data, path = _write_crosswalk(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        investment.load_crosswalk(data, projects)
    assert err.value.line == 5 and err.value.column == "sector_2022"
    assert str(path) in str(err.value) and "unknown sector code 'rural_revival' for 2022" in str(err.value)


def test_crosswalk_missing_column(tmp_path, projects):
    lines = [",".join(line.split(",")[:4]) for line in _shipped_lines()]  # drops the note column
    data, path = _write_crosswalk(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"line 1, column 'note': missing column") as err:
        investment.load_crosswalk(data, projects)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(("edit", "message", "line"), [
    (lambda ls: ls[:3] + ls[4:], "sectors of 2021 missing from the crosswalk: industry", None),
    (lambda ls: ls + [ls[5]], "sector 'urban' of 2021 listed twice, first on line 6", 9),
    (lambda ls: ls[:2] + [ls[2].replace("成渝地区双城经济圈", "成渝双城")] + ls[3:], "does not match sector", 3),
    (lambda ls: ls[:4] + ["rural_revitalisation,乡村振兴,rural_revitalisation,乡村振兴,"] + ls[5:], "missing note", 5),
    (lambda ls: ls + [",,,,empty"], "names no sector of either year", 9),
])
def test_crosswalk_bad_content(tmp_path, projects, edit, message, line):
    data, _ = _write_crosswalk(tmp_path, "\n".join(edit(_shipped_lines())) + "\n")
    with pytest.raises(DataError, match=message) as err:
        investment.load_crosswalk(data, projects)
    assert err.value.line == line


def test_crosswalk_for_other_years_is_refused(tmp_path, projects):
    data, _ = _write_crosswalk(tmp_path, "\n".join(_shipped_lines()) + "\n")
    with pytest.raises(DataError, match="the data's years are 2020 and 2021"):
        investment.load_crosswalk(data, projects, years=(2020, 2021))


def test_crosswalk_with_bom_or_missing_file(tmp_path, projects):
    data, path = _write_crosswalk(tmp_path, "")
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(_shipped_lines()).encode("utf-8"))
    with pytest.raises(DataError, match="byte-order mark"):
        investment.load_crosswalk(data, projects)
    path.unlink()
    with pytest.raises(DataError, match="crosswalk file not found"):
        investment.load_crosswalk(data, projects)


def test_crosswalk_is_read_from_the_data_dir(data_copy, projects):
    """`data_dir` points the crosswalk at another data folder, as it does the curated tables."""
    target = data_copy / "crosswalks" / "project_sectors.csv"
    if not target.exists():  # conftest copies data/; older copies may predate crosswalks/
        target.parent.mkdir(exist_ok=True)
        shutil.copy(paths.ROOT / "data" / "crosswalks" / "project_sectors.csv", target)
    assert investment.crosswalk_path(data_copy) == target
    assert investment.load_crosswalk(data_copy).years == (2021, 2022)
