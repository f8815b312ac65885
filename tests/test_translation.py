"""The Russian edition keeps in step with the English: cell for cell, code for code, number for number.

``notebooks/ru/`` holds every notebook in Russian (:mod:`crm_kit.translation`).
These tests fail when an English notebook changes and its Russian one does
not, when their cells stop corresponding (types, tags, slide types, solution
markers, exercise ids), when a Russian text cell states other numbers than
its English cell, and when the outputs of the two editions show different
numbers. The second half makes each failure happen on purpose, so that the
checks are known to bite.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from crm_kit import translation
from crm_kit.translation import code_problems, drift_problems, numbers

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUSSIAN = sorted((ROOT / "notebooks" / "ru").glob("*.ipynb"))


def test_every_notebook_has_a_russian_edition_and_nothing_else_is_there():
    assert [p.name for p in ENGLISH] == [p.name for p in RUSSIAN]
    assert ENGLISH, "no notebooks found"


@pytest.mark.parametrize("path", RUSSIAN, ids=lambda p: p.name)
def test_russian_notebook_corresponds_to_the_english(path):
    en = nbformat.read(translation.english_of(path), as_version=4)
    ru = nbformat.read(path, as_version=4)
    problems = drift_problems(en, ru)
    assert not problems, f"{path.name} has drifted from the English:\n" + "\n".join(problems[:40])


# --- the checks bite -----------------------------------------------------------------------


def _pair() -> tuple:
    """A small English notebook and its correct Russian translation."""
    en_cells = [
        nbformat.v4.new_markdown_cell("# Chapter 9 · Loyalty\n\nThe top 20% of members bring 0.70 of revenue, 129,000 RUB."),
        nbformat.v4.new_code_cell(translation_colab()),
        nbformat.v4.new_code_cell("import numpy as np\nfrom crm_kit.exercises import check"),
        nbformat.v4.new_code_cell('share = 0.70  # the share\nprint(f"Share of revenue: {share:.2f}")\ncheck("9.1", share)'),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = share * 2\n### END SOLUTION\nanswer"),
    ]
    en = nbformat.v4.new_notebook(cells=en_cells)
    en.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Share of revenue: 0.70\n")]
    ru = copy.deepcopy(en)
    ru.cells[0].source = ("# Глава 9 · Лояльность\n\nВерхние 20 % участников приносят 0,70 выручки, "
                          "129\u00a0000 руб.")
    ru.cells[2].source = "\n".join(translation.LANGUAGE_LINES) + "\n" + en.cells[2].source
    ru.cells[3].source = 'share = 0.70  # доля\nprint(f"Доля выручки: {share:.2f}")\ncheck("9.1", share)'
    ru.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Доля выручки: 0.70\n")]
    for en_cell, ru_cell in zip(en.cells, ru.cells):
        ru_cell.metadata["translation"] = {"en": translation.digest(en_cell.source)}
    return en, ru


def translation_colab() -> str:
    from crm_kit.notebooks import COLAB_CELL

    return COLAB_CELL


def test_a_faithful_translation_has_no_problem():
    en, ru = _pair()
    assert drift_problems(en, ru) == []


def test_changed_english_code_is_drift_until_the_russian_follows_and_is_stamped():
    en, ru = _pair()
    en.cells[4].source = en.cells[4].source.replace("share * 2", "share * 3")
    problems = drift_problems(en, ru)
    assert any("cell 4: the English cell changed" in p for p in problems)
    assert any("cell 4: the code differs" in p for p in problems)
    ru.cells[4].source = en.cells[4].source
    ru.cells[4].metadata["translation"]["en"] = translation.digest(en.cells[4].source)
    assert drift_problems(en, ru) == []


def test_changed_english_prose_or_comment_is_drift_too():
    en, ru = _pair()
    en.cells[3].source = en.cells[3].source.replace("# the share", "# the share of revenue")
    assert drift_problems(en, ru) == ["cell 3: the English cell changed since it was translated (translate it, then stamp)"]


def test_cells_must_correspond_in_number_type_tags_and_slides():
    en, ru = _pair()
    shorter = copy.deepcopy(ru)
    shorter.cells.pop()
    assert drift_problems(en, shorter) == ["4 cells against 5 in the English"]
    retyped = copy.deepcopy(ru)
    retyped.cells[0] = nbformat.v4.new_raw_cell(ru.cells[0].source, metadata=ru.cells[0].metadata)
    assert "cell 0: a raw cell where the English has a markdown cell" in drift_problems(en, retyped)
    tagged = copy.deepcopy(ru)
    tagged.cells[0].metadata["tags"] = ["lecturer"]
    assert any("cell 0: tags ['lecturer']" in p for p in drift_problems(en, tagged))
    slid = copy.deepcopy(ru)
    slid.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    assert any("cell 0: slide type 'slide'" in p for p in drift_problems(en, slid))


def test_exercise_ids_solution_markers_and_data_strings_cannot_change():
    en, ru = _pair()
    renumbered = copy.deepcopy(ru)
    renumbered.cells[3].source = renumbered.cells[3].source.replace('"9.1"', '"9.2"')
    assert any("'9.2' for '9.1'" in p for p in drift_problems(en, renumbered))
    unmarked = copy.deepcopy(ru)
    unmarked.cells[4].source = "answer = share * 2\nanswer"
    assert any("solution markers" in p for p in drift_problems(en, unmarked))
    assert code_problems('df["revenue"]', 'df["revenue_rub"]') != []
    assert code_problems('print(f"{n} members")', 'print(f"{n + 1} участников")') != []


def test_the_russian_notebook_must_switch_the_helpers_to_russian():
    en, ru = _pair()
    ru.cells[2].source = en.cells[2].source
    assert any("does not switch to Russian" in p for p in drift_problems(en, ru))


def test_prose_must_state_the_english_numbers_in_russian_style():
    en, ru = _pair()
    ru.cells[0].source = ru.cells[0].source.replace("0,70", "0,71")
    assert any("cell 0: its numbers differ from the English: missing 0.7; not in the English 0.71" in p
               for p in drift_problems(en, ru))
    # "129 000" with an ordinary space is two numbers, not one.
    assert numbers("129 000", "ru") == numbers("129 and 0", "en")
    assert numbers("129\u00a0000", "ru") == numbers("129,000", "en")
    assert numbers("−4,33 (3,96–4,71)", "ru") == numbers("-4.33 (3.96-4.71)", "en")
    assert numbers("§3.5 и упражнение 1.3", "ru") == numbers("§3.5 and exercise 1.3", "en")
    assert numbers("tau_1 и x2", "ru") == numbers("", "en")


def test_untranslated_text_is_reported():
    en, ru = _pair()
    ru.cells[0].source = en.cells[0].source
    assert "cell 0: not translated" in drift_problems(en, ru)


def test_outputs_must_show_the_same_numbers():
    en, ru = _pair()
    ru.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="Доля выручки: 0.71\n")]
    assert drift_problems(en, ru) == [
        "cell 3: its outputs' numbers differ from the English: missing 0.7; not in the English 0.71"
    ]


def test_the_translator_tools_round_trip(tmp_path):
    en, ru = _pair()
    (tmp_path / "ru").mkdir()
    en_path, ru_path = tmp_path / "09_loyalty.ipynb", tmp_path / "ru" / "09_loyalty.ipynb"
    nbformat.write(en, en_path)
    started = translation.init(en_path)
    assert started == ru_path and drift_problems(en, nbformat.read(ru_path, as_version=4), outputs=False) == [
        "cell 0: not translated",
        "cell 0: its numbers differ from the English: missing 129000; not in the English 129",
    ]
    text = tmp_path / "cells.txt"
    text.write_text(f"<<<cell 0 markdown>>>\n{ru.cells[0].source}\n", encoding="utf-8")
    assert translation.import_cells(ru_path, text) == 1
    assert drift_problems(en, nbformat.read(ru_path, as_version=4), outputs=False) == []
    with pytest.raises(ValueError, match="cell 0 is not a code cell"):
        text.write_text("<<<cell 0 code>>>\nx = 1\n", encoding="utf-8")
        translation.import_cells(ru_path, text)
    en.cells[0].source += " More."
    nbformat.write(en, en_path)
    assert translation.stamp(ru_path) == 1


def test_key_figures_keep_their_count_and_get_russian_labels():
    en, ru = _pair()
    en.cells[3].metadata["key_figure"] = [{"label": "Share of revenue", "line": "Share"}]
    ru.cells[3].metadata["key_figure"] = [{"label": "Share of revenue", "line": "Доля"}]
    assert drift_problems(en, ru) == ["cell 3: key figure 'Share of revenue' has no Russian label"]
    ru.cells[3].metadata["key_figure"] = [{"label": "Доля выручки", "line": "Доля"}]
    assert drift_problems(en, ru) == []
    ru.cells[3].metadata["key_figure"] = []
    assert drift_problems(en, ru) == ["cell 3: 0 key figures against 1 in the English"]


def test_english_ordinals_are_numbers_and_identifiers_are_not():
    assert numbers("the 2.5th and 97.5th percentiles, the 1st and 22nd", "en") == numbers(
        "2,5-й и 97,5-й процентили, 1-й и 22-й", "ru")
    assert numbers("tau_1, x2, 2SLS and 3rdparty", "en") == numbers("", "en")


def test_code_in_russian_text_is_read_as_code():
    assert numbers("главы `CHAPTERS=1,3` и доля 0,18", "ru") == numbers("chapters `CHAPTERS=1,3` and share 0.18", "en")
    assert numbers("{doc}`3\u00a0625 <key-figures>` участников", "ru") == numbers("{doc}`3,625 <key-figures>` members", "en")
