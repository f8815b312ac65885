"""Property-based bad-input tests: every public function that takes a DataFrame, fed corrupted frames.

For every entry of the registry (``tests/fuzz_registry.py``: one per public
function, with valid Kopilka-shaped data and the role of each column) and every
kind of corruption that applies to it, Hypothesis draws which frame, column, row
and bad value to use:

======================  ==========================================================
kind                    what is done to a copy of one valid frame
======================  ==========================================================
``missing_column``      a column the function reads is dropped
``wrong_dtype``         a column gets another kind: numbers become dates or labels,
                        dates numbers or text, flags text, labels numbers, ids text
``text_in_numbers``     one cell of a number column becomes ``"n/a"``, or the whole
                        column becomes numbers stored as text (``"4.5"``)
``nan_or_inf``          one cell becomes NaN, +inf or -inf (NaT, None)
``empty``               no rows
``single_row``          one row
``duplicate_key``       some rows appended a second time, or one row given
                        another row's key
``negative_money``      one amount becomes negative
``out_of_range``        one rating or share falls below or above its range
======================  ==========================================================

Each call must either return a valid result (its headline numbers finite, the
caller's frames unchanged) or raise a ``ValueError`` whose message names the
offending column, or for a whole-frame corruption the argument. Never another
exception type. Where the registry says the function promises more (a column
it reads, a key, money, a rating or share it checks) the call must raise.

The runs are deterministic (``derandomize=True``, no example database) and
bounded (``Entry.max_examples`` per kind), so the suite takes well under a
minute on one core; ``make test`` prints the count of functions and cases. For a
deeper run, still reproducible, set ``FUZZ_EXAMPLES`` (examples per function and
kind), e.g. ``FUZZ_EXAMPLES=30 .venv/bin/python -m pytest tests/test_bad_input.py``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

import crm_course
from fuzz_registry import Entry, Frame, registry


@pytest.fixture(scope="module", autouse=True)
def _hypothesis_outside_the_checkout(tmp_path_factory):
    """Hypothesis keeps a cache (``.hypothesis/``) even without an example database: keep it out of the checkout."""
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))
    yield
    set_hypothesis_home_dir(None)


# --- the corruptions -----------------------------------------------------------------------------------


def _targets(kind: str, frame: Frame) -> list[Any]:
    """The columns (or keys) of ``frame`` a corruption of this kind applies to; [None] for whole frames."""
    if kind == "missing_column":
        return frame.columns()
    if kind == "wrong_dtype":
        return [*frame.numbers(), *frame.dates, *frame.flags, *frame.labels, *frame.key_columns(), *frame.ids]
    if kind == "text_in_numbers":
        return frame.numbers()
    if kind == "nan_or_inf":
        return [*frame.numbers(), *frame.dates, *frame.flags, *frame.labels, *frame.key_columns(), *frame.ids]
    if kind in {"empty", "single_row"}:
        return [None]
    if kind == "duplicate_key":
        return list(frame.keys)
    if kind == "negative_money":
        return [*frame.money, *frame.amounts]
    if kind == "out_of_range":
        return [*frame.ranges, *frame.bounded]
    raise AssertionError(kind)


KINDS = ("missing_column", "wrong_dtype", "text_in_numbers", "nan_or_inf", "empty", "single_row",
         "duplicate_key", "negative_money", "out_of_range")


def _must_raise(kind: str, frame: Frame, column: Any) -> bool:
    """Whether the function promises a ValueError for this corruption (see fuzz_registry)."""
    # A key is checked when the table has it (validation.check_unique), so a missing key column need not raise,
    # unless the function also reads it as an identifier.
    optional_key = column in frame.key_columns() and column not in frame.ids
    return ((kind == "missing_column" and not optional_key)
            or kind in {"text_in_numbers", "duplicate_key"}
            or (kind == "negative_money" and column in frame.money)
            or (kind == "out_of_range" and column in frame.ranges))


def _kind_of(frame: Frame, column: str) -> str:
    if column in frame.numbers():
        return "number"
    if column in frame.dates:
        return "date"
    if column in frame.flags:
        return "flag"
    if column in frame.labels:
        return "label"
    return "id"


def _corrupt(df: pd.DataFrame, frame: Frame, kind: str, column: Any, variant: int, row: int) -> pd.DataFrame:
    """A corrupted copy of ``df``; ``variant`` and ``row`` are Hypothesis' draws."""
    out = df.copy()
    n = len(out)
    i = row % max(n, 1)
    at = out.index[i] if n else None
    if kind == "missing_column":
        return out.drop(columns=[column])
    if kind == "empty":
        return out.iloc[:0].copy()
    if kind == "single_row":
        return out.iloc[[i]].copy()
    if kind == "duplicate_key":
        if variant % 2 == 0:  # rows loaded twice
            return pd.concat([out, out.iloc[[i, (i + 1) % n]]], ignore_index=True)
        columns = [column] if isinstance(column, str) else list(column)
        j = (i + 1 + row // max(n, 1)) % n
        if j == i:
            j = (i + 1) % n
        out.loc[out.index[j], columns] = out.loc[at, columns].to_numpy()
        return out
    if kind == "negative_money":
        value = float(pd.to_numeric(out[column]).iloc[i])
        out[column] = out[column].astype(float)
        out.loc[at, column] = -abs(value) - 1.0 if variant % 2 == 0 else -0.01
        return out
    if kind == "out_of_range":
        low, high = (frame.ranges | frame.bounded)[column]
        out[column] = out[column].astype(float)
        out.loc[at, column] = (low - 1.0, high + 1.0, low - 0.5 * (high - low))[variant % 3]
        return out
    if kind == "text_in_numbers":
        if variant % 2 == 0:
            values = out[column].astype(object)
            values.iloc[i] = "n/a"
            out[column] = values
        else:
            out[column] = out[column].astype(str).astype(object)
        return out
    what = _kind_of(frame, column)
    if kind == "nan_or_inf":
        if what == "number":
            values = out[column].astype(float)
            values.iloc[i] = (np.nan, np.inf, -np.inf)[variant % 3]
        elif what == "date":
            values = out[column].copy()
            values.iloc[i] = pd.NaT
        else:
            values = out[column].astype(object)
            values.iloc[i] = None if variant % 2 == 0 else np.nan
        out[column] = values
        return out
    if kind == "wrong_dtype":
        if what == "number":
            out[column] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) % 30, unit="D")
                           if variant % 2 == 0 else np.where(np.arange(n) % 2 == 0, "low", "high"))
        elif what == "date":
            out[column] = (np.arange(n, dtype=np.int64) if variant % 2 == 0
                           else out[column].dt.strftime("%d/%m/%Y").astype(object))
        elif what == "flag":
            out[column] = np.where(np.arange(n) % 2 == 0, "yes", "no")
        elif what == "label":
            out[column] = np.arange(n, dtype=np.int64) % 3
        else:
            out[column] = out[column].astype(str).astype(object)
        return out
    raise AssertionError(kind)


# --- the property --------------------------------------------------------------------------------------


def _labels(entry: Entry, arg: str) -> list[str]:
    frame = entry.frames[arg]
    return [arg, *frame.names]


def _check_message(message: str, entry: Entry, arg: str, kind: str, column: Any) -> None:
    """The message names the offending column; for a whole-frame corruption, the argument or one of its columns."""
    if column is not None:
        wanted = [column] if isinstance(column, str) else list(column)
    else:
        wanted = _labels(entry, arg) + list(entry.frames[arg].build().columns)
    assert any(str(w) in message for w in wanted), (
        f"{entry.name}: {kind} of {arg}[{column!r}] raised a ValueError that names none of {wanted}:\n{message}"
    )


CASES = {"functions": set(), "cases": 0}


def _run(entry: Entry, kind: str, arg: str, column: Any, variant: int, row: int, *, count: bool = True) -> None:
    frames = {name: f.build() for name, f in entry.frames.items()}
    frame = entry.frames[arg]
    frames[arg] = _corrupt(frames[arg], frame, kind, column, variant, row)
    copies = {name: df.copy() for name, df in frames.items()}
    if count:
        CASES["functions"].add(entry.name)
        CASES["cases"] += 1
    try:
        with warnings.catch_warnings():
            # Statistical warnings (a fit that did not converge) are allowed on bad input; errors are not.
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore", module="statsmodels")
            result = entry.call(**frames)
    except ValueError as exc:
        _check_message(str(exc), entry, arg, kind, column)
    else:
        assert not _must_raise(kind, frame, column), (
            f"{entry.name}: {kind} of {arg}[{column!r}] (variant {variant}) returned a result; "
            "the registry says it must raise a ValueError naming it"
        )
        headline = np.asarray(entry.headline(result), dtype=float)
        assert np.isfinite(headline).all(), (
            f"{entry.name}: {kind} of {arg}[{column!r}] returned {int((~np.isfinite(headline)).sum())} "
            "NaN or infinite headline number(s) instead of raising"
        )
    for name, df in frames.items():
        pd.testing.assert_frame_equal(df, copies[name], obj=f"{entry.name} changed its argument {name}")


def _items() -> list[Any]:
    items = []
    for entry in registry().values():
        for kind in KINDS:
            options = [(arg, col) for arg, frame in entry.frames.items() for col in _targets(kind, frame)]
            if options:
                items.append(pytest.param(entry, kind, options, id=f"{entry.name.removeprefix('crm_course.')}-{kind}"))
    return items


ITEMS = _items()


@pytest.mark.parametrize("entry, kind, options", ITEMS)
def test_bad_input_gives_a_valid_result_or_a_clear_value_error(entry, kind, options):
    # No shrinking: the examples are few and plain already, and a failure is reported as it was drawn.
    @settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", entry.max_examples)), derandomize=True,
              database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow])
    @given(choice=st.sampled_from(options), variant=st.integers(0, 5), row=st.integers(0, 10_000))
    def check(choice, variant, row):
        arg, column = choice
        _run(entry, kind, arg, column, variant, row)

    check()


# --- the registry covers every public function that takes a DataFrame ---------------------------------

#: Public names that take DataFrames but are not fuzzed, and why.
NOT_FUZZED = {
    "crm_course.event_study.EventStudy": "a result container that event_study() builds; it takes no input data",
    "crm_course.effect_heterogeneity.EffectSpread": "a result container that effect_spread() builds; it takes no "
                                                    "input data",
    "crm_course.kopilka.board.BoardCase": "a result container that board_case() builds; it takes no input data",
    "crm_course.tables.RegressionTable": "a result container that regression_table() builds from fitted models",
    "crm_course.world.World": "the simulation's output, built by simulate(); it takes no input data",
}

#: Modules without ``__all__``: internal, so none of their names is public.
INTERNAL_MODULES = {
    "crm_course.formulas": "private helpers of the regression modules (its docstring says so)",
    "crm_course.clv.checks": "private input checks of the CLV models",
    "crm_course.clv.fitting": "private maximum-likelihood machinery of the CLV fitters",
    "crm_course.kopilka": "a package docstring only",
    "crm_course.world.campaign": "a stage of the simulation, called by simulate()",
    "crm_course.world.datapackage": "writes a simulated world to disk (python -m crm_course.world)",
    "crm_course.world.members": "a stage of the simulation, called by simulate()",
    "crm_course.world.merchants": "a stage of the simulation, called by simulate()",
    "crm_course.world.params": "the planted parameters: dataclasses, no function of data",
    "crm_course.world.purchases": "a stage of the simulation, called by simulate()",
    "crm_course.world.schema": "the data dictionary: dataclasses, no function of data",
    "crm_course.world.staff": "a stage of the simulation, called by simulate()",
    "crm_course.world.support": "a stage of the simulation, called by simulate()",
    "crm_course.world.__main__": "the command line",
}

def _takes_a_frame(func: Any) -> bool:
    """Whether an argument's annotation mentions a DataFrame (``pd.DataFrame``, ``Mapping[str, pd.DataFrame]``).

    The annotations are read as written (they are strings under ``from __future__ import annotations``), so a
    name imported only for type checking, such as matplotlib's ``Axes``, needs no import.
    """
    parameters = inspect.signature(func).parameters.values()
    return any("DataFrame" in str(p.annotation) for p in parameters if p.annotation is not inspect.Parameter.empty)


def public_dataframe_functions() -> dict[str, Any]:
    """Every public function or method (found through each module's ``__all__``) with a DataFrame argument."""
    found = {}
    for info in pkgutil.walk_packages(crm_course.__path__, "crm_course."):
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        if names is None:
            continue
        for name in names:
            obj = getattr(module, name)
            owner = getattr(obj, "__module__", None)
            if owner != info.name:  # re-exported: counted where it is defined
                continue
            if inspect.isfunction(obj):
                if _takes_a_frame(obj):
                    found[f"{info.name}.{name}"] = obj
            elif inspect.isclass(obj):
                if _takes_a_frame(obj.__init__):
                    found[f"{info.name}.{name}"] = obj
                for meth_name, meth in vars(obj).items():
                    if inspect.isfunction(meth) and not meth_name.startswith("_") and _takes_a_frame(meth):
                        found[f"{info.name}.{name}.{meth_name}"] = meth
    return found


def test_every_module_declares_its_public_names():
    missing = []
    for info in pkgutil.walk_packages(crm_course.__path__, "crm_course."):
        module = importlib.import_module(info.name)
        if not hasattr(module, "__all__") and info.name not in INTERNAL_MODULES:
            missing.append(info.name)
    assert not missing, f"modules without __all__ (add one, so the bad-input suite can find their functions): {missing}"


def test_every_public_dataframe_function_is_fuzzed():
    found = public_dataframe_functions()
    fuzzed = set(registry())
    missing = sorted(set(found) - fuzzed - set(NOT_FUZZED))
    assert not missing, (
        f"public function(s) taking a DataFrame without an entry in tests/fuzz_registry.py: {missing} "
        "(CONTRIBUTING.md says how to add one)"
    )
    stale = sorted((fuzzed | set(NOT_FUZZED)) - set(found))
    assert not stale, f"registry entries for names that are not public DataFrame functions: {stale}"


def test_the_meta_test_sees_a_new_function(monkeypatch):
    """A public function added to a module's __all__ without an entry is reported."""
    from crm_course import concentration

    def top_share(df: pd.DataFrame, column: str = "revenue") -> float:
        return float(df[column].max() / df[column].sum())

    top_share.__module__ = "crm_course.concentration"
    monkeypatch.setattr(concentration, "top_share", top_share, raising=False)
    monkeypatch.setattr(concentration, "__all__", [*concentration.__all__, "top_share"])
    assert "crm_course.concentration.top_share" in public_dataframe_functions()
    with pytest.raises(AssertionError, match="concentration.top_share"):
        test_every_public_dataframe_function_is_fuzzed()


def test_every_kind_of_corruption_is_generated():
    kinds = {item.values[1] for item in ITEMS}
    assert kinds == set(KINDS)


def test_the_property_catches_a_silent_nan_and_a_wrong_exception():
    """The checks fail on the defects they exist for."""
    frame = Frame(lambda: pd.DataFrame({"customer_id": [1, 2, 3], "revenue": [1.0, 2.0, 3.0]}),
                  keys=("customer_id",), money=("revenue",))
    silent = Entry("silent", lambda df: float(np.log(df["revenue"]).mean()), {"df": frame})
    with pytest.raises(AssertionError, match="must raise|NaN"):
        _run(silent, "negative_money", "df", "revenue", 0, 0, count=False)
    with pytest.raises(AssertionError, match="must raise"):
        _run(silent, "duplicate_key", "df", "customer_id", 0, 0, count=False)
    crashes = Entry("crashes", lambda df: df["revenue"].sum(), {"df": frame})
    with pytest.raises(KeyError):
        _run(crashes, "missing_column", "df", "revenue", 0, 0, count=False)
    vague = Entry("vague", lambda df: (_ for _ in ()).throw(ValueError("bad data")), {"df": frame})
    with pytest.raises(AssertionError, match="names none of"):
        _run(vague, "text_in_numbers", "df", "revenue", 1, 0, count=False)
