r"""Comparing and checking the customer-base models: information criteria, holdout errors, fit tables.

A researcher who fits several models of the same customers wants to know which
describes them best and where each goes wrong:

* :func:`compare_models` -- log-likelihood, AIC and BIC of models fitted by
  maximum likelihood to the same data, with the differences from the best;
* :func:`holdout_errors` -- each model's mean prediction of the holdout
  period against the actual mean, and its bias, mean absolute error and root
  mean squared error per member, by number of repeat purchases in calibration
  (Fader, Hardie & Lee, 2005a, Figure 3 and Table 2);
* :func:`frequency_histogram` -- members by number of repeat purchases in
  calibration, actual against what the model expects (its
  :math:`\sum_i P(X(T_i) = x)`), with Pearson's chi-square;
* :func:`frequency_recency_matrix` and :func:`probability_alive_matrix` --
  the expected purchases in the next period and the probability of being
  alive for every (frequency, recency) history of a given length.

With :math:`k` parameters, :math:`n` members and maximised log-likelihood
:math:`\ell`, :math:`\mathrm{AIC} = 2k - 2\ell` and
:math:`\mathrm{BIC} = k \log n - 2\ell` (smaller is better). The BG/NBD,
MBG/NBD and Pareto/NBD likelihoods are densities of the same
(frequency, recency, T) data, so they compare; the BG/BB's is a probability of
discrete patterns and the sBG's of a survival table, so each compares only
with its own kind.

Every function takes fitted models from :mod:`crm_course.clv` (anything with
the same methods works) and any DataFrame with the column names as arguments;
inputs are checked and never modified. The plots in
``crm_course.clv.plots`` draw these tables.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Examples
--------
>>> from crm_course.clv import BGNBDFitter, ParetoNBDFitter, compare_models, simulate_bgnbd
>>> import numpy as np
>>> members = simulate_bgnbd(5_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(0))
>>> table = compare_models({"BG/NBD": BGNBDFitter().fit(members), "Pareto/NBD": ParetoNBDFitter().fit(members)})
>>> list(table.columns)
['model', 'parameters', 'members', 'log_likelihood', 'aic', 'bic', 'delta_aic', 'delta_bic']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import _RFM, _rfm_input
from crm_course.validation import check_frame, check_number, check_range

__all__ = [
    "compare_models",
    "frequency_histogram",
    "frequency_recency_matrix",
    "holdout_errors",
    "probability_alive_matrix",
]


def _fitted(model: Any, name: str, *, needs: tuple[str, ...] = ()) -> np.ndarray:
    params = getattr(model, "params_", None)
    if params is None or not hasattr(model, "_names"):
        raise TypeError(f"{name}: expected a fitted model from crm_course.clv; found {type(model).__name__}"
                        + (" (not fitted yet: call fit() first)" if hasattr(model, "_names") else ""))
    for method in needs:
        if not hasattr(model, method):
            raise TypeError(f"{name}: expected a model with {method}(); {type(model).__name__} has none")
    return params.to_numpy()


def _models(models: Any, *, needs: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(models, Mapping) or not models:
        raise ValueError(f"models: expected a non-empty dict of name -> fitted model; found {type(models).__name__}"
                         + (" (empty)" if isinstance(models, Mapping) else ""))
    for name, model in models.items():
        _fitted(model, f"models[{name!r}]", needs=needs)
    return dict(models)


def compare_models(models: Mapping[str, Any]) -> pd.DataFrame:
    """Log-likelihood, AIC and BIC of models fitted to the same data.

    Parameters
    ----------
    models : dict of str to fitted model
        Models fitted by maximum likelihood to the same members, e.g.
        ``{"BG/NBD": ..., "Pareto/NBD": ...}``.

    Returns
    -------
    pandas.DataFrame
        One row per model, in the order given: ``model`` (class),
        ``parameters``, ``members``, ``log_likelihood``, ``aic``, ``bic``,
        and ``delta_aic``, ``delta_bic`` (difference from the smallest; a
        difference above about 10 is strong evidence against a model).

    Raises
    ------
    ValueError
        If a model has no log-likelihood (made with ``from_params``), if
        the models were fitted to different numbers of members or distinct
        rows, or if they mix kinds of data (continuous-time purchases,
        discrete opportunities, survival tables).

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import BGNBDFitter, MBGNBDFitter, simulate_bgnbd
    >>> members = simulate_bgnbd(5_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(0))
    >>> table = compare_models({"BG/NBD": BGNBDFitter().fit(members), "MBG/NBD": MBGNBDFitter().fit(members)})
    >>> table[["parameters", "members"]].to_dict("list")
    {'parameters': [4, 4], 'members': [5000, 5000]}
    """
    models = _models(models)
    rows, kinds = [], set()
    for name, model in models.items():
        ll = float(getattr(model, "log_likelihood_", np.nan))
        if not np.isfinite(ll):
            raise ValueError(f"models[{name!r}]: has no log-likelihood (a model from from_params); "
                             "compare models fitted with fit()")
        kinds.add("survival table" if type(model).__name__ == "SBGFitter"
                  else "discrete opportunities" if getattr(model, "_discrete", False) else "continuous time")
        rows.append({"name": name, "model": type(model).__name__, "parameters": len(model._names),
                     "members": model.n_members_, "distinct": model.n_distinct_, "log_likelihood": ll})
    if len(kinds) > 1:
        raise ValueError(f"models: expected models of one kind of data, whose likelihoods compare; found "
                         f"{', '.join(sorted(kinds))}")
    table = pd.DataFrame(rows).set_index("name")
    table.index.name = None
    for column in ("members", "distinct"):
        if table[column].nunique() > 1:
            found = ", ".join(f"{k}: {v:g}" for k, v in table[column].items())
            raise ValueError(f"models: expected models fitted to the same data; found different numbers of "
                             f"{'members' if column == 'members' else 'distinct rows'} ({found})")
    table["members"] = table["members"].astype(np.int64)
    k, n, ll = table["parameters"], table["members"], table["log_likelihood"]
    table["aic"] = 2 * k - 2 * ll
    table["bic"] = k * np.log(n) - 2 * ll
    table["delta_aic"] = table["aic"] - table["aic"].min()
    table["delta_bic"] = table["bic"] - table["bic"].min()
    return table.drop(columns="distinct")


def _groups(frequency: np.ndarray, max_frequency: int) -> tuple[np.ndarray, np.ndarray]:
    capped = np.minimum(frequency, max_frequency).astype(np.int64)
    labels = np.array([str(k) for k in range(max_frequency)] + [f"{max_frequency}+"])
    return capped, labels


def holdout_errors(
    models: Mapping[str, Any],
    data: pd.DataFrame,
    *,
    max_frequency: int = 7,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    holdout_col: str = "frequency_holdout",
    duration_col: str = "duration_holdout",
) -> pd.DataFrame:
    """Each model's holdout predictions against what members did, by calibration frequency.

    Every model predicts each member's purchases over the member's holdout
    period from the calibration history (its ``predict``); the table
    compares the mean prediction with the mean actual purchases in groups of
    members with 0, 1, 2, ... repeat purchases in calibration, and gives the
    per-member errors.

    Parameters
    ----------
    models : dict of str to fitted model
        Repeat-purchase models fitted on the calibration columns of ``data``.
    data : pandas.DataFrame
        From :func:`crm_course.clv.calibration_holdout`: calibration
        frequency, recency and T, holdout purchases and holdout length.
    max_frequency : int
        Calibration frequencies from this value up are pooled ("7+").
    frequency_col, recency_col, T_col, holdout_col, duration_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Tidy, indexed by (``calibration_frequency``, ``model``), groups in
        order and ``"all"`` last: ``members``, ``actual`` and ``predicted``
        (mean holdout purchases per member), ``bias`` (predicted minus
        actual), ``mae`` and ``rmse`` (mean absolute and root mean squared
        error per member).

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import BGNBDFitter, simulate_bgnbd
    >>> cal = simulate_bgnbd(2_000, r=0.5, alpha=5.0, a=0.8, b=3.0, T=30.0, rng=np.random.default_rng(5))
    >>> cal["frequency_holdout"], cal["duration_holdout"] = 1, 10.0
    >>> table = holdout_errors({"BG/NBD": BGNBDFitter().fit(cal)}, cal, max_frequency=2)
    >>> table.index.get_level_values(0).unique().tolist()
    ['0', '1', '2+', 'all']
    """
    models = _models(models, needs=("predict",))
    max_frequency = int(check_number(max_frequency, "max_frequency", low=1, integer=True))
    check_frame(data, {frequency_col: "numeric", recency_col: "numeric", T_col: "numeric",
                       holdout_col: "numeric", duration_col: "numeric"}, name="data")
    check_range(data, holdout_col, low=0, name="data")
    check_range(data, duration_col, low=0, inclusive=False, name="data")
    summary = data.rename(columns={frequency_col: "frequency", recency_col: "recency", T_col: "T"})[list(_RFM)]
    _rfm_input(summary, None, None, None, name="data")
    actual = data[holdout_col].to_numpy(dtype=float)
    capped, labels = _groups(data[frequency_col].to_numpy(dtype=float), max_frequency)
    duration = data[duration_col].to_numpy(dtype=float)
    parts = []
    for name, model in models.items():  # a handful of models, not members
        predicted = np.asarray(model.predict(duration, summary), dtype=float)
        error = predicted - actual
        frame = pd.DataFrame({"order": capped, "calibration_frequency": labels[capped], "actual": actual,
                              "predicted": predicted, "abs": np.abs(error), "sq": error**2})
        whole = frame.assign(order=max_frequency + 1, calibration_frequency="all")
        by = pd.concat([frame, whole]).groupby(["order", "calibration_frequency"], sort=True).agg(
            members=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"),
            mae=("abs", "mean"), rmse=("sq", "mean"))
        by["rmse"] = np.sqrt(by["rmse"])
        by["bias"] = by["predicted"] - by["actual"]
        by["model"] = name
        parts.append(by.reset_index())
    table = pd.concat(parts).sort_values(["order"], kind="stable")
    return table.set_index(["calibration_frequency", "model"])[
        ["members", "actual", "predicted", "bias", "mae", "rmse"]]


def frequency_histogram(model: Any, summary: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    r"""Members by number of repeat purchases in calibration: actual against expected.

    The expected count of members with ``x`` repeat purchases is
    :math:`\sum_i P(X(T_i) = x)` over the members' observation times
    :math:`T_i` (Fader, Hardie & Lee, 2007, for the BG/NBD), computed once per
    distinct ``T``; the last group pools ``max_frequency`` and more.

    Parameters
    ----------
    model : fitted repeat-purchase model
        Anything with ``probability_of_purchases(n, t)``.
    summary : pandas.DataFrame
        Columns ``frequency``, ``recency`` and ``T`` the model was fitted on.
    max_frequency : int
        First pooled group ("7+").

    Returns
    -------
    pandas.DataFrame
        Index ``frequency`` ("0", "1", ..., "7+"): ``actual``, ``expected``
        (members) and ``chi_square`` (Pearson's contribution of the group);
        ``attrs`` holds the total ``chi_square``, its ``degrees_of_freedom``
        (groups - 1 - parameters) and ``p_value``.

    Examples
    --------
    >>> from crm_course.clv import BGNBDFitter
    >>> import pandas as pd
    >>> members = pd.DataFrame({"frequency": [0, 1, 3, 0], "recency": [0.0, 5.0, 20.0, 0.0], "T": [39.0] * 4})
    >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> table = frequency_histogram(model, members, max_frequency=2)
    >>> table["actual"].tolist(), round(float(table["expected"].sum()), 6)
    ([2, 1, 1], 4.0)
    """
    from scipy.stats import chi2

    theta = _fitted(model, "model", needs=("probability_of_purchases",))
    max_frequency = int(check_number(max_frequency, "max_frequency", low=1, integer=True))
    frame = _rfm_input(summary, None, None, None)
    capped, labels = _groups(frame["frequency"].to_numpy(dtype=float), max_frequency)
    actual = np.bincount(capped, minlength=max_frequency + 1)
    times = frame["T"].value_counts()
    grid_n = np.arange(max_frequency)[None, :]
    probs = np.asarray(model.probability_of_purchases(grid_n, times.index.to_numpy(dtype=float)[:, None]), dtype=float)
    expected = times.to_numpy(dtype=float) @ probs.reshape(len(times), max_frequency)
    expected = np.append(expected, len(frame) - expected.sum())
    contribution = (actual - expected) ** 2 / expected
    table = pd.DataFrame({"actual": actual, "expected": expected, "chi_square": contribution},
                         index=pd.Index(labels, name="frequency"))
    dof = max(len(labels) - 1 - theta.size, 1)
    table.attrs.update({"chi_square": float(contribution.sum()), "degrees_of_freedom": dof,
                        "p_value": float(chi2.sf(contribution.sum(), dof))})
    return table


def _matrix_grid(model: Any, T: float, max_frequency: int | None, recency: Any) -> tuple[float, np.ndarray, np.ndarray]:
    discrete = getattr(model, "_discrete", False)
    T = check_number(T, "T", low=0, inclusive=False)
    if discrete and not float(T).is_integer():
        raise ValueError(f"T: expected a whole number of opportunities for {type(model).__name__}; found {T!r}")
    if max_frequency is None:
        max_frequency = int(np.ceil(T))
    max_frequency = int(check_number(max_frequency, "max_frequency", low=1, integer=True))
    if recency is None:
        recency = np.arange(0, np.floor(T) + 1)
    recency = np.asarray(recency, dtype=float)
    if recency.ndim != 1 or recency.size == 0 or (recency < 0).any() or (recency > T).any():
        raise ValueError(f"recency: expected a 1-D grid of times in [0, T={T:g}]; found {recency!r}")
    return T, np.arange(max_frequency + 1, dtype=float), recency


def _matrix(model: Any, T: float, max_frequency: int | None, recency: Any, value: Any) -> pd.DataFrame:
    T, freq, rec = _matrix_grid(model, T, max_frequency, recency)
    x, tx = np.meshgrid(freq, rec, indexing="ij")
    # Histories that cannot happen: recency without a purchase, or (in discrete time) fewer
    # opportunities up to the last transaction than transactions.
    valid = ~((x == 0) & (tx > 0))
    if getattr(model, "_discrete", False):
        valid &= (tx >= x) & ((x > 0) | (tx == 0))
    values = np.full(x.shape, np.nan)
    values[valid] = value(x[valid], tx[valid], np.full(valid.sum(), T))
    return pd.DataFrame(values, index=pd.Index(freq.astype(np.int64), name="frequency"),
                        columns=pd.Index(rec, name="recency"))


def frequency_recency_matrix(model: Any, T: float, *, t: float = 1.0, max_frequency: int | None = None,
                             recency: Any = None) -> pd.DataFrame:
    """Expected purchases in the next ``t`` periods for every history (frequency, recency) of length ``T``.

    Parameters
    ----------
    model : fitted repeat-purchase model
    T : float
        Length of observation of the histories (whole opportunities for the BG/BB).
    t : float
        Length of the future period.
    max_frequency : int, optional
        Largest frequency shown (default ``T`` rounded up).
    recency : array-like, optional
        Recency grid (default 0, 1, ..., ``T``).

    Returns
    -------
    pandas.DataFrame
        Index ``frequency``, columns ``recency``; NaN where the history
        cannot happen (a recency without purchases).

    Examples
    --------
    >>> from crm_course.clv import BGNBDFitter
    >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> frequency_recency_matrix(model, 38.86, t=39.0, max_frequency=2, recency=[0.0, 30.43]).round(3)
    recency    0.00   30.43
    frequency
    0          0.195    NaN
    1          0.146  0.671
    2          0.042  1.226
    """
    _fitted(model, "model", needs=("conditional_expected_purchases",))
    return _matrix(model, T, max_frequency, recency,
                   lambda x, tx, T_: model.conditional_expected_purchases(t, x, tx, T_))


def probability_alive_matrix(model: Any, T: float, *, max_frequency: int | None = None,
                             recency: Any = None) -> pd.DataFrame:
    """Probability of being alive for every history (frequency, recency) of length ``T``.

    Parameters
    ----------
    model : fitted repeat-purchase model
    T : float
        Length of observation of the histories.
    max_frequency : int, optional
        Largest frequency shown (default ``T`` rounded up).
    recency : array-like, optional
        Recency grid (default 0, 1, ..., ``T``).

    Returns
    -------
    pandas.DataFrame
        Index ``frequency``, columns ``recency``; NaN where the history
        cannot happen.

    Examples
    --------
    >>> from crm_course.clv import BGNBDFitter
    >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> probability_alive_matrix(model, 38.86, max_frequency=2, recency=[0.0, 5.0, 30.43]).round(3)
    recency    0.00   5.00   30.43
    frequency
    0          1.000    NaN    NaN
    1          0.152  0.315  0.700
    2          0.025  0.124  0.727
    """
    _fitted(model, "model", needs=("probability_alive",))
    return _matrix(model, T, max_frequency, recency, lambda x, tx, T_: model.probability_alive(x, tx, T_))
