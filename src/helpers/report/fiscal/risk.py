"""Page 02's risk summary: strengths, weaknesses and what to watch, from the data and the thresholds
of the edition's fiscal.yaml (`risk_summary`)."""

from __future__ import annotations

from markupsafe import Markup

from ...analysis import fiscal as af
from ...errors import HelpersError
from .base import Context, measure_name, mval, num, pct, results, text


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
    shown = f"{t:g}%" if unit == "%" else (f"{t:g}" if unit == "months" else pct(t, 0))
    return ctx.say("risk_threshold", when=r["when"], shown=shown, months=unit == "months")


def _risk_name(ctx: Context, r: dict) -> str:
    entry = r["entry"]
    name = entry["name"][ctx.data_lang] if "name" in entry else measure_name(ctx.lang, r["key"])
    return ctx.say("risk_name", name=Markup(text(ctx, name)), city_scope=entry.get("scope") == "city" and ctx.level != "city")


def risk_items(ctx: Context) -> dict[str, list[str]]:
    """side → the sentences of the risk summary, each with its figure, its threshold and why it matters."""
    out = {side: [] for side in af.RISK_SIDES}
    for r in af.risk_summary(ctx.facts, ctx.level, ctx.spec, results(ctx)):
        out[r["side"]].append(ctx.say("risk_item", name=Markup(_risk_name(ctx, r)), value=Markup(_risk_value(ctx, r)),
                                      threshold=_risk_threshold(ctx, r), why=Markup(text(ctx, r["entry"]["why"][ctx.data_lang]))))
    return out


def risk_section(ctx: Context) -> str:
    """Strengths, weaknesses and things to watch, generated from the data and the thresholds of the
    edition's fiscal.yaml (`risk_summary`), each figure sourced or derived."""
    groups = [(side, [Markup(i) for i in items]) for side, items in risk_items(ctx).items()]
    return ctx.say("risk_section", level=ctx.lv, city=ctx.level == "city", groups=groups)


def _risk_finding(ctx: Context) -> str:
    """The risk summary in one sentence for the findings (and so the front page): names and figures."""
    items = af.risk_summary(ctx.facts, ctx.level, ctx.spec, results(ctx))
    groups = []
    for side in af.RISK_SIDES:
        named = [Markup(f"{_risk_name(ctx, r)} {_risk_value(ctx, r)}") for r in items if r["side"] == side]
        if named:
            groups.append((side, named))
    return ctx.say("risk_finding", groups=groups) if groups else ""
