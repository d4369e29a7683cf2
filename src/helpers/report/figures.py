"""Figures: one style, bundled fonts chosen by file, and one deterministic `savefig`.

Every glyph is drawn from a font file that ships with the project's environment, whatever the
machine has installed: Noto Sans CJK SC from the PyPI package mplfonts (Chinese and Latin) and, for
the few glyphs it lacks, the DejaVu Sans that matplotlib itself ships.

Why by file and not by family name: matplotlib resolves `font.sans-serif` names through its font
cache, and Debian's `fonts-noto-cjk` (which CI installs for Chromium) is *also* called "Noto Sans
CJK SC"; a system DejaVu Sans shares its name with matplotlib's copy too. Which file won a tie
depended on what the cache (`~/.cache/matplotlib`, `$MPLCONFIGDIR`) listed, so the same code drew
different PNG bytes on machines whose caches differed. `setup()` therefore adds a font entry for
each bundled file under a private family name that nothing else can carry (`PRIVATE_FAMILIES`),
and names only those in `font.sans-serif`. Never `mplfonts init` (it writes into site-packages).

Files are written without timestamps or software versions, so the same inputs give the same bytes;
`tests/test_fonts.py` draws a committed figure under two font caches (one listing the system's
CJK font and a decoy of the same name, one not) and requires the committed bytes from both.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager

from ..data import paths
from ..errors import ParameterError

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
LATIN_FONT_FILE = "DejaVuSans.ttf"
# Family names private to this project: a font the machine has installed cannot carry them.
PRIVATE_FAMILIES = {"cjk": "CQ Gazette Bundled Noto Sans CJK SC", "latin": "CQ Gazette Bundled DejaVu Sans"}
FORMATS = ("png", "svg")
PALETTE = ["#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#2c8c6e"]


def cjk_font_path() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / CJK_FONT_FILE


def latin_font_path() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / LATIN_FONT_FILE


def _register_private(path: Path, family: str) -> None:
    """Add `path` to matplotlib's font list under the private `family` name (once per process).

    The entry is the one `FontManager.addfont` would make for the file, renamed; a lookup of the
    private name can only match it, so the file drawn with is this one on every machine."""
    manager = font_manager.fontManager
    if any(entry.name == family for entry in manager.ttflist):
        return
    entry = font_manager.ttfFontProperty(font_manager.get_font(str(path)))
    manager.ttflist.append(dataclasses.replace(entry, name=family))
    # Lookups are memoised; a name looked up before it existed must be looked up again.
    manager._findfont_cached.cache_clear()


def setup() -> str:
    """Apply the project style with the bundled fonts selected by file; return the main family name."""
    _register_private(cjk_font_path(), PRIVATE_FAMILIES["cjk"])
    _register_private(latin_font_path(), PRIVATE_FAMILIES["latin"])
    family = PRIVATE_FAMILIES["cjk"]
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [family, PRIVATE_FAMILIES["latin"]],
        "axes.unicode_minus": False,       # the CJK font has no U+2212 minus glyph
        "svg.hashsalt": "cq-gazette-analysis",   # fixed salt: SVG ids identical across runs
        "svg.fonttype": "path",
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.figsize": (8, 4.5),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })
    return family


def savefig(fig, name: str, *, figure_dir=None, figure_format: str = "png", lang: str | None = None,
            show: bool = True) -> Path:
    """Write `fig` as `<figure_dir>/<name>[.<lang>].<format>` with deterministic bytes, atomically.

    In a notebook (show=True) the written file itself is displayed and the figure closed, so the
    reader sees exactly the published bytes and the figure is rendered once, not twice.
    """
    if figure_format not in FORMATS:
        raise ParameterError(f"figure_format={figure_format!r}; allowed: {', '.join(FORMATS)}")
    folder = Path(figure_dir) if figure_dir else paths.figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{name}.{lang}" if lang else name
    target = folder / f"{stem}.{figure_format}"
    tmp = folder / f".{stem}.tmp.{figure_format}"
    metadata = {"Software": None} if figure_format == "png" else {"Date": None, "Creator": None}
    fig.savefig(tmp, format=figure_format, metadata=metadata, bbox_inches="tight")
    os.replace(tmp, target)
    if show and _in_kernel():
        from IPython.display import SVG, Image, display

        alt = figure_title(fig)
        display(Image(data=target.read_bytes(), format="png", alt=alt) if figure_format == "png"
                else SVG(data=target.read_bytes(), metadata={"alt": alt}))
        plt.close(fig)
    return target


def figure_title(fig) -> str:
    """The figure's own title (its suptitle, else its axes' titles): the alt text of the published image."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        return sup.get_text().strip()
    titles = [t for ax in fig.get_axes() for t in (ax.get_title(), ax.get_title("left")) if t.strip()]
    return " / ".join(dict.fromkeys(titles))


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")
