"""Self-checks: every kind of answer, the registry, hints without direction, graded runs, and that no answer leaks."""

from __future__ import annotations

import doctest
import json
import re
import sys
import types

import numpy as np
import pandas as pd
import pytest

from crm_kit import answers, exercises
from crm_kit.answer_types import decode_answer, encode_answer, UnreadableAnswer
from crm_kit.exercises import check, CLOSE, CORRECT, Exercise, Mistake, NOT_ANSWERED, RECORD_ENV, RECORDED, WRONG


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    """Each test starts from an empty registry, so registrations do not leak."""
    monkeypatch.setattr(exercises, "_REGISTRY", {})


def status(ex: Exercise, answer) -> str:
    return ex.feedback(answer).status


# -- numbers -------------------------------------------------------------------


def test_number_statuses_never_tell_the_direction():
    ex = Exercise("9.1", expected=1250.0)
    assert status(ex, 1250.0) == CORRECT
    assert status(ex, 1250.5) == CORRECT  # within the default 0.1 %
    assert status(ex, 1300.0) == status(ex, 1200.0) == CLOSE
    assert ex.feedback(1300.0).message == ex.feedback(1200.0).message
    assert status(ex, 2000.0) == status(ex, 100.0) == WRONG
    assert ex.feedback(2000.0).message == ex.feedback(100.0).message == "Exercise 9.1: not yet right."
    for answer in (1300.0, 1200.0, 2000.0, 100.0):
        assert not re.search(r"\b(high|low|more|less|larger|smaller)\b", ex.feedback(answer).message)


def test_exact_count_and_own_tolerances():
    exact = Exercise("9.1", expected=1200, rtol=0, atol=0)
    assert status(exact, 1200) == CORRECT
    assert status(exact, np.int64(1200)) == CORRECT
    assert status(exact, 1201) == status(exact, 1199) == CLOSE
    rounded = Exercise("9.2", expected=3.14159, rtol=0, atol=0.005, close_atol=0.5, close_rtol=0)
    assert status(rounded, 3.14) == CORRECT
    assert status(rounded, 3.5) == CLOSE
    assert status(rounded, 3.9) == WRONG


@pytest.mark.parametrize(("expected", "atol", "rtol"), [(0.2345, 0.0005, 0), (-3.7, 0.06, 0), (1234.5, 1e-9, 0.01)])
def test_the_tolerance_grid_accepts_every_answer_within_the_tolerance_and_none_beyond_one_and_a_half(
        expected, atol, rtol):
    ex = Exercise("9.1", expected=expected, atol=atol, rtol=rtol, close_rtol=0)
    if rtol:
        inside = [expected * f for f in np.linspace(1 - rtol, 1 + rtol, 201)]
        beyond = [expected * (1 - rtol) ** 1.51, expected / (1 - rtol) ** 1.51]
    else:
        inside = list(expected + np.linspace(-atol, atol, 201))
        beyond = [expected - 1.51 * atol, expected + 1.51 * atol]
    assert [v for v in inside if status(ex, float(v)) != CORRECT] == []
    assert [status(ex, float(v)) for v in beyond] == [WRONG, WRONG]


def test_hints_for_wrong_close_and_correct_answers_and_for_mistakes():
    ex = Exercise("9.1", expected=10.0, mistakes=[Mistake(25.0, "You counted orders."), Mistake(lambda: 4.0, "Pending too.")],
                  hints={"wrong": "Re-read the definition.", "close": "Round to whole roubles.", "correct": "Nice."})
    wrong = "Exercise 9.1: not yet right."
    assert ex.feedback(25.0).message == f"{wrong} You counted orders."
    assert ex.feedback(4.0).message == f"{wrong} Pending too."
    assert ex.feedback(50.0).message == f"{wrong} Re-read the definition."
    assert ex.feedback(1.0).message == f"{wrong} Re-read the definition."
    assert ex.feedback(10.5).message == "Exercise 9.1: close, but not quite. Round to whole roubles."
    assert ex.feedback(10.0).message == "Exercise 9.1: correct. Nice."


def test_a_mistake_that_is_not_a_finite_number_on_this_data_is_left_out():
    ex = Exercise("9.1", expected=10.0, mistakes=[Mistake(lambda: float("nan"), "x"), Mistake(float("inf"), "y"),
                                                  Mistake(np.float64(3.0), "Three.")])
    assert ex.mistake_values() == [(3.0, "Three.")]


def test_direction_hints_are_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"unknown hint key\(s\) 'high'.*halving.*Mistake"):
        Exercise("9.1", expected=1.0, hints={"high": "Too high: you counted orders."})
    with pytest.raises(ValueError, match="mistakes are only for numbers"):
        Exercise("9.1", expected="a", kind="choice", mistakes=[Mistake("b", "no")])
    with pytest.raises(ValueError, match="hint should be a sentence"):
        Mistake(1.0, "")


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
def fake_customers(monkeypatch, tmp_path):
    """Stand in for the course data: forty members, a quarter of them referred, with 120 orders."""
    loaded = []

    def load(name):
        loaded.append(name)
        if name == "transactions":
            return pd.DataFrame({"customer_id": [1, 2, 3] * 40, "order_value": 100.0})
        channels = ["search", "referral", "social", "partner"] * 10
        return pd.DataFrame({"customer_id": range(1, 41), "channel": channels})

    module = types.ModuleType("crm_course.data")
    module.load = load
    module.active_data_dir = lambda: tmp_path  # a world without sealed checks
    monkeypatch.setitem(sys.modules, "crm_course.data", module)
    yield loaded
    exercises.clear_cache()


def test_chapter_0_computes_its_answers_and_its_mistakes_from_the_data(fake_customers, capsys):
    # Forty members, of whom three placed the 120 orders.
    assert check("0.1", 3).status == CORRECT
    assert set(fake_customers) == {"transactions"}  # a correct answer computes no mistake
    assert check("0.1", 120).status == WRONG
    assert "number of orders" in capsys.readouterr().out.splitlines()[-1]
    assert check("0.1", 40).status == WRONG
    assert "also those who never ordered" in capsys.readouterr().out.splitlines()[-1]
    assert check("0.1", 7).status == WRONG
    assert check("0.2", 0.25).status == CORRECT
    assert check("0.2", 25).status == CLOSE
    assert check("0.2", 0.5).status == WRONG
    assert check("0.2", 10).status == WRONG
    assert "number of referral members" in capsys.readouterr().out.splitlines()[-1]


def _all_exercises() -> list[Exercise]:
    found = []
    for chapter in answers.available_chapters():
        found.extend(exercises._chapter(chapter).values())
    exercises._REGISTRY.clear()
    return found


@pytest.mark.parametrize("exercise", _all_exercises(), ids=lambda ex: ex.key)
def test_every_exercise_accepts_its_own_expected_answer_and_never_tells_the_direction(exercise):
    """Its own answer is correct; two wrong answers equally far above and below get the same words.

    A hint that differs with the side of the error ("too high") lets a student
    find a count by halving the interval; only a known mistake may earn its own hint.
    """
    try:
        expected = exercise.expected_value()
        result = exercise.feedback(expected)
        assert result.status == CORRECT, result.message
        if exercise.kind in ("number", "share", "percent"):
            far = 3 * max(abs(float(expected)) * max(exercise.close_rtol, exercise.rtol), exercise.close_atol,
                          exercise.atol) or 1.0
            for distance in (far, far / 7, far / 31):
                below, above = float(expected) - distance, float(expected) + distance
                if exercise._mistake_hint(below) or exercise._mistake_hint(above):
                    continue
                a, b = exercise.feedback(below), exercise.feedback(above)
                scale_hint = any("It looks like a" in r.message for r in (a, b))  # about the scale, not the side
                if a.status == b.status and not scale_hint:
                    assert a.message == b.message, (a.message, b.message)
                for message in (a.message, b.message):
                    assert not re.search(r"too (high|low)|\b(higher|lower) than", message, re.IGNORECASE), message
    finally:
        exercise.clear_cache()


def _choice_exercises() -> list[Exercise]:
    return [ex for ex in _all_exercises() if ex.kind == "choice"]


@pytest.mark.parametrize("exercise", _choice_exercises(), ids=lambda ex: ex.key)
def test_no_hint_of_a_labelled_choice_points_at_the_right_label(exercise):
    """A hint for one wrong label must not name the right one (6.4 once said 'the selective policy')."""
    expected = _norm_label_text(exercise.expected_value())
    others = {_norm_label_text(c) for c in exercise.choices} - {expected}
    own_words = {w for w in re.findall(r"[a-z]+", expected) if len(w) > 3} - {
        w for other in others for w in re.findall(r"[a-z]+", other)}
    texts = list(exercise.label_hints.values()) + [v for k, v in exercise.hints.items() if k != "correct"]
    exercise.clear_cache()
    assert own_words, "the right label has no word of its own to look for"
    for text in texts:
        words = set(re.findall(r"[a-z]+", text.casefold()))
        assert expected not in text.casefold() and not own_words & words, text


def _norm_label_text(label) -> str:
    return " ".join(str(label).split()).casefold()


# -- graded runs ------------------------------------------------------------------------------


def test_a_graded_run_records_the_answer_and_compares_nothing(monkeypatch, tmp_path, capsys):
    def never():
        raise AssertionError("a graded run must not compute the expected answer")

    exercises.register(Exercise("9.1", expected=never, kind="share"))
    record = tmp_path / "answers.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(record))
    first = check("9.1", np.float64(0.25))
    second = check(" 9.1 ", pd.Series([1.5, 2.5], index=["a", "b"], name="x"))
    third = check("9.1", ...)
    assert [r.status for r in (first, second, third)] == [RECORDED] * 3
    assert capsys.readouterr().out == "Exercise 9.1: answer recorded for grading.\n" * 3
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [line["key"] for line in lines] == ["9.1"] * 3
    assert decode_answer(lines[0]["answer"]) == 0.25
    assert decode_answer(lines[1]["answer"]).equals(pd.Series([1.5, 2.5], index=["a", "b"], name="x"))
    assert decode_answer(lines[2]["answer"]) is None
    with pytest.raises(ValueError, match="key"):
        check("nine", 1)


@pytest.mark.parametrize(
    "answer",
    [3, 0.125, np.int64(7), np.float32(0.5), float("nan"), "personalised", True, ["a", "b"], ("a", 2), {"x", "y"},
     np.array([[1.0, 2.0], [3.0, np.nan]]), pd.Series([0.1, 0.2], index=["search", "social"]),
     pd.DataFrame({"orders": [3, 5], "revenue": [900.0, 1500.0]}, index=["A", "B"]), pd.Index(["p", "q"])],
    ids=lambda a: type(a).__name__,
)
def test_answers_survive_the_trip_from_a_graded_run_to_the_grader(answer):
    back = decode_answer(json.loads(json.dumps(encode_answer(answer))))
    ex_number = Exercise("9.1", expected=0.125, kind="share")
    ex_labels = Exercise("9.2", expected=["p", "q"], kind="labels")
    for ex in (ex_number, ex_labels):
        if isinstance(answer, pd.Index):  # comes back as a list of the same labels
            assert back == list(answer) and ex.feedback(back).status == ex.feedback(answer).status
        else:
            assert ex.feedback(back).message == ex.feedback(answer).message
    if isinstance(answer, (pd.Series, pd.DataFrame)):
        assert back.equals(answer.astype(float)) or back.equals(answer)
    elif isinstance(answer, np.ndarray):
        np.testing.assert_array_equal(back, answer)


def test_an_unreadable_answer_is_graded_as_the_wrong_kind_of_object():
    back = decode_answer(json.loads(json.dumps(encode_answer(object()))))
    assert isinstance(back, UnreadableAnswer)
    result = Exercise("9.1", expected=0.125, kind="share").feedback(back)
    assert result.status == WRONG and "expects a share" in result.message


@pytest.mark.parametrize("module", [exercises, answers], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    outcome = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0


def test_clear_cache_forgets_the_answers_of_every_answer_module_exercise(monkeypatch):
    """The kit builder and the grader take exercises straight from the answer modules: their answers must
    be forgotten when the world changes, or a student would be graded on the previous student's world."""
    calls = []
    ex = Exercise("42.1", expected=lambda: calls.append(1) or 1.0)
    _install_chapter(monkeypatch, 42, [ex])
    ex.expected_value()
    exercises.clear_cache()
    ex.expected_value()
    assert len(calls) == 2
