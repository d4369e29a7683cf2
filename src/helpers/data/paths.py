"""Where the project's folders are, anchored to this file rather than to the working folder.

Set CQ_GAZETTE_FIGURE_DIR to send figures of notebooks run with figure_dir=None elsewhere than
figures/ (the test suite does, so that running notebooks never overwrites the committed references).
Set CQ_GAZETTE_EDITION to choose the default edition (an id under data/editions/ or a folder).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EDITION_ENV_VAR = "CQ_GAZETTE_EDITION"
FIGURE_ENV_VAR = "CQ_GAZETTE_FIGURE_DIR"

DATA_DIR = ROOT / "data"
EDITIONS_DIR = DATA_DIR / "editions"
VOCAB_DIR = DATA_DIR / "vocab"
NOTEBOOKS_DIR = ROOT / "notebooks"
FIGURES_DIR = ROOT / "figures"
REPORTS_DIR = ROOT / "reports"


def figures_dir() -> Path:
    """Where figures go when a notebook gives no figure_dir: $CQ_GAZETTE_FIGURE_DIR, else figures/."""
    env = os.environ.get(FIGURE_ENV_VAR)
    return Path(env).resolve() if env else FIGURES_DIR
