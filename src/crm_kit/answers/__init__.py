"""The expected answers behind the self-checks, one module per chapter.

``crm_kit.exercises.check("3.1", answer)`` looks for exercise ``"3.1"`` in
``crm_kit.answers.ch03``, importing it on first use; nothing here is
imported by ``import crm_course``.

Adding a chapter
----------------
Create ``chNN.py`` (``NN`` is the two-digit chapter number) next to this file
with a module-level list ``EXERCISES``::

    \"\"\"Self-checks of chapter 3, mass personalisation.\"\"\"

    from crm_kit.exercises import Exercise, Mistake


    def _uplift() -> float:
        from crm_course.data import load  # only when a student checks an answer

        campaign = load("offer_experiment")
        ...
        return uplift


    def _uplift_of_generic() -> float:   # the answer of a common slip
        ...


    EXERCISES = [
        Exercise("3.1", expected=_uplift, kind="share",
                 mistakes=[Mistake(_uplift_of_generic, "That compares the generic arm: "
                                                       "compare the personalised arm with "
                                                       "the no-offer arm.")],
                 hints={"wrong": "Take the personalised arm's rate minus "
                                 "the no-offer arm's."}),
        Exercise("3.2", expected="personalised", kind="choice",
                 choices=("none", "generic", "personalised")),
    ]

That is all: keys must start with the chapter number, each key appears once,
and the module must import quickly (load data inside the functions, not at the
top). Load the data with ``load(name)`` and no ``folder``: the answers are
then computed on the active world, which is what lets the kit builder and the
grader compute them on a student's personal world. A function cached with
``functools.lru_cache`` is emptied by :func:`crm_kit.exercises.clear_cache`
when the world changes.

Each hint, and each ``what``, is written in English in the chapter's module
and in Russian in :mod:`crm_kit.answers.catalogue_ru` (the English text is
the key; ``tests/test_language.py`` fails on a hint without its Russian).

This package is the lecturer's: the student kit never carries it
(:mod:`crm_kit.kit`), and ships only sealed hashes of the answers
(:mod:`crm_kit.sealed`). ``tests/test_exercises.py`` then checks that every exercise accepts its
own expected answer. The options of :class:`~crm_kit.exercises.Exercise`
(kinds, tolerances, hints) are described in :mod:`crm_kit.exercises`.
"""

from __future__ import annotations

import pkgutil
import re

from crm_course.language import add_translations
from crm_kit.answers.catalogue_ru import HINTS_RU

_MODULE = re.compile(r"^ch(\d{2})$")

# The Russian of every hint and description below, for tr(); a kit seals them beside the English (crm_kit.sealed).
add_translations("ru", HINTS_RU)


def module_name(chapter: int) -> str:
    """Return the module that holds ``chapter``'s exercises.

    Examples
    --------
    >>> module_name(3)
    'crm_kit.answers.ch03'
    """
    return f"{__name__}.ch{chapter:02d}"


def available_chapters() -> list[int]:
    """Return the chapters that have an answers module, in order.

    Examples
    --------
    >>> 0 in available_chapters()
    True
    """
    found = (_MODULE.match(m.name) for m in pkgutil.iter_modules(__path__))
    return sorted(int(m.group(1)) for m in found if m)


def chapter_exercises(chapter: int) -> dict:
    """The exercises of ``chapter``'s answer module, by key, in key order.

    Exactly what the module lists, never what :func:`crm_kit.exercises.register`
    added in this session: the kit builder and the grader use this.

    Examples
    --------
    >>> list(chapter_exercises(0))
    ['0.1', '0.2', '0.3', '0.4']
    """
    import importlib

    from crm_kit.answer_types import _key_order

    name = module_name(chapter)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        return {}
    found = {ex.key: ex for ex in getattr(module, "EXERCISES", ())}
    return {key: found[key] for key in sorted(found, key=_key_order)}
