"""Municipal major-project investment: by sector, by source of finance, and the portfolio's scale.

Every function takes the curated `major_projects` table (as `helpers.load` returns it) and returns
a DataFrame or a number; nothing here reads a file except `read_crosswalk`, which reads the
sector crosswalk kept as data in `data/crosswalks/project_sectors.csv`.

Amounts are returned in 亿元 (10^8 yuan). The curated table keeps each number in the unit the
report prints it in (亿元 for a year's investment, 万亿元 for a portfolio's total investment); the
conversion happens here, in `to_yi`, never in the CSV.

The two years' sector lists differ (2021 has seven sectors, 2022 six, some renamed). They are
compared only through the crosswalk, row by row, never by their position in the report's lists.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..data.edition import edition
from ..errors import DataError, HelpersError
from ..report import nb

#: Factor that turns an amount in the unit as printed into 亿元.
UNIT_TO_YI = {"亿元": 1.0, "万亿元": 10_000.0}

#: The sources of finance the report distinguishes, in the report's order.
SOURCES = ("government", "enterprise")


#: Short English names of the sectors (the Chinese names come from the crosswalk).
SECTOR_NAMES_EN = {
    "science_innovation": "Science & innovation",
    "chengdu_chongqing": "Chengdu-Chongqing circle",
    "industry": "Industrial upgrading",
    "industrial_transformation": "Industrial transformation",
    "rural_revitalisation": "Rural revitalisation",
    "urban": "Urban improvement",
    "ecology_energy": "Ecology & energy",
    "ecology_environment": "Ecology & environment",
    "social_livelihood": "Social livelihood",
}
SOURCE_NAMES = {
    "government": ("政府投资项目", "Government-financed"),
    "enterprise": ("企业投资项目", "Enterprise-financed"),
    "total": ("合计", "Total"),
}

_SECTOR_COLUMN = re.compile(r"sector_(\d{4})")
_CODE = re.compile(r"[a-z][a-z0-9_]*")


# --- The sector crosswalk ---------------------------------------------------------------------

@dataclass(frozen=True)
class SectorCrosswalk:
    """Which sector of the earlier year corresponds to which sector of the later year.

    `frame` has one row per crosswalk line: `line` (line of the CSV file), `sector_from`,
    `name_zh_from`, `sector_to`, `name_zh_to` (None where the sector has no counterpart) and `note`.
    """

    path: Path
    years: tuple[int, int]
    frame: pd.DataFrame

    def sectors(self, year: int) -> list[str]:
        """The sector codes of `year`, in crosswalk order."""
        column = self._side(year)
        return [s for s in self.frame[f"sector_{column}"] if s is not None]

    def names_zh(self) -> dict[str, str]:
        """Chinese name of every sector code of either year."""
        out = {}
        for side in ("from", "to"):
            for code, name in zip(self.frame[f"sector_{side}"], self.frame[f"name_zh_{side}"], strict=True):
                if code is not None:
                    out[code] = name
        return out

    def _side(self, year: int) -> str:
        if year not in self.years:
            raise HelpersError(f"{self.path}: the crosswalk covers {self.years[0]} and {self.years[1]}, not {year}")
        return "from" if year == self.years[0] else "to"


def crosswalk_path(ed=None) -> Path:
    """The edition's project-sector crosswalk (edition.yaml, files.project_sectors)."""
    return edition(ed).data_file("project_sectors")


def load_crosswalk(ed=None, projects: pd.DataFrame | None = None,
                   years: tuple[int, int] | None = None) -> SectorCrosswalk:
    """Read and validate the sector crosswalk of the data folder (see `read_crosswalk`).

    With `years`, the crosswalk must cover exactly those two years (earlier, later).
    """
    if projects is None:
        from ..data.load import load

        projects = load("major_projects", ed)
    crosswalk = read_crosswalk(crosswalk_path(ed), projects)
    if years is not None and crosswalk.years != tuple(years):
        raise DataError(crosswalk.path, f"the crosswalk covers {crosswalk.years[0]} and {crosswalk.years[1]}, "
                        f"but the data's years are {years[0]} and {years[1]}", line=1)
    return crosswalk


def read_crosswalk(path, projects: pd.DataFrame) -> SectorCrosswalk:
    """Read the crosswalk CSV and check it against the sectors of the curated table.

    Expected: UTF-8 without BOM; header `sector_<Y1>, name_zh_<Y1>, sector_<Y2>, name_zh_<Y2>, note`
    with Y1 < Y2; one row per sector of either year, each sector exactly once; a code that the
    curated table has for that year (breakdown `sector` of the annual portfolio) with a Chinese
    name that the curated row's own name contains; at least one side filled; a note on every row.
    Any departure raises `DataError` naming the file, the line and the column.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "crosswalk file not found") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise DataError(path, "starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM", line=1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not valid UTF-8 at byte {exc.start}", line=raw[: exc.start].count(b"\n") + 1) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise DataError(path, "empty file; expected a header row", line=1)
        years = sorted(int(m.group(1)) for h in header if (m := _SECTOR_COLUMN.fullmatch(h)))
        if len(years) != 2:
            raise DataError(path, f"expected two columns sector_<year>, found {len(years)} in header {header}", line=1)
        (y1, y2) = years
        expected = [f"sector_{y1}", f"name_zh_{y1}", f"sector_{y2}", f"name_zh_{y2}", "note"]
        for column in expected:
            if column not in header:
                raise DataError(path, f"missing column; expected the columns {expected}", line=1, column=column)
        extra = [h for h in header if h not in expected]
        if extra:
            raise DataError(path, f"unknown columns {extra}; expected {expected}", line=1)
        known = {y: _sector_names(projects, y) for y in years}
        for y in years:
            if not known[y]:
                raise DataError(path, f"the curated table has no sector breakdown for {y}", line=1, column=f"sector_{y}")
        rows, seen = [], {}
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise DataError(path, f"expected {len(header)} cells, got {len(cells)}", line=line)
            cell = dict(zip(header, (c.strip() for c in cells), strict=True))
            row = {"line": line}
            for y, side in ((y1, "from"), (y2, "to")):
                code, name = cell[f"sector_{y}"], cell[f"name_zh_{y}"]
                if not code:
                    if name:
                        raise DataError(path, f"name {name!r} given without a sector code", line=line, column=f"sector_{y}")
                    row[f"sector_{side}"] = row[f"name_zh_{side}"] = None
                    continue
                if code not in known[y]:
                    raise DataError(path, f"unknown sector code {code!r} for {y}; the curated table has: {', '.join(known[y])}",
                                    line=line, column=f"sector_{y}")
                if (y, code) in seen:
                    raise DataError(path, f"sector {code!r} of {y} listed twice, first on line {seen[(y, code)]}",
                                    line=line, column=f"sector_{y}")
                seen[(y, code)] = line
                if not name or name not in known[y][code]:
                    raise DataError(path, f"name {name!r} does not match sector {code!r} ({known[y][code]})",
                                    line=line, column=f"name_zh_{y}")
                row[f"sector_{side}"], row[f"name_zh_{side}"] = code, name
            if row["sector_from"] is None and row["sector_to"] is None:
                raise DataError(path, "row names no sector of either year", line=line)
            if not cell["note"]:
                raise DataError(path, "missing note; every row explains its correspondence", line=line, column="note")
            row["note"] = cell["note"]
            rows.append(row)
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV: {exc}", line=reader.line_num) from None
    for y in years:
        missing = [c for c in known[y] if (y, c) not in seen]
        if missing:
            raise DataError(path, f"sectors of {y} missing from the crosswalk: {', '.join(missing)}", column=f"sector_{y}")
    frame = pd.DataFrame(rows, columns=["line", "sector_from", "name_zh_from", "sector_to", "name_zh_to", "note"])
    frame = frame.astype(object).where(frame.notna(), None)
    return SectorCrosswalk(path, (y1, y2), frame)


def _sector_names(projects: pd.DataFrame, year: int) -> dict[str, str]:
    rows = projects[(projects["portfolio"] == "annual") & (projects["breakdown"] == "sector") & (projects["period"] == year)]
    out = {}
    for code, name in zip(rows["category"], rows["name_zh"], strict=True):
        out.setdefault(code, name)
    return out


def sector_labels(crosswalk: SectorCrosswalk, lang: str) -> dict[str, str]:
    """Display name of every sector code: Chinese from the crosswalk, English from SECTOR_NAMES_EN
    (the code itself, underscores as spaces, where no English name is known)."""
    nb.validate(lang=lang)
    names = crosswalk.names_zh()
    if lang == "zh":
        return names
    return {code: SECTOR_NAMES_EN.get(code, code.replace("_", " ")) for code in names}


def source_label(category: str, lang: str) -> str:
    zh, en = SOURCE_NAMES[category]
    return zh if lang == "zh" else en


# --- Provenance and checks ---------------------------------------------------------------------

def verified(projects: pd.DataFrame, facts) -> pd.DataFrame:
    """The table with each number's rounding half-unit (`half_unit`), from the verified facts.

    Every numeric row must have passed the provenance check (its quote is on its line of the
    gazette and its value is the number in the quote); otherwise HelpersError names the rows.
    """
    frame = facts.frame
    ours = frame[frame["table"] == "major_projects"].set_index("row_id")["half_unit"]
    numeric = projects["value"].notna()
    missing = sorted(set(projects.loc[numeric, "row_id"]) - set(ours.index))
    if missing:
        raise HelpersError(f"major_projects: rows not verified against the gazette: {', '.join(missing)}")
    return projects.assign(half_unit=projects["row_id"].map(ours).astype(float))


CHECK_PREFIXES = ("schema.major_projects", "provenance.major_projects.", "identity.projects_",
                  "cross_document.projects_", "known.project_")


def project_checks(checks) -> pd.DataFrame:
    """The checks that concern the major-project numbers, as a frame; HelpersError if any failed."""
    rows = [c.as_dict() for c in checks if c.id.startswith(CHECK_PREFIXES)]
    frame = pd.DataFrame(rows, columns=["id", "kind", "description", "expected", "actual", "tolerance", "status", "reason"])
    if frame.empty:
        raise HelpersError("no checks of the major-project numbers were run")
    failed = frame[frame["status"] == "fail"]
    if not failed.empty:
        raise HelpersError("major-project checks failed: " + "; ".join(f"{i}: {a}" for i, a in zip(failed["id"], failed["actual"], strict=True)))
    return frame


# --- Single numbers ---------------------------------------------------------------------------

def years(projects: pd.DataFrame) -> tuple[int, int]:
    """(latest year with completed investment, latest year with planned investment) of the annual portfolio."""
    annual = projects[(projects["portfolio"] == "annual") & (projects["measure"] == "investment")]
    done, plan = annual[annual["basis"] == "actual"], annual[annual["basis"] == "plan"]
    if done.empty or plan.empty:
        raise HelpersError("major_projects: need annual investment on both an actual and a plan basis")
    return int(done["period"].max()), int(plan["period"].max())


def row(projects: pd.DataFrame, period: int, category: str, measure: str, portfolio: str = "annual") -> dict:
    """The one curated row for (period, portfolio, category, measure), as a dict with its provenance."""
    hits = projects[(projects["period"] == period) & (projects["portfolio"] == portfolio)
                    & (projects["category"] == category) & (projects["measure"] == measure)]
    if len(hits) != 1:
        raise HelpersError(f"major_projects: expected one row for {portfolio} {category} {measure} {period}, found {len(hits)}")
    return hits.iloc[0].to_dict()


def to_yi(value: float, unit: str) -> float:
    """An amount in 亿元: value × UNIT_TO_YI[unit] (1 万亿元 = 10 000 亿元)."""
    if unit not in UNIT_TO_YI:
        raise HelpersError(f"cannot convert unit {unit!r} to 亿元; known units: {', '.join(UNIT_TO_YI)}")
    return value * UNIT_TO_YI[unit]


def amount(projects: pd.DataFrame, period: int, category: str, measure: str = "investment", portfolio: str = "annual") -> float:
    """The amount in 亿元 of one curated row."""
    r = row(projects, period, category, measure, portfolio)
    return to_yi(r["value"], r["unit"])


def implied_plan(completed: float, completion_rate_pct: float) -> float:
    """The plan a completion rate implies: plan = completed ÷ (rate / 100)."""
    if not completion_rate_pct > 0:
        raise HelpersError(f"a completion rate must be positive to imply a plan, got {completion_rate_pct!r}")
    return completed / (completion_rate_pct / 100)


# --- Tables -------------------------------------------------------------------------------------

def _annual(projects: pd.DataFrame, period: int, breakdown: str) -> pd.DataFrame:
    rows = projects[(projects["portfolio"] == "annual") & (projects["period"] == period) & (projects["breakdown"] == breakdown)]
    if rows.empty:
        raise HelpersError(f"major_projects: no {breakdown} breakdown of the annual portfolio for {period}")
    return rows


def sector_table(projects: pd.DataFrame, period: int) -> pd.DataFrame:
    """Investment by sector for one year, in the report's order.

    Columns: `category`; `count` (projects, NaN where not given); `investment` (亿元, completed for
    an actual year, planned for a plan year); `share` = investment ÷ the year's stated total
    investment; `avg_per_project` = investment ÷ count (亿元 per project).
    """
    rows = _annual(projects, period, "sector")
    total = amount(projects, period, "total")
    out = []
    for category in dict.fromkeys(rows["category"]):
        mine = rows[rows["category"] == category].set_index("measure")
        if "investment" not in mine.index:
            raise HelpersError(f"major_projects: sector {category!r} of {period} has no investment row")
        inv = to_yi(mine.at["investment", "value"], mine.at["investment", "unit"])
        count = float(mine.at["count", "value"]) if "count" in mine.index else math.nan
        out.append({"category": category, "count": count, "investment": inv, "share": inv / total,
                    "avg_per_project": inv / count if count else math.nan})
    return pd.DataFrame(out)


def compare_sectors(projects: pd.DataFrame, crosswalk: SectorCrosswalk) -> pd.DataFrame:
    """Both years' sectors side by side, matched through the crosswalk (never by position).

    One row per crosswalk row: `sector_from`, `sector_to` (None without counterpart), `completed`
    (亿元, earlier year), `planned` (亿元, later year), their shares of each year's total,
    `change` = planned − completed (亿元), `change_rate` = planned ÷ completed − 1 and
    `share_change` = share_planned − share_completed (both NaN where a side is missing), and the note.
    """
    y1, y2 = crosswalk.years
    first = sector_table(projects, y1).set_index("category")
    second = sector_table(projects, y2).set_index("category")
    out = []
    for r in crosswalk.frame.to_dict("records"):
        a, b = r["sector_from"], r["sector_to"]
        done = first.at[a, "investment"] if a is not None else math.nan
        plan = second.at[b, "investment"] if b is not None else math.nan
        s1 = first.at[a, "share"] if a is not None else math.nan
        s2 = second.at[b, "share"] if b is not None else math.nan
        out.append({"sector_from": a, "sector_to": b, "completed": done, "planned": plan,
                    "share_completed": s1, "share_planned": s2, "change": plan - done,
                    "change_rate": plan / done - 1 if a is not None and b is not None else math.nan,
                    "share_change": s2 - s1, "note": r["note"]})
    frame = pd.DataFrame(out)
    for column in ("sector_from", "sector_to"):
        frame[column] = pd.Series([v if isinstance(v, str) else None for v in frame[column]], dtype=object)
    return frame


def source_table(projects: pd.DataFrame, period: int) -> pd.DataFrame:
    """Government- against enterprise-financed projects for one year, plus the total.

    Columns: `category` (government, enterprise, total); `count`; `investment` (亿元);
    `share_count` and `share_investment` of the stated totals; `avg_per_project` = investment ÷
    count; `completion_rate` (% of the year's plan, where the report gives it); `implied_plan` =
    investment ÷ (completion_rate / 100); `implied_plan_share` = a source's implied plan ÷ the sum
    of the sources' implied plans (for the total row: the sum of the sources' implied plans ÷ the
    plan implied by the overall rate).
    """
    _annual(projects, period, "source")
    total_count = row(projects, period, "total", "count")["value"]
    total_inv = amount(projects, period, "total")
    out = []
    for category in (*SOURCES, "total"):
        count = row(projects, period, category, "count")["value"]
        inv = amount(projects, period, category)
        has_rate = not projects[(projects["portfolio"] == "annual") & (projects["period"] == period)
                                & (projects["category"] == category) & (projects["measure"] == "completion_rate")].empty
        rate = row(projects, period, category, "completion_rate")["value"] if has_rate else math.nan
        out.append({"category": category, "count": float(count), "investment": inv,
                    "share_count": count / total_count, "share_investment": inv / total_inv,
                    "avg_per_project": inv / count, "completion_rate": rate,
                    "implied_plan": implied_plan(inv, rate) if has_rate else math.nan})
    frame = pd.DataFrame(out)
    sources_plan = frame.loc[frame["category"].isin(SOURCES), "implied_plan"].sum(min_count=len(SOURCES))
    frame["implied_plan_share"] = frame["implied_plan"] / sources_plan
    frame.loc[frame["category"] == "total", "implied_plan_share"] = sources_plan / frame.loc[frame["category"] == "total", "implied_plan"]
    return frame


def completion_rate_gap(sources: pd.DataFrame) -> float:
    """Plan implied by the overall rate − Σ plans implied by the sources' rates (亿元).

    Zero if the three rates were consistent; the register lists the 2021 gap as a known discrepancy.
    """
    plans = sources.set_index("category")["implied_plan"]
    return float(plans["total"] - sum(plans[s] for s in SOURCES))


def portfolio_scale(projects: pd.DataFrame) -> pd.DataFrame:
    """How many years of work each portfolio holds at the year's pace.

    One row per (portfolio, period) with a total investment, annual portfolios first. Columns:
    `portfolio`, `period`, `basis`, `count`, `total_investment` (亿元, converted from 万亿元),
    `pace` = the annual portfolio's investment of that year (亿元), `years_of_work` =
    total_investment ÷ pace, and, when the table has `half_unit` (see `verified`), the bounds the
    printed rounding allows: `years_low` = (total − h_total) ÷ (pace + h_pace) and `years_high` =
    (total + h_total) ÷ (pace − h_pace), each h converted to 亿元 like its value.
    """
    totals = projects[projects["measure"] == "total_investment"]
    totals = totals[totals["portfolio"].isin(["annual", "preliminary"])]
    if totals.empty:
        raise HelpersError("major_projects: no total investment of any annual or preliminary portfolio")
    has_half = "half_unit" in projects.columns
    out = []
    for portfolio in ("annual", "preliminary"):
        for r in totals[totals["portfolio"] == portfolio].sort_values("period").to_dict("records"):
            period = int(r["period"])
            total = to_yi(r["value"], r["unit"])
            pace_row = row(projects, period, "total", "investment")
            pace = to_yi(pace_row["value"], pace_row["unit"])
            count = row(projects, period, "total", "count", portfolio)["value"]
            item = {"portfolio": portfolio, "period": period, "basis": r["basis"], "count": float(count),
                    "total_investment": total, "pace": pace, "years_of_work": total / pace,
                    "years_low": math.nan, "years_high": math.nan}
            if has_half:
                h_total, h_pace = to_yi(r["half_unit"], r["unit"]), to_yi(pace_row["half_unit"], pace_row["unit"])
                item["years_low"] = (total - h_total) / (pace + h_pace)
                item["years_high"] = (total + h_total) / (pace - h_pace)
            out.append(item)
    return pd.DataFrame(out)


QUALIFIER_WORDS = {"exact": ("", ""), "about": ("约", "about "), "at_least": ("超过", "over "), "at_most": ("不超过", "at most ")}


def qualified(r: dict, lang: str) -> str:
    """The word the report puts before a number (约, 超过 …), in `lang`; empty for an exact number."""
    zh, en = QUALIFIER_WORDS[r["qualifier"]]
    return zh if lang == "zh" else en


def sector_bars(labels, values, texts, *, title: str, xlabel: str, color: str | None = None):
    """A horizontal bar chart, bars top to bottom in the order given, each annotated with its text.

    Returns the figure; the caller saves it with `plot.savefig` and shows it.
    """
    import matplotlib.pyplot as plt

    labels, values, texts = list(labels), [float(v) for v in values], list(texts)
    if not (len(labels) == len(values) == len(texts)) or not labels:
        raise HelpersError(f"sector_bars needs as many labels, values and texts (got {len(labels)}, {len(values)}, {len(texts)})")
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(labels) + 1.5))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=color or plt.rcParams["axes.prop_cycle"].by_key()["color"][0])
    ax.set_yticks(positions, labels)
    for y, v, t in zip(positions, values, texts, strict=True):
        ax.text(v, y, f" {t}", va="center", fontsize=9)
    ax.set_xlim(0, max(values) * 1.3)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return fig


# --- The summary paragraph ----------------------------------------------------------------------

def summary_html(projects: pd.DataFrame, crosswalk: SectorCrosswalk, lang: str) -> str:
    """A paragraph in `lang` ("zh" or "en") stating the headline numbers; each curated number
    carries its source (report, line, quote) as a hover title."""
    nb.validate(lang=lang)
    y1, y2 = crosswalk.years
    names = sector_labels(crosswalk, lang)
    first, second = sector_table(projects, y1), sector_table(projects, y2)
    lead1 = first.sort_values("investment", ascending=False).iloc[0]
    lead2 = second.sort_values("investment", ascending=False).iloc[0]
    src1, src2 = source_table(projects, y1).set_index("category"), source_table(projects, y2).set_index("category")
    scale = portfolio_scale(projects)
    annual = scale[scale["portfolio"] == "annual"].set_index("period")

    def s(period, category, measure="investment", digits=None):
        r = row(projects, period, category, measure)
        return qualified(r, lang) + nb.sourced(r, f"{nb.fmt(r['value'], digits)}{'%' if r['unit'] == '%' else ''}", lang)

    done, plan = amount(projects, y1, "total"), amount(projects, y2, "total")
    plan_implied = src1.at["total", "implied_plan"]
    pct = lambda x: f"{x:.1%}"  # noqa: E731
    years1, years2 = annual.at[y1, "years_of_work"], annual.at[y2, "years_of_work"]
    if lang == "zh":
        return (
            f"{y1}年市级重大建设项目完成投资{s(y1, 'total')}亿元，占年度计划的{s(y1, 'total', 'completion_rate')}，"
            f"据此推算年度计划约为{nb.fmt(plan_implied, 1)}亿元。"
            f"最大的板块是{names[lead1['category']]}（{s(y1, lead1['category'])}亿元，占{pct(lead1['share'])}）。"
            f"企业投资项目完成{s(y1, 'enterprise')}亿元，占{pct(src1.at['enterprise', 'share_investment'])}。"
            f"{y2}年计划投资{s(y2, 'total')}亿元，比{y1}年完成额{'低' if plan < done else '高'}{pct(abs(plan / done - 1))}，"
            f"但比{y1}年推算的计划{'高' if plan > plan_implied else '低'}{pct(abs(plan / plan_implied - 1))}；"
            f"{names[lead2['category']]}占{pct(lead2['share'])}，政府投资项目占{pct(src2.at['government', 'share_investment'])}"
            f"（{y1}年完成额中为{pct(src1.at['government', 'share_investment'])}）。"
            f"按当年投资进度，{y1}年项目总投资可支撑约{nb.fmt(years1, 1)}年，{y2}年约{nb.fmt(years2, 1)}年。"
        )
    return (
        f"In {y1} the municipal major projects completed {s(y1, 'total')} 亿元 of investment, "
        f"{s(y1, 'total', 'completion_rate')} of the year's plan, which implies a plan of about {nb.fmt(plan_implied, 1)} 亿元. "
        f"The largest sector was {names[lead1['category']]} ({s(y1, lead1['category'])} 亿元, {pct(lead1['share'])}). "
        f"Enterprise-financed projects completed {s(y1, 'enterprise')} 亿元, {pct(src1.at['enterprise', 'share_investment'])} of the total. "
        f"The {y2} plan of {s(y2, 'total')} 亿元 is {pct(abs(plan / done - 1))} {'below' if plan < done else 'above'} what was completed in {y1} "
        f"but {pct(abs(plan / plan_implied - 1))} {'above' if plan > plan_implied else 'below'} the {y1} plan implied by the completion rate; "
        f"{names[lead2['category']]} takes {pct(lead2['share'])} of it, and government-financed projects "
        f"{pct(src2.at['government', 'share_investment'])} (against {pct(src1.at['government', 'share_investment'])} of the {y1} completed amount). "
        f"At the year's pace, the portfolio's total investment holds about {nb.fmt(years1, 1)} years of work in {y1} "
        f"and {nb.fmt(years2, 1)} in {y2}."
    )
