"""The two diagrams of the introduction: complete, pointing the right way, reproducible."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

pass
from crm_course.kopilka.diagrams import business_model_diagram, data_model_diagram  # noqa: E402
from crm_course.plots import PALETTE  # noqa: E402
from crm_course.world.params import PurchaseParams  # noqa: E402
from crm_course.world.schema import TABLES, Field, ForeignKey, Table  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def by_gid(ax, prefix: str) -> dict:
    return {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith(prefix)}


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def extent(artist, pad: float = 2.0):
    """The artist's box on screen, a couple of pixels wider (edges touch, not overlap)."""
    return artist.get_window_extent().padded(pad)


def near(point, box, pad: float = 0.15) -> bool:
    """Whether a point (data units) lies on or within ``pad`` of a box patch."""
    x, y, w, h = box.get_x(), box.get_y(), box.get_width(), box.get_height()
    return x - pad <= point[0] <= x + w + pad and y - pad <= point[1] <= y + h + pad


def ends(arrow):
    """Start and end of an arrow, in data units (where it was drawn from and to).

    FancyArrowPatch keeps them in a private attribute; the public path is in screen
    units and includes the head, which makes "which box does it touch" ambiguous.
    """
    return arrow._posA_posB


def fk_gid(name: str, fk: ForeignKey) -> str:
    return f"fk:{name}.{','.join(fk.fields)}->{fk.table}.{','.join(fk.reference)}"


# -- data model ---------------------------------------------------------------------------


def test_every_table_has_a_box_with_its_name_and_title():
    ax = data_model_diagram()
    boxes = by_gid(ax, "table:")
    assert set(boxes) == {f"table:{name}" for name in TABLES}
    shown = texts(ax)
    for name, table in TABLES.items():
        assert name in shown and table.title in shown


def test_every_key_column_is_listed_in_its_table():
    ax = data_model_diagram()
    shown = texts(ax)
    for name, table in TABLES.items():
        for column in table.primary_key:
            assert any(line.startswith("PK") and line.split()[-1] == column or
                       line.startswith("PK") and f" {column} →" in line for line in shown), (name, column)
        for fk in table.foreign_keys:
            for column in fk.fields:
                assert any("FK" in line.split()[:2] and f"{column} → {fk.table}" in line for line in shown), (
                    name, column)


def test_every_foreign_key_is_one_arrow_from_the_child_to_the_parent():
    ax = data_model_diagram()
    arrows = by_gid(ax, "fk:")
    expected = {fk_gid(name, fk): (name, fk.table) for name, t in TABLES.items() for fk in t.foreign_keys}
    assert set(arrows) == set(expected)
    assert len(expected) == 7  # Kopilka's schema: a change there should be looked at here
    boxes = {gid.split(":", 1)[1]: p for gid, p in by_gid(ax, "table:").items()}
    for gid, (child, parent) in expected.items():
        start, end = ends(arrows[gid])
        assert near(start, boxes[child], pad=1e-9) and near(end, boxes[parent], pad=1e-9), gid
        # Leaving the child at its edge, not from inside another box on the way.
        assert [n for n, b in boxes.items() if near(start, b, pad=1e-9)] == [child], gid
        assert [n for n, b in boxes.items() if near(end, b, pad=1e-9)] == [parent], gid


def test_boxes_do_not_overlap_and_text_stays_inside_its_box():
    ax = data_model_diagram()
    ax.figure.canvas.draw()
    boxes = {gid.split(":", 1)[1]: p.get_window_extent() for gid, p in by_gid(ax, "table:").items()}
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not boxes[a].overlaps(boxes[b]), (a, b)
    inside_some_box = 0
    for t in ax.texts:
        bb = t.get_window_extent()
        for name, box in boxes.items():
            if box.contains(*((bb.p0 + bb.p1) / 2)):
                inside_some_box += 1
                assert box.contains(*bb.p0) and box.contains(*bb.p1), (name, t.get_text())
    lines_per_table = {name: 3 + len(t.primary_key) + sum(
        c not in t.primary_key for fk in t.foreign_keys for c in fk.fields) for name, t in TABLES.items()}
    assert inside_some_box == sum(lines_per_table.values())


def test_colours_come_from_the_course_palette():
    ax = data_model_diagram()
    from matplotlib.colors import to_hex

    edges = {to_hex(p.get_edgecolor()).upper() for p in by_gid(ax, "table:").values()}
    assert edges <= {c.upper() for c in PALETTE}
    assert len(edges) == 4  # members, orders, merchants, support


def test_a_schema_with_an_extra_table_places_it_below():
    extra = Table(
        name="reviews", title="Product reviews", grain="one row per review", description="", chapters="-",
        fields=(Field("review_id", "integer", ""), Field("customer_id", "integer", ""), Field("stars", "integer", "")),
        primary_key=("review_id",),
        foreign_keys=(ForeignKey(("customer_id",), "customers", ("customer_id",)),),
    )
    tables = {**TABLES, "reviews": extra}
    ax = data_model_diagram(tables=tables)
    ax.figure.canvas.draw()
    boxes = by_gid(ax, "table:")
    assert "table:reviews" in boxes
    lowest_kopilka = min(p.get_y() for g, p in boxes.items() if g != "table:reviews")
    assert boxes["table:reviews"].get_y() + boxes["table:reviews"].get_height() < lowest_kopilka
    assert "fk:reviews.customer_id->customers.customer_id" in by_gid(ax, "fk:")
    assert "+ 1 other column" in texts(ax)
    assert ax.figure.get_figheight() > 8  # a fourth row gets a taller figure
    # ... and stays inside the visible area.
    y0, y1 = ax.get_ylim()
    assert y0 <= boxes["table:reviews"].get_y()


def test_a_subset_of_tables_draws_only_those():
    subset = {name: TABLES[name] for name in ("customers", "agents", "contacts")}
    ax = data_model_diagram(tables=subset)
    assert set(by_gid(ax, "table:")) == {"table:customers", "table:agents", "table:contacts"}
    assert len(by_gid(ax, "fk:")) == 2
    assert "3 tables" in ax.get_title()


@pytest.mark.parametrize(
    ("tables", "match"),
    [
        ({}, "non-empty mapping"),
        (["customers"], "mapping of table name"),
        ({"customers": "customers"}, r"tables\['customers'\]: expected a crm_course.world.schema.Table"),
        ({"contacts": TABLES["contacts"]}, "points to table 'customers', which is not among the tables"),
    ],
)
def test_bad_tables_are_refused_with_a_clear_message(tables, match):
    with pytest.raises(ValueError, match=match):
        data_model_diagram(tables=tables)


# -- both diagrams: the ax argument ---------------------------------------------------------

DIAGRAMS = [data_model_diagram, business_model_diagram]


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_draws_on_the_axes_it_is_given(draw):
    fig, ax = plt.subplots(figsize=(12, 8))
    before = plt.get_fignums()
    assert draw(ax) is ax
    assert plt.get_fignums() == before
    assert not ax.axison and ax.get_title()
    fig.canvas.draw()


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_draws_a_new_figure_by_default(draw):
    ax = draw()
    assert plt.get_fignums() == [ax.figure.number]
    ax.figure.canvas.draw()


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad", ["ax", 1, plt], ids=["str", "int", "pyplot-module"])
def test_bad_ax_is_a_type_error_naming_the_argument(draw, bad):
    with pytest.raises(TypeError, match=r"^ax: expected a matplotlib Axes .* or None; found "):
        draw(bad)


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_a_figure_instead_of_axes_says_what_was_found(draw):
    fig = plt.figure()
    with pytest.raises(TypeError, match="found Figure"):
        draw(fig)


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_polar_axes_are_refused(draw):
    ax = plt.figure().add_subplot(projection="polar")
    with pytest.raises(ValueError, match="rectilinear"):
        draw(ax)


@pytest.mark.parametrize("draw", DIAGRAMS, ids=lambda f: f.__name__)
def test_the_same_figure_byte_for_byte_on_every_run(draw):
    def svg() -> bytes:
        with matplotlib.rc_context({"svg.hashsalt": "test", "svg.fonttype": "none"}):
            ax = draw()
            buf = io.BytesIO()
            ax.figure.savefig(buf, format="svg", metadata={"Date": None})
            plt.close(ax.figure)
        return buf.getvalue()

    assert svg() == svg()


# -- business model ---------------------------------------------------------------------------


def test_business_model_has_every_actor_stage_and_flow():
    ax = business_model_diagram()
    gids = set(by_gid(ax, ""))
    assert {"actor:member", "actor:merchant", "actor:kopilka", "actor:support"} <= gids
    assert {"stage:pending", "stage:confirmed", "stage:declined", "stage:paid out"} <= gids
    assert {"flow:order", "flow:commission", "flow:cashback", "flow:support"} <= gids
    words = " ".join(texts(ax)).lower()
    for word in ("member", "merchant", "kopilka", "order", "commission", "cashback", "pending",
                 "confirmed", "declined", "paid out", "support"):
        assert word in words, word


@pytest.mark.parametrize(
    ("flow", "source", "target"),
    [
        ("flow:order", "actor:member", "actor:merchant"),
        ("flow:commission", "actor:merchant", "actor:kopilka"),
        ("flow:cashback", "actor:kopilka", "actor:member"),
        ("flow:support", "actor:member", "actor:support"),
    ],
)
def test_each_flow_runs_from_one_party_to_the_other(flow, source, target):
    ax = business_model_diagram()
    actors = by_gid(ax, "actor:")
    start, end = ends(by_gid(ax, flow)[flow])
    assert [g for g, box in actors.items() if near(start, box)] == [source]
    assert [g for g, box in actors.items() if near(end, box)] == [target]


def test_the_confirmation_delay_follows_the_simulation_default(monkeypatch):
    lo, hi = PurchaseParams().confirm_delay_weeks
    assert f"{lo}–{hi} weeks later" in texts(business_model_diagram())
    import crm_course.world.params as params

    monkeypatch.setattr(params, "PurchaseParams", lambda: replace(PurchaseParams(), confirm_delay_weeks=(2, 6)))
    assert "2–6 weeks later" in texts(business_model_diagram())


# -- the module ---------------------------------------------------------------------------------



def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, crm_course.kopilka.diagrams; print('matplotlib' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


# -- the causal diagrams of chapter 4 ----------------------------------------------------

from crm_course.kopilka.diagrams import causal_diagram, key_account_diagrams  # noqa: E402


def test_the_two_key_account_stories_differ_only_in_the_direction_between_meetings_and_quality():
    left, right = key_account_diagrams()
    edges = [{g for g in by_gid(ax, "edge:")} for ax in (left, right)]
    assert edges[0] == {"edge:relationship quality->meetings", "edge:relationship quality->growth",
                        "edge:meetings->growth"}
    assert edges[1] == {"edge:meetings->relationship quality", "edge:relationship quality->growth"}
    assert by_gid(left, "edge:")["edge:meetings->growth"].get_linestyle() == "--"  # the effect asked about
    # The same variable has the same colour in both stories.
    for name in ("meetings", "relationship quality", "growth"):
        assert by_gid(left, "node:")[f"node:{name}"].get_edgecolor() == by_gid(right, "node:")[f"node:{name}"].get_edgecolor()


def test_every_arrow_of_a_causal_diagram_runs_from_its_cause_to_its_effect():
    ax = causal_diagram({"A": (1, 1), "B": (5, 3), "C": (9, 1)}, [("A", "B"), ("B", "C"), ("A", "C")])
    nodes = by_gid(ax, "node:")
    for gid, arrow in by_gid(ax, "edge:").items():
        cause, effect = gid[len("edge:"):].split("->")
        start, end = ends(arrow)
        assert near(start, nodes[f"node:{cause}"]) and not near(start, nodes[f"node:{effect}"])
        assert near(end, nodes[f"node:{effect}"]) and not near(end, nodes[f"node:{cause}"])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"nodes": {}, "edges": []}, "nodes: expected a non-empty mapping"),
    ({"nodes": {"A": (1,)}, "edges": []}, r"nodes\['A'\]: expected a position"),
    ({"nodes": {"A": (1, 1)}, "edges": [("A", "Z")]}, "edges: expected pairs"),
    ({"nodes": {"A": (1, 1)}, "edges": [("A", "A")]}, "from a variable to itself"),
    ({"nodes": {"A": (1, 1), "B": (2, 2)}, "edges": [("A", "B")], "dashed": [("B", "A")]}, "dashed: expected edges"),
])
def test_a_causal_diagram_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        causal_diagram(**kwargs)


def test_key_account_diagrams_want_two_axes():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axes: expected two matplotlib Axes"):
        key_account_diagrams(ax)
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes"):
        key_account_diagrams(["not", "axes"])
