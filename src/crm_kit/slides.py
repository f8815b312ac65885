"""Slide decks from the chapter notebooks (``make slides``).

A chapter notebook is also its lecture's slide deck: the cells carry the
standard Jupyter slide metadata, ``metadata.slideshow.slide_type``, one of

``slide``
    starts a new slide;
``subslide``
    starts a slide below the current one (reveal.js's vertical slides);
``fragment``
    appears on the current slide at the next key press;
``notes``
    speaker notes, shown only in the speaker view (key ``s``);
``skip``
    not in the deck: the rest of the notebook, its long form.

The same metadata drives both ways of presenting. Live, in JupyterLab, the
``jupyterlab-rise`` extension (in the ``lab`` extra) presents the open
notebook with its kernel. Offline, :func:`build` writes one static HTML deck
per notebook with nbconvert's slides exporter, next to a copy of reveal.js and
of MathJax, so the decks open from disk with no network and typeset their
equations. A code cell tagged ``slides-hide-input`` shows its output only (a
figure or a table) in the static deck; the tag is ours rather than Jupyter
Book's ``hide-input``, which would also fold the code away on the course site.

Slides a notebook lacks (the chapter's question, its decision, the discussion
questions) are short Markdown cells tagged ``lecturer`` (the student edition
removes them) and ``remove-cell`` (the course site leaves them out).

Every cell of a chapter notebook states its slide type, ``skip`` included:
a cell without one would join the slide before it (nbconvert and RISE read a
missing type as "continue the current slide"), so :func:`deck_problems`
reports it rather than letting a rewritten chapter grow a slide silently.

The Russian edition's decks come from ``notebooks/ru/`` (``--lang ru``, into
``slides/ru/`` by default): the same cells, so the same slides, in Russian.

Run as ``python -m crm_kit.slides [--lang en|ru] [--out slides] [NOTEBOOK ...]``.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
from pathlib import Path

__all__ = [
    "HIDE_INPUT_TAG", "SLIDE_TYPES", "build", "build_deck", "copy_assets", "deck_problems", "deck_size",
    "main", "slide_type",
]

ROOT = Path(__file__).resolve().parents[2]

SLIDE_TYPES = ("slide", "subslide", "fragment", "notes", "skip", "-")
HIDE_INPUT_TAG = "slides-hide-input"
#: Where the decks find reveal.js and MathJax, relative to the deck.
REVEAL_DIR = "reveal.js"
MATHJAX_DIR = "mathjax"
#: MathJax 2's combined configuration shipped by jupyter-server-mathjax.
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"

# nbconvert's reveal template loads jQuery, require.js and mermaid from the web
# and reveal.js through require.js. This template drops the three and loads
# the local reveal.js (a UMD build, so it defines the global ``Reveal``) with
# plain script tags.
_TEMPLATE = """{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block footer_js %}
<style>
.reveal .slides section { text-align: left; }
.reveal .jp-RenderedMarkdown p, .reveal .jp-RenderedMarkdown li { font-size: 26px; line-height: 1.35; }
.reveal .jp-RenderedHTMLCommon table { font-size: 20px; }
.reveal .jp-RenderedText pre { font-size: 17px; }
/* Figures fill the slide's width or 500 pixels of its height, keeping their shape. */
.reveal .jp-RenderedImage img { width: 100%; height: 500px; object-fit: contain; object-position: left; }
</style>
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true,
  progress: true,
  hash: true,
  slideNumber: "c/t",
  transition: "none",
  width: {{ resources.reveal.width }},
  height: {{ resources.reveal.height }},
  plugins: [RevealNotes]
});
// MathJax 2 measures equations wrongly while their slide is hidden: typeset again when it shows.
Reveal.on("slidechanged", function (event) {
  if (window.MathJax && MathJax.Hub) { MathJax.Hub.Queue(["Rerender", MathJax.Hub, event.currentSlide]); }
});
</script>
{% endblock footer_js %}
"""


def slide_type(cell) -> str | None:
    """The cell's slide type, or None when it states none.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}})
    >>> slide_type(cell), slide_type(nbformat.v4.new_markdown_cell("text"))
    ('slide', None)
    """
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def deck_size(nb) -> int:
    """Number of slides in the deck: cells of type ``slide`` or ``subslide``.

    Examples
    --------
    >>> import nbformat
    >>> cells = [nbformat.v4.new_markdown_cell(t, metadata={"slideshow": {"slide_type": t}})
    ...          for t in ("slide", "fragment", "subslide", "skip", "slide")]
    >>> deck_size(nbformat.v4.new_notebook(cells=cells))
    3
    """
    return sum(slide_type(cell) in ("slide", "subslide") for cell in nb.cells)


def deck_problems(nb, name: str = "notebook") -> list[str]:
    """Plain-language problems with a notebook's slide metadata (empty when it makes a deck).

    Every cell must state a known slide type, the deck must open with a
    ``slide``, a code cell shown on a slide must have an output, and the
    ``slides-hide-input`` tag belongs only on code cells that are shown.
    Cells are counted from 1, as JupyterLab shows them.

    Examples
    --------
    >>> import nbformat
    >>> cells = [nbformat.v4.new_markdown_cell("# T", metadata={"slideshow": {"slide_type": "fragment"}}),
    ...          nbformat.v4.new_markdown_cell("more")]
    >>> for problem in deck_problems(nbformat.v4.new_notebook(cells=cells), "ch.ipynb"):
    ...     print(problem)
    ch.ipynb: cell 2 states no slide type (metadata.slideshow.slide_type); mark it 'skip' unless it belongs on a slide
    ch.ipynb: the deck opens with a 'fragment' (cell 1); its first shown cell must be a 'slide'
    """
    problems = []
    for number, cell in enumerate(nb.cells, start=1):
        kind = slide_type(cell)
        tags = set(cell.get("metadata", {}).get("tags", []))
        if kind is None:
            problems.append(f"{name}: cell {number} states no slide type (metadata.slideshow.slide_type); "
                            "mark it 'skip' unless it belongs on a slide")
        elif kind not in SLIDE_TYPES:
            problems.append(f"{name}: cell {number} has slide type {kind!r}; expected one of {', '.join(SLIDE_TYPES)}")
        shown = kind not in (None, "skip")
        if HIDE_INPUT_TAG in tags and (cell.cell_type != "code" or not shown):
            problems.append(f"{name}: cell {number} is tagged {HIDE_INPUT_TAG!r} but is not a code cell on a slide")
        if shown and cell.cell_type == "code" and not cell.get("outputs"):
            problems.append(f"{name}: cell {number} is a code cell on a slide with no output (run the notebook)")
    shown_cells = [(n, slide_type(c)) for n, c in enumerate(nb.cells, start=1) if slide_type(c) not in (None, "skip", "notes")]
    if not shown_cells:
        problems.append(f"{name}: no cell is on a slide")
    elif shown_cells[0][1] != "slide":
        problems.append(f"{name}: the deck opens with a {shown_cells[0][1]!r} (cell {shown_cells[0][0]}); "
                        "its first shown cell must be a 'slide'")
    return problems


def _exporter():
    import jinja2
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = SlidesExporter(
        extra_loaders=[jinja2.DictLoader({"crm_slides.html.j2": _TEMPLATE})],
        template_file="crm_slides.html.j2",
        reveal_url_prefix=REVEAL_DIR,
        reveal_width="1100",
        reveal_height="760",
        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={HIDE_INPUT_TAG}), enabled=True)
    return exporter


def build_deck(nb, name: str, out: Path, exporter=None) -> Path:
    """Write the static deck of one notebook to ``out/<name>.slides.html``; return its path.

    Cells marked ``skip`` are dropped before rendering (nbconvert would skip
    them too, after rendering their figures for nothing). ``out`` must hold
    the assets :func:`copy_assets` writes for the deck to show.

    Raises
    ------
    ValueError
        When the notebook's slide metadata has a problem (:func:`deck_problems`).
    """
    problems = deck_problems(nb, name)
    if problems:
        raise ValueError("\n".join(problems))
    deck = copy.deepcopy(nb)
    deck.cells = [cell for cell in deck.cells if slide_type(cell) != "skip"]
    html, _ = (exporter or _exporter()).from_notebook_node(deck, resources={"metadata": {"name": name}})
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.slides.html"
    path.write_text(html, encoding="utf-8")
    return path


def _package_dir(module: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {module!r} is not installed; run 'make env' (it is in the dev group)")
    return Path(next(iter(spec.submodule_search_locations)))


def copy_assets(out: Path) -> None:
    """Copy reveal.js (from sphinx-revealjs) and MathJax 2 (from jupyter-server-mathjax) into ``out``.

    jupyterlab-rise also ships reveal.js, but bundled into its JupyterLab
    extension, where a static page cannot load it.
    """
    reveal = _package_dir("sphinx_revealjs") / "_static" / "revealjs"
    mathjax = _package_dir("jupyter_server_mathjax") / "static"
    target = out / REVEAL_DIR
    if target.exists():
        shutil.rmtree(target)
    for part in ("dist", "plugin/notes"):
        shutil.copytree(reveal / part, target / part)
    shutil.copy2(reveal / "LICENSE", target / "LICENSE")
    if (out / MATHJAX_DIR).exists():
        shutil.rmtree(out / MATHJAX_DIR)
    shutil.copytree(mathjax, out / MATHJAX_DIR)


def build(notebooks: list[Path], out: Path) -> list[Path]:
    """Write the deck of every notebook, with reveal.js and MathJax, to ``out``; return the decks."""
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exporter = _exporter()
    return [build_deck(nbformat.read(path, as_version=4), Path(path).stem, out, exporter) for path in notebooks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_kit.slides", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=("en", "ru"), default="en",
                        help="en (default: notebooks/ into slides/) or ru (notebooks/ru/ into slides/ru/)")
    parser.add_argument("--out", help="folder for the HTML decks (default: slides, or slides/ru)")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to build (default: every notebook of the language)")
    args = parser.parse_args(argv)
    folder = ROOT / "notebooks" / "ru" if args.lang == "ru" else ROOT / "notebooks"
    args.out = args.out or ("slides/ru" if args.lang == "ru" else "slides")
    notebooks = args.notebooks or sorted(folder.glob("*.ipynb"))
    try:
        decks = build(notebooks, Path(args.out))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    for deck in decks:
        print(f"wrote {deck}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
