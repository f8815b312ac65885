"""Diagrams of Kopilka: how the money flows and how the tables join.

Two figures of the introduction, drawn with matplotlib alone so that they
render offline, in a notebook and on the static course site, identically on
every run (every position is fixed; nothing depends on a layout engine):

- :func:`business_model_diagram`: member, merchant and Kopilka, the order,
  the commission and the cashback (pending, confirmed, paid out), and the
  support contacts.
- :func:`data_model_diagram`: the tables of :data:`crm_course.world.schema.TABLES`
  as boxes with their key columns, and an arrow for every foreign key.

And the causal diagrams of chapter 4:

- :func:`causal_diagram`: any small directed graph of named variables, as boxes
  and arrows at positions the caller fixes.
- :func:`key_account_diagrams`: the two stories of section 4.7 side by side —
  relationship quality a *confounder* of meetings and growth, or a *mediator*
  of the meetings' effect. Both imply the same correlations, so no regression
  on the key-account table can tell them apart.

Both take an optional matplotlib ``Axes`` and return the ``Axes`` they drew
on. Colours come from the course's colour-blind-safe palette
(:data:`crm_course.plots.PALETTE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crm_course.language import tr, tr_noop
from crm_course.plots import PALETTE

if TYPE_CHECKING:  # imported only for type checkers: import crm_course stays fast
    from matplotlib.axes import Axes

__all__ = ["business_model_diagram", "causal_diagram", "data_model_diagram", "key_account_diagrams"]

#: Text colour (the black that the palette leaves out on purpose).
_INK = "#1a1a1a"
_MUTED = "#555555"

#: The legend's name of each group of tables (in the current language when drawn).
_GROUP_NAMES = {"members": tr_noop("members"), "merchants": tr_noop("merchants"), "orders": tr_noop("orders"),
                "support": tr_noop("support"), "other": tr_noop("other")}

#: Which part of the business each table describes, and its colour.
_GROUPS = {
    "members": PALETTE[0],  # blue
    "merchants": PALETTE[1],  # orange
    "orders": PALETTE[2],  # bluish green
    "support": PALETTE[3],  # reddish purple
    "other": PALETTE[4],  # sky blue
}
_TABLE_GROUP = {
    "customers": "members",
    "offer_experiment": "members",
    "transactions": "orders",
    "merchants": "merchants",
    "merchant_panel": "merchants",
    "key_accounts": "merchants",
    "contacts": "support",
    "agents": "support",
}

#: Grid cell (column, row; row 0 at the top) of each of Kopilka's tables.
#: Every foreign key then runs along a row or a column, so no arrow crosses
#: another or passes behind a box. Tables not listed here (a researcher's
#: own schema) are placed in further rows, in the order given.
_LAYOUT = {
    "offer_experiment": (0, 0),
    "merchant_panel": (2, 0),
    "customers": (0, 1),
    "transactions": (1, 1),
    "merchants": (2, 1),
    "contacts": (0, 2),
    "agents": (1, 2),
    "key_accounts": (2, 2),
}

# Geometry of the data-model diagram, in data units.
_BOX_W = 4.0
_COL_STEP = 5.5
_ROW_STEP = 3.6
_LINE = 0.36
_PAD = 0.18


def _get_axes(ax: Any, figsize: tuple[float, float]) -> Axes:
    """Return ``ax``, or a new Axes of ``figsize`` when ``ax`` is None."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        # The diagram is the whole figure: no room is needed for tick labels.
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(
            "ax: expected a matplotlib Axes (for example from fig, ax = plt.subplots()) or None; "
            f"found {type(ax).__name__}"
        )
    if ax.name != "rectilinear":
        raise ValueError(f"ax: expected an ordinary (rectilinear) Axes; found a {ax.name!r} Axes")
    return ax


def _tint(colour: str, strength: float) -> tuple[float, float, float]:
    """``colour`` mixed with white: 0 gives white, 1 the colour itself."""
    from matplotlib.colors import to_rgb

    return tuple(1 - strength * (1 - c) for c in to_rgb(colour))


def _box(ax: Axes, x: float, y: float, w: float, h: float, colour: str, *, gid: str,
         fill: float = 0.18, lw: float = 2.0, style: str = "round,pad=0,rounding_size=0.15"):
    """A rounded box with lower-left corner (x, y), a pale fill and a coloured edge."""
    from matplotlib.patches import FancyBboxPatch

    patch = FancyBboxPatch((x, y), w, h, boxstyle=style, facecolor=_tint(colour, fill),
                           edgecolor=colour, linewidth=lw, zorder=2)
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], *, gid: str,
           colour: str = _INK, lw: float = 1.6, style: str = "-|>", linestyle: str = "-",
           connection: str = "arc3", scale: float = 16) -> None:
    from matplotlib.patches import FancyArrowPatch

    arrow = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=scale, color=colour,
                            linewidth=lw, linestyle=linestyle, connectionstyle=connection,
                            shrinkA=0, shrinkB=0, zorder=3)
    arrow.set_gid(gid)
    ax.add_patch(arrow)


def _label(ax: Axes, x: float, y: float, text: str, *, size: float = 9.5, colour: str = _INK,
           weight: str = "normal", style: str = "normal", ha: str = "center", va: str = "center",
           family: str = "sans-serif", background: bool = True) -> None:
    kw = {}
    if background:
        kw["bbox"] = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.95}
    ax.text(x, y, text, ha=ha, va=va, fontsize=size, color=colour, fontweight=weight,
            fontstyle=style, family=family, zorder=4, **kw)


# -- the data model --------------------------------------------------------------------


def _key_lines(table) -> list[str]:
    """One line per key column: ``PK order_id``, ``FK customer_id → customers``."""
    references = {}
    for fk in table.foreign_keys:
        for column in fk.fields:
            references[column] = fk.table
    keys = list(table.primary_key) + [c for c in references if c not in table.primary_key]
    lines = []
    for column in keys:
        tags = ("PK" if column in table.primary_key else "  ") + (" FK" if column in references else "")
        target = f" → {references[column]}" if column in references else ""
        lines.append(f"{tags.ljust(5)} {column}{target}")
    return lines


def _positions(tables: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Grid cell of every table: the fixed layout, then extra rows of three."""
    cells = {name: _LAYOUT[name] for name in tables if name in _LAYOUT}
    used_rows = max((r for _, r in cells.values()), default=-1)
    extra = [name for name in tables if name not in _LAYOUT]
    for i, name in enumerate(extra):
        cells[name] = (i % 3, used_rows + 1 + i // 3)
    return cells


def _edge_point(box: tuple[float, float, float, float], towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre to ``towards`` leaves the box."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    # The smaller of the two scale factors hits the box side first.
    tx = (w / 2) / abs(dx) if dx else float("inf")
    ty = (h / 2) / abs(dy) if dy else float("inf")
    t = min(tx, ty)
    return cx + t * dx, cy + t * dy


def _check_tables(tables: Any) -> Mapping[str, Any]:
    from crm_course.world.schema import TABLES, Table

    if tables is None:
        return TABLES
    if not isinstance(tables, Mapping) or not tables:
        raise ValueError(
            f"tables: expected a non-empty mapping of table name to schema Table; found {type(tables).__name__}"
        )
    for name, table in tables.items():
        if not isinstance(table, Table):
            raise ValueError(f"tables[{name!r}]: expected a crm_course.world.schema.Table; found {type(table).__name__}")
        for fk in table.foreign_keys:
            if fk.table not in tables:
                raise ValueError(
                    f"tables[{name!r}]: its foreign key {', '.join(fk.fields)} points to table {fk.table!r}, "
                    f"which is not among the tables to draw ({', '.join(tables)})"
                )
    return tables


def data_model_diagram(ax: Axes | None = None, *, tables: Mapping[str, Any] | None = None) -> Axes:
    """Draw Kopilka's tables, their key columns and the foreign keys that join them.

    Each table is a box headed by its name and title, listing its primary key
    (``PK``) and foreign key (``FK``) columns and how many other columns it
    has. An arrow runs from the table that holds a foreign key to the table it
    points to, i.e. from the "many" side to the "one" side of the join: many
    orders belong to one member. The arrow is labelled with the joining
    column. Colours group the tables by the part of the business they
    describe (members, orders, merchants, support).

    The layout is fixed, so the figure is identical on every run.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure of 12.5 × 8 inches (in smaller
        axes the text overflows the boxes).
    tables : mapping of str to Table, optional
        The schema to draw; defaults to
        :data:`crm_course.world.schema.TABLES`. Tables other than Kopilka's
        eight go into extra rows below, three to a row, and the default figure
        grows taller to hold them; their arrows are straight lines and may
        cross other boxes.

    Returns
    -------
    matplotlib Axes
        The axes drawn on. Each table's box carries the ``gid``
        ``"table:<name>"`` and each foreign-key arrow
        ``"fk:<table>.<columns>-><table>.<columns>"``.

    Raises
    ------
    TypeError
        If ``ax`` is neither None nor a matplotlib Axes.
    ValueError
        If ``ax`` is not an ordinary (rectilinear) Axes, or ``tables`` is
        empty, not a mapping of schema tables, or has a foreign key to a
        table it does not include.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = data_model_diagram()
    >>> sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("fk:"))[0]
    'fk:contacts.agent_id->agents.agent_id'
    >>> plt.close("all")
    """
    from matplotlib.patches import Patch, Rectangle

    tables = _check_tables(tables)
    cells = _positions(tables)
    n_cols = 3
    n_rows = max(r for _, r in cells.values()) + 1
    # Kopilka's three rows fill 8 inches; a larger schema gets a taller figure.
    ax = _get_axes(ax, figsize=(12.5, 8 * max(n_rows, 3) / 3))

    # Box heights: two header lines, the key lines, one line for the rest.
    lines = {name: _key_lines(t) for name, t in tables.items()}
    heights = {name: _LINE * (len(lines[name]) + 3) + 2 * _PAD for name in tables}
    boxes = {}
    for name, table in tables.items():
        col, row = cells[name]
        cx, cy = col * _COL_STEP, -row * _ROW_STEP
        w, h = _BOX_W, heights[name]
        x, y = cx - w / 2, cy - h / 2
        boxes[name] = (x, y, w, h)
        colour = _GROUPS[_TABLE_GROUP.get(name, "other")]
        outline = _box(ax, x, y, w, h, colour, gid=f"table:{name}", fill=0.08)
        # Header band in a stronger tint, so the name reads first; clipped to the rounded box.
        header_h = 2 * _LINE + _PAD
        header = Rectangle((x, y + h - header_h), w, header_h, facecolor=_tint(colour, 0.35),
                           edgecolor="none", zorder=2.1)
        ax.add_patch(header)
        header.set_clip_path(outline)
        top = y + h - _PAD - _LINE / 2
        _label(ax, x + 0.2, top, name, size=11.5, weight="bold", ha="left", family="monospace",
               background=False)
        _label(ax, x + 0.2, top - _LINE, tr(table.title), size=9.5, colour=_INK, ha="left",
               style="italic", background=False)
        for i, text in enumerate(lines[name]):
            _label(ax, x + 0.2, top - (i + 2) * _LINE - 0.05, text, size=9.5, ha="left",
                   family="monospace", background=False)
        n_other = len(table.fields) - len(lines[name])
        _label(ax, x + 0.2, top - (len(lines[name]) + 2) * _LINE - 0.05,
               tr("+ {n} other column", n=n_other) if n_other == 1 else tr("+ {n} other columns", n=n_other),
               size=9, colour=_MUTED,
               ha="left", background=False)

    for name, table in tables.items():
        for fk in table.foreign_keys:
            child, parent = boxes[name], boxes[fk.table]
            c_centre = (child[0] + child[2] / 2, child[1] + child[3] / 2)
            p_centre = (parent[0] + parent[2] / 2, parent[1] + parent[3] / 2)
            start = _edge_point(child, p_centre)
            end = _edge_point(parent, c_centre)
            gid = f"fk:{name}.{','.join(fk.fields)}->{fk.table}.{','.join(fk.reference)}"
            _arrow(ax, start, end, gid=gid, colour=_INK, lw=1.6)
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            column = ", ".join(fk.fields)
            if abs(end[0] - start[0]) >= abs(end[1] - start[1]):  # along a row: name above the arrow
                _label(ax, mid[0], mid[1] + 0.2, column, size=9, family="monospace", background=False)
            else:  # along a column: name beside the arrow
                _label(ax, mid[0] + 0.12, mid[1], column, size=9, family="monospace", ha="left",
                       background=False)

    # The key to the diagram, in the free cell of the layout when there is one.
    free = [(c, r) for r in range(n_rows) for c in range(n_cols) if (c, r) not in cells.values()]
    kx, ky = (free[0][0] * _COL_STEP, -free[0][1] * _ROW_STEP) if free else (_COL_STEP, -n_rows * _ROW_STEP)
    key_lines = [
        (tr("How to read it"), "bold"),
        (tr("PK   primary key: one value per row"), "normal"),
        (tr("FK   foreign key: points to a row"), "normal"),
        (tr("     of another table"), "normal"),
        (tr("──▶  from many rows to one:"), "normal"),
        (tr("     many orders, one member"), "normal"),
    ]
    top = ky + 1.05
    for i, (text, weight) in enumerate(key_lines):
        _label(ax, kx - _BOX_W / 2, top - i * 0.34, text, size=9.5, weight=weight, ha="left",
               family="monospace" if i else "sans-serif", background=False)
    groups = [g for g in ("members", "orders", "merchants", "support", "other")
              if any(_TABLE_GROUP.get(n, "other") == g for n in tables)]
    handles = [Patch(facecolor=_tint(_GROUPS[g], 0.35), edgecolor=_GROUPS[g], linewidth=2, label=tr(_GROUP_NAMES[g]))
               for g in groups]
    legend = ax.legend(handles=handles, title=tr("tables about"), loc="upper left", ncol=len(handles),
                       frameon=False, fontsize=9.5, title_fontsize=9.5, handlelength=1.4,
                       columnspacing=1.0, handletextpad=0.5,
                       bbox_to_anchor=(kx - _BOX_W / 2, top - len(key_lines) * 0.34 - 0.05),
                       bbox_transform=ax.transData, alignment="left")
    legend.set_zorder(4)

    ax.set_xlim(-_BOX_W / 2 - 0.3, (n_cols - 1) * _COL_STEP + _BOX_W / 2 + 0.3)
    lowest = min(b[1] for b in boxes.values())
    highest = max(b[1] + b[3] for b in boxes.values())
    ax.set_ylim(min(lowest, ky - 1.6) - 0.3, highest + 0.3)
    ax.set_axis_off()
    ax.set_title(tr("Kopilka's data model: {n} tables and the keys that join them", n=len(tables)))
    return ax


# -- the business model -------------------------------------------------------------------


def business_model_diagram(ax: Axes | None = None) -> Axes:
    """Draw how money moves between a member, a merchant and Kopilka.

    1. The member places an order at a partner merchant through Kopilka's
       link and pays the merchant the order value.
    2. The merchant pays Kopilka a commission, a share of the order value.
    3. Kopilka passes part of the commission back to the member as cashback.
    4. Members contact Kopilka's support agents, mostly about cashback.

    A strip below follows one cashback through its life: pending while the
    merchant decides, then confirmed (or declined: no commission, no
    cashback), then paid out. The confirmation delay printed in the figure is
    the default of :class:`crm_course.world.params.PurchaseParams`.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure of 12.5 × 7.5 inches.

    Returns
    -------
    matplotlib Axes
        The axes drawn on. The boxes carry the ``gid`` ``"actor:member"``,
        ``"actor:merchant"``, ``"actor:kopilka"``, ``"actor:support"`` and
        ``"stage:pending"``, ``"stage:confirmed"``, ``"stage:declined"``,
        ``"stage:paid out"``; the arrows ``"flow:order"``,
        ``"flow:commission"``, ``"flow:cashback"``, ``"flow:support"``.

    Raises
    ------
    TypeError
        If ``ax`` is neither None nor a matplotlib Axes.
    ValueError
        If ``ax`` is not an ordinary (rectilinear) Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = business_model_diagram()
    >>> sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("flow:"))
    ['flow:cashback', 'flow:commission', 'flow:order', 'flow:support']
    >>> plt.close("all")
    """
    from crm_course.world.params import PurchaseParams

    ax = _get_axes(ax, figsize=(12.5, 7.5))
    member_c, kopilka_c, merchant_c, support_c = PALETTE[0], PALETTE[2], PALETTE[1], PALETTE[3]
    w, h = 2.8, 1.3
    row = 6.0
    actors = {
        "member": (1.6, tr("Member"), tr("shops online"), member_c),
        "kopilka": (7.0, tr("Kopilka"), tr("cashback service"), kopilka_c),
        "merchant": (12.4, tr("Partner merchant"), tr("online store"), merchant_c),
    }
    for key, (cx, title, sub, colour) in actors.items():
        _box(ax, cx - w / 2, row - h / 2, w, h, colour, gid=f"actor:{key}", fill=0.3, lw=2.5)
        _label(ax, cx, row + 0.2, title, size=13, weight="bold", background=False)
        _label(ax, cx, row - 0.25, sub, size=10, colour=_INK, background=False)
    member_x, kopilka_x, merchant_x = (actors[k][0] for k in ("member", "kopilka", "merchant"))

    # 1. The order: over the top, from the member to the merchant.
    _arrow(ax, (member_x, row + h / 2), (merchant_x, row + h / 2), gid="flow:order", colour=member_c,
           lw=2.5, connection="arc3,rad=-0.22", scale=20)
    _label(ax, kopilka_x, row + h / 2 + 1.72, tr("① order, placed through Kopilka's link"), size=11, weight="bold",
           background=False)
    _label(ax, kopilka_x, row + h / 2 + 0.85, tr("the member pays the merchant the order value (RUB)"), size=10,
           background=False)

    # 2. Commission: merchant to Kopilka.  3. Cashback: Kopilka to member.
    gap = 0.1
    _arrow(ax, (merchant_x - w / 2 - gap, row), (kopilka_x + w / 2 + gap, row), gid="flow:commission",
           colour=merchant_c, lw=2.5, scale=20)
    mid = (merchant_x + kopilka_x) / 2
    _label(ax, mid, row + 0.35, tr("② commission"), size=11, weight="bold")
    _label(ax, mid, row - 0.35, tr("share of the order value"), size=9.5)
    _arrow(ax, (kopilka_x - w / 2 - gap, row), (member_x + w / 2 + gap, row), gid="flow:cashback",
           colour=kopilka_c, lw=2.5, scale=20)
    mid = (kopilka_x + member_x) / 2
    _label(ax, mid, row + 0.35, tr("③ cashback"), size=11, weight="bold")
    _label(ax, mid, row - 0.35, tr("part of the commission"), size=9.5)

    # 4. Support contacts: the member and Kopilka's support agents.
    sy = 3.9
    sw, sh = 3.2, 1.0
    _box(ax, kopilka_x - sw / 2, sy - sh / 2, sw, sh, support_c, gid="actor:support", fill=0.3, lw=2.5)
    _label(ax, kopilka_x, sy + 0.17, tr("Support agents"), size=12, weight="bold", background=False)
    _label(ax, kopilka_x, sy - 0.22, tr("Kopilka's staff"), size=10, background=False)
    ax.plot([kopilka_x, kopilka_x], [row - h / 2, sy + sh / 2], color=support_c, linewidth=2,
            linestyle=":", zorder=1)
    _arrow(ax, (member_x, row - h / 2 - gap), (kopilka_x - sw / 2 - gap, sy), gid="flow:support",
           colour=support_c, lw=2.2, style="<|-|>", linestyle="--", connection="angle,angleA=-90,angleB=180,rad=0",
           scale=18)
    _label(ax, member_x + 0.2, sy + 0.3, tr("④ support contacts"), size=11, weight="bold", ha="left",
           background=False)
    _label(ax, member_x + 0.2, sy - 0.32, tr("missing cashback, declined orders, payouts"), size=9.5, ha="left",
           background=False)
    _label(ax, kopilka_x + sw / 2 + 0.35, sy,
           tr("While its cashback is pending, a new member\n"
              "cannot yet judge the core service, and judges\n"
              "Kopilka by how its support staff treat them."),
           size=10, style="italic", ha="left", colour=_INK, background=False)

    # The life of one cashback.
    lo, hi = PurchaseParams().confirm_delay_weeks
    ty = 1.45
    _label(ax, -0.05, ty + 1.05, tr("The life of one cashback"), size=11.5, weight="bold", ha="left",
           background=False)
    stages = {
        "pending": (1.6, ty, tr("pending"), tr("merchant not yet decided"), PALETTE[4]),
        "confirmed": (7.0, ty, tr("confirmed"), tr("Kopilka earns the commission"), PALETTE[2]),
        "paid out": (12.4, ty, tr("paid out"), tr("cash reaches the member"), PALETTE[0]),
        "declined": (7.0, ty - 1.35, tr("declined"), tr("no commission, no cashback"), PALETTE[5]),
    }
    bw, bh = 2.8, 0.95
    for key, (cx, cy, title, sub, colour) in stages.items():
        _box(ax, cx - bw / 2, cy - bh / 2, bw, bh, colour, gid=f"stage:{key}", fill=0.25, lw=2)
        _label(ax, cx, cy + 0.2, title, size=11, weight="bold", background=False)
        _label(ax, cx, cy - 0.18, sub, size=8.5, background=False)
    px = stages["pending"][0]
    _arrow(ax, (px + bw / 2 + gap, ty), (kopilka_x - bw / 2 - gap, ty), gid="stage-flow:confirm", colour=_INK)
    _label(ax, (px + kopilka_x) / 2, ty + 0.28, tr("merchant confirms"), size=9.5)
    _label(ax, (px + kopilka_x) / 2, ty - 0.22, tr("{lo}–{hi} weeks later", lo=lo, hi=hi), size=9.5, colour=_MUTED)
    _arrow(ax, (px + 0.6, ty - bh / 2 - gap), (kopilka_x - bw / 2 - gap, ty - 1.35), gid="stage-flow:decline",
           colour=_MUTED, connection="angle,angleA=-90,angleB=180,rad=0")
    _label(ax, px + 0.75, ty - 1.2, tr("or declines"), size=9.5, colour=_MUTED, ha="left")
    _arrow(ax, (kopilka_x + bw / 2 + gap, ty), (merchant_x - bw / 2 - gap, ty), gid="stage-flow:pay", colour=_INK)
    _label(ax, (kopilka_x + merchant_x) / 2, ty + 0.28, tr("Kopilka pays out"), size=9.5)

    ax.set_xlim(-0.2, 14.2)
    ax.set_ylim(-0.6, 8.75)
    ax.set_axis_off()
    ax.set_title(tr("Kopilka's business model: who pays whom"))
    return ax


# -- causal diagrams (chapter 4) -------------------------------------------------------


def causal_diagram(
    nodes: Mapping[str, tuple[float, float]],
    edges: Any,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    dashed: Any = (),
    captions: Mapping[str, str] | None = None,
) -> Axes:
    """Draw a small causal diagram: one box per variable, one arrow per direct effect.

    Parameters
    ----------
    nodes : mapping of str to (x, y)
        Each variable's label and the centre of its box, in units where the
        diagram spans about 0-10 across and 0-4 up.
    edges : sequence of (str, str)
        Direct effects, ``(cause, effect)``; both must be in ``nodes``.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure of 5 × 3 inches.
    title : str, optional
        Title of the axes.
    dashed : sequence of (str, str)
        Edges among ``edges`` to draw dashed (an effect that may be absent).
    captions : mapping of str to str, optional
        Text to show in a node's box instead of its label (the gids keep the
        label), e.g. the label in another language.

    Returns
    -------
    matplotlib Axes
        The boxes carry the gid ``"node:<label>"``, the arrows
        ``"edge:<cause>-><effect>"``.

    Raises
    ------
    ValueError
        If ``nodes`` is empty or a position is not two numbers, if an edge is
        not a pair of node labels or points from a node to itself, or if
        ``dashed`` names an edge not in ``edges``.
    TypeError
        If ``ax`` is neither None nor a matplotlib Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = causal_diagram({"X": (1, 2), "Y": (9, 2)}, [("X", "Y")])
    >>> sorted(p.get_gid() for p in ax.patches)
    ['edge:X->Y', 'node:X', 'node:Y']
    >>> plt.close("all")
    """
    if not isinstance(nodes, Mapping) or not nodes:
        raise ValueError(f"nodes: expected a non-empty mapping of label to (x, y); found {nodes!r}")
    places = {}
    for label, xy in nodes.items():
        try:
            x, y = (float(v) for v in xy)
        except (TypeError, ValueError):
            raise ValueError(f"nodes[{label!r}]: expected a position (x, y) of two numbers; found {xy!r}") from None
        places[str(label)] = (x, y)
    pairs = []
    for edge in list(edges):
        if not (isinstance(edge, (tuple, list)) and len(edge) == 2 and all(str(e) in places for e in edge)):
            raise ValueError(f"edges: expected pairs (cause, effect) of node labels {sorted(places)}; found {edge!r}")
        if str(edge[0]) == str(edge[1]):
            raise ValueError(f"edges: an arrow from a variable to itself is not a causal diagram; found {edge!r}")
        pairs.append((str(edge[0]), str(edge[1])))
    dashed_pairs = {(str(a), str(b)) for a, b in dashed}
    if not dashed_pairs <= set(pairs):
        raise ValueError(f"dashed: expected edges among {pairs}; found {sorted(dashed_pairs - set(pairs))}")
    captions = {label: str((captions or {}).get(label, label)) for label in places}
    ax = _get_axes(ax, figsize=(5.0, 3.0))
    # Wide enough for the longest text (a Cyrillic letter is wider than a Latin one).
    wide = {text: sum(ord(c) >= 128 for c in text) for text in captions.values()}
    w, h = max(2.4, max(0.18 * (len(t) - n) + 0.21 * n for t, n in wide.items())), 0.9
    boxes = {}
    colour_of = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(sorted(places))}  # same label, same colour
    for label, (x, y) in places.items():
        boxes[label] = (x - w / 2, y - h / 2, w, h)
        _box(ax, x - w / 2, y - h / 2, w, h, colour_of[label], gid=f"node:{label}", fill=0.25)
        _label(ax, x, y, captions[label], size=9.5, weight="bold", background=False)
    for cause, effect in pairs:
        start = _edge_point(boxes[cause], places[effect])
        end = _edge_point(boxes[effect], places[cause])
        _arrow(ax, start, end, gid=f"edge:{cause}->{effect}", lw=1.8,
               linestyle="--" if (cause, effect) in dashed_pairs else "-")
    xs = [x for x, _ in places.values()]
    ys = [y for _, y in places.values()]
    ax.set_xlim(min(xs) - w / 2 - 0.3, max(xs) + w / 2 + 0.3)
    ax.set_ylim(min(ys) - h / 2 - 0.4, max(ys) + h / 2 + 0.4)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize="medium")
    return ax


def key_account_diagrams(axes: Any = None) -> tuple[Axes, Axes]:
    """Draw the two causal stories of key accounts: quality a confounder, or a mediator.

    Left, *confounder*: a good relationship (the merchant's rating of it)
    leads managers to meet more often and, separately, brings growth; the
    dashed arrow is the effect of meetings asked about, zero in Kopilka's
    simulation, which is built this way. Right, *mediator*: meetings
    build the relationship, and the relationship brings growth. Both diagrams
    imply that meetings and growth are unrelated once quality is held fixed,
    so a regression on the key-account table cannot choose between them. In
    the first, holding quality fixed gives the effect of meetings (none); in
    the second it removes the very effect asked about, and the slope of
    meetings *alone* is their total effect. A randomised change in meeting
    frequency settles it.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes, optional
        Where to draw; by default a new figure of 10 × 3.2 inches.

    Returns
    -------
    tuple of two matplotlib Axes
        The confounder story, then the mediator story (see :func:`causal_diagram`
        for the gids).

    Raises
    ------
    ValueError
        If ``axes`` is not two matplotlib Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> left, right = key_account_diagrams()
    >>> sorted(p.get_gid() for p in right.patches if p.get_gid().startswith("edge:"))
    ['edge:meetings->relationship quality', 'edge:relationship quality->growth']
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.85, wspace=0.08)
    else:
        try:
            axes = list(axes)
        except TypeError:
            axes = [axes]
        if len(axes) != 2:
            raise ValueError(f"axes: expected two matplotlib Axes (fig, axes = plt.subplots(1, 2)); found {len(axes)}")
    quality, meetings, growth = "relationship quality", "meetings", "growth"
    # The gids keep these names; the boxes show them in the current language.
    captions = {quality: tr("relationship quality"), meetings: tr("meetings"), growth: tr("growth")}
    left = causal_diagram(
        {quality: (5.0, 3.2), meetings: (1.4, 0.8), growth: (8.6, 0.8)},
        [(quality, meetings), (quality, growth), (meetings, growth)],
        axes[0], dashed=[(meetings, growth)],
        title=tr("Confounder: quality drives both (the simulation's story)"), captions=captions,
    )
    right = causal_diagram(
        {meetings: (1.4, 0.8), quality: (5.0, 3.2), growth: (8.6, 0.8)},
        [(meetings, quality), (quality, growth)],
        axes[1], title=tr("Mediator: meetings build the relationship"), captions=captions,
    )
    return left, right
