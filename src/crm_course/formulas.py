"""Formula and input helpers shared by the regression modules (private).

:mod:`crm_course.regression`, :mod:`crm_course.ratings`,
:mod:`crm_course.multilevel`, :mod:`crm_course.inference`,
:mod:`crm_course.mediation` and :mod:`crm_course.kopilka.support` use them to
check their inputs the same way and to fit OLS with the standard errors asked
for:

* ``_ols_fit`` — OLS of ``outcome ~ terms`` with naive, HC1 or cluster-robust
  (CR1 or CRV3) standard errors, checking that there are enough clusters;
* ``_model_frame`` and ``_terms_variables`` — the columns a formula's
  right-hand side refers to, checked for presence, type and missing values, in
  a copy with True/False columns as 0/1 (so a term reads ``empowered`` rather
  than ``empowered[T.True]``). A right-hand-side column must be numeric,
  True/False or a category; numbers stored as text are refused (a formula
  would silently make one dummy per distinct value) unless the formula
  declares the column a category with ``C(column)``;
* ``_check_name``, ``_check_level``, ``_check_seed``, ``_check_whole_scores``
  and ``_check_result`` — argument checks whose messages name the argument,
  what was expected and what was found;
* ``_is_ordered`` and ``_param_names`` — what kind of statsmodels result a
  helper was given, and its coefficient names.

Not part of the public interface.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number, check_predictor

_SE_OLS = {"naive": "nonrobust", "HC1": "HC1", "HC3": "HC3", "cluster": "cluster", "cluster-crv3": "cluster-crv3"}


def _ols_fit(
    data: pd.DataFrame,
    outcome: str,
    terms: str,
    *,
    se: str,
    cluster: str,
    name: str,
    use_t: bool | None = None,
    min_clusters: int = 1,
    cluster_unit: str = "clusters",
):
    """OLS of ``outcome ~ terms`` with the chosen standard errors (shared by the CSAT
    and key-account models). ``use_t=None`` keeps statsmodels' default."""
    import statsmodels.formula.api as smf

    _check_name(outcome, "outcome")
    if se not in {"cluster", "cluster-crv3", "HC1", "naive"}:
        raise ValueError(f"se: expected 'cluster', 'cluster-crv3', 'HC1' or 'naive'; found {se!r}")
    clustered = se.startswith("cluster")
    if clustered:
        _check_name(cluster, "cluster")
    frame = _model_frame(data, outcome, terms, [cluster] if clustered else [], name=name)
    model = smf.ols(f"{outcome} ~ {terms}", frame)
    if not clustered:
        return model.fit(cov_type=_SE_OLS[se], use_t=use_t)
    n_groups = frame[cluster].nunique()
    if n_groups < min_clusters:
        raise ValueError(
            f"{name}: column {cluster!r} should identify at least {min_clusters} {cluster_unit}; found {n_groups}"
        )
    return model.fit(cov_type=_SE_OLS[se], use_t=use_t, cov_kwds={"groups": frame[cluster].rename(cluster)})


def _check_name(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name}: expected a column name (text); found {value!r}")
    return value


def _terms_variables(terms: Any, name: str = "terms") -> list[str]:
    """The data columns a formula right-hand side refers to.

    Quoted text is ignored, and so are names used as functions (``C(...)``,
    ``np.log(...)``) and attribute parts (``log`` in ``np.log``).
    """
    if not isinstance(terms, str) or not terms.strip():
        raise ValueError(f"{name}: expected a formula right-hand side such as 'x + z'; found {terms!r}")
    if "~" in terms:
        raise ValueError(
            f"{name}: expected only the right-hand side (e.g. 'x + z'); found a '~' in {terms!r}; "
            "give the outcome with the outcome= argument"
        )
    text = re.sub(r"(\"[^\"]*\"|'[^']*')", " ", terms)
    found = []
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)(?!\w)(\s*[(.])?", text):
        word, follower = match.group(1), match.group(2)
        if follower or keyword.iskeyword(word):
            continue
        if word not in found:
            found.append(word)
    return found


def _declared_categories(terms: str) -> set[str]:
    """Columns a formula declares categorical: the first argument of ``C(...)``."""
    text = re.sub(r"(\"[^\"]*\"|'[^']*')", " ", terms)
    return set(re.findall(r"(?<![\w.])C\(\s*([A-Za-z_]\w*)", text))


def _model_frame(data: Any, outcome: str | None, terms: str, extra: Sequence[str] = (), *, name: str = "data",
                 min_rows: int = 3) -> pd.DataFrame:
    """Check ``data`` for a model and return a copy with True/False columns as 0/1.

    Boolean columns become integers so that a term reads ``empowered`` rather
    than ``empowered[T.True]``. Every right-hand-side column must be numeric,
    True/False or a category (see :func:`crm_course.validation.check_predictor`):
    numbers stored as text are refused unless the formula wraps the column
    in ``C()``.
    """
    variables = _terms_variables(terms)
    categorical = _declared_categories(terms)
    check_frame(data, {}, name=name, min_rows=min_rows)
    needed = list(dict.fromkeys(([outcome] if outcome else []) + variables + [e for e in extra if e]))
    missing = [c for c in needed if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns)[:15]))
        more = " ..." if len(data.columns) > 15 else ""
        raise ValueError(
            f"{name}: missing column(s) {', '.join(map(repr, missing))} needed by the model; "
            f"found columns: {shown}{more}"
        )
    checks = {c: "any" for c in needed}
    if outcome:
        checks[outcome] = "numeric"
    check_frame(data, checks, name=name, min_rows=min_rows)
    for col in needed:
        n_missing = int(data[col].isna().sum())
        if n_missing:
            raise ValueError(f"{name}: column {col!r} has {n_missing} missing value(s); drop or fill them first")
    for col in variables:
        check_predictor(data, col, name=name, categorical=col in categorical)
    frame = data[needed].copy()
    for col in needed:
        if pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("int64")
    return frame


def _check_whole_scores(frame: pd.DataFrame, column: str, name: str, min_levels: int = 3) -> np.ndarray:
    values = frame[column].to_numpy(dtype=float)
    if not np.all(values == np.round(values)):
        bad = values[values != np.round(values)][0]
        raise ValueError(f"{name}: column {column!r} should hold whole-number scores (e.g. 1-5); found {bad!r}")
    levels = np.unique(values)
    if len(levels) < min_levels:
        raise ValueError(
            f"{name}: column {column!r} should take at least {min_levels} different scores for an ordered "
            f"model; found {len(levels)}"
        )
    return levels


def _check_level(level: Any) -> float:
    return float(check_number(level, "level", low=0, high=1, inclusive=False))


def _check_seed(seed: Any) -> int:
    return int(check_number(seed, "seed", low=0, integer=True))


def _is_ordered(result: Any) -> bool:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    return isinstance(getattr(result, "model", None), OrderedModel)


def _param_names(result: Any) -> list[str]:
    if isinstance(result.params, pd.Series):
        return [str(t) for t in result.params.index]
    return [str(t) for t in result.model.exog_names]


def _check_result(result: Any, name: str = "result") -> None:
    from statsmodels.base.model import Results
    from statsmodels.base.wrapper import ResultsWrapper

    if not isinstance(result, (Results, ResultsWrapper)) or not hasattr(result, "params"):
        raise TypeError(f"{name}: expected a fitted statsmodels result; found {type(result).__name__}")
