"""One code path, two languages: every string the helpers write for a reader has its Russian, and nothing else changes.

* Every ``tr("...")`` and ``tr_noop("...")`` of ``src/`` (read from the source with
  ``ast``) has a Russian entry in a catalogue, in Cyrillic, with the same
  ``{fields}``; every hint and description of the answer key has its Russian too;
  and no catalogue entry is left that nothing uses.
* A figure drawn in Russian has Russian titles, labels and legends: every visible
  text of every plotting helper either contains Cyrillic or has no English word
  (code names such as ``customer_id`` and monospace table names excepted).
* The numbers of the helpers' tables are the same in both languages.
* The self-check feedback (the answer key's and a sealed kit's) is Russian after
  ``set_language("ru")``, and the Russian follows the course's terms.
"""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from crm_course.catalogue_ru import RU as COURSE_RU  # noqa: E402
from crm_course.language import (  # noqa: E402
    LANGUAGES,
    TranslatedMapping,
    add_translations,
    catalogue,
    get_language,
    language,
    set_language,
    tr,
    tr_noop,
)
from crm_kit.answers import available_chapters, chapter_exercises  # noqa: E402
from crm_kit.answers.catalogue_ru import HINTS_RU  # noqa: E402
from crm_kit.catalogue_ru import RU as KIT_RU  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
#: An English word: three or more Latin letters, not part of an identifier such as customer_id.
LATIN_WORD = re.compile(r"(?<![\w.])[A-Za-z]{3,}(?![\w(])")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    yield
    set_language("en")
    plt.close("all")


# -- the strings in the source and their entries ------------------------------------------------


def marked_strings(package: str) -> dict[str, list[str]]:
    """Every literal passed to tr() or tr_noop() in ``src/<package>``: text -> where."""
    found: dict[str, list[str]] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "tr_noop")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, []).append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def tr_calls(package: str):
    """Each tr("...", name=...) call with keywords: (where, template, keyword names)."""
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and all(k.arg is not None for k in node.keywords)):
                yield f"{path.relative_to(SRC)}:{node.lineno}", node.args[0].value, {k.arg for k in node.keywords}


def fields(text: str) -> Counter:
    """The replacement fields of a template, with their conversion and format: ``{x:.2f}`` -> ('x', '', '.2f')."""
    return Counter((name, conversion or "", spec or "") for _, name, spec, conversion in string.Formatter().parse(text)
                   if name is not None)


def exercise_texts() -> dict[str, list[str]]:
    """Every hint and description the answer key writes for a student: text -> exercises."""
    found: dict[str, list[str]] = {}
    for chapter in available_chapters():
        for key, ex in chapter_exercises(chapter).items():
            texts = [ex.what, *ex.hints.values(), *(m.hint for m in ex.mistakes), *ex.label_hints.values()]
            for text in texts:
                if text:
                    found.setdefault(text, []).append(key)
    return found


COURSE = marked_strings("crm_course")
KIT = marked_strings("crm_kit")


def test_every_marked_string_of_the_course_has_its_russian():
    missing = {text: where for text, where in COURSE.items() if text not in COURSE_RU}
    assert not missing, f"tr() strings of crm_course without an entry in crm_course/catalogue_ru.py: {missing}"


def test_every_marked_string_of_the_kit_has_its_russian():
    missing = {text: where for text, where in KIT.items() if text not in KIT_RU}
    assert not missing, f"tr() strings of crm_kit without an entry in crm_kit/catalogue_ru.py: {missing}"


def test_every_hint_and_description_of_the_answer_key_has_its_russian():
    missing = {text: keys for text, keys in exercise_texts().items() if text not in HINTS_RU}
    assert not missing, f"hints without an entry in crm_kit/answers/catalogue_ru.py: {missing}"


@pytest.mark.parametrize("name, entries", [("crm_course", COURSE_RU), ("crm_kit", KIT_RU), ("hints", HINTS_RU)])
def test_every_entry_is_cyrillic_with_the_same_fields(name, entries):
    for english, russian in entries.items():
        assert CYRILLIC.search(russian), f"{name}: {english!r} -> {russian!r} has no Cyrillic"
        assert fields(russian) == fields(english), f"{name}: {english!r} -> {russian!r}: the fields differ"
        assert russian.startswith(" ") == english.startswith(" ") and russian.endswith(" ") == english.endswith(" "), (
            f"{name}: {english!r} -> {russian!r}: leading or trailing space differs (the text is joined to others)")


def test_no_catalogue_entry_is_unused():
    assert not set(COURSE_RU) - set(COURSE), f"unused entries in crm_course/catalogue_ru.py: {set(COURSE_RU) - set(COURSE)}"
    assert not set(KIT_RU) - set(KIT), f"unused entries in crm_kit/catalogue_ru.py: {set(KIT_RU) - set(KIT)}"
    unused = set(HINTS_RU) - set(exercise_texts())
    assert not unused, f"entries of crm_kit/answers/catalogue_ru.py that no exercise uses: {unused}"


def test_the_catalogues_agree_where_they_share_a_string():
    for english in set(COURSE_RU) & set(KIT_RU):
        assert COURSE_RU[english] == KIT_RU[english], english
    for english in set(HINTS_RU) & (set(COURSE_RU) | set(KIT_RU)):
        assert HINTS_RU[english] == {**COURSE_RU, **KIT_RU}[english], english
    merged = catalogue("ru")
    assert set(COURSE_RU) | set(KIT_RU) | set(HINTS_RU) <= set(merged)


def test_every_tr_call_fills_the_fields_of_its_template():
    wrong = [(where, sorted(name for name, _, _ in fields(text)), sorted(names))
             for package in ("crm_course", "crm_kit") for where, text, names in tr_calls(package)
             if {name for name, _, _ in fields(text)} != names]
    assert not wrong, wrong


def test_the_source_reading_sees_a_missing_entry(tmp_path, monkeypatch):
    """The search can fail: a new tr() string without an entry is found."""
    package = tmp_path / "crm_course"
    package.mkdir()
    (package / "new.py").write_text('from crm_course.language import tr\n\ndef f():\n    return tr("A new title")\n')
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path)
    found = marked_strings("crm_course")
    assert found == {"A new title": ["crm_course/new.py:4"]} and "A new title" not in COURSE_RU


# -- the language setting ------------------------------------------------------------------------


def test_set_language_refuses_an_unknown_language_and_names_the_argument():
    with pytest.raises(ValueError, match=r"^language: expected one of 'en', 'ru', found 'de'"):
        set_language("de")
    with pytest.raises(ValueError, match="language:"):
        set_language(None)
    assert get_language() == "en" and LANGUAGES == ("en", "ru")


def test_the_language_switches_and_comes_back():
    assert tr("Qini curve") == "Qini curve"
    with language("ru"):
        assert tr("Qini curve") == "Кривая Qini" and get_language() == "ru"
        with language("en"):
            assert tr("Qini curve") == "Qini curve"
    assert get_language() == "en"
    set_language("RU")
    assert get_language() == "ru" and tr("{n} year", n=3) == "3 г."


def test_added_translations_are_checked():
    add_translations("ru", {"Qini curve": "Кривая Qini"})  # the same entry again: harmless
    with pytest.raises(ValueError, match=r"mapping\['Qini curve'\]: already translated"):
        add_translations("ru", {"Qini curve": "Другая кривая"})
    with pytest.raises(ValueError, match="code: expected a language other than 'en'"):
        add_translations("en", {"a": "b"})
    with pytest.raises(ValueError, match="code: expected one of"):
        add_translations("de", {"a": "b"})
    assert tr_noop("Qini curve") == "Qini curve"


def test_a_translated_mapping_keeps_its_keys_and_reads_its_values_in_the_current_language():
    from crm_course import finance

    english = dict(finance.INPUT_NAMES)
    with language("ru"):
        russian = {**finance.INPUT_NAMES}
    assert list(russian) == list(english) and all(CYRILLIC.search(v) for v in russian.values())
    assert repr(finance.INPUT_NAMES) == repr(english) and "members" in finance.INPUT_NAMES
    assert isinstance(finance.COST_NAMES, TranslatedMapping) and len(finance.COST_NAMES) == 3


# -- figures ---------------------------------------------------------------------------------------


def visible_texts(fig) -> list[tuple[str, str]]:
    """(what, text) of every title, axis label, legend entry, annotation and colour-bar label of ``fig``."""
    out = []
    for ax in fig.axes:
        out += [("title", ax.get_title()), ("xlabel", ax.get_xlabel()), ("ylabel", ax.get_ylabel())]
        legend = ax.get_legend()
        if legend is not None:
            out += [("legend", t.get_text()) for t in legend.get_texts()]
            out.append(("legend title", legend.get_title().get_text()))
        for text in ax.texts:
            if "monospace" not in [f.lower() for f in text.get_fontfamily()]:  # table and column names are code
                out.append(("text", text.get_text()))
    return [(what, text) for what, text in out if text.strip()]


def english_left(fig) -> list[tuple[str, str]]:
    """Visible texts with an English word and no Cyrillic."""
    return [(what, text) for what, text in visible_texts(fig) if not CYRILLIC.search(text) and LATIN_WORD.search(text)]


def _toy_orders():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 12, size=60)
    ids = np.repeat(np.arange(60), n)
    # Customers differ (a random intercept), so the model's variance is not on its boundary.
    own = rng.normal(0, 0.4, size=60)[ids]
    return pd.DataFrame({"customer_id": ids, "order_value": np.exp(7 + own + rng.normal(0, 0.5, size=ids.size))})


def _draw_concentration():
    from crm_course import concentration

    value = pd.DataFrame({"revenue": np.arange(20.0), "profit": np.arange(20.0) - 5})
    fig, (left, right) = plt.subplots(1, 2)
    concentration.plot_lorenz(concentration.lorenz_curve(value), ax=left)
    concentration.plot_whale_curve(concentration.whale_curve(value), ax=right)
    return fig


def _draw_segmentation():
    from crm_course import segmentation

    df = pd.DataFrame({"segment": list("aaabbb"), "profit": [-1.0, 0.0, 5.0, 2.0, 4.0, 3.0]})
    fig, (left, right) = plt.subplots(1, 2)
    segmentation.plot_spread(segmentation.spread_by_segment(df), ax=left)
    profile = pd.DataFrame({"member_share": [0.2, 0.8], "share_of_monetary": [0.6, 0.4], "share_of_profit": [0.7, 0.3]},
                           index=pd.Index(["top", "rest"], name="segment"))
    segmentation.plot_segment_shares(profile, ax=right)
    return fig


def _draw_shrinkage():
    from crm_course.multilevel import order_value_model, plot_shrinkage, shrunken_means

    ax = plot_shrinkage(shrunken_means(order_value_model(_toy_orders())), few=1, many=5, overall=1000.0)
    return ax.figure


def _draw_qini():
    from crm_course.uplift_metrics import plot_qini, qini_curve

    toy = pd.DataFrame({"arm": ["personalised", "none"] * 4, "converted": [1, 0, 1, 0, 0, 1, 0, 0],
                        "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    return plot_qini(qini_curve(toy, "score", arms=None)).figure


def _panel_fit():
    from crm_course.data import load
    from crm_course.panel import twfe_regression

    return twfe_regression(load("merchant_panel"), moderator="customer_heterogeneity")


def _draw_effect_curve():
    from crm_course.panel import plot_effect_curve, twfe_regression
    from crm_course.data import load

    panel = load("merchant_panel")
    binned = twfe_regression(panel, moderator="customer_heterogeneity", bins=3)
    return plot_effect_curve(_panel_fit(), binned).figure


def _draw_event_study():
    from crm_course.data import load
    from crm_course.event_study import event_study, plot_event_study

    study = event_study(load("merchant_panel"), estimator="twfe")
    return plot_event_study(study, truth=pd.Series({0: 0.01, 1: 0.02})).figure


def _draw_schoenfeld():
    import statsmodels.api as sm

    from crm_course.proportional_hazards import plot_schoenfeld

    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    time = rng.exponential(np.exp(-0.5 * x))
    fit = sm.PHReg(time, x[:, None], status=np.ones(200)).fit()
    return plot_schoenfeld(fit, fit.model.exog_names[0]).figure


def _bgnbd():
    from crm_course.clv import BGNBDFitter, simulate_bgnbd

    members = simulate_bgnbd(2_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(0))
    return BGNBDFitter().fit(members), members


def _draw_clv():
    model, members = _bgnbd()
    fig, axes = plt.subplots(1, 3)
    model.plot_period_transactions(members, ax=axes[0])
    model.plot_frequency_recency_matrix(39.0, unit="weeks", ax=axes[1])
    model.plot_probability_alive_matrix(39.0, ax=axes[2])
    return fig


def _draw_clv_holdout_and_tracking():
    from crm_course.clv import BGNBDFitter, calibration_holdout, plot_calibration_vs_holdout, plot_tracking
    from crm_course.data import load

    orders = load("transactions")
    orders = orders[orders["customer_id"].isin(orders["customer_id"].drop_duplicates().iloc[:3_000])]
    data = calibration_holdout(orders, "2024-06-30", "2024-12-29")
    model = BGNBDFitter().fit(data)
    fig, (left, right) = plt.subplots(1, 2)
    plot_calibration_vs_holdout(model, data, ax=left)
    plot_tracking(model, orders, "2024-06-30", "2024-12-29", ax=right)
    return fig


def _draw_survival():
    from crm_course.clv import SBGFitter

    model = SBGFitter().fit([1000, 631, 468, 382, 326])
    return model.plot_survival([1000, 631, 468, 382, 326], unit="years").figure


def _draw_money_axis():
    from crm_course.plots import money_axis

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 25_000])
    ax.set_ylabel(tr("Cumulative profit (share of total)"))
    money_axis(ax, "y")
    return fig


def _draw_diagrams():
    from crm_course.kopilka.diagrams import business_model_diagram, data_model_diagram, key_account_diagrams

    figs = [business_model_diagram().figure, data_model_diagram().figure, key_account_diagrams()[0].figure]
    return figs


DRAWINGS = {
    "concentration": _draw_concentration,
    "segmentation": _draw_segmentation,
    "multilevel": _draw_shrinkage,
    "uplift_metrics": _draw_qini,
    "panel": _draw_effect_curve,
    "event_study": _draw_event_study,
    "proportional_hazards": _draw_schoenfeld,
    "clv": _draw_clv,
    "clv holdout and tracking": _draw_clv_holdout_and_tracking,
    "clv survival": _draw_survival,
    "plots.money_axis": _draw_money_axis,
    "kopilka.diagrams": _draw_diagrams,
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_a_figure_drawn_in_russian_has_no_english_left(name):
    with language("ru"):
        drawn = DRAWINGS[name]()
    figures = drawn if isinstance(drawn, list) else [drawn]
    for fig in figures:
        texts = visible_texts(fig)
        assert texts and any(CYRILLIC.search(text) for _, text in texts), texts
        assert not english_left(fig), english_left(fig)


@pytest.mark.parametrize("name", ["concentration", "uplift_metrics", "clv survival", "kopilka.diagrams"])
def test_the_same_figure_in_english_is_the_english_one(name):
    drawn = DRAWINGS[name]()
    for fig in drawn if isinstance(drawn, list) else [drawn]:
        assert not any(CYRILLIC.search(text) for _, text in visible_texts(fig))


def test_the_figure_check_sees_an_english_label():
    fig, ax = plt.subplots()
    ax.set_title("Кривая Qini")
    ax.set_xlabel("customer_id")
    ax.set_ylabel("Members")
    assert english_left(fig) == [("ylabel", "Members")]


def test_russian_figures_name_the_labels_the_catalogue_gives():
    from crm_course import concentration

    with language("ru"):
        ax = concentration.plot_lorenz(concentration.lorenz_curve(pd.DataFrame({"revenue": [3.0, 0.0, 1.0]})))
    assert ax.get_xlabel() == "Участники, от меньших к большим (доля)"
    assert ax.get_legend_handles_labels()[1] == ["участники", "полное равенство"]
    with language("ru"):
        from crm_course.plots import money_axis

        money_axis(ax, "y")
    assert ax.get_ylabel().endswith("(руб.)")
    assert ax.yaxis.get_major_formatter()(25_000, 0) == "25\u00a0000" and ax.yaxis.get_major_formatter()(2_500, 0) == "2500"


# -- tables: the same numbers in both languages ---------------------------------------------------


def _both(make):
    english = make()
    with language("ru"):
        russian = make()
    return english, russian


def test_a_regression_table_has_the_same_numbers_and_russian_labels():
    import statsmodels.formula.api as smf

    from crm_course.tables import regression_table

    df = pd.DataFrame({"spend": [12.0, 15.0, 9.0, 20.0, 17.0, 11.0, 22.0, 14.0],
                       "tenure": [1, 2, 1, 4, 3, 2, 5, 2], "app_user": [0, 1, 0, 1, 1, 0, 1, 0],
                       "shop": [1, 1, 2, 2, 3, 3, 4, 4]})
    short = smf.ols("spend ~ tenure", df).fit()
    long = smf.ols("spend ~ tenure + app_user", df).fit(cov_type="cluster", cov_kwds={"groups": df["shop"]})
    en, ru = _both(lambda: regression_table({"Short": short, "Long": long}, stats=("nobs", "r2_adj", "llf")))
    numbers = ["estimate", "std_error", "conf_low", "conf_high", "p_value"]
    assert np.array_equal(en.to_frame()[numbers].to_numpy(), ru.to_frame()[numbers].to_numpy())
    assert np.array_equal(en.statistics.to_numpy(), ru.statistics.to_numpy(), equal_nan=True)
    assert en.standard_errors == ru.standard_errors  # the table's data stay English in both
    assert en.to_frame()["term"].tolist() == ru.to_frame()["term"].tolist()
    en_cells, ru_cells = en.to_frame(formatted=True), ru.to_frame(formatted=True)
    assert np.array_equal(en_cells.to_numpy(), ru_cells.to_numpy())  # the printed numbers, cell by cell
    assert list(ru_cells.index) == ["Константа", "", "tenure", "", "app_user", "", "N", "Скорректированный R²",
                                   "Логарифм правдоподобия"]
    assert ru.notes[0] == ("Стандартные ошибки — в круглых скобках: Short: обычные (неробастные); Long: "
                           "кластеризованные по shop (кластеров: 4).")
    assert "Скорректированный $R^2$" in ru.to_latex() and "Adjusted $R^2$" in en.to_latex()


def test_the_crm_fit_assessment_has_the_same_numbers_and_a_verdict_code_in_both_languages():
    from crm_course.decision import assess_crm_fit

    fit = _panel_fit()
    en, ru = _both(lambda: assess_crm_fit(fit, [0.3, 0.7, 0.5, 0.5], repeat_share=[0.3, 0.3, 0.95, 0.3],
                                          can_act=[True, True, True, False], customers=50_000,
                                          margin_per_repeat_customer=1_500, annual_cost=2_000_000, firm_sd=0.015))
    numeric = en.select_dtypes("number").columns
    assert list(numeric) == list(ru.select_dtypes("number").columns) and len(numeric) > 10
    assert np.array_equal(en[numeric].to_numpy(), ru[numeric].to_numpy())
    assert en["verdict_code"].tolist() == ru["verdict_code"].tolist() == [
        "unlikely_to_pay", "likely_to_pay", "not_applicable", "not_yet"]
    assert [v.split(":")[0] for v in en["verdict"]] == ["Unlikely to pay", "Likely to pay", "Not applicable", "Not yet"]
    assert [v.split(":")[0] for v in ru["verdict"]] == ["Вряд ли окупится", "Вероятно, окупится", "Неприменимо",
                                                       "Пока рано"]
    # The numbers a verdict states are the English ones, so the two editions' outputs state the same numbers.
    for e, r in zip(en["verdict"], ru["verdict"]):
        assert re.findall(r"\d+\.\d+", e) == re.findall(r"\d+\.\d+", r)


def test_the_board_case_inputs_and_the_break_even_explanation_follow_the_language():
    from crm_course import finance

    inputs = {"members": 1_000, "margin_per_member": 10.0, "retention": 0.5, "campaigns_per_year": 4,
              "targeted_share": 0.5, "campaign_lift": -1.0, "contacted_share": 0.3, "engagement_gain": 0.0,
              "csat_per_engagement": 0.0, "log_hr_per_csat": 0.0}
    costs = {"process_upfront": 1_000.0, "process_annual": 100.0, "people_annual": 100.0}

    def explanation():
        with pytest.raises(ValueError) as err:
            finance.break_even(inputs, costs, "members", horizon=3, discount=0.1)
        return str(err.value)

    en, ru = _both(explanation)
    assert en.startswith("parameter: no value of 'members' brings the NPV to zero: the programme loses money")
    assert ru.startswith("parameter: ни при каком значении 'members' NPV не обращается в ноль: программа убыточна")
    assert len(ru.split(": ", 2)) == len(en.split(": ", 2)) == 3  # notebook 05 prints the part after the second ": "
    number = r"[-+]?\d[\d,]*\.?\d*"
    assert re.findall(number, en) == re.findall(number, ru)


# -- the self-check feedback ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def referral_share():
    """Exercise 0.2 of the answer key, with its expected answer and a known slip computed on the shipped world."""
    ex = chapter_exercises(0)["0.2"]
    return ex, float(ex.expected_value()), ex.mistake_values()[0][0]


def _feedback_in_russian(check, answers):
    with language("ru"):
        return [check.feedback(a).message for a in answers]


def test_the_answer_keys_feedback_is_russian_for_a_correct_a_close_and_a_wrong_answer(referral_share):
    ex, expected, slip = referral_share
    correct, close, wrong, mistake, text = _feedback_in_russian(ex, [expected, expected * 100, 0.99, slip, "0.2"])
    assert correct == "Упражнение 0.2: верно. Отлично: value_counts(normalize=True) сразу даёт долю каждого канала."
    assert close == "Упражнение 0.2: близко, но не совсем. Похоже, это проценты: дайте ответ в виде доли от 0 до 1."
    assert wrong.startswith("Упражнение 0.2: пока неверно. Разделите число участников")
    assert mistake == ("Упражнение 0.2: пока неверно. Это число участников из канала 'referral': разделите его на "
                       "число всех участников.")
    assert text.startswith("Упражнение 0.2: пока неверно. Ваш ответ — текст (строка); в этом упражнении ожидается: "
                           "доля участников, пришедших по реферальной ссылке")
    assert ex.feedback(expected).message.startswith("Exercise 0.2: correct. Well done: value_counts")  # English again


def test_a_sealed_check_carries_the_russian_beside_the_english_and_speaks_it(referral_share):
    from crm_kit.sealed import checks_from, seal

    ex, expected, slip = referral_share
    record = seal([ex], salt=b"0123456789abcdef", iterations=50)
    sealed = checks_from(record)["0.2"]
    translations = record["checks"]["0.2"]["translations"]["ru"]
    assert set(translations) == {ex.what, *ex.hints.values(), *(m.hint for m in ex.mistakes)}
    assert _feedback_in_russian(sealed, [expected, expected * 100, 0.99, slip]) == _feedback_in_russian(
        ex, [expected, expected * 100, 0.99, slip])
    assert sealed.feedback(expected).message == ex.feedback(expected).message  # and the English is unchanged


def test_a_sealed_check_without_translations_falls_back_to_the_runtime_catalogue():
    from crm_kit.exercises import Exercise
    from crm_kit.sealed import checks_from, seal

    record = seal([Exercise("9.1", expected=0.25, kind="share", hints={"wrong": "Count again."})],
                  salt=b"0123456789abcdef", iterations=50)
    del record["checks"]["9.1"]["translations"]  # a kit sealed before the Russian edition
    with language("ru"):
        message = checks_from(record)["9.1"].feedback(0.9).message
    assert message == "Упражнение 9.1: пока неверно. Count again."


def test_the_feedback_for_labels_values_and_the_wrong_kind_of_answer_is_russian():
    from crm_kit.exercises import Exercise, check, register

    labels = Exercise("9.2", expected=["a", "b", "c"], kind="labels", choices=("a", "b", "c", "d", "e"))
    values = Exercise("9.3", expected=pd.Series([1.0, 2.0, 3.0], index=list("xyz")), kind="values")
    with language("ru"):
        said = [labels.feedback(["a", "d", "e"]).message, labels.feedback(["a", "z"]).message,
                values.feedback(pd.Series([1.0, 2.0, 9.0], index=list("xyz"))).message,
                values.feedback([1.0, 2.0]).message, labels.feedback("a").message]
        register(Exercise("0.98", expected=3, kind="number"), replace=True)
        printed = check("0.98", ...).message
    assert said == [
        "Упражнение 9.2: пока неверно. Верных меток: 1 из 3. Каких-то меток не хватает. Некоторые метки лишние.",
        "Упражнение 9.2: пока неверно. Меток не из списка вариантов: 1. Варианты: a, b, c, d, e.",
        "Упражнение 9.3: пока неверно. Пока неверных значений: 1 из 3.",
        "Упражнение 9.3: пока неверно. Форма ответа не та, что нужна в упражнении: значений в нём — 2.",
        "Упражнение 9.2: пока неверно. Ваш ответ — одна текстовая строка; в этом упражнении ожидается: список "
        'меток, например ["first", "second"].',
    ]
    assert printed == "Упражнение 0.98: ответа пока нет. Замените ... своим ответом и выполните ячейку ещё раз."


# -- the Russian follows the course's terms ----------------------------------------------------------------------

#: Calques and off-glossary terms, with the course's word (docs/glossary.md, the translators' fixed list).
FORBIDDEN = {
    "кэшбэк": "кешбэк (docs/glossary.md)",
    "клиентский опыт": "the course's own term for what is meant (удовлетворённость клиентов, обслуживание)",
    "маркетинг отношений": "маркетинг взаимоотношений",
    "возврат на инвестиции": "рентабельность инвестиций",
    "устранимые затраты": "избегаемые затраты (docs/glossary.md)",
    "устранимых затрат": "избегаемых затрат (docs/glossary.md)",
    "ноутбук": "блокнот (as in JupyterLab's Russian interface)",
    "полностью загруженн": "полная себестоимость",
    "мерчант": "магазин-партнёр",
    "агент поддержки": "оператор поддержки",
    "агенты поддержки": "операторы поддержки",
    "контакт с поддержкой": "обращение в службу поддержки",
    "сделать решение": "принять решение",
    "адресовать проблему": "решить проблему",
    "процентных точ": "процентных пунктов (п. п.)",
    "уплифт": "аплифт",
}


def test_the_russian_uses_the_courses_terms_and_no_calques():
    found = [(english, calque) for entries in (COURSE_RU, KIT_RU, HINTS_RU) for english, russian in entries.items()
             for calque in FORBIDDEN if calque in russian.lower()]
    assert not found, [(english, calque, FORBIDDEN[calque]) for english, calque in found]


def test_the_calque_check_can_fail():
    assert [c for c in FORBIDDEN if c in "Кэшбэк приходит позже; агент поддержки отвечает.".lower()] == [
        "кэшбэк", "агент поддержки"]


def test_the_graders_feedback_file_follows_the_language(referral_share):
    from crm_kit.grade import NotebookRun, StudentGrade, _feedback, grade_submissions, main

    ex, expected, _ = referral_share
    with language("ru"):
        grade = StudentGrade("s001", tr("the shipped world (no personal world was given for this id)"))
        grade.results = {"0.2": ex.feedback(expected)}
        grade.runs = [NotebookRun("00_introduction.ipynb", "ok", 3.0)]
        grade.notes = [tr("Several notebooks of chapter {chapter} were handed in; {name} was graded.", chapter=0,
                          name="00_introduction.ipynb")]
        text = _feedback(grade, ["0.2"])
    assert text.splitlines()[:7] == [
        "# Обратная связь для s001", "",
        "Ваши блокноты выполнены с самого начала, в новом сеансе, на данных мира курса (персонального мира для "
        "этого идентификатора нет).",
        "Баллы: **1 из 1** (по одному за каждый верный ответ с самопроверкой).", "",
        "| упражнение | результат | балл |", "|---|---|---|"]
    assert "| 0.2 | верно. Отлично: value_counts" in text and "- `00_introduction.ipynb`: выполнен до конца (3 с)." in text
    with pytest.raises(ValueError, match="^lang: expected one of 'en', 'ru'; found 'de'"):
        grade_submissions(".", lang="de")
    with pytest.raises(SystemExit):
        main(["submissions", "--lang", "de"])
