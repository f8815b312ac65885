"""Russian for the course kit's own messages: the self-check runtime and the grader's feedback.

:mod:`crm_kit.feedback` adds these entries to :func:`crm_course.language.tr`
when it is imported. They are the words of the runtime, the same for every
exercise, and name no exercise and no answer, so the student kit carries
this module. The hints and descriptions of each exercise are not here: they
belong to the answer key (:mod:`crm_kit.answers.catalogue_ru`), and a kit
carries them only inside its world's sealed checks (:mod:`crm_kit.sealed`).

Keys are the English strings exactly as the code writes them; values keep
every ``{field}``. Numbers written into a message are those of the English,
because the Russian notebooks' outputs must state the same numbers.
"""

__all__ = ["RU"]

RU: dict[str, str] = {
    # -- feedback: the headline of every check -----------------------------------------------------
    "Exercise {key}: {headline}": "Упражнение {key}: {headline}",
    "correct.": "верно.",
    "close, but not quite.": "близко, но не совсем.",
    "not yet right.": "пока неверно.",
    "not answered yet.": "ответа пока нет.",
    "Exercise {key}: answer recorded for grading.": "Упражнение {key}: ответ записан для оценивания.",
    # -- feedback: what an exercise expects --------------------------------------------------------
    "a single number": "одно число",
    "a share between 0 and 1 (a single number)": "доля от 0 до 1 (одно число)",
    "a percentage between 0 and 100 (a single number)": "процент от 0 до 100 (одно число)",
    "one label, as text in quotes": "одна метка в виде текста в кавычках",
    'a list of labels, such as ["first", "second"]': 'список меток, например ["first", "second"]',
    "several numbers (a pandas Series, a DataFrame or an array)":
        "несколько чисел (pandas Series, DataFrame или массив)",
    "one label, as text in quotes: one of {choices}": "одна метка в виде текста в кавычках, одна из: {choices}",
    # -- feedback: the default hints ---------------------------------------------------------------
    "Well done.": "Отлично.",
    "It looks like a percentage: give the answer as a share between 0 and 1.":
        "Похоже, это проценты: дайте ответ в виде доли от 0 до 1.",
    "It looks like a share: give the answer as a percentage between 0 and 100.":
        "Похоже, это доля: дайте ответ в процентах, от 0 до 100.",
    "Your answer is near, but not near enough: check your rounding and which rows you included.":
        "Ответ близок к верному, но недостаточно точен: проверьте округление и то, какие строки вы включили в "
        "расчёт.",
    "Not this one: look at the figures again.": "Не этот вариант: посмотрите на цифры ещё раз.",
    "Replace the ... with your answer and run the cell again.":
        "Замените ... своим ответом и выполните ячейку ещё раз.",
    # -- feedback: labels ----------------------------------------------------------------------------
    "Your answer is {described}; give the label itself, not a list.":
        "Ваш ответ — {described}; дайте саму метку, а не список.",
    "That label is not one of the options: {options}.": "Такой метки нет среди вариантов: {options}.",
    "{n} label of yours is not among the options: {options}.":
        "Меток не из списка вариантов: {n}. Варианты: {options}.",
    "{n} labels of yours are not among the options: {options}.":
        "Меток не из списка вариантов: {n}. Варианты: {options}.",
    "One label is wrong: swap it for another.": "Одна метка неверна: замените её другой.",
    "One label is missing.": "Не хватает одной метки.",
    "One label does not belong.": "Одна метка лишняя.",
    "{right} of your {n} label is right.": "Верных меток: {right} из {n}.",
    "{right} of your {n} label are right.": "Верных меток: {right} из {n}.",
    "{right} of your {n} labels is right.": "Верных меток: {right} из {n}.",
    "{right} of your {n} labels are right.": "Верных меток: {right} из {n}.",
    "Some labels are missing.": "Каких-то меток не хватает.",
    "Some labels do not belong.": "Некоторые метки лишние.",
    # -- feedback: several numbers -------------------------------------------------------------------
    "Your answer holds something other than numbers; this exercise expects {what}.":
        "В ответе есть не только числа; в этом упражнении ожидается: {what}.",
    "Your answer has {n} value, a different shape from what the exercise asks for.":
        "Форма ответа не та, что нужна в упражнении: значений в нём — {n}.",
    "Your answer has {n} values, a different shape from what the exercise asks for.":
        "Форма ответа не та, что нужна в упражнении: значений в нём — {n}.",
    "Your answer has {rows} rows and {columns} columns, a different shape from what the exercise asks for.":
        "Форма ответа не та, что нужна в упражнении: строк — {rows}, столбцов — {columns}.",
    "Your answer has missing values (NaN): check for empty groups or a failed merge.":
        "В ответе есть пропуски (NaN): проверьте, нет ли пустых групп или неудачного объединения таблиц.",
    "Every value is near, but not all are exact: check your rounding and which rows you included.":
        "Все значения близки к верным, но не все точны: проверьте округление и то, какие строки вы включили в "
        "расчёт.",
    "None of the values is right yet.": "Пока ни одно значение не верно.",
    "{off} of the {n} values is not right yet.": "Пока неверных значений: {off} из {n}.",
    "{off} of the {n} values are not right yet.": "Пока неверных значений: {off} из {n}.",
    # -- feedback: the wrong kind of answer ----------------------------------------------------------
    "Your answer is {described}; this exercise expects {what}.":
        "Ваш ответ — {described}; в этом упражнении ожидается: {what}.",
    " Remove the quotes around the number.": " Уберите кавычки вокруг числа.",
    "Your answer is text (a string); this exercise expects {what}.{tip}":
        "Ваш ответ — текст (строка); в этом упражнении ожидается: {what}.{tip}",
    "Your answer is True/False; this exercise expects {what}.":
        "Ваш ответ — True/False; в этом упражнении ожидается: {what}.",
    "with .iloc[0, 0]": "с помощью .iloc[0, 0]",
    "with [0]": "с помощью [0]",
    "with .item()": "с помощью .item()",
    "Your answer is {described} holding one value; this exercise expects {what}. Take the value out, for "
    "example {tip}.":
        "Ваш ответ — {described} с одним значением; в этом упражнении ожидается: {what}. Извлеките это "
        "значение, например {tip}.",
    "Your answer is NaN (not a number): check for missing values or an empty selection.":
        "Ваш ответ — NaN (не число): проверьте, нет ли пропусков и не пуст ли отбор строк.",
    "Your answer is infinite: check for a division by zero.":
        "Ваш ответ — бесконечность: проверьте, нет ли деления на ноль.",
    "Your answer is one piece of text; this exercise expects {what}.":
        "Ваш ответ — одна текстовая строка; в этом упражнении ожидается: {what}.",
    "Your answer is a pandas Series of numbers; give the labels as a list: list(s.index) for its index labels, "
    "or list(s) for its values.":
        "Ваш ответ — pandas Series из чисел; дайте метки списком: list(s.index) для меток индекса или "
        "list(s) для значений.",
    "Your answer holds something other than labels; this exercise expects {what}.":
        "В ответе есть не только метки; в этом упражнении ожидается: {what}.",
    # -- answer_types: what kind of object an answer is ----------------------------------------------
    "text (a string)": "текст (строка)",
    "a table (a pandas DataFrame)": "таблица (pandas DataFrame)",
    "a column of values (a pandas Series)": "столбец значений (pandas Series)",
    "an array": "массив",
    "a complex number": "комплексное число",
    "a number": "число",
    "a list": "список",
    "a tuple": "кортеж",
    "a set": "множество",
    "a dictionary": "словарь",
    "an object of type {name}": "объект типа {name}",
    # -- exercises: an exercise that cannot be found -------------------------------------------------
    'key: expected the exercise number as text in quotes, e.g. "1.2"; found {key!r}':
        'key: номер упражнения нужно дать текстом в кавычках, например "1.2"; получено {key!r}',
    'key: expected text such as "1.2" (chapter.number); found {key!r}':
        'key: нужен текст вида "1.2" (глава.номер); получено {key!r}',
    "There is no exercise {key!r}. Chapter {chapter} has exercises: {known}.":
        "Упражнения {key!r} нет. Упражнения главы {chapter}: {known}.",
    "There are no self-checks here for exercise {key!r}: open the notebooks from your course kit's folder (the "
    "one with kopilka.toml and data/), so that they read the kit's data and its self-checks.":
        "Здесь нет самопроверки для упражнения {key!r}: откройте блокноты из папки вашего комплекта курса (той, "
        "где лежат kopilka.toml и data/), чтобы они читали данные и самопроверки комплекта.",
    "none": "нет",
    "There is no exercise {key!r}: chapter {chapter} has no self-checks (chapters with self-checks: {have}).":
        "Упражнения {key!r} нет: в главе {chapter} нет самопроверок (главы с самопроверками: {have}).",
    # -- grade: the feedback file of each student ----------------------------------------------------
    "{name} could not be read as a notebook ({err}).": "{name} не удалось прочитать как блокнот ({err}).",
    "the notebook's time limit": "время, отведённое на весь блокнот",
    "the {seconds} s limit for one cell": "время, отведённое на одну ячейку ({seconds} с)",
    "{name}: cell {cell} was still running at {limit}; the cells after it did not run, so their exercises earn "
    "no marks.":
        "{name}: ячейка {cell} ещё выполнялась, когда истекло {limit}; ячейки после неё не выполнялись, "
        "поэтому за их упражнения баллы не начисляются.",
    "{name}: cell {cell} raised {message}; the cells after it did not run, so their exercises earn no marks.":
        "{name}: ячейка {cell} завершилась ошибкой {message}; ячейки после неё не выполнялись, поэтому за их "
        "упражнения баллы не начисляются.",
    "{name}: the Python kernel stopped during cell {cell} (out of memory, or the code ended the process); the "
    "cells after it did not run.":
        "{name}: ядро Python остановилось во время ячейки {cell} (не хватило памяти или код завершил процесс); "
        "ячейки после неё не выполнялись.",
    "{name}: the notebook could not be run ({kind}: {err}).": "{name}: блокнот не удалось выполнить ({kind}: {err}).",
    "the student's own world (from the personal kit)": "вашего собственного мира (из вашего личного комплекта)",
    "the student's own world (regenerated from the secret)":
        "вашего собственного мира (созданного заново по секрету преподавателя)",
    "the shipped world (no personal world was given for this id)":
        "мира курса (персонального мира для этого идентификатора нет)",
    "No notebook of chapter {chapter} was handed in ({name}); its exercises earn no marks.":
        "Блокнот главы {chapter} не сдан ({name}); за её упражнения баллы не начисляются.",
    "Several notebooks of chapter {chapter} were handed in; {name} was graded.":
        "Сдано несколько блокнотов главы {chapter}; оценён {name}.",
    "Exercise {key}: no answer was recorded.": "Упражнение {key}: ответ не записан.",
    "Exercise {key}: the answer could not be compared ({kind}).":
        "Упражнение {key}: ответ не удалось сравнить ({kind}).",
    "No personal world was found for the id {id!r} (no kit of that name, and no secret to regenerate it): graded "
    "on the shipped world. Check the folder's name.":
        "Для идентификатора {id!r} не найден персональный мир (нет комплекта с таким именем и нет секрета, "
        "чтобы создать его заново): работа оценена на мире курса. Проверьте имя папки.",
    "{name}: the answer to {keys} is typed in as a number in the exercise's cell rather than computed; the "
    "lecturer may ask how it was found.":
        "{name}: ответ введён в ячейку упражнения числом, а не вычислен (упражнения: {keys}); преподаватель "
        "может спросить, как он получен.",
    "# Feedback for {id}": "# Обратная связь для {id}",
    "Your notebooks were run from the top, in a fresh session, on {world}.":
        "Ваши блокноты выполнены с самого начала, в новом сеансе, на данных {world}.",
    "Marks: **{total} of {n}** (one for each correct self-checked answer).":
        "Баллы: **{total} из {n}** (по одному за каждый верный ответ с самопроверкой).",
    "| exercise | result | mark |": "| упражнение | результат | балл |",
    "## The runs": "## Выполнение блокнотов",
    "ran to the end": "выполнен до конца",
    "stopped at an error": "остановлен из-за ошибки",
    "ran out of time": "не уложился в отведённое время",
    "- `{name}`: {ended} ({seconds:.0f} s).": "- `{name}`: {ended} ({seconds:.0f} с).",
    "## Notes": "## Заметки",
}
