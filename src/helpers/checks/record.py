"""A check as a record: what every check module returns and every page and test reads.

`Check(id, kind, description, expected, actual, tolerance, status, reason)`. `status` is `pass`,
`fail`, or `accepted` (a known discrepancy whose size is exactly what the edition registers; if the
gap changes, it fails). Kept apart from `engine` so that the check modules it runs (coverage,
observations, evidence) import the record without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd


@dataclass
class Check:
    id: str
    kind: str
    description: str
    expected: object
    actual: object
    tolerance: float | None
    status: str
    reason: str = ""
    description_zh: str = ""
    reason_zh: str = ""
    extra: dict = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        """The check's fields but `extra`, as they are (dataclasses.asdict would deep-copy `extra` only
        to drop it: a quarter of a page's time when it tabulates 1,350 checks several times)."""
        return {name: getattr(self, name) for name in _PLAIN_FIELDS}

    def text(self, what: str, lang: str) -> str:
        """The description or reason in `lang`: its `<what>_<lang>` field where the check has one with
        text (`description_zh`), else the English one (`description`), which every check has."""
        return getattr(self, f"{what}_{lang}", "") or getattr(self, what)


_PLAIN_FIELDS = tuple(f.name for f in fields(Check) if f.name != "extra")


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    return pd.DataFrame([c.as_dict() for c in checks],
                        columns=["id", "kind", "description", "expected", "actual", "tolerance", "status", "reason",
                                 "description_zh", "reason_zh"])


