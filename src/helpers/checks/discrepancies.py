"""Known discrepancies: what the edition's reports do not reconcile (or state on a conventional
basis a naive comparison misses), read from the edition's `checks/known_discrepancies.yaml`.

Each is recomputed from the facts; it is `accepted` only while its size equals the registered one
within its tolerance, so a changed number cannot hide in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data import vocab
from ..errors import EditionError
from .expressions import Evaluator, fill


def natures() -> tuple[str, ...]:
    """What a register entry can be (data/vocab/natures.csv); only `discrepancy` is an error of the document."""
    return tuple(vocab.vocabulary("natures"))


def by_nature(checks) -> dict[str, list]:
    """The known-discrepancy checks by their nature, every nature present (in vocabulary order)."""
    known = [c for c in checks if c.kind == "known_discrepancy"]
    return {n: [c for c in known if c.extra.get("nature") == n] for n in natures()}


@dataclass(frozen=True)
class KnownDiscrepancy:
    id_template: str
    nature: str
    topic: str
    expression: str
    expected_gap: float
    tolerance: float
    description: dict      # templates by language
    reason: dict

    def evaluate(self, facts) -> dict:
        """{'id', 'gap', 'description': {zh, en}, 'reason': {zh, en}, 'rows'}; raises KeyError when a term is missing."""
        ev = Evaluator(facts)
        gap = ev.evaluate(self.expression)
        texts = {kind: {lang: fill(t, Evaluator(facts), gap=f"{round(gap, 1):g}") for lang, t in getattr(self, kind).items()}
                 for kind in ("description", "reason")}
        return {"id": facts.edition.fill(self.id_template), "gap": gap, **texts, "rows": ev.used}


def load(edition) -> list[KnownDiscrepancy]:
    spec = edition.load_yaml("known_discrepancies")
    path = edition.data_file("known_discrepancies")
    if not isinstance(spec, list):
        raise EditionError(f"{path}: expected a list of known discrepancies")
    out = []
    for k, item in enumerate(spec):
        where = f"{path}, entry {k + 1}"
        try:
            kd = KnownDiscrepancy(item["id"], item["nature"], item["topic"], item["expression"], float(item["expected_gap"]),
                                  float(item["tolerance"]), dict(item["description"]), dict(item["reason"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise EditionError(f"{where}: needs id, nature, topic, expression, expected_gap, tolerance, description "
                               f"and reason ({exc})") from None
        if kd.nature not in natures():
            raise EditionError(f"{where}: nature {kd.nature!r} must be one of {natures()} (data/vocab/natures.csv)")
        if set(kd.description) != {"zh", "en"} or set(kd.reason) != {"zh", "en"}:
            raise EditionError(f"{where}: description and reason need both 'zh' and 'en'")
        out.append(kd)
    return out
