"""Municipal major-project investment: by sector, by source of finance, and the portfolio's scale.

Every function takes the curated `major_projects` table as `prepare` returns it (with the
`half_unit` column `verified` adds and the `amount` columns `with_amounts` adds) and returns a
DataFrame or a number. The edition's knowledge
is data: the sector crosswalk (`crosswalks/project_sectors.csv`, with both years' sector names in
both languages and a note on every correspondence) and `analysis/investment.yaml` (the sources of
finance and portfolios with their names, the headline sector and source, and the unit amounts are
stated in). `prepare(ed)` reads them once into an `Investment`.

Amounts are returned in the edition's amount unit (`amounts.unit` of analysis/investment.yaml: 亿元,
10^8 yuan). The curated table keeps each number in the unit the report prints it in (亿元 for a
year's investment, 万亿元 for a portfolio's total investment); the conversion happens here, in
`with_amounts` (by the factors of `amounts.factors`), never in the CSV.

The two years' sector lists differ (sectors renamed, added or dropped). They are compared only
through the crosswalk, row by row, never by their position in the report's lists.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.edition import Edition
from ..data.vocab import LANGS as _LANGS
from ..data.vocab import data_lang, data_langs
from ..errors import DataError, EditionError, HelpersError

_SECTOR_COLUMN = re.compile(r"sector_(\d{4})")


# --- The sector crosswalk ---------------------------------------------------------------------

@dataclass(frozen=True)
class SectorCrosswalk:
    """Which sector of the earlier year corresponds to which sector of the later year.

    `frame` has one row per crosswalk line: `line` (line of the CSV file), `sector_from`,
    `name_zh_from`, `name_en_from`, `sector_to`, `name_zh_to`, `name_en_to` (None where the sector
    has no counterpart), `note_zh` and `note_en`.
    """

    path: Path
    years: tuple[int, int]
    frame: pd.DataFrame

    def sectors(self, year: int) -> list[str]:
        """The sector codes of `year`, in crosswalk order."""
        column = self._side(year)
        return [s for s in self.frame[f"sector_{column}"] if s is not None]

    def names(self, lang: str) -> dict[str, str]:
        """The name in `lang` ("zh" or "en") of every sector code of either year."""
        if lang not in _LANGS:
            raise HelpersError(f"lang={lang!r} is not allowed; allowed values: {', '.join(map(repr, _LANGS))}")
        out = {}
        for side in ("from", "to"):
            for code, name in zip(self.frame[f"sector_{side}"], self.frame[f"name_{data_lang(lang)}_{side}"], strict=True):
                if code is not None:
                    out[code] = name
        return out

    def names_zh(self) -> dict[str, str]:
        return self.names("zh")

    def _side(self, year: int) -> str:
        if year not in self.years:
            raise HelpersError(f"{self.path}: the crosswalk covers {self.years[0]} and {self.years[1]}, not {year}")
        return "from" if year == self.years[0] else "to"


CROSSWALK = "project_sectors"   # the crosswalk's resource in the edition's datapackage.json


def crosswalk_path(ed: Edition) -> Path:
    """The edition's project-sector crosswalk (the `project_sectors` resource of its datapackage.json)."""
    return ed.table_path(CROSSWALK)


def load_crosswalk(ed: Edition, projects: pd.DataFrame | None = None,
                   years: tuple[int, int] | None = None) -> SectorCrosswalk:
    """Load and check the edition's sector crosswalk (see `read_crosswalk`).

    With `years`, the crosswalk must cover exactly those two years (earlier, later).
    """
    from ..data.load import load

    if projects is None:
        projects = load("major_projects", ed)
    table, lines = load(CROSSWALK, ed, with_lines=True)
    crosswalk = read_crosswalk(table, lines, projects, crosswalk_path(ed))
    if years is not None and crosswalk.years != tuple(years):
        raise DataError(crosswalk.path, f"the crosswalk covers {crosswalk.years[0]} and {crosswalk.years[1]}, "
                        f"but the edition's years are {years[0]} and {years[1]}", line=1)
    return crosswalk


def crosswalk_columns(y1: int, y2: int) -> list[str]:
    """The crosswalk's header for the years y1 < y2."""
    return [f"sector_{y1}", f"name_zh_{y1}", f"name_en_{y1}", f"sector_{y2}", f"name_zh_{y2}", f"name_en_{y2}",
            "note_zh", "note_en"]


def read_crosswalk(table: pd.DataFrame, lines: list[int], projects: pd.DataFrame, path: Path) -> SectorCrosswalk:
    """Check the crosswalk table (loaded and validated against its descriptor: structure, required
    notes, code patterns) against the sectors of the curated table.

    Expected: columns `sector_<Y1>, name_zh_<Y1>, name_en_<Y1>, sector_<Y2>, name_zh_<Y2>,
    name_en_<Y2>, note_zh, note_en` with Y1 < Y2 (the years are read from the columns, never
    assumed); one row per sector of either year, each sector exactly once; a code that the curated
    table has for that year (breakdown `sector` of the annual portfolio) with a Chinese name that the
    curated row's own name contains and an English name; at least one side filled. Any departure
    raises `DataError` naming the file, the line (`lines[i]` is row i's) and the column.
    """
    path = Path(path)
    header = list(table.columns)
    years = sorted(int(m.group(1)) for h in header if (m := _SECTOR_COLUMN.fullmatch(h)))
    if len(years) != 2 or header != crosswalk_columns(*years):
        raise DataError(path, f"columns {header} are not a two-year crosswalk; expected "
                              f"{crosswalk_columns(*years) if len(years) == 2 else 'sector_<year> columns for two years'}", line=1)
    (y1, y2) = years
    known = {y: _sector_names(projects, y) for y in years}
    for y in years:
        if not known[y]:
            raise DataError(path, f"the curated table has no sector breakdown for {y}", line=1, column=f"sector_{y}")
    rows, seen = [], {}
    for line, cell in zip(lines, table.to_dict("records"), strict=True):
        row = {"line": line}
        for y, side in ((y1, "from"), (y2, "to")):
            code, name, name_en = cell[f"sector_{y}"], cell[f"name_zh_{y}"], cell[f"name_en_{y}"]
            if code is None:
                for column, value in ((f"name_zh_{y}", name), (f"name_en_{y}", name_en)):
                    if value is not None:
                        raise DataError(path, f"name {value!r} given without a sector code", line=line, column=column)
                row[f"sector_{side}"] = row[f"name_zh_{side}"] = row[f"name_en_{side}"] = None
                continue
            if code not in known[y]:
                raise DataError(path, f"unknown sector code {code!r} for {y}; the curated table has: {', '.join(known[y])}",
                                line=line, column=f"sector_{y}")
            # Not a descriptor `unique` constraint: pandera counts two empty cells as duplicates.
            if (y, code) in seen:
                raise DataError(path, f"sector {code!r} of {y} listed twice, first on line {seen[(y, code)]}",
                                line=line, column=f"sector_{y}")
            seen[(y, code)] = line
            if not name or name not in known[y][code]:
                raise DataError(path, f"name {name!r} does not match sector {code!r} ({known[y][code]})",
                                line=line, column=f"name_zh_{y}")
            if not name_en:
                raise DataError(path, f"missing English name of sector {code!r}", line=line, column=f"name_en_{y}")
            row[f"sector_{side}"], row[f"name_zh_{side}"], row[f"name_en_{side}"] = code, name, name_en
        if row["sector_from"] is None and row["sector_to"] is None:
            raise DataError(path, "row names no sector of either year", line=line)
        row["note_zh"], row["note_en"] = cell["note_zh"], cell["note_en"]
        rows.append(row)
    for y in years:
        missing = [c for c in known[y] if (y, c) not in seen]
        if missing:
            raise DataError(path, f"sectors of {y} missing from the crosswalk: {', '.join(missing)}", column=f"sector_{y}")
    columns = ["line", "sector_from", "name_zh_from", "name_en_from", "sector_to", "name_zh_to", "name_en_to",
               "note_zh", "note_en"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype(object).where(frame.notna(), None)
    return SectorCrosswalk(path, (y1, y2), frame)


def _sector_names(projects: pd.DataFrame, year: int) -> dict[str, str]:
    rows = projects[(projects["portfolio"] == "annual") & (projects["breakdown"] == "sector") & (projects["period"] == year)]
    out = {}
    for code, name in zip(rows["category"], rows["name_zh"], strict=True):
        out.setdefault(code, name)
    return out


# --- The edition's investment knowledge ---------------------------------------------------------

@dataclass(frozen=True)
class Config:
    """analysis/investment.yaml: `sources` and `portfolios` (code -> {zh, en}, in order), the
    `headline` sector and source of the results, and `amounts`: the `unit` amounts are stated in and
    the `factors` that turn an amount in each unit the report prints into it."""

    sources: dict
    portfolios: dict
    headline: dict
    amounts: dict

    def source_codes(self) -> tuple[str, ...]:
        return tuple(self.sources)


def read_config(ed: Edition) -> Config:
    """The edition's analysis/investment.yaml, checked for its keys."""
    spec = ed.load_yaml("investment") or {}
    where = ed.data_file("investment")
    for key in ("sources", "portfolios", "headline", "amounts"):
        if not isinstance(spec.get(key), dict) or not spec[key]:
            raise EditionError(f"{where}: expected a non-empty mapping {key!r}")
    for key in ("sources", "portfolios"):
        for code, names in spec[key].items():
            if not isinstance(names, dict) or set(names) != set(data_langs()):
                raise EditionError(f"{where}: {key}.{code} needs exactly the names {' and '.join(data_langs())}")
    for key in ("sector", "source"):
        if key not in spec["headline"]:
            raise EditionError(f"{where}: headline.{key} missing")
    amounts = spec["amounts"]
    factors = amounts.get("factors")
    if not isinstance(factors, dict) or factors.get(amounts.get("unit")) != 1 or not all(
            isinstance(f, (int, float)) and f > 0 for f in factors.values()):
        raise EditionError(f"{where}: amounts needs a unit and factors (unit -> a positive number), the unit's own factor 1")
    return Config(spec["sources"], spec["portfolios"], spec["headline"], amounts)


@dataclass
class Investment:
    """Everything notebook 03 analyses, read once: the verified `projects` table, the `crosswalk`,
    the `config`, the `checks` that concern the major-project numbers, and the edition's years
    (`review`: completed investment; `plan`: planned investment)."""

    edition: Edition
    projects: pd.DataFrame
    crosswalk: SectorCrosswalk
    config: Config
    checks: list = field(repr=False)

    @property
    def review(self) -> int:
        return self.edition.year("review")

    @property
    def plan(self) -> int:
        return self.edition.year("plan")


def prepare(ed: Edition) -> Investment:
    """Load, verify and check the major-project numbers of an edition, with its crosswalk and config.

    The years come from the edition; the data must have completed investment for the review year
    and planned investment for the plan year, and the crosswalk must cover exactly those two years.
    """
    from ..checks.engine import checked
    from ..data.load import load

    checks, facts = checked(ed)           # one reading of the edition's state for both
    config = read_config(ed)
    projects = with_amounts(verified(load("major_projects", ed), facts), config.amounts["factors"])
    years_of_data = years(projects)
    if years_of_data != (ed.year("review"), ed.year("plan")):
        raise HelpersError(f"major_projects: completed and planned investment are for {years_of_data[0]} and "
                           f"{years_of_data[1]}, but the edition's review and plan years are {ed.year('review')} "
                           f"and {ed.year('plan')}")
    crosswalk = load_crosswalk(ed, projects, years=years_of_data)
    return Investment(ed, projects, crosswalk, config, project_checks(checks, projects))


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


def with_amounts(projects: pd.DataFrame, factors: dict) -> pd.DataFrame:
    """The table with `amount` (the value in the amount unit: value × the factor of its unit) and,
    given `half_unit`, `half_amount` likewise; NaN for a row whose unit is no amount (a count, a %)."""
    factor = projects["unit"].map(factors).astype(float)
    out = projects.assign(amount=projects["value"] * factor)
    return out.assign(half_amount=out["half_unit"] * factor) if "half_unit" in out.columns else out


def convert(value: float, unit: str, factors: dict) -> float:
    """An amount in the amount unit: value × factors[unit]; a unit without a factor is a HelpersError."""
    if unit not in factors:
        raise HelpersError(f"cannot convert unit {unit!r} to the amount unit; known units: {', '.join(factors)}")
    return value * factors[unit]


TABLE = "major_projects"


def project_checks(checks, projects: pd.DataFrame) -> list:
    """The checks that concern the major-project numbers, through the shared gate
    (`checks.engine.require`: DataError if none ran or any failed)."""
    from ..checks.engine import require

    return require(checks, "the major-project numbers", tables={TABLE}, metrics=set(projects["metric"]))


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


def _amount(r: dict) -> float:
    if "amount" not in r or r["amount"] != r["amount"]:
        raise HelpersError(f"major_projects: row {r.get('row_id')} ({r.get('unit')}) has no amount; "
                           f"the table needs the amount columns of `with_amounts`")
    return r["amount"]


def amount(projects: pd.DataFrame, period: int, category: str, measure: str = "investment", portfolio: str = "annual") -> float:
    """The amount (in the amount unit) of one curated row."""
    return _amount(row(projects, period, category, measure, portfolio))


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
        inv = _amount(mine.loc["investment"].to_dict())
        count = float(mine.at["count", "value"]) if "count" in mine.index else math.nan
        out.append({"category": category, "count": count, "investment": inv, "share": inv / total,
                    "avg_per_project": inv / count if count else math.nan})
    return pd.DataFrame(out)


def compare_sectors(projects: pd.DataFrame, crosswalk: SectorCrosswalk) -> pd.DataFrame:
    """Both years' sectors side by side, matched through the crosswalk (never by position).

    One row per crosswalk row: `sector_from`, `sector_to` (None without counterpart), `completed`
    (亿元, earlier year), `planned` (亿元, later year), their shares of each year's total,
    `change` = planned − completed (亿元), `change_rate` = planned ÷ completed − 1 and
    `share_change` = share_planned − share_completed (both NaN where a side is missing), and the
    notes (`note_zh`, `note_en`).
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
                    "share_change": s2 - s1, "note_zh": r["note_zh"], "note_en": r["note_en"]})
    frame = pd.DataFrame(out)
    for column in ("sector_from", "sector_to"):
        frame[column] = pd.Series([v if isinstance(v, str) else None for v in frame[column]], dtype=object)
    return frame


def source_table(projects: pd.DataFrame, period: int, sources: tuple[str, ...]) -> pd.DataFrame:
    """Government- against enterprise-financed projects for one year, plus the total.

    Columns: `category` (each of `sources`, in order, then `total`); `count`; `investment` (亿元);
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
    for category in (*sources, "total"):
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
    sources_plan = frame.loc[frame["category"].isin(sources), "implied_plan"].sum(min_count=len(sources))
    frame["implied_plan_share"] = frame["implied_plan"] / sources_plan
    frame.loc[frame["category"] == "total", "implied_plan_share"] = sources_plan / frame.loc[frame["category"] == "total", "implied_plan"]
    return frame


def completion_rate_gap(table: pd.DataFrame, sources: tuple[str, ...]) -> float:
    """Plan implied by the overall rate − Σ plans implied by the sources' rates (亿元), from a
    `source_table`.

    Zero if the rates were consistent; the edition's checks register a non-zero gap as a known
    discrepancy.
    """
    plans = table.set_index("category")["implied_plan"]
    return float(plans["total"] - sum(plans[s] for s in sources))


def portfolio_scale(projects: pd.DataFrame, portfolios: tuple[str, ...] = ("annual", "preliminary")) -> pd.DataFrame:
    """How many years of work each portfolio holds at the year's pace.

    One row per (portfolio, period) with a total investment, in the order of `portfolios` (the
    first is the annual portfolio whose year's investment sets the pace). Columns:
    `portfolio`, `period`, `basis`, `count`, `total_investment` (亿元, converted from 万亿元),
    `pace` = the annual portfolio's investment of that year (亿元), `years_of_work` =
    total_investment ÷ pace, and, when the table has `half_unit` (see `verified`), the bounds the
    printed rounding allows: `years_low` = (total − h_total) ÷ (pace + h_pace) and `years_high` =
    (total + h_total) ÷ (pace − h_pace), each h converted to 亿元 like its value.
    """
    totals = projects[projects["measure"] == "total_investment"]
    totals = totals[totals["portfolio"].isin(portfolios)]
    if totals.empty:
        raise HelpersError(f"major_projects: no total investment of any portfolio of {', '.join(portfolios)}")
    has_half = "half_amount" in projects.columns
    out = []
    for portfolio in portfolios:
        for r in totals[totals["portfolio"] == portfolio].sort_values("period").to_dict("records"):
            period = int(r["period"])
            total = _amount(r)
            pace_row = row(projects, period, "total", "investment", portfolios[0])
            pace = _amount(pace_row)
            count = row(projects, period, "total", "count", portfolio)["value"]
            item = {"portfolio": portfolio, "period": period, "basis": r["basis"], "count": float(count),
                    "total_investment": total, "pace": pace, "pace_row_id": pace_row["row_id"], "years_of_work": total / pace,
                    "years_low": math.nan, "years_high": math.nan}
            if has_half:
                h_total, h_pace = r["half_amount"], pace_row["half_amount"]
                item["years_low"] = (total - h_total) / (pace + h_pace)
                item["years_high"] = (total + h_total) / (pace - h_pace)
            out.append(item)
    return pd.DataFrame(out)


# --- Results ------------------------------------------------------------------------------------

def results(d: Investment) -> dict:
    """The notebook's headline results; keys take their years from the edition and the headline
    sector and source from the config (`urban_share_completed_<review>` …)."""
    r, p = d.review, d.plan
    sources = d.config.source_codes()
    sector, source = d.config.headline["sector"], d.config.headline["source"]
    done_sec = sector_table(d.projects, r).set_index("category")
    plan_sec = sector_table(d.projects, p).set_index("category")
    done_src = source_table(d.projects, r, sources).set_index("category")
    plan_src = source_table(d.projects, p, sources).set_index("category")
    done_total, plan_total = amount(d.projects, r, "total"), amount(d.projects, p, "total")
    implied_total = done_src.at["total", "implied_plan"]
    annual, *others = d.config.portfolios
    scale = portfolio_scale(d.projects, tuple(d.config.portfolios)).set_index(["portfolio", "period"])
    compared = compare_sectors(d.projects, d.crosswalk)
    return {
        f"completed_{r}_total": round(done_total, 2),
        f"planned_{p}_total": round(plan_total, 2),
        f"planned_{p}_vs_completed_{r}": round(plan_total / done_total - 1, 4),
        f"{sector}_share_completed_{r}": round(done_sec.at[sector, "share"], 4) if sector in done_sec.index else None,
        f"{sector}_share_planned_{p}": round(plan_sec.at[sector, "share"], 4) if sector in plan_sec.index else None,
        f"{source}_share_completed_{r}": round(done_src.at[source, "share_investment"], 4),
        f"{source}_share_planned_{p}": round(plan_src.at[source, "share_investment"], 4),
        f"implied_plan_{r}_total": round(implied_total, 2),
        f"implied_plan_{r}_by_source": round(sum(done_src.at[s, "implied_plan"] for s in sources), 2),
        f"completion_rate_gap_{r}": round(completion_rate_gap(done_src.reset_index(), sources), 2),
        f"planned_{p}_vs_implied_plan_{r}": round(plan_total / implied_total - 1, 4),
        f"avg_completed_investment_per_project_{r}": round(done_src.at["total", "avg_per_project"], 2),
        f"avg_planned_investment_per_project_{p}": round(plan_src.at["total", "avg_per_project"], 2),
        f"portfolio_years_of_work_{r}": round(scale.at[(annual, r), "years_of_work"], 2),
        f"portfolio_years_of_work_{p}": round(scale.at[(annual, p), "years_of_work"], 2),
        **{f"{o}_total_investment_{y}": round(v, 2) for o in others if o in scale.index.get_level_values(0)
           for y, v in scale.loc[o, "total_investment"].items()},
        "sectors_without_counterpart": [c for c in compared.loc[compared["sector_to"].isna(), "sector_from"]],
    }
