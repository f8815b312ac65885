"""The language of the strings the helpers write for people to read.

The course has an English and a Russian edition, and both run the same code.
The only strings that differ are those written for a reader: plot titles,
axis labels and legends, the self-check feedback, and the labels and notes
of tables meant for reading. Every such string passes through :func:`tr`,
which returns it in the current language; numbers, column names used as
data, and everything a computation depends on are the same in both editions.

``set_language("ru")`` switches the strings to Russian for the rest of the
session (the Russian notebooks call it in their first cell);
``set_language("en")`` switches back. English is the default.

Where the Russian comes from
----------------------------
The English string is the key. The Russian of the course's helpers is in
``crm_course.catalogue_ru``; the course kit adds its own strings (the
self-check feedback) with :func:`add_translations`. A string that is written
in one place and translated in another (a label kept in a constant, read
later) is marked with :func:`tr_noop` where it is written, so that
``tests/test_language.py``, which reads every ``tr("...")`` and
``tr_noop("...")`` of the source, finds it; the test fails on a string with
no Russian entry and on an entry no string uses.

Examples
--------
>>> from crm_course.language import get_language, language, set_language, tr
>>> get_language()
'en'
>>> tr("Share of the total")
'Share of the total'
>>> with language("ru"):
...     tr("Share of the total")
'Доля в итоге'
>>> get_language()
'en'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

__all__ = [
    "LANGUAGES",
    "TranslatedMapping",
    "add_translations",
    "catalogue",
    "get_language",
    "language",
    "set_language",
    "tr",
    "tr_noop",
]

#: The languages the course is written in.
LANGUAGES = ("en", "ru")

_current = "en"
#: Entries added by add_translations, by language; the course's own catalogue is read on first use.
_added: dict[str, dict[str, str]] = {}


def _check_code(code: object, name: str = "language") -> str:
    if not isinstance(code, str) or code.lower() not in LANGUAGES:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, LANGUAGES))}, found {code!r}")
    return code.lower()


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
    _current = _check_code(code)


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


def add_translations(code: str, mapping: Mapping[str, str]) -> None:
    """Add entries to the catalogue of ``code``: English string -> its translation.

    The course kit registers its own strings this way, so that they live in
    the kit and :func:`tr` finds them. Registering the same entry again is
    harmless; a different translation of a string already in the catalogue
    is an error.

    Parameters
    ----------
    code : str
        A language of :data:`LANGUAGES` other than ``"en"``.
    mapping : mapping of str to str
        Keys are English strings exactly as the code writes them; each
        value keeps every ``{field}`` of its key.

    Raises
    ------
    ValueError
        If ``code`` is English or unknown, or an entry is not text or
        contradicts one already there.

    Examples
    --------
    >>> add_translations("ru", {"Share of the total": "Доля в итоге"})
    >>> add_translations("en", {"a": "b"})
    Traceback (most recent call last):
    ...
    ValueError: code: expected a language other than 'en' (English strings are their own keys), found 'en'
    """
    code = _check_code(code, "code")
    if code == "en":
        raise ValueError("code: expected a language other than 'en' (English strings are their own keys), found 'en'")
    if not isinstance(mapping, Mapping):
        raise ValueError(
            f"mapping: expected a mapping of English string -> translation, found {type(mapping).__name__}"
        )
    known = catalogue(code)
    for key, value in mapping.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(f"mapping: expected text keys and values, found {key!r}: {value!r}")
        if key in known and known[key] != value:
            raise ValueError(f"mapping[{key!r}]: already translated as {known[key]!r}, found {value!r}")
    _added.setdefault(code, {}).update(mapping)


def catalogue(code: str) -> dict[str, str]:
    """Every entry :func:`tr` knows for ``code``: the course's catalogue and those added since.

    Examples
    --------
    >>> catalogue("ru")["Share of the total"]
    'Доля в итоге'
    >>> catalogue("en")
    {}
    """
    code = _check_code(code, "code")
    if code == "en":
        return {}
    from crm_course.catalogue_ru import RU

    return {**RU, **_added.get(code, {})}


def tr(text: str, /, **fields: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``fields``.

    ``text`` is the English string, which is also the key of the catalogue
    (``crm_course.catalogue_ru``, and the entries of
    :func:`add_translations`). In English it is returned as it is; in
    Russian its catalogue entry is returned, or the English text if the entry
    is missing (the language test fails on such a string).

    Examples
    --------
    >>> tr("{n} customers", n=3)
    '3 customers'
    """
    if _current != "en":
        from crm_course.catalogue_ru import RU

        text = RU.get(text) or _added.get(_current, {}).get(text, text)
    return text.format(**fields) if fields else text


def tr_noop(text: str) -> str:
    """Mark ``text`` for translation where it is written, and return it unchanged.

    For a string kept in a constant and passed through :func:`tr` later
    (``tr(LABELS[key])``): the mark lets the language test find it.

    Examples
    --------
    >>> tr_noop("Share of the total")
    'Share of the total'
    """
    return text


class TranslatedMapping(Mapping):
    """A read-only mapping whose values, English strings, are read in the current language.

    For a public table of descriptions (an input's meaning, say) that code
    reads with ``mapping[key]``, ``dict(mapping)`` or ``{**mapping}``: the keys
    stay the same in every language, the values follow :func:`set_language`.
    Its ``repr`` is the English one.

    Examples
    --------
    >>> meanings = TranslatedMapping({"total": tr_noop("Share of the total")})
    >>> with language("ru"):
    ...     {**meanings}
    {'total': 'Доля в итоге'}
    >>> meanings
    {'total': 'Share of the total'}
    """

    def __init__(self, english: Mapping[str, str]) -> None:
        self._english = dict(english)

    def __getitem__(self, key: str) -> str:
        return tr(self._english[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._english)

    def __len__(self) -> int:
        return len(self._english)

    def __repr__(self) -> str:
        return repr(self._english)
