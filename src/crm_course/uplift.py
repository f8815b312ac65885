r"""Uplift modelling for targeting offers: T-learner uplift, cross-fitting and profit curves on held-out customers.

Chapter 3 asks whom a randomised offer should be sent to; the capstone
(:mod:`crm_course.kopilka.board`) applies the answer. Arm means and lift models
are in :mod:`crm_course.experiments`; the value of a conversion comes from
:func:`crm_course.profitability.value_per_order`.

* :func:`persuadable_share` — the share of would-be non-buyers an offer
  converts (the persuadables), from the randomised arms;
* :func:`split_sample` — a random training and held-out split, within each arm;
* :func:`fit_uplift_model` — one regression of the outcome in the treated arm and
  one in the control arm; returns an :class:`UpliftModel`, whose ``predict``
  gives each customer's uplift (Künzel et al., 2019);
* :func:`cross_fit_uplift` — every customer's uplift predicted by a model that
  never saw that customer;
* :func:`expected_incremental_profit` — the expected profit of sending the offer
  to each customer, relative to not sending it,

  .. math:: \pi_i = \widehat{\text{uplift}}_i \cdot v_i - c - b\,\hat p_{t,i},

  the extra conversions times their value, minus the cost of the offer and the
  incentive paid to every converter who received it;
* :func:`targeting_value` — what a targeting rule earns per customer of the
  base, estimated on held-out randomised customers;
* :func:`uplift_curve` — the cumulative incremental gain (for profit, the profit
  curve) of targeting customers in order of a score, with confidence intervals.

Metrics that compare rankings — the Qini curve and coefficient, the uplift
curve of Gutierrez & Gérardy, AUUC, bootstrap bands and a Qini plot — are in
:mod:`crm_course.uplift_metrics`.

A targeting rule must be judged on customers its model has not seen, otherwise
the model's own noise looks like skill. Because the arm was randomised, also
within any targeted group, the held-out estimates are unbiased. Standard errors
are heteroskedasticity-robust (HC1) in every regression; the intervals of
differences in means use the normal approximation with the unequal-variance
(Welch) standard error, which is accurate for arms of a few hundred customers
or more.

Every function takes any experiment table with one row per customer, an arm
column and outcome columns, all named by arguments; the names and labels of
Kopilka's ``offer_experiment`` table (the column ``arm`` with the arms
``"personalised"`` and ``"none"``, the outcome ``converted``, ...) are only the
defaults.
Inputs are checked and never modified.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.experiments import history_features
>>> from crm_course.uplift import cross_fit_uplift, targeting_value
>>> campaign = history_features(load("offer_experiment"))
>>> campaign["target"] = cross_fit_uplift(campaign)["uplift"] > 0.02
>>> value = targeting_value(campaign, "target", "converted")
>>> bool(0 < value["share_targeted"] < 1)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from crm_course.experiments import (
    ARMS,
    HISTORY_FEATURES,
    _check_experiment,
    _check_labels,
    _check_level,
    _columns,
    _score,
    _z,
)
from crm_course.validation import check_frame, check_number, check_unique

__all__ = [
    "persuadable_share",
    "UpliftModel",
    "cross_fit_uplift",
    "expected_incremental_profit",
    "fit_uplift_model",
    "split_sample",
    "targeting_value",
    "uplift_curve",
]



def split_sample(
    df: pd.DataFrame,
    test_share: float = 0.5,
    *,
    seed: int = 2002,
    stratify: str | None = "arm",
    key: str | None = "customer_id",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split customers at random into a training and a held-out (test) part.

    A targeting rule must be judged on customers its model has not seen:
    otherwise the model's own noise looks like skill. With ``stratify``, the
    split is made within each value of that column, so every arm keeps its
    share in both parts.

    Parameters
    ----------
    df : pandas.DataFrame
    test_share : float
        Share of rows held out, strictly between 0 and 1.
    seed : int
        Seed of the random split (same seed, same split).
    stratify : str or None
        Column to split within.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    (train, test) : tuple of pandas.DataFrame
        Copies of the rows of ``df``, in their original order.

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = load("offer_experiment")
    >>> train, test = split_sample(campaign, seed=1)
    >>> len(train) + len(test) == len(campaign), abs(len(train) - len(test)) <= 3
    (True, True)
    """
    check_number(test_share, "test_share", low=0, high=1, inclusive=False)
    check_number(seed, "seed", low=0, integer=True)
    check_frame(df, [] if stratify is None else [stratify], name="data", min_rows=2)
    check_unique(df, key, name="data")
    rng = np.random.default_rng(int(seed))
    u = pd.Series(rng.random(len(df)), index=df.index)
    if stratify is None:
        rank, size = u.rank(method="first"), pd.Series(len(df), index=df.index)
    else:
        if df[stratify].isna().any():
            raise ValueError(f"data: column {stratify!r} has missing values; cannot split within it")
        strata = df[stratify].astype(str)
        rank = u.groupby(strata).rank(method="first")
        size = strata.map(strata.value_counts())
    test = rank <= np.round(size * test_share)
    return df.loc[~test].copy(), df.loc[test].copy()




@dataclass
class UpliftModel:
    """A fitted two-model ("T-learner") uplift model.

    One regression of the outcome on the features is fitted in the treated
    arm and one in the control arm; the predicted uplift of a customer is
    the difference of the two predictions (Künzel et al., 2019).

    Attributes
    ----------
    features : list of str
    outcome, arm, treatment, control, kind : str
    results : dict
        ``{"treated": ..., "control": ...}``, the two statsmodels results
        (HC1 standard errors), ready for
        :func:`crm_course.tables.regression_table`.
    """

    features: list[str]
    outcome: str
    arm: str
    treatment: str
    control: str
    kind: str
    results: dict[str, Any]

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """Predict each customer's outcome with and without the offer.

        Parameters
        ----------
        df : pandas.DataFrame
            Holds the model's features (numeric, no missing values); the arm
            is not needed. Predicted row by row: nothing is summed, so no
            key is checked.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``df``: ``treated`` (predicted outcome if sent the
            offer; for a logit, the probability), ``control`` (if not) and
            ``uplift`` = treated - control.
        """
        check_frame(df, {f: "numeric" for f in self.features}, name="data")
        import statsmodels.api as sm

        x = sm.add_constant(df[self.features].astype(float), has_constant="add")
        treated = np.asarray(self.results["treated"].predict(x), dtype=float)
        control = np.asarray(self.results["control"].predict(x), dtype=float)
        return pd.DataFrame({"treated": treated, "control": control, "uplift": treated - control}, index=df.index)


def fit_uplift_model(
    train: pd.DataFrame,
    features: Sequence[str] = HISTORY_FEATURES,
    outcome: str = "converted",
    *,
    treatment: str = "personalised",
    control: str = "none",
    kind: Literal["logit", "ols"] = "logit",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
) -> UpliftModel:
    """Fit a two-model (T-learner) uplift model on randomised training data.

    .. math:: \\hat\\mu_t(x) = F(x'\\hat\\beta_t), \\quad \\hat\\mu_c(x) = F(x'\\hat\\beta_c),
              \\quad \\widehat{\\text{uplift}}(x) = \\hat\\mu_t(x) - \\hat\\mu_c(x),

    each fitted only on its own arm (logit for a 0/1 outcome, OLS
    otherwise). Randomisation makes the two arms comparable, so the
    difference estimates the effect of the offer for customers like *x*.

    Parameters
    ----------
    train : pandas.DataFrame
        The training customers (see :func:`split_sample`); rows of other
        arms are ignored.
    features : sequence of str
        Numeric pre-treatment columns without missing values (see
        :func:`~crm_course.experiments.history_features`). Never use outcomes of the offer such as
        opened or clicked: they do not exist for the control arm.
    outcome : str
    treatment, control : str
        The two arms to compare.
    kind : {"logit", "ols"}
    arm, arms
        As in :func:`~crm_course.experiments.arm_summary`.
    key : str or None, default "customer_id"
        Column of ``train`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    UpliftModel

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.experiments import history_features
    >>> campaign = history_features(load("offer_experiment"))
    >>> model = fit_uplift_model(campaign)
    >>> sorted(model.predict(campaign.head(3)).columns)
    ['control', 'treated', 'uplift']
    """
    import statsmodels.api as sm

    if kind not in ("logit", "ols"):
        raise ValueError(f"kind: expected 'logit' or 'ols'; found {kind!r}")
    features = _columns(features, "features")
    if not features:
        raise ValueError("features: expected at least one feature column; found none")
    columns = {outcome: "bool" if kind == "logit" else "numeric", **{f: "numeric" for f in features}}
    order = _check_experiment(train, arm=arm, control=control, arms=arms, columns=columns, name="train",
                              min_per_arm=len(features) + 2)
    check_unique(train, key, name="train")
    _check_labels(order, treatment=treatment, arm=arm)
    if treatment == control:
        raise ValueError("treatment: expected an arm other than the control arm")
    labels = train[arm].astype(str)
    results = {}
    for which, label in (("treated", treatment), ("control", control)):
        part = train.loc[labels == label]
        x = sm.add_constant(part[features].astype(float), has_constant="add")
        y = part[outcome].astype(float)
        if kind == "logit":
            results[which] = sm.Logit(y, x).fit(disp=0, maxiter=200, cov_type="HC1")
        else:
            results[which] = sm.OLS(y, x).fit(cov_type="HC1")
    return UpliftModel(features, outcome, arm, treatment, control, kind, results)


def _stratified_folds(df: pd.DataFrame, arm: str, n_folds: int, seed: int) -> np.ndarray:
    """Each row's fold, 0 to ``n_folds - 1``, dealt at random within each arm (the cross-fitters share it)."""
    rng = np.random.default_rng(int(seed))
    rank = pd.Series(rng.random(len(df)), index=df.index).groupby(df[arm].astype(str)).rank(method="first")
    return ((rank.astype(int) - 1) % n_folds).to_numpy()


def cross_fit_uplift(
    df: pd.DataFrame,
    features: Sequence[str] = HISTORY_FEATURES,
    outcome: str = "converted",
    *,
    n_folds: int = 2,
    seed: int = 2002,
    treatment: str = "personalised",
    control: str = "none",
    kind: Literal["logit", "ols"] = "logit",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Predict every customer's uplift with a model that never saw that customer.

    The customers are split at random into ``n_folds`` equal parts (within
    each arm); for each part, :func:`fit_uplift_model` is fitted on the
    other parts and predicts this one ("cross-fitting"). With two folds this
    is a 50/50 train/test split used both ways round, so every customer is
    a held-out customer and the evaluation uses the whole experiment.

    Parameters
    ----------
    df : pandas.DataFrame
        The experiment, with the features (see :func:`~crm_course.experiments.history_features`).
    features, outcome, treatment, control, kind, arm, arms
        As in :func:`fit_uplift_model`.
    n_folds : int
        At least 2.
    seed : int
        Seed of the random split.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``df``: ``fold`` (0, 1, ...), ``treated``, ``control``
        and ``uplift`` as in :meth:`UpliftModel.predict`.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.experiments import history_features
    >>> campaign = history_features(load("offer_experiment"))
    >>> pred = cross_fit_uplift(campaign)
    >>> sorted(pred["fold"].unique().tolist()), len(pred) == len(campaign)
    ([0, 1], True)
    """
    check_number(n_folds, "n_folds", low=2, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    _check_experiment(df, arm=arm, control=control, arms=arms, name="data")
    check_unique(df, key, name="data")
    n_folds = int(n_folds)
    fold = _stratified_folds(df, arm, n_folds, seed)
    parts = []
    for k in range(n_folds):
        inside = fold == k
        model = fit_uplift_model(df.loc[~inside], features, outcome, treatment=treatment, control=control,
                                 kind=kind, arm=arm, arms=arms, key=None)
        parts.append(model.predict(df.loc[inside]).assign(fold=k))
    out = pd.concat(parts).reindex(df.index)
    return out[["fold", "treated", "control", "uplift"]]


def expected_incremental_profit(
    prediction: pd.DataFrame,
    value_per_conversion: float | Sequence[float] | pd.Series,
    *,
    cost_per_offer: float,
    incentive_per_conversion: float = 0.0,
    cost_per_extra_conversion: float | Sequence[float] | pd.Series = 0.0,
) -> pd.Series:
    """Expected profit of sending the offer to each customer, relative to not sending it.

    .. math:: \\pi_i = \\widehat{\\text{uplift}}_i \\cdot (v_i - k_i) - c - b\\,\\hat p_{t,i},

    the extra conversions times the value of a conversion :math:`v_i`, net of
    the cost :math:`k_i` each extra conversion brings with it (e.g. the
    support contacts an order causes, times the cost of a contact; 0 by
    default), minus the cost of the offer :math:`c` and the incentive
    :math:`b` paid to every converter who received it — including those who
    would have bought anyway ("sure things"), which is why they are expensive
    to target.

    Parameters
    ----------
    prediction : pandas.DataFrame
        From :meth:`UpliftModel.predict` (columns ``treated`` and ``uplift``).
        Row by row: nothing is summed, so no key is checked.
    value_per_conversion : float or array-like
        Margin one extra conversion brings (e.g. :func:`~crm_course.profitability.value_per_order`).
    cost_per_offer : float
        Cost of sending one offer.
    incentive_per_conversion : float
        Bonus paid to each converter in the treated arm.
    cost_per_extra_conversion : float or array-like, default 0
        :math:`k_i`, a cost (>= 0) that each *extra* conversion causes besides
        its margin, such as the expected support contacts of one order times
        the cost of one contact. Conversions that would have happened anyway
        cause no extra cost.

    Returns
    -------
    pandas.Series
        Named ``expected_profit``, indexed like ``prediction``.

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"treated": [0.9, 0.2], "control": [0.9, 0.1], "uplift": [0.0, 0.1]})
    >>> expected_incremental_profit(pred, 60.0, cost_per_offer=3.0, incentive_per_conversion=10.0).round(2).tolist()
    [-12.0, 1.0]
    >>> expected_incremental_profit(pred, 60.0, cost_per_offer=3.0, incentive_per_conversion=10.0,
    ...                             cost_per_extra_conversion=20.0).round(2).tolist()
    [-12.0, -1.0]
    """
    check_frame(prediction, {"treated": "numeric", "uplift": "numeric"}, name="prediction")
    check_number(cost_per_offer, "cost_per_offer", low=0)
    check_number(incentive_per_conversion, "incentive_per_conversion", low=0)
    if np.ndim(value_per_conversion) == 0:
        value = float(check_number(value_per_conversion, "value_per_conversion", low=0))
    else:
        value = _score(prediction, value_per_conversion, "value_per_conversion")
        if (value < 0).any():
            raise ValueError("value_per_conversion: expected values of at least 0; found a negative value")
    if np.ndim(cost_per_extra_conversion) == 0:
        extra = float(check_number(cost_per_extra_conversion, "cost_per_extra_conversion", low=0))
    else:
        extra = _score(prediction, cost_per_extra_conversion, "cost_per_extra_conversion")
        if (extra < 0).any():
            raise ValueError("cost_per_extra_conversion: expected values of at least 0; found a negative value")
    out = prediction["uplift"] * (value - extra) - cost_per_offer - incentive_per_conversion * prediction["treated"]
    return out.rename("expected_profit")


def _evaluation_rows(df, outcome, arm, treatment, control, arms):
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns={outcome: "numeric"}, name="data")
    _check_labels(order, treatment=treatment, arm=arm)
    if treatment == control:
        raise ValueError("treatment: expected an arm other than the control arm")
    labels = df[arm].astype(str).to_numpy()
    return labels == treatment, labels == control


def targeting_value(
    df: pd.DataFrame,
    target: Any,
    outcome: str = "profit",
    *,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
    key: str | None = "customer_id",
) -> pd.Series:
    """Value of a targeting rule, estimated on held-out randomised customers.

    Send the offer to the targeted customers only (share *q*): relative to
    sending it to no one, the outcome changes per customer of the base by

    .. math:: V = q\\,(\\bar y_{t,S} - \\bar y_{c,S}),

    where :math:`\\bar y_{t,S}` and :math:`\\bar y_{c,S}` are the mean
    outcomes of targeted customers who were (randomly) sent the offer and
    who were not. Because the arm was randomised *within* the targeted group
    too, this is an unbiased estimate of what the rule would earn.

    Parameters
    ----------
    df : pandas.DataFrame
        Held-out customers of the treatment and control arms (other arms
        are ignored).
    target : str, array-like of bool or pandas.Series
        Which customers the rule targets (a boolean column name or mask).
    outcome : str
        E.g. profit per customer (margin minus offer cost) or conversion.
    treatment, control, arm, arms, level
        As elsewhere.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.Series
        ``share_targeted``, ``lift_among_targeted``, ``value_per_customer``,
        ``se``, ``ci_low``, ``ci_high``.

    Raises
    ------
    ValueError
        If the rule targets some customers but fewer than 2 of them in the
        treatment arm or in the control arm: their lift cannot be measured
        (2 of 20,000 is as unmeasurable as 2 of 20). The message gives the
        counts.

    Notes
    -----
    Edge cases, the same in :func:`uplift_curve`: a rule that targets nobody
    changes nothing, so its value is exactly 0 with ``se`` 0 and the
    interval [0, 0]; its ``lift_among_targeted`` is NaN, since there is no
    targeted customer to measure a lift on. A rule that targets a few
    customers has a value that must be estimated, and needs at least 2
    targeted customers in each arm.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "profit": [5.0, 1.0, 4.0, 2.0, 0.0, 0.0, 1.0, 1.0],
    ...                     "send": [True, True, True, True, False, False, False, False]})
    >>> float(targeting_value(toy, "send", arms=None)["value_per_customer"])
    1.5
    """
    level = _check_level(level)
    is_t, is_c = _evaluation_rows(df, outcome, arm, treatment, control, arms)
    check_unique(df, key, name="data")
    if isinstance(target, str):
        check_frame(df, {target: "bool"}, name="data")
        mask = df[target].astype(bool).to_numpy()
    else:
        mask = np.asarray(target)
        if mask.shape != (len(df),) or not (mask.dtype == bool or np.isin(mask, [0, 1]).all()):
            raise ValueError(f"target: expected one True/False per row of data ({len(df)}); found shape {mask.shape}")
        mask = mask.astype(bool)
    keep = is_t | is_c
    y = df[outcome].to_numpy(dtype=float)
    q = mask[keep].mean()
    z = _z(level)
    yt, yc = y[keep & mask & is_t], y[keep & mask & is_c]
    if q == 0:
        lift = se = np.nan  # nobody targeted: no lift to measure, and a value of exactly 0
        value = value_se = 0.0
    elif len(yt) < 2 or len(yc) < 2:
        raise ValueError(
            f"target: selects {int(mask[keep].sum())} of the {int(keep.sum())} customers of the two arms "
            f"({len(yt)} in arm {treatment!r}, {len(yc)} in arm {control!r}); measuring their lift needs at least "
            "2 targeted customers in each arm. Target more customers, or none (a value of exactly 0)"
        )
    else:
        lift = yt.mean() - yc.mean()
        se = np.sqrt(yt.var(ddof=1) / len(yt) + yc.var(ddof=1) / len(yc))
        value, value_se = q * lift, q * se
    return pd.Series({"share_targeted": q, "lift_among_targeted": lift, "value_per_customer": value,
                      "se": value_se, "ci_low": value - z * value_se, "ci_high": value + z * value_se})


def uplift_curve(
    df: pd.DataFrame,
    score: Any,
    outcome: str = "profit",
    *,
    shares: Sequence[float] | None = None,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Cumulative incremental gain of targeting customers in order of a score (a gain or profit curve).

    Customers are ranked by ``score``, highest first; for each share *q* the
    top *q* are targeted and the value :math:`q(\\bar y_{t,S} - \\bar y_{c,S})`
    of :func:`targeting_value` is computed on held-out randomised customers.
    With profit as the outcome this is the *profit curve* (the programme's
    gain per customer of the base against sending nothing); with a 0/1
    conversion it is the cumulative gain in extra conversions per customer,
    the uplift curve of Gutierrez & Gérardy (2017) divided by the number of
    customers. It is *not* a Qini curve, which scales the control arm to the
    treated one (:func:`crm_course.uplift_metrics.qini_curve`, where the
    Qini coefficient, AUUC and bootstrap bands are too). At *q* = 0 nobody
    is targeted (gain 0); at *q* = 1 everybody is. ``random`` is the
    straight line a score without information would give: *q* times the
    gain of targeting all. Ties in the score are broken by the order of the
    rows, and *q n* is rounded to whole customers.

    Parameters
    ----------
    df : pandas.DataFrame
        Held-out customers; rows of arms other than ``treatment`` and
        ``control`` are ignored.
    score : str, array-like or pandas.Series
        Higher means target first (e.g. expected incremental profit, or a
        purchase probability for a propensity-based rule).
    outcome : str
    shares : sequence of float, optional
        Shares targeted, in [0, 1]; by default 0, 0.05, ..., 1.
    treatment, control, arm, arms, level
        As elsewhere.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        ``share_targeted``, ``n_targeted`` (customers of the two arms in the
        targeted share), ``lift_among_targeted`` (the gain
        per targeted customer: for profit before the cost of sending, this is
        the largest cost per offer at which targeting them still pays),
        ``value_per_customer``, ``se``, ``ci_low``, ``ci_high``, ``random``.

    Raises
    ------
    ValueError
        If a share targets some customers but fewer than 2 in the treatment
        or the control arm (as :func:`targeting_value`). At share 0 the value
        is exactly 0 (``se`` 0) and ``lift_among_targeted`` is NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "profit": [5.0, 1.0, 4.0, 2.0, -2.0, 0.0, -1.0, 1.0],
    ...                     "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    >>> uplift_curve(toy, "score", shares=[0, 0.5, 1], arms=None)["value_per_customer"].tolist()
    [0.0, 1.5, 0.5]
    """
    level = _check_level(level)
    is_t, is_c = _evaluation_rows(df, outcome, arm, treatment, control, arms)
    check_unique(df, key, name="data")
    s = _score(df, score)
    keep = is_t | is_c
    if shares is None:
        shares = np.linspace(0, 1, 21)
    shares = np.asarray(list(shares), dtype=float)
    if shares.size == 0 or not np.isfinite(shares).all() or (shares < 0).any() or (shares > 1).any():
        raise ValueError(f"shares: expected shares between 0 and 1; found {shares.tolist()}")
    y = df[outcome].to_numpy(dtype=float)[keep]
    t = is_t[keep].astype(float)
    c = is_c[keep].astype(float)
    order = np.argsort(-s[keep], kind="stable")
    y, t, c = y[order], t[order], c[order]
    n = len(y)
    zero = np.zeros(1)
    cum = {k: np.concatenate([zero, np.cumsum(v)]) for k, v in
           {"nt": t, "nc": c, "st": y * t, "sc": y * c, "qt": y * y * t, "qc": y * y * c}.items()}
    k = np.round(shares * n).astype(int)
    nt, nc = cum["nt"][k], cum["nc"][k]
    with np.errstate(divide="ignore", invalid="ignore"):
        mt, mc = cum["st"][k] / nt, cum["sc"][k] / nc
        vt = (cum["qt"][k] - nt * mt**2) / (nt - 1)
        vc = (cum["qc"][k] - nc * mc**2) / (nc - 1)
        lift = np.where((nt >= 2) & (nc >= 2), mt - mc, np.nan)
        se_lift = np.where((nt >= 2) & (nc >= 2), np.sqrt(np.maximum(vt, 0) / nt + np.maximum(vc, 0) / nc), np.nan)
    few = (k > 0) & ((nt < 2) | (nc < 2))
    if few.any():
        i = int(np.argmax(few))
        raise ValueError(
            f"shares: the share {shares[i]:g} targets {k[i]} of the {n} customers of the two arms "
            f"({int(nt[i])} in arm {treatment!r}, {int(nc[i])} in arm {control!r}); measuring their lift needs at "
            "least 2 targeted customers in each arm. Leave that share out, or give more customers"
        )
    q = k / n
    value = np.where(k == 0, 0.0, q * lift)
    se = np.where(k == 0, 0.0, q * se_lift)
    z = _z(level)
    overall = y[t == 1].mean() - y[c == 1].mean()
    return pd.DataFrame({"share_targeted": q, "n_targeted": k, "lift_among_targeted": lift,
                         "value_per_customer": value, "se": se, "ci_low": value - z * se,
                         "ci_high": value + z * se, "random": q * overall})


def persuadable_share(
    df: pd.DataFrame,
    outcome: str = "converted",
    *,
    by: str | None = None,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Share of would-be non-buyers whom each offer converts.

    If an offer converts a member who would not have bought anyway with
    probability :math:`\\delta` and leaves everyone else's behaviour as it
    was, then :math:`p_a = p_c + (1 - p_c)\\,\\delta`, so

    .. math:: \\hat\\delta = \\frac{\\hat p_a - \\hat p_c}{1 - \\hat p_c}
              = 1 - \\frac{1 - \\hat p_a}{1 - \\hat p_c}.

    The standard error is the delta method's,
    :math:`\\sqrt{v_a / (1-p_c)^2 + (1-p_a)^2 v_c / (1-p_c)^4}` with
    :math:`v` the squared standard errors of the two rates. Unlike the lift
    in percentage points, this share is not mechanically capped by the
    members who buy anyway, so it compares offers across groups with very
    different base rates. It averages :math:`\\delta` over the would-be
    non-buyers of each group: members who respond less (for instance those
    who have silently stopped using the service) pull it down.

    Parameters
    ----------
    df : pandas.DataFrame
    outcome : str
        A 0/1 or boolean column, without missing values.
    by : str, optional
        A column to group by (e.g. a band of purchase history); one result
        per group.
    arm, control, arms, level
        As in :func:`~crm_course.experiments.arm_summary`.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        One row per group (if ``by``) and treated arm: ``control_rate``,
        ``arm_rate``, ``lift`` (arm rate minus control rate) and its standard
        error ``lift_se``, ``share`` (the persuadable share) with ``se``,
        ``ci_low``, ``ci_high``, and the group sizes ``n_arm``, ``n_control``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["none"] * 4 + ["generic"] * 4,
    ...                     "converted": [0, 0, 1, 1, 1, 0, 1, 1]})
    >>> float(persuadable_share(toy, arms=None)["share"].iloc[0])
    0.5
    """
    level = _check_level(level)
    columns = {outcome: "bool"}
    if by is not None:
        columns[by] = "any"
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns=columns)
    check_unique(df, key, name="data")
    if by is not None and df[by].isna().any():
        raise ValueError(f"data: column {by!r} has {int(df[by].isna().sum())} missing value(s); "
                         "drop them or give them a group of their own")
    z = _z(level)
    work = pd.DataFrame({"y": df[outcome].astype(float), "arm": df[arm].astype(str)})
    keys = ["arm"] if by is None else [by, "arm"]
    if by is not None:
        work[by] = df[by]
    g = work.groupby(keys, observed=True, sort=False)["y"].agg(["mean", "count", "var"])
    g["v"] = g["var"] / g["count"]
    out = []
    groups = [None] if by is None else list(pd.unique(work[by]))
    if by is not None and isinstance(df[by].dtype, pd.CategoricalDtype):
        groups = [c for c in df[by].cat.categories if c in set(groups)]
    for group in groups:
        cell = (lambda a: a) if by is None else (lambda a, group=group: (group, a))
        if cell(control) not in g.index:
            raise ValueError(f"data: group {group!r} of column {by!r} has no rows in the control arm {control!r}")
        pc, nc, vc = g.loc[cell(control), ["mean", "count", "v"]]
        for a in order[1:]:
            if cell(a) not in g.index:
                continue
            pa, na, va = g.loc[cell(a), ["mean", "count", "v"]]
            if pc >= 1:
                share = se = np.nan
            else:
                share = (pa - pc) / (1 - pc)
                se = np.sqrt(va / (1 - pc) ** 2 + (1 - pa) ** 2 * vc / (1 - pc) ** 4)
            row = {} if by is None else {by: group}
            row.update(arm=a, control_rate=pc, arm_rate=pa, lift=pa - pc, lift_se=np.sqrt(va + vc),
                       share=share, se=se, ci_low=share - z * se, ci_high=share + z * se,
                       n_arm=int(na), n_control=int(nc))
            out.append(row)
    return pd.DataFrame(out)
