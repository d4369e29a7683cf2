"""Meaning: the year and basis (and, where the section says, level and budget) a row claims agree
with what the text says about it — the quote itself (a year it names, a plan word) or the heading of
the section it stands in (the edition's `checks/sections.yaml`). Digits, unit and qualifier are
checked by provenance; this checks what the number is *of*.

Rules, in order:
- the year: the last year the quote names (…2021年…), else the section's role year (review sections
  report the review year; plan sections the plan year). A stock or multi-year total without a year
  in its quote is dated by the first year it names; a stock of a five-year plan by a year after the
  plan year; any other by the review year (a plan section cites today's stock);
  a target beyond the plan year (a five-year-plan target) is not dated by the section.
- the basis: `plan` when the quote speaks of a budget, plan or target (预算安排, 计划, 目标, 年初预算,
  批准) and not of its completion (完成预算的…); otherwise that of the year's role (review → actual, plan → plan).
- the statements table's role: a result is the review year's actual; a target, and a threshold, range end
  or scope that describes one, a plan; a figure about the reports themselves (`reporting`) is dated
  by the first year its quote names, else by its section.
- flag: a number followed by （暂列） is provisional; a number whose sentence (a 其中 sentence
  continues the one before) says 提前下达 rests on an advance quota; no other number has a flag.
- level: the one level a quote names (市级, 区县级, 全市 …), else the innermost section's; budget:
  the innermost section's.
"""

from __future__ import annotations

import re

from ..errors import EditionError

# A year the quote names (not a base year: 较2017年, 比2020年 name what a change is measured against).
_YEAR_IN_QUOTE = re.compile(r"(?<![0-9较比])((?:19|20)[0-9]{2})\s*年(?![0-9])")
BASIS_OF_ROLE = {"review": "actual", "plan": "plan"}
# The statements table's role column: the year role a row states. A threshold (settlements of 200
# households or more), the upper end of a range (4–6 centres) and the scope of work under way (4
# hospitals whose building is sped up) describe a commitment of the plan: the plan year's, as planned.
ROLE_OF_STATEMENT = {"result": "review", "target": "plan", "threshold": "plan", "range_end": "plan", "scope": "plan"}
# Roles dated by their sentence: stocks and multi-year totals. A figure about the reports themselves
# (`reporting`: the indicators a year's plan sets and how they fared, bulletin issues sent to deputies)
# has no role year of its own: the first year its quote names dates it, else its section, as rows
# of the other tables are dated.
DATED_BY_SENTENCE = ("stock", "cumulative")
PLAN_WORDS = ("预算安排", "计划", "目标", "年初预算", "批准", "规划指标")
HORIZON_WORDS = ("十四五", "规划期")
_COMPLETION = re.compile(r"(?:完成|占)(?:年度|全年)?(?:调整)?(?:计划|预算|目标)")   # 完成预算的103.9%: a result against a plan
# A quote naming exactly one level states it (over the section's).
LEVEL_WORDS = (("市级", "municipal"), ("区县级", "district"), ("区县政府", "district"), ("全市", "city"), ("我市", "city"))




def flag_mismatch(row: dict, line_text: str) -> tuple | None:
    """(column, row's flag, what the text says) when the row's flag disagrees with its text: a
    number whose sentence (a 其中 sentence continues the one before) says 提前下达 or 暂列 carries
    that flag, and no other number does."""
    if "flag" not in row:
        return None
    flag = row["flag"] if isinstance(row["flag"], str) and row["flag"] else None
    quote = row["quote"]
    after = line_text[line_text.find(quote) + len(quote):]
    if "暂列" in quote or re.match(r"\s*[（(]暂列[）)]", after):
        said = "provisional"          # (暂列) qualifies the number it follows
    elif "提前下达" in _sentence(line_text, quote):
        said = "advance_quota"        # a figure resting on a quota the centre released in advance
    else:
        said = None
    return ("flag", flag, said) if flag != said else None


def _sentence(text: str, quote: str) -> str:
    """The sentence of `text` that holds `quote`; a sentence opening with 其中 ("of which") continues
    the one before it."""
    at = text.find(quote)
    start = text.rfind("。", 0, at) + 1
    while start > 0 and text[start:].lstrip().startswith("其中"):
        start = text.rfind("。", 0, start - 1) + 1
    end = text.find("。", at + len(quote))
    return text[start:end if end >= 0 else len(text)]


def section_map(ed) -> list[dict]:
    spec = ed.load_yaml("sections") or {}
    out = []
    for k, s in enumerate(spec.get("sections", [])):
        try:
            first, last = (int(v) for v in s["lines"])
        except (KeyError, TypeError, ValueError):
            raise EditionError(f"{ed.data_file('sections')}: section {k + 1} needs lines: [first, last]") from None
        out.append({**s, "first": first, "last": last})
    return out


def expected(sections: list[dict], line: int) -> dict:
    """The properties the sections around `line` declare (innermost wins)."""
    found = {}
    for s in sorted((s for s in sections if s["first"] <= line <= s["last"]), key=lambda s: s["first"] - s["last"], reverse=True):
        for key in ("role", "level", "budget"):
            if key in s:
                found[key] = s[key]
    return found


def _role_of_year(ed, year: int | None) -> str | None:
    return next((r for r, y in ed.years.items() if y == year), None)


def mismatches(row: dict, sections: list[dict], ed, lines: tuple[str, ...] | None = None) -> list[tuple[str, object, object]]:
    """[(column, row's value, what the text says)] for one curated row. lines: the gazette's lines,
    when the caller checks many rows (read here otherwise)."""
    if lines is None:
        from ..data.provenance import raw_lines

        lines = raw_lines(ed)
    out = []
    want = expected(sections, int(row["line"]))
    quote = row["quote"]
    role = row.get("role")
    named = [int(y) for y in _YEAR_IN_QUOTE.findall(quote)]
    # A target beyond the plan year is a five-year-plan target: its quote names that year or the plan.
    later_target = (role == "target" and int(row["period"]) > ed.year("plan")
                    and (int(row["period"]) in named or any(w in quote for w in HORIZON_WORDS)))
    if named:
        # a figure about a report names its subject first (2022年…计划指标…沿用2021年指标体系)
        year = named[0] if role == "reporting" else named[-1]
    elif role in DATED_BY_SENTENCE:
        year = ed.year("review")
    elif role in ROLE_OF_STATEMENT:
        year = ed.year(ROLE_OF_STATEMENT[role])
    else:
        year = ed.year(want["role"]) if "role" in want else None
    context = quote
    if role in DATED_BY_SENTENCE:
        # A stock's sentence dates it, and says whether it counts plans, where its quote does not
        # (其余34项指标中，…国家尚未下达2022年目标值).
        context = _sentence(lines[int(row["line"]) - 1], quote)
        named = named or [int(y) for y in _YEAR_IN_QUOTE.findall(context)]
    horizon = role in DATED_BY_SENTENCE and not named and any(w in quote for w in HORIZON_WORDS)
    if role in DATED_BY_SENTENCE:
        # A stock is dated by its sentence: the first year the quote names (its subject); a stock of a
        # five-year plan (十四五规划的102项重大工程) by the plan's horizon, after the plan year; any other
        # stock is today's, the review year's, even where a plan section cites it.
        if named and int(row["period"]) != named[0]:
            out.append(("period", row["period"], named[0]))
        elif horizon and int(row["period"]) <= ed.year("plan"):
            out.append(("period", row["period"], f"after {ed.year('plan')}"))
        elif not named and not horizon and int(row["period"]) != ed.year("review"):
            out.append(("period", row["period"], ed.year("review")))
    elif role == "target" and not named and any(w in quote for w in HORIZON_WORDS):
        if int(row["period"]) <= ed.year("plan"):       # 十四五期间…目标: the plan's horizon, not the plan year
            out.append(("period", row["period"], f"after {ed.year('plan')}"))
    elif year is not None and not later_target and int(row["period"]) != year:
        out.append(("period", row["period"], year))
    year_role = _role_of_year(ed, year) or want.get("role")
    if role in ROLE_OF_STATEMENT:
        basis = BASIS_OF_ROLE[ROLE_OF_STATEMENT[role]]
    elif any(w in quote for w in PLAN_WORDS) and not _COMPLETION.search(quote):
        basis = "plan"
    elif role in DATED_BY_SENTENCE:
        # a plan's stock (of indicators, of targets), else a stock of results
        planned = horizon or (want.get("role") == "plan" and any(w in context for w in PLAN_WORDS)
                              and not _COMPLETION.search(context))
        basis = "plan" if planned else "actual"
    else:
        basis = BASIS_OF_ROLE.get(year_role) if year_role else None
    if basis is not None and row.get("basis") is not None and row["basis"] != basis:
        out.append(("basis", row["basis"], basis))
    if row.get("level") is not None:
        stated = {level for word, level in LEVEL_WORDS if word in quote}
        if len(stated) == 1:
            want = {**want, "level": stated.pop()}
    for key in ("level", "budget"):
        if key in want and row.get(key) is not None and row[key] != want[key]:
            out.append((key, row[key], want[key]))
    flag = flag_mismatch(row, lines[int(row["line"]) - 1])
    return out + [flag] if flag else out
