"""Russian for every string the helpers pass through :func:`crm_course.language.tr`.

Keys are the English strings exactly as written in the source; values keep
every ``{field}`` of the key. Terms follow ``docs/glossary.md``.
"""

RU: dict[str, str] = {
    "Share of customers": "Доля клиентов",
    "{n} customers": "{n} клиентов",
}
