"""The course's figure style and the few plots used in several chapters.

Call :func:`set_style` once at the top of a notebook. It sets one seaborn
theme with a colour-blind-safe palette (Okabe & Ito, 2008, *Color Universal
Design*) and sizes that stay readable when projected in a lecture room.
"""

from __future__ import annotations

__all__ = ["CURRENCY", "PALETTE", "money_axis", "percent_axis", "set_style"]

#: Okabe–Ito colour-blind-safe palette, without black (kept for text).
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
]

#: The currency every money column of the Kopilka world is in.
CURRENCY = "RUB"


def set_style(context: str = "notebook") -> None:
    """Apply the course figure style to matplotlib and seaborn.

    Parameters
    ----------
    context : {"notebook", "talk", "paper"}
        Seaborn's scaling context; ``"talk"`` for slides.

    Examples
    --------
    >>> from crm_course.plots import set_style
    >>> set_style()
    """
    if context not in {"notebook", "talk", "paper", "poster"}:
        raise ValueError(
            f"context: expected one of 'notebook', 'talk', 'paper', 'poster'; found {context!r}"
        )
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "figure.figsize": (7.5, 4.5),
            "figure.dpi": 100,
            "axes.titlesize": "large",
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "savefig.bbox": "tight",
            # Fixed metadata keeps saved figures byte-for-byte reproducible.
            "svg.hashsalt": "crm-course",
        }
    )


def money_axis(ax, axis: str = "y", currency: str = CURRENCY) -> None:
    """Format an axis as money with thousands separators, e.g. ``12,500 RUB``.

    In Russian (:func:`crm_course.language.set_language`) the course's currency
    is written «руб.» and thousands are grouped with a space from five digits
    on, as Russian typography does (``12 500``; ``2500``).
    """
    from matplotlib.ticker import FuncFormatter

    from crm_course.language import get_language, tr

    if axis not in {"x", "y"}:
        raise ValueError(f"axis: expected 'x' or 'y'; found {axis!r}")
    if get_language() == "ru":
        fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}".replace(",", "\u00a0") if abs(v) >= 9_999.5 else f"{v:.0f}")
    else:
        fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    shown = tr("RUB") if currency == CURRENCY else currency
    label = ax.get_ylabel() if axis == "y" else ax.get_xlabel()
    if shown not in label:
        label = f"{label} ({shown})" if label else shown
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def percent_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Format an axis whose values are shares (0–1) as percentages."""
    from matplotlib.ticker import PercentFormatter

    if axis not in {"x", "y"}:
        raise ValueError(f"axis: expected 'x' or 'y'; found {axis!r}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=decimals))
