"""Figures: one style, a bundled CJK font, and one deterministic `savefig`.

The font is Noto Sans CJK SC shipped by the PyPI package mplfonts, registered at run time (never
`mplfonts init`, which writes into site-packages). Files are written without timestamps or
software versions, so the same inputs give the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager

from ..data import paths
from ..errors import ParameterError

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
FORMATS = ("png", "svg")
PALETTE = ["#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#2c8c6e"]


def cjk_font_path() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / CJK_FONT_FILE


def setup() -> str:
    """Apply the project style and register the CJK font; return the font family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
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
