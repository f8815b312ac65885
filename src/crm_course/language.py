"""The language of the strings the helpers write for people to read.

The course has an English and a Russian edition, and both run the same code.
The only strings that differ are those written for a reader: plot titles,
axis labels and legends, the self-check feedback, and the column labels of
tables meant for reading. Every such string passes through :func:`tr`, which
returns it in the current language; numbers, column names used as data, and
everything a computation depends on are the same in both editions.

``set_language("ru")`` switches the strings to Russian for the rest of the
session (the Russian notebooks call it in their first cell);
``set_language("en")`` switches back. English is the default. A string with
no Russian entry in the catalogue is an error in the Russian edition, caught
by ``tests/test_language.py``, which reads every ``tr("...")`` call in the
source.

Examples
--------
>>> from crm_course.language import get_language, language, set_language, tr
>>> get_language()
'en'
>>> tr("Share of customers")
'Share of customers'
>>> with language("ru"):
...     tr("Share of customers")
'Доля клиентов'
>>> get_language()
'en'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["LANGUAGES", "get_language", "language", "set_language", "tr"]

#: The languages the course is written in.
LANGUAGES = ("en", "ru")

_current = "en"


def set_language(code: str) -> None:
    """Write every reader-facing string from now on in ``code`` ("en" or "ru").

    Parameters
    ----------
    code : str
        ``"en"`` (the default) or ``"ru"``.

    Raises
    ------
    ValueError
        If ``code`` is not one of ``LANGUAGES``.

    Examples
    --------
    >>> set_language("ru"); get_language()
    'ru'
    >>> set_language("en")
    """
    global _current
    if not isinstance(code, str) or code.lower() not in LANGUAGES:
        raise ValueError(f"language: expected one of {', '.join(map(repr, LANGUAGES))}, found {code!r}")
    _current = code.lower()


def get_language() -> str:
    """The current language code, ``"en"`` or ``"ru"``."""
    return _current


@contextmanager
def language(code: str) -> Iterator[None]:
    """Use ``code`` inside a ``with`` block, then return to the language before it."""
    before = _current
    set_language(code)
    try:
        yield
    finally:
        set_language(before)


def tr(text: str, /, **fields: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``fields``.

    ``text`` is the English string, which is also the key of the catalogue
    (``crm_course.catalogue_ru``). In English it is returned as it is; in
    Russian its catalogue entry is returned, or the English text if the entry
    is missing (the language test fails on such a string).

    Examples
    --------
    >>> tr("{n} customers", n=3)
    '3 customers'
    """
    if _current != "en":
        from crm_course.catalogue_ru import RU

        text = RU.get(text, text)
    return text.format(**fields) if fields else text
