"""Where the project's folders are, anchored to this file rather than to the working folder.

Two layouts, told apart by what is on disk:

- **a source checkout** (`src/helpers/` two folders below `pyproject.toml`): ROOT is the checkout and
  data/, notebooks/, render.yaml, figures/, reports/ and scratch/ are its folders;
- **an installed wheel** (`pip install .`): the wheel carries data/, notebooks/ and render.yaml as
  package data in `helpers/_project/` (pyproject.toml, `force-include`), so ROOT is that folder and
  everything is read from it; what a command writes (reports/, scratch/) goes to the working folder,
  never into site-packages.

Figures of a notebook run with figure_dir=None go to $CQ_GAZETTE_FIGURE_DIR, else to scratch/figures/
(git-ignored): exploring never touches the committed figure references in figures/, which only
`make refresh-notebooks` writes (it names that folder itself; the renderer passes a figure_dir per job).
Set CQ_GAZETTE_EDITION to choose the default edition (an id under data/editions/ or a folder).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CHECKOUT = PACKAGE_DIR.parents[1]          # src/helpers -> the project folder
BUNDLED_ROOT = PACKAGE_DIR / "_project"     # where the wheel puts data/, notebooks/, render.yaml

# A checkout: this package is the project's src/helpers (an installed copy sits in site-packages).
IS_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "src" / "helpers").resolve() == PACKAGE_DIR
ROOT = _CHECKOUT if IS_CHECKOUT else BUNDLED_ROOT

EDITION_ENV_VAR = "CQ_GAZETTE_EDITION"
FIGURE_ENV_VAR = "CQ_GAZETTE_FIGURE_DIR"

DATA_DIR = ROOT / "data"
EDITIONS_DIR = DATA_DIR / "editions"
VOCAB_DIR = DATA_DIR / "vocab"
NOTEBOOKS_DIR = ROOT / "notebooks"
FIGURES_DIR = ROOT / "figures"            # the committed figure references (a checkout only)
# Written by commands: the project's folders in a checkout, the working folder for an installed package.
REPORTS_DIR = ROOT / "reports" if IS_CHECKOUT else Path("reports")
SCRATCH_DIR = ROOT / "scratch" if IS_CHECKOUT else Path("scratch")


def figures_dir() -> Path:
    """Where figures go when a notebook gives no figure_dir: $CQ_GAZETTE_FIGURE_DIR, else scratch/figures/."""
    env = os.environ.get(FIGURE_ENV_VAR)
    return Path(env).resolve() if env else (SCRATCH_DIR / "figures").resolve()


def package_files() -> list[tuple[str, Path]]:
    """("helpers/<relative path>", path) of every file of the package as installed or checked out,
    without bytecode caches and temporary files: what render keys and kept check runs hash."""
    return [(f"helpers/{p.relative_to(PACKAGE_DIR).as_posix()}", p) for p in sorted(PACKAGE_DIR.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", ".tmp"))]


def content_key(path: Path) -> str | None:
    """The one cache key of a file in this package: the sha256 of its bytes (never its mtime, which a
    file rewritten within a clock tick keeps). None when it is missing or unreadable; for a FIFO,
    device or folder its kind, without opening it (a FIFO would block) — the reader then names it."""
    import hashlib
    import stat

    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            return f"not a regular file ({stat.S_IFMT(mode):o})"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
