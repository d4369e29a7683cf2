"""Figures are a function of the project alone: the bytes of a committed figure do not depend on which
fonts the machine has installed nor on what matplotlib's font cache lists.

The same committed figure is drawn in two fresh processes, each with a font cache of its own
(MPLCONFIGDIR):
- "crowded": the cache matplotlib builds on this machine (it lists Debian's Noto Sans CJK when
  fonts-noto-cjk is installed), plus decoy entries that claim the bundled fonts' family names
  ("Noto Sans CJK SC", "DejaVu Sans") for another file, so the trap exists on every machine;
- "bare": the same cache with every font outside matplotlib's own data folder removed.
Both must give the committed reference byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

from helpers.data import paths

FIGURE = "01-scorecard.zh.png"
DRAW = """
import sys
from helpers.report.protocol import open_page
open_page("01-growth", None, "zh", figure_dir=sys.argv[1]).figure("scorecard")
"""


def _build_cache(config: Path) -> Path:
    config.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(config)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True)
    (cache,) = config.glob("fontlist-*.json")
    return cache


def _draw(config: Path, out: Path) -> bytes:
    out.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(config)}
    done = subprocess.run([sys.executable, "-c", DRAW, str(out)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "missing from font" not in done.stderr, done.stderr[-3000:]
    return (out / FIGURE).read_bytes()


def test_a_figure_is_the_same_under_any_font_cache(tmp_path):
    mpl_data = Path(matplotlib.get_data_path()).resolve()
    crowded = _build_cache(tmp_path / "crowded")
    built = crowded.read_text(encoding="utf-8")
    listing = json.loads(built)
    template = next(e for e in listing["ttflist"] if Path(e["fname"]).name == "DejaVuSerif.ttf")
    listing["ttflist"] = [{**template, "name": name} for name in ("Noto Sans CJK SC", "DejaVu Sans")] + listing["ttflist"]
    assert all(Path(e["fname"]).name == "DejaVuSerif.ttf" for e in listing["ttflist"][:2])
    crowded.write_text(json.dumps(listing), encoding="utf-8")

    # The same machine's cache, built once (a build scans every installed font): the bare one is a copy.
    (tmp_path / "bare").mkdir()
    bare = tmp_path / "bare" / crowded.name
    listing = json.loads(built)
    # The cache names matplotlib's own fonts by a path relative to its data folder.
    listing["ttflist"] = [e for e in listing["ttflist"] if not Path(e["fname"]).is_absolute()
                          or Path(e["fname"]).resolve().is_relative_to(mpl_data)]
    assert not any("CJK" in e["name"] for e in listing["ttflist"])
    bare.write_text(json.dumps(listing), encoding="utf-8")

    reference = (paths.FIGURES_DIR / FIGURE).read_bytes()
    from_crowded = _draw(tmp_path / "crowded", tmp_path / "out-crowded")
    from_bare = _draw(tmp_path / "bare", tmp_path / "out-bare")
    assert from_crowded == from_bare, "the font cache changed the figure's bytes"
    assert from_crowded == reference, f"{FIGURE} differs from its committed reference (run `make refresh-notebooks` if intended)"


@pytest.mark.parametrize("key", ["cjk", "latin"])
def test_setup_names_only_private_families_drawn_from_bundled_files(key):
    from matplotlib import font_manager

    from helpers.report import figures

    figures.setup()
    family = figures.PRIVATE_FAMILIES[key]
    assert family in matplotlib.rcParams["font.sans-serif"]
    assert set(matplotlib.rcParams["font.sans-serif"]) == set(figures.PRIVATE_FAMILIES.values())
    found = font_manager.findfont(font_manager.FontProperties(family=[family]), fallback_to_default=False)
    expected = figures.cjk_font_path() if key == "cjk" else figures.latin_font_path()
    assert Path(found).resolve() == expected.resolve()
