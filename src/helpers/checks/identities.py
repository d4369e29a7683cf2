"""Accounting identities: templates in the edition's `checks/identities.yaml`, expanded over the
years (roles), levels and budgets the edition declares, then evaluated against the facts.

An instance whose total or required part is not in the curated data fails (with the missing metric
named) instead of disappearing, so the number of identity checks depends on the edition's
declarations only, never on which numbers happen to be curated.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..data import vocab
from ..errors import EditionError
from .expressions import Term, parse_term

KINDS = ("sum", "at_most", "share")


@dataclass
class Identity:
    id: str
    kind: str
    description: dict            # {'en': …, 'zh': …}
    terms: dict                  # kind-specific: total/parts, smaller/larger, share/numerator/denominator
    rows: list = field(default_factory=list)

    def _get(self, facts, t: Term) -> dict | None:
        if t.optional and not facts.has(t.metric, facts.year(t.role), t.basis):
            return None
        row = facts.get(t.metric, facts.year(t.role), t.basis)
        self.rows.append(row)
        return row

    def evaluate(self, facts) -> tuple[float, float, float, bool]:
        """(expected, actual, tolerance, ok); raises KeyError naming a missing metric."""
        self.rows = []
        if self.kind == "sum":
            total = self._get(facts, self.terms["total"])
            parts = [(self._get(facts, t), t.sign) for t in self.terms["parts"]]
            parts = [(r, s) for r, s in parts if r is not None]
            actual = sum(s * r["value"] for r, s in parts)
            tolerance = max([total["half_unit"]] + [r["half_unit"] for r, _ in parts])
            return total["value"], actual, tolerance, abs(total["value"] - actual) <= tolerance + 1e-9
        if self.kind == "at_most":
            small, large = self._get(facts, self.terms["smaller"]), self._get(facts, self.terms["larger"])
            return large["value"], small["value"], 0.0, small["value"] <= large["value"]
        s, n, d = (self._get(facts, self.terms[k]) for k in ("share", "numerator", "denominator"))
        actual = 100 * n["value"] / d["value"]
        tolerance = round(s["half_unit"] + 100 * (n["half_unit"] / d["value"] + n["value"] * d["half_unit"] / d["value"] ** 2), 6)
        return s["value"], actual, tolerance, abs(s["value"] - actual) <= tolerance + 1e-9


def _names(variables: dict) -> dict:
    """zh and en names of the template variables that have a vocabulary (level_zh, budget_en …)."""
    out = {}
    for key, code in variables.items():
        try:
            words = vocab.vocabulary(f"{key}s").get(code)
        except Exception:  # a variable without a vocabulary file (role, measure …) keeps its code
            words = None
        out[f"{key}_zh"] = words["zh"] if words else code
        out[f"{key}_en"] = words["en"] if words else code
    return out


def expand(edition) -> list[Identity]:
    """Every identity instance the edition declares, in template order."""
    spec = edition.load_yaml("identities")
    path = edition.data_file("identities")
    if not isinstance(spec, dict) or not isinstance(spec.get("templates"), list):
        raise EditionError(f"{path}: expected a mapping with 'templates' (a list)")
    lists = spec.get("lists", {})
    out = []
    for k, tpl in enumerate(spec["templates"]):
        where = f"{path}, template {k + 1} ({tpl.get('id')})"
        if tpl.get("kind") not in KINDS:
            raise EditionError(f"{where}: kind must be one of {KINDS}")
        for block in tpl.get("over") or [{}]:
            keys = list(block)
            for combo in itertools.product(*(block[key] for key in keys)):
                variables = dict(zip(keys, combo, strict=True))
                role = variables.get("role")
                if role is not None and role not in edition.years:
                    raise EditionError(f"{where}: unknown role {role!r}; roles: {', '.join(edition.years)}")
                context = {**variables, **_names(variables), **edition.years,
                           "year": edition.year(role) if role else ""}
                try:
                    out.append(_instance(tpl, context, lists))
                except KeyError as exc:
                    raise EditionError(f"{where}: unknown placeholder or list {exc}") from None
    return out


def _instance(tpl: dict, context: dict, lists: dict) -> Identity:
    def term(text: str) -> Term:
        return parse_term(text.format(**context))

    terms = {}
    if tpl["kind"] == "sum":
        terms["total"] = term(tpl["total"])
        parts = []
        for part in tpl["parts"]:
            if isinstance(part, dict):
                for item in lists[part["each"].format(**context)]:
                    parts.append(parse_term(part["term"].format(**context, item=item)))
            else:
                parts.append(term(part))
        terms["parts"] = parts
    else:
        for key in ("smaller", "larger") if tpl["kind"] == "at_most" else ("share", "numerator", "denominator"):
            terms[key] = term(tpl[key])
    description = {lang: text.format(**{**context, "level": context.get("level_en", ""),
                                        "budget": context.get("budget_en", ""),
                                        "side": context.get("side_en", ""), "measure": context.get("measure", "")})
                   for lang, text in tpl["description"].items()}
    return Identity(tpl["id"].format(**context), tpl["kind"], description, terms)


def target_gap_identities(facts) -> list[Identity]:
    """Every stated gap between a target and a result implies target + gap = result (table target_gaps)."""
    out = []
    for row in facts.frame[facts.frame["table"] == "target_gaps"].to_dict("records"):
        base = row["metric"].removesuffix("_gap_to_target")
        role = facts.edition.role_of(row["period"])
        out.append(Identity(
            f"identity.target_gap.{row['row_id']}", "sum",
            {"zh": f"{row['name_zh']}：{row['period']}年目标 + 所述差距 = {row['period']}年实际",
             "en": f"{row['name_en']}: {row['period']} target + stated gap = {row['period']} result"},
            {"total": Term(base, role, "actual"), "parts": [Term(base, role, "plan"), Term(row["metric"], role)]}))
    return out
