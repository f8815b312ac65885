"""Self-checks: every kind of answer, the registry, and that no answer leaks."""

from __future__ import annotations

import doctest
import re
import sys
import types

import numpy as np
import pandas as pd
import pytest

from crm_kit import answers, exercises
from crm_kit.exercises import check, CLOSE, CORRECT, Exercise, NOT_ANSWERED, WRONG


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    """Each test starts from an empty registry, so registrations do not leak."""
    monkeypatch.setattr(exercises, "_REGISTRY", {})


def status(ex: Exercise, answer) -> str:
    return ex.feedback(answer).status


# -- numbers -------------------------------------------------------------------


def test_number_statuses_and_direction():
    ex = Exercise("9.1", expected=1250.0)
    assert status(ex, 1250.0) == CORRECT
    assert status(ex, 1250.5) == CORRECT  # within the default 0.1 %
    assert status(ex, 1300.0) == CLOSE
    assert "slightly too high" in ex.feedback(1300.0).message
    assert "slightly too low" in ex.feedback(1200.0).message
    assert ex.feedback(2000.0).status == WRONG
    assert "too high" in ex.feedback(2000.0).message
    assert "too low" in ex.feedback(100.0).message


def test_exact_count_and_own_tolerances():
    exact = Exercise("9.1", expected=1200, rtol=0, atol=0)
    assert status(exact, 1200) == CORRECT
    assert status(exact, np.int64(1200)) == CORRECT
    assert status(exact, 1201) == CLOSE
    rounded = Exercise("9.2", expected=3.14159, rtol=0, atol=0.005, close_atol=0.5, close_rtol=0)
    assert status(rounded, 3.14) == CORRECT
    assert status(rounded, 3.5) == CLOSE
    assert status(rounded, 3.7) == WRONG


def test_number_hints_replace_and_extend_the_defaults():
    ex = Exercise("9.1", expected=10.0, hints={
        "high": "Too high: you counted orders.", "low": "Too low: include pending orders.",
        "wrong": "Re-read the definition.", "close": "Round to whole roubles.", "correct": "Nice.",
    })
    wrong = "Exercise 9.1: not yet right."
    assert ex.feedback(50.0).message == f"{wrong} Too high: you counted orders. Re-read the definition."
    assert ex.feedback(1.0).message == f"{wrong} Too low: include pending orders. Re-read the definition."
    assert ex.feedback(10.5).message == "Exercise 9.1: close, but not quite. Round to whole roubles."
    assert ex.feedback(10.0).message == "Exercise 9.1: correct. Nice."


def test_share_given_as_percentage_gets_the_scale_hint():
    ex = Exercise("9.1", expected=0.4237, kind="share")
    assert status(ex, 0.4237) == CORRECT
    result = ex.feedback(42.37)
    assert result.status == CLOSE and "share between 0 and 1" in result.message
    # A percentage that is also numerically off is not close, but the scale is still the first thing to fix.
    result = ex.feedback(55)
    assert result.status == WRONG and "share between 0 and 1" in result.message
    assert "share between 0 and 1" not in ex.feedback(0.6).message


def test_percent_given_as_share_gets_the_scale_hint():
    ex = Exercise("9.1", expected=42.37, kind="percent", hints={"scale": "Multiply by 100."})
    assert status(ex, 42.37) == CORRECT
    assert ex.feedback(0.4237).message == "Exercise 9.1: close, but not quite. Multiply by 100."


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ("0.42", "Remove the quotes"),
        ("many", "text (a string)"),
        (pd.DataFrame({"share": [0.1, 0.2]}), "a table (a pandas DataFrame)"),
        (pd.DataFrame({"share": [0.42]}), ".iloc[0, 0]"),
        (pd.Series([0.42]), ".item()"),
        (np.array([0.42]), ".item()"),
        ([0.42], "[0]"),
        (True, "True/False"),
        ({"a": 1}, "a dictionary"),
        (float("nan"), "NaN"),
        (float("inf"), "infinite"),
    ],
    ids=["numeric-text", "text", "frame", "one-cell-frame", "one-value-series", "one-value-array",
         "one-value-list", "bool", "dict", "nan", "inf"],
)
def test_wrong_type_for_a_number_gives_a_hint_not_a_traceback(answer, phrase):
    ex = Exercise("9.1", expected=0.42, kind="share", hints={"type": "Use the share column."})
    result = ex.feedback(answer)
    assert result.status == WRONG
    assert phrase in result.message
    if phrase not in ("NaN", "infinite"):
        assert "a share between 0 and 1" in result.message
        assert result.message.endswith("Use the share column.")


def test_what_describes_the_expected_answer_in_type_hints():
    ex = Exercise("9.1", expected=5, what="the number of members (a whole number)")
    assert "expects the number of members (a whole number)" in ex.feedback("five").message


# -- labels ----------------------------------------------------------------------


def test_choice_ignores_case_and_spaces_and_uses_label_hints():
    ex = Exercise("9.1", expected="food delivery", kind="choice",
                  choices=("travel", "food delivery", "fashion"),
                  label_hints={"Travel": "Travel orders are large but rare."})
    assert status(ex, "  Food   Delivery ") == CORRECT
    assert ex.feedback("travel").message == "Exercise 9.1: not yet right. Travel orders are large but rare."
    assert status(ex, "fashion") == WRONG
    off_list = ex.feedback("groceries")
    assert off_list.status == WRONG and "not one of the options: travel, food delivery, fashion" in off_list.message
    assert "not a list" in ex.feedback(["food delivery"]).message
    assert "one of travel, food delivery, fashion" in ex.feedback(3.5).message


def test_choice_accepts_integer_labels():
    ex = Exercise("9.1", expected=np.int64(17), kind="choice")
    assert status(ex, 17) == CORRECT
    assert status(ex, "17") == CORRECT
    assert status(ex, 18) == WRONG


def test_labels_are_order_and_case_insensitive():
    ex = Exercise("9.1", expected=["search", "social", "referral"], kind="labels")
    assert status(ex, ["Referral", "search", "social"]) == CORRECT
    assert status(ex, {"social", "referral", "search"}) == CORRECT
    assert status(ex, ("search", "social", "referral", "search")) == CORRECT
    assert status(ex, pd.Index(["search", "social", "referral"])) == CORRECT
    assert status(ex, pd.Series(["search", "social", "referral"])) == CORRECT


@pytest.mark.parametrize(
    ("answer", "expected_status", "phrase"),
    [
        (["search", "social"], CLOSE, "One label is missing."),
        (["search", "social", "referral", "partner"], CLOSE, "One label does not belong."),
        (["search", "social", "partner"], CLOSE, "One label is wrong"),
        (["partner", "email"], WRONG, "0 of your 2 labels are right"),
        ("search", WRONG, "expects a list of labels"),
        (pd.Series([3, 2, 1], index=["search", "social", "referral"]), WRONG, "list(s.index)"),
        ([1.5, 2.5], WRONG, "something other than labels"),
    ],
)
def test_labels_close_and_wrong(answer, expected_status, phrase):
    ex = Exercise("9.1", expected=["search", "social", "referral"], kind="labels")
    result = ex.feedback(answer)
    assert result.status == expected_status
    assert phrase in result.message


def test_labels_outside_the_choices_are_named_as_such():
    ex = Exercise("9.1", expected=["a", "b"], kind="labels", choices=["a", "b", "c"])
    assert "1 label of yours is not among the options: a, b, c" in ex.feedback(["a", "z"]).message


# -- several values ----------------------------------------------------------------


@pytest.fixture
def shares():
    return pd.Series([0.15, 0.35, 0.5], index=["search", "social", "referral"], name="share")


def test_series_is_aligned_by_label_then_compared_with_tolerance(shares):
    ex = Exercise("9.1", expected=lambda: shares, kind="values", scale="share")
    assert status(ex, shares.sort_values(ascending=False)) == CORRECT
    assert status(ex, shares.to_frame()) == CORRECT
    assert status(ex, shares.to_numpy()) == CORRECT
    assert status(ex, list(shares)) == CORRECT
    assert status(ex, shares.reset_index(drop=True)) == CORRECT  # same order, labels dropped
    assert status(ex, shares * 1.05) == CLOSE
    assert "share between 0 and 1" in ex.feedback(shares * 100).message
    wrong = shares.copy()
    wrong["social"] = 0.9
    result = ex.feedback(wrong)
    assert result.status == WRONG and "1 of the 3 values is not right yet" in result.message
    assert ex.feedback(shares * 5).message.endswith("None of the values is right yet.")


def test_values_of_the_wrong_shape_or_kind(shares):
    ex = Exercise("9.1", expected=shares, kind="values")
    assert "has 2 values, a different shape" in ex.feedback(shares.iloc[:2]).message
    assert "expects several numbers" in ex.feedback(0.5).message
    assert "something other than numbers" in ex.feedback(pd.Series(["a", "b", "c"])).message
    with_nan = shares.copy()
    with_nan["search"] = np.nan
    assert "missing values (NaN)" in ex.feedback(with_nan).message


def test_dataframe_compared_cell_by_cell():
    table = pd.DataFrame({"orders": [3.0, 5.0], "revenue": [900.0, 1500.0]}, index=["A", "B"])
    ex = Exercise("9.1", expected=table, kind="values")
    assert status(ex, table[["revenue", "orders"]].iloc[::-1]) == CORRECT
    assert status(ex, table.to_numpy()) == CORRECT
    assert "2 rows and 1 columns" in ex.feedback(table[["orders"]]).message
    changed = table.copy()
    changed.loc["B", "revenue"] = 2000.0
    assert ex.feedback(changed).status == WRONG


# -- not answered, caching, misconfiguration ---------------------------------------------


@pytest.mark.parametrize("kind", ["number", "share", "percent", "choice", "labels", "values"])
@pytest.mark.parametrize("answer", [..., None], ids=["ellipsis", "none"])
def test_ellipsis_and_none_are_not_answered_without_computing_the_answer(kind, answer):
    def never():
        raise AssertionError("the expected answer should not be computed")

    result = Exercise("9.1", expected=never, kind=kind).feedback(answer)
    assert result.status == NOT_ANSWERED
    assert result.message == (
        "Exercise 9.1: not answered yet. Replace the ... with your answer and run the cell again."
    )


def test_expected_answer_is_computed_once_and_can_be_forgotten():
    calls = []

    def expensive():
        calls.append(1)
        return 7.0

    ex = exercises.register(Exercise("9.1", expected=expensive))
    for answer in (7.0, 6.0, 1.0):
        ex.feedback(answer)
    assert len(calls) == 1
    exercises.clear_cache()
    ex.feedback(7.0)
    assert len(calls) == 2


def test_misconfigured_expected_value_raises_without_showing_it():
    ex = Exercise("9.1", expected=pd.Series([0.4237, 0.5]), kind="number")
    with pytest.raises(TypeError, match="misconfigured") as info:
        ex.feedback(0.4)
    assert "0.42" not in str(info.value) and "0.5" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"key": "1-2"}, "key"),
        ({"key": 1.2}, "key"),
        ({"kind": "integer"}, "kind should be one of"),
        ({"rtol": -0.1}, "rtol should be a number >= 0"),
        ({"hints": {"hgih": "typo"}}, "unknown hint key"),
        ({"scale": "share"}, "only for kind 'values'"),
        ({"label_hints": {"a": "b"}}, "only for kind 'choice'"),
        ({"kind": "choice", "choices": "abc"}, "choices should be a list"),
    ],
)
def test_bad_exercise_definitions_are_rejected(kwargs, match):
    spec = {"key": "9.1", "expected": 1.0} | kwargs
    with pytest.raises(ValueError, match=match):
        Exercise(**spec)


# -- nothing leaks -------------------------------------------------------------------


def _forms(value: float) -> set[str]:
    """Ways a number can be written: exact, rounded, as a percentage."""
    out = {repr(value), str(value), f"{value:g}"}
    for scaled in (value, value * 100):
        for digits in range(4):
            out.add(f"{scaled:.{digits}f}")
        out.add(f"{scaled:,.0f}")
    out.add(f"{value:.1%}")
    out.add(f"{value:.0%}")
    return {f for f in out if f.strip("0.%,") != ""}


@pytest.mark.parametrize(
    ("kind", "value"),
    [("share", v) for v in (0.4237, 0.0613, 0.875)] + [("number", v) for v in (0.4237, 37.5, 1234.0, 987654.0)],
)
def test_feedback_never_shows_the_expected_number(kind, value, capsys):
    exercises.register(Exercise("7.3", expected=lambda: value, kind=kind))
    answers = [value, round(value, 2), round(value, 1), value * 100, value * 1.05, value * 0.9, value * 3,
               -value, 0, str(value), f"{value:.1%}", pd.Series([value]), pd.DataFrame({"x": [value, value]}),
               [value], float("nan"), True, ...]
    for answer in answers:
        result = check("7.3", answer)
        shown = capsys.readouterr().out + repr(result) + str(result)
        # Apart from the key, the scale's bounds and code tips such as .iloc[0, 0],
        # feedback has no digits, so no number derived from the answer can slip through.
        rest = re.sub(r"7\.3|between 0 and 1(?:00)?|\[0(, 0)?\]", "", shown)
        assert not re.search(r"\d", rest), shown
        for form in _forms(value):
            assert form not in rest, (form, shown)


def test_feedback_never_shows_the_expected_label(capsys):
    exercises.register(Exercise("7.3", expected="referral", kind="choice"))
    exercises.register(Exercise("7.4", expected=["referral", "partner"], kind="labels"))
    for answer in ("search", "social", ["referral"], 3, pd.Series(["partner"]), "REFERRAL", ...):
        result = check("7.3", answer)
        shown = capsys.readouterr().out + repr(result)
        assert "referral" not in shown.casefold()
    for answer in (["search"], ["referral"], ["partner", "social"], ["referral", "partner", "search"], "partner"):
        result = check("7.4", answer)
        shown = capsys.readouterr().out + repr(result)
        assert "referral" not in shown.casefold() and "partner" not in shown.casefold(), shown


def test_feedback_never_shows_expected_values(capsys, shares):
    exercises.register(Exercise("7.3", expected=lambda: shares, kind="values", scale="share"))
    for answer in (shares, shares * 100, shares * 1.05, shares[::-1] * 2, shares.iloc[:2], 0.35, ...):
        result = check("7.3", answer)
        shown = capsys.readouterr().out + repr(result)
        for value in shares:
            for form in _forms(value):
                assert form not in shown, (form, shown)


def test_exercise_repr_hides_the_expected_answer():
    ex = Exercise("9.1", expected=0.4237, kind="share", hints={"close": "x"})
    assert repr(ex) == "Exercise(key='9.1', kind='share')"


# -- check() and the registry -----------------------------------------------------------


def test_check_prints_one_line_and_returns_the_result(capsys):
    exercises.register(Exercise("9.1", expected=2.5))
    result = check("9.1", 2.5)
    assert capsys.readouterr().out == "Exercise 9.1: correct. Well done.\n"
    assert result.status == CORRECT and result.key == "9.1"
    assert repr(result) == "CheckResult(key='9.1', status='correct')"
    assert check(" 9.1 ", ...).status == NOT_ANSWERED


def test_check_imports_the_chapter_module_lazily(monkeypatch):
    monkeypatch.delitem(sys.modules, "crm_kit.answers.ch00", raising=False)
    assert check("0.1", ...).status == NOT_ANSWERED
    assert "crm_kit.answers.ch00" in sys.modules
    assert exercises.known_keys(0)[:2] == ["0.1", "0.2"]


def test_unknown_key_lists_the_known_keys_of_its_chapter():
    with pytest.raises(ValueError, match=r"There is no exercise '0\.9'\. Chapter 0 has exercises: 0\.1, 0\.2\b"):
        check("0.9", 1)


def test_key_of_a_chapter_without_exercises_names_the_chapters_that_have_them():
    with pytest.raises(ValueError, match=r"chapter 88 has no self-checks \(chapters with self-checks: 0"):
        check("88.1", 1)


@pytest.mark.parametrize(("key", "error"), [(1.2, TypeError), ("1,2", ValueError), ("chapter 1", ValueError)])
def test_malformed_key(key, error):
    with pytest.raises(error, match="key"):
        check(key, 1)


def _install_chapter(monkeypatch, number: int, exercise_list) -> None:
    module = types.ModuleType(answers.module_name(number))
    module.EXERCISES = exercise_list
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_a_new_chapter_module_needs_only_an_exercises_list(monkeypatch, capsys):
    _install_chapter(monkeypatch, 42, [
        Exercise("42.1", expected=lambda: 0.3, kind="share"),
        Exercise("42.10", expected="b", kind="choice"),
        Exercise("42.2", expected=["x"], kind="labels"),
    ])
    assert check("42.1", 30).status == CLOSE
    assert exercises.known_keys(42) == ["42.1", "42.2", "42.10"]
    assert check("42.10", "B").status == CORRECT


@pytest.mark.parametrize(
    ("exercise_list", "match"),
    [
        ([Exercise("41.1", expected=1)], "belongs to chapter 41, not chapter 42"),
        ([Exercise("42.1", expected=1), Exercise("42.1", expected=2)], "defined twice"),
        (["42.1"], "expected Exercise objects"),
    ],
)
def test_a_broken_chapter_module_is_reported(monkeypatch, exercise_list, match):
    _install_chapter(monkeypatch, 42, exercise_list)
    with pytest.raises((ValueError, TypeError), match=match):
        check("42.1", 1)


def test_register_refuses_a_duplicate_unless_asked():
    exercises.register(Exercise("9.1", expected=1))
    with pytest.raises(ValueError, match="defined twice"):
        exercises.register(Exercise("9.1", expected=2))
    exercises.register(Exercise("9.1", expected=2), replace=True)
    assert exercises.get_exercise("9.1").feedback(2).status == CORRECT


# -- chapter 0 and every chapter's answers -----------------------------------------------


@pytest.fixture
def fake_customers(monkeypatch):
    """Stand in for the course data: forty members, a quarter of them referred."""
    loaded = []

    def load(name):
        loaded.append(name)
        channels = ["search", "referral", "social", "partner"] * 10
        return pd.DataFrame({"customer_id": range(1, 41), "channel": channels})

    module = types.ModuleType("crm_course.data")
    module.load = load
    monkeypatch.setitem(sys.modules, "crm_course.data", module)
    yield loaded
    exercises.clear_cache()


def test_chapter_0_computes_its_answers_from_the_customers_table(fake_customers):
    assert check("0.1", 40).status == CORRECT
    assert check("0.1", 41).status == CLOSE
    assert check("0.1", 80).status == WRONG
    assert check("0.2", 0.25).status == CORRECT
    assert check("0.2", 25).status == CLOSE
    assert check("0.2", 0.5).status == WRONG
    assert set(fake_customers) == {"customers"}


def _all_exercises() -> list[Exercise]:
    found = []
    for chapter in answers.available_chapters():
        found.extend(exercises._chapter(chapter).values())
    exercises._REGISTRY.clear()
    return found


@pytest.mark.parametrize("exercise", _all_exercises(), ids=lambda ex: ex.key)
def test_every_exercise_accepts_its_own_expected_answer(exercise):
    try:
        expected = exercise.expected_value()
        result = exercise.feedback(expected)
    except ModuleNotFoundError as err:
        if err.name != "crm_course.data":
            raise
        pytest.skip("crm_course.data is not there yet")
    finally:
        exercise.clear_cache()
    assert result.status == CORRECT, result.message


@pytest.mark.parametrize("module", [exercises, answers], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    outcome = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0
