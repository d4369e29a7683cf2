"""Page 02's risk summary: strengths, weaknesses and what to watch, from the data and the thresholds
of the edition's fiscal.yaml (`risk_summary`)."""

from __future__ import annotations

from ...analysis import fiscal as af
from ...errors import HelpersError
from .. import words as W
from .base import Context, _p, measure_name, mval, num, pct, results, text


def _risk_value(ctx: Context, r: dict) -> str:
    """The figure of a risk-summary entry, sourced (a curated figure) or derived (a measure, with its formula)."""
    if r["kind"] == "metric":
        return num(ctx, f"{ctx.level}_{r['key']}", r["period"])
    if any(m.key == r["key"] for m in af.MEASURES):
        return mval(ctx, r["key"], r["period"])
    raise HelpersError(f"fiscal.yaml risk_summary: no way to show {r['key']!r}; use a measure of analysis.fiscal.MEASURES "
                       "or a curated metric")


def _risk_threshold(ctx: Context, r: dict) -> str:
    unit, t = r["entry"].get("unit"), r["threshold"]
    shown = f"{t:g}%" if unit == "%" else (f"{t:g}" + ctx.t("个月", " months") if unit == "months" else pct(t, 0))
    return ctx.t(("高于" if r["when"] == "above" else "低于") + shown, ("above " if r["when"] == "above" else "below ") + shown)


def _risk_name(ctx: Context, r: dict) -> str:
    entry = r["entry"]
    name = entry["name"][ctx.lang] if "name" in entry else measure_name(ctx.lang, r["key"])
    if entry.get("scope") == "city" and ctx.level != "city":
        name += ctx.t("（全市）", " (city-wide)")
    return text(ctx, name)


def risk_items(ctx: Context) -> dict[str, list[str]]:
    """side → the sentences of the risk summary, each with its figure, its threshold and why it matters."""
    out = {side: [] for side in af.RISK_SIDES}
    for r in af.risk_summary(ctx.facts, ctx.level, ctx.spec, results(ctx)):
        why = text(ctx, r["entry"]["why"][ctx.lang])
        out[r["side"]].append(ctx.t(f"<b>{_risk_name(ctx, r)}</b> {_risk_value(ctx, r)}（{_risk_threshold(ctx, r)}）：{why}。",
                                    f"<b>{_risk_name(ctx, r)}</b> {_risk_value(ctx, r)} ({_risk_threshold(ctx, r)}): {why}."))
    return out


def risk_section(ctx: Context) -> str:
    """Strengths, weaknesses and things to watch, generated from the data and the thresholds of the
    edition's fiscal.yaml (`risk_summary`), each figure sourced or derived."""
    parts = [_p(ctx.t(
        "以下各条由数据生成：某项数字越过版本分析文件（fiscal.yaml）中设定的阈值时列出。阈值是本项目为这份摘要设定的阅读标尺，不是官方限额；"
        + (f"数字为{ctx.lv}口径，标“全市”者除外。" if ctx.level != "city" else "数字为全市口径。"),
        "Generated from the data: an entry is listed when its figure passes the threshold set in the edition's analysis file "
        "(fiscal.yaml). The thresholds are this project's reading aids for the summary, not official limits; figures are "
        + (f"{ctx.lv} unless marked city-wide." if ctx.level != "city" else "city-wide.")))]
    for side, items in risk_items(ctx).items():
        if items:
            parts.append(f"<h3>{W.text(f'page02.risk_heading.{side}', ctx.lang)}</h3><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    return "".join(parts)


def _risk_finding(ctx: Context) -> str:
    """The risk summary in one sentence for the findings (and so the front page): names and figures."""
    items = af.risk_summary(ctx.facts, ctx.level, ctx.spec, results(ctx))
    parts = []
    for side in af.RISK_SIDES:
        named = [f"{_risk_name(ctx, r)} {_risk_value(ctx, r)}" for r in items if r["side"] == side]
        if named:
            parts.append(ctx.t(f"{W.text(f'page02.risk_heading.{side}', 'zh')}：", f"{W.text(f'page02.risk_heading.{side}', 'en').lower()}: ") + ctx.t("、", ", ").join(named))
    if not parts:
        return ""
    return ctx.t("风险摘要（阈值为本项目设定，见下文）——" + "；".join(parts) + "。",
                 "Risk summary (thresholds set by this project, see below) — " + "; ".join(parts) + ".")
