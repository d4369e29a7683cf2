"""Where things are, anchored to this file rather than to the working folder.

Set CQ_GAZETTE_FIGURE_DIR to send figures of notebooks run with figure_dir=None elsewhere than
figures/ (the test suite does, so that running notebooks never overwrites the committed references).
Set CQ_GAZETTE_DATA_DIR to point the loaders at another folder holding `datapackage.json`,
`curated/` and `raw/` with the same schema (for example another year's gazette).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_ENV_VAR = "CQ_GAZETTE_DATA_DIR"
FIGURE_ENV_VAR = "CQ_GAZETTE_FIGURE_DIR"
RAW_NAME = "cq-gazette-2022-02.txt"
RAW_SHA256 = "f514b3b613736213402612b8483e6783d0b75d5530939d9631cf37290d286157"

NOTEBOOKS_DIR = ROOT / "notebooks"
FIGURES_DIR = ROOT / "figures"
REPORTS_DIR = ROOT / "reports"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else $CQ_GAZETTE_DATA_DIR, else the project's `data/`."""
    if override:
        return Path(override).resolve()
    env = os.environ.get(DATA_ENV_VAR)
    return Path(env).resolve() if env else ROOT / "data"


def figures_dir() -> Path:
    """Where figures go when a notebook gives no figure_dir: $CQ_GAZETTE_FIGURE_DIR, else figures/."""
    env = os.environ.get(FIGURE_ENV_VAR)
    return Path(env).resolve() if env else FIGURES_DIR


def descriptor_path(override=None) -> Path:
    return data_dir(override) / "datapackage.json"


def raw_text_path(override=None) -> Path:
    return data_dir(override) / "raw" / RAW_NAME
