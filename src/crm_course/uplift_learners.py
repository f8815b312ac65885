r"""Uplift models that target the effect itself, and the value of a policy with several actions.

The two-model ("T-learner") uplift of :mod:`crm_course.uplift` fits the
outcome twice and subtracts; its errors in the two fits do not cancel, and
Radcliffe & Surry (2011) criticise it for modelling the outcome rather than
the change. This module adds two methods that model the change directly, and
a way to value targeting that chooses among more than two actions:

* :func:`transformed_outcome` — the transformed outcome of a randomised
  experiment, whose expectation given the features *is* the uplift
  (Jaśkowski & Jaroszewicz, 2012; Athey & Imbens, 2016):

  .. math:: Z_i = Y_i\,\frac{T_i - e}{e\,(1 - e)}, \qquad E[Z \mid X = x] = \tau(x),

  with :math:`T_i` 1 in the treatment arm and 0 in the control arm and
  :math:`e` the probability of treatment, known from the design;
* :func:`fit_transformed_outcome` — one regression of :math:`Z` on the
  features (OLS, HC1 standard errors): a model of the uplift, for a 0/1 or
  any numeric outcome (profit, too). Its mean prediction on the training
  customers is the Horvitz–Thompson estimate of the average effect, with a
  standard error (:meth:`DirectUpliftModel.average_effect`);
* :func:`fit_x_learner` — the X-learner (Künzel et al., 2019): two outcome
  models as in the T-learner, then each arm's *imputed* effects
  (:math:`Y_i - \hat\mu_c(x_i)` for treated, :math:`\hat\mu_t(x_i) - Y_i` for
  control customers) regressed on the features, and the two effect models
  averaged with weights :math:`e` and :math:`1 - e`;
* :func:`cross_fit_learner` — every customer's uplift from a model that
  never saw them, with the same folds as
  :func:`crm_course.uplift.cross_fit_uplift`;
* :func:`policy_value` — what a policy that gives each customer one of
  several arms (none, generic, personalised, ...) earns per customer against
  giving everyone the baseline arm, estimated on randomised customers.

The transformed outcome is unbiased but noisy: :math:`Z` is :math:`\pm 2Y`
for a 50/50 design, so its regression needs many customers per parameter and
overfits quickly when the features are many. Judge every model's ranking on
held-out customers (:mod:`crm_course.uplift_metrics`).

Every function takes any experiment table, one row per customer, with the
arm, outcome and feature columns named by arguments; Kopilka's names
(``arm`` with ``"personalised"`` and ``"none"``, ``converted``) are only the
defaults. Inputs are checked and never modified.

References
----------
Athey, S., & Imbens, G. (2016). Recursive partitioning for heterogeneous
causal effects. *Proceedings of the National Academy of Sciences*, 113(27),
7353–7360 (first circulated as arXiv:1504.01132, 2015).

Jaśkowski, M., & Jaroszewicz, S. (2012). Uplift modeling for clinical trial
data. *ICML 2012 Workshop on Clinical Data Analysis*.

Künzel, S. R., Sekhon, J. S., Bickel, P. J., & Yu, B. (2019). Metalearners for
estimating heterogeneous treatment effects using machine learning. *PNAS*,
116(10), 4156–4165.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> rng = np.random.default_rng(3)
>>> x = rng.random(6000)
>>> treated = rng.random(6000) < 0.5
>>> y = 1.0 + x + treated * (0.5 + 2.0 * x) + rng.normal(0, 1, 6000)   # uplift 0.5 + 2x
>>> toy = pd.DataFrame({"arm": np.where(treated, "personalised", "none"), "y": y, "x": x})
>>> model = fit_transformed_outcome(toy, ["x"], "y", arms=None)
>>> bool(abs(model.results["uplift"].params["x"] - 2.0) < 0.5)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from crm_course.experiments import ARMS, _check_experiment, _check_labels, _check_level, _columns, _z
from crm_course.uplift import _stratified_folds
from crm_course.validation import check_frame, check_number, check_unique

__all__ = [
    "DirectUpliftModel",
    "cross_fit_learner",
    "fit_transformed_outcome",
    "fit_x_learner",
    "policy_value",
    "transformed_outcome",
]


def _arms(df, outcome, features, *, treatment, control, arm, arms, name, kind="numeric", min_per_arm=2):
    columns = {outcome: kind, **{f: "numeric" for f in features}}
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns=columns, name=name,
                              min_per_arm=min_per_arm)
    _check_labels(order, treatment=treatment, arm=arm)
    if treatment == control:
        raise ValueError("treatment: expected an arm other than the control arm")
    labels = df[arm].astype(str).to_numpy()
    return labels == treatment, labels == control


def _propensity(propensity, is_t, is_c) -> float:
    if propensity is None:
        return float(is_t.sum() / (is_t.sum() + is_c.sum()))
    return float(check_number(propensity, "propensity", low=0, high=1, inclusive=False))


def _features(features) -> list[str]:
    features = _columns(features, "features")
    if not features:
        raise ValueError("features: expected at least one feature column; found none")
    return features


def transformed_outcome(
    df: pd.DataFrame,
    outcome: str = "converted",
    *,
    propensity: float | None = None,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
) -> pd.Series:
    """The transformed outcome :math:`Z = Y (T - e) / (e (1 - e))`, whose mean given the features is the uplift.

    Parameters
    ----------
    df : pandas.DataFrame
        A randomised experiment, one row per customer.
    outcome : str
        A numeric or 0/1 column without missing values.
    propensity : float, optional
        The probability of the treatment arm among the two arms, known from
        the design; by default the share of the two arms' customers in the
        treatment arm.
    treatment, control, arm, arms
        As in :func:`crm_course.uplift.fit_uplift_model`.
    key : str or None, default "customer_id"
        Column that identifies a customer: a repeated value is an error (the
        customer would count twice in the mean). Checked when the table has
        the column; ``None`` skips the check.

    Returns
    -------
    pandas.Series
        Indexed like ``df``: :math:`Y/e` for treated customers,
        :math:`-Y/(1-e)` for control customers, NaN for other arms. Its mean
        over the two arms is the Horvitz–Thompson estimate of the average
        effect.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 2, "converted": [1, 0, 1, 1]})
    >>> transformed_outcome(toy, arms=None).tolist()
    [2.0, -0.0, 2.0, -2.0]
    """
    is_t, is_c = _arms(df, outcome, [], treatment=treatment, control=control, arm=arm, arms=arms, name="data",
                       min_per_arm=1)
    check_unique(df, key, name="data")
    e = _propensity(propensity, is_t, is_c)
    y = df[outcome].to_numpy(dtype=float)
    z = np.where(is_t, y / e, np.where(is_c, -y / (1 - e), np.nan))
    return pd.Series(z, index=df.index, name=f"{outcome}_transformed")


@dataclass
class DirectUpliftModel:
    """A fitted uplift model that predicts the effect itself (transformed outcome or X-learner).

    Attributes
    ----------
    method : str
        ``"transformed_outcome"`` or ``"x_learner"``.
    features : list of str
    outcome, arm, treatment, control : str
    propensity : float
        The probability of treatment used in fitting.
    results : dict
        statsmodels results (HC1 standard errors): ``{"uplift": ...}`` for
        the transformed outcome; ``{"treated", "control", "effect_treated",
        "effect_control"}`` for the X-learner.
    """

    method: str
    features: list[str]
    outcome: str
    arm: str
    treatment: str
    control: str
    propensity: float
    results: dict[str, Any]

    def _x(self, df: pd.DataFrame):
        check_frame(df, {f: "numeric" for f in self.features}, name="data")
        import statsmodels.api as sm

        return sm.add_constant(df[self.features].astype(float), has_constant="add")

    def predict(self, df: pd.DataFrame) -> pd.Series:
        """Each customer's predicted uplift (treated minus control outcome).

        Parameters
        ----------
        df : pandas.DataFrame
            Holds the model's features (numeric, no missing values).

        Returns
        -------
        pandas.Series
            Indexed like ``df``, named ``uplift``.
        """
        x = self._x(df)
        if self.method == "transformed_outcome":
            tau = np.asarray(self.results["uplift"].predict(x), dtype=float)
        else:
            e = self.propensity
            tau = (e * np.asarray(self.results["effect_control"].predict(x), dtype=float)
                   + (1 - e) * np.asarray(self.results["effect_treated"].predict(x), dtype=float))
        return pd.Series(tau, index=df.index, name="uplift")

    def average_effect(self, df: pd.DataFrame, level: float = 0.95) -> pd.Series:
        """The mean predicted uplift over the customers of ``df``, with a standard error.

        For the transformed outcome fitted with a constant, the mean over the
        training customers equals the mean of :math:`Z`, the Horvitz–Thompson
        estimate of the average effect. The standard error is
        :math:`\\sqrt{\\bar x' V \\bar x}` with :math:`V` the HC1 covariance
        of the coefficients; it treats the features of ``df`` as fixed. The
        X-learner has no such standard error here (its second stage uses
        imputed effects): ``se`` is NaN.

        Parameters
        ----------
        df : pandas.DataFrame
            Customers to average over (e.g. the training customers).
        level : float
            Level of the interval.

        Returns
        -------
        pandas.Series
            ``average_uplift``, ``se``, ``ci_low``, ``ci_high``.
        """
        level = _check_level(level)
        check_frame(df, {f: "numeric" for f in self.features}, name="data", min_rows=1)
        mean = float(self.predict(df).mean())
        se = np.nan
        if self.method == "transformed_outcome":
            xbar = self._x(df).mean().to_numpy()
            se = float(np.sqrt(xbar @ np.asarray(self.results["uplift"].cov_params()) @ xbar))
        z = _z(level)
        return pd.Series({"average_uplift": mean, "se": se, "ci_low": mean - z * se, "ci_high": mean + z * se})


def fit_transformed_outcome(
    train: pd.DataFrame,
    features: Sequence[str],
    outcome: str = "converted",
    *,
    propensity: float | None = None,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
) -> DirectUpliftModel:
    """Fit the uplift directly: an OLS regression of the transformed outcome on the features.

    .. math:: Z_i = x_i'\\beta + \\varepsilon_i, \\qquad \\widehat{\\text{uplift}}(x) = x'\\hat\\beta,

    on the customers of the two arms. Because :math:`E[Z \\mid x] = \\tau(x)`
    in a randomised experiment, the coefficients describe how the *effect*
    varies with the features; no outcome model is needed. The price is noise:
    :math:`Z` varies far more than :math:`Y`.

    Parameters
    ----------
    train : pandas.DataFrame
        Randomised training customers; rows of other arms are ignored.
    features : sequence of str
        Numeric pre-treatment columns without missing values.
    outcome : str
        A 0/1 or numeric outcome (conversion, profit, ...).
    propensity : float, optional
        As in :func:`transformed_outcome`.
    treatment, control, arm, arms
        As in :func:`crm_course.uplift.fit_uplift_model`.
    key : str or None, default "customer_id"
        Column that identifies a customer: a repeated value is an error.
        Checked when the table has the column; ``None`` skips the check.

    Returns
    -------
    DirectUpliftModel

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.experiments import history_features
    >>> campaign = history_features(load("offer_experiment"))
    >>> model = fit_transformed_outcome(campaign, ["log_orders", "log_recency"])
    >>> bool(0.04 < model.average_effect(campaign)["average_uplift"] < 0.11)
    True
    """
    import statsmodels.api as sm

    features = _features(features)
    is_t, is_c = _arms(train, outcome, features, treatment=treatment, control=control, arm=arm, arms=arms,
                       name="train", kind="numeric", min_per_arm=len(features) + 2)
    check_unique(train, key, name="train")
    e = _propensity(propensity, is_t, is_c)
    keep = is_t | is_c
    z = transformed_outcome(train, outcome, propensity=e, treatment=treatment, control=control, arm=arm,
                            arms=None, key=None)[keep]
    x = sm.add_constant(train.loc[keep, features].astype(float), has_constant="add")
    result = sm.OLS(z, x).fit(cov_type="HC1")
    return DirectUpliftModel("transformed_outcome", features, outcome, arm, treatment, control, e,
                             {"uplift": result})


def _outcome_model(y, x, kind):
    import statsmodels.api as sm

    if kind == "logit":
        return sm.Logit(y, x).fit(disp=0, maxiter=200, cov_type="HC1")
    return sm.OLS(y, x).fit(cov_type="HC1")


def fit_x_learner(
    train: pd.DataFrame,
    features: Sequence[str],
    outcome: str = "converted",
    *,
    kind: Literal["logit", "ols"] = "logit",
    propensity: float | None = None,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
) -> DirectUpliftModel:
    """Fit the X-learner of Künzel et al. (2019) with regressions.

    1. Outcome models :math:`\\hat\\mu_t`, :math:`\\hat\\mu_c` in each arm
       (logit for a 0/1 outcome, OLS otherwise), as in the T-learner.
    2. Imputed effects: :math:`D_i = Y_i - \\hat\\mu_c(x_i)` for treated and
       :math:`D_i = \\hat\\mu_t(x_i) - Y_i` for control customers; an OLS
       regression of :math:`D` on the features in each arm gives
       :math:`\\hat\\tau_t` and :math:`\\hat\\tau_c`.
    3. :math:`\\hat\\tau(x) = e\\,\\hat\\tau_c(x) + (1 - e)\\,\\hat\\tau_t(x)`.

    The second stage models the effect directly, so a simple effect model can
    sit on top of outcome models of any shape.

    Parameters
    ----------
    train : pandas.DataFrame
    features : sequence of str
    outcome : str
    kind : {"logit", "ols"}
        The first-stage outcome models; the outcome must be 0/1 for a logit.
    propensity : float, optional
        As in :func:`transformed_outcome`.
    treatment, control, arm, arms, key
        As in :func:`fit_transformed_outcome`.

    Returns
    -------
    DirectUpliftModel

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.experiments import history_features
    >>> campaign = history_features(load("offer_experiment"))
    >>> model = fit_x_learner(campaign, ["log_orders", "log_recency"])
    >>> bool(0.04 < model.predict(campaign).mean() < 0.11)
    True
    """
    import statsmodels.api as sm

    if kind not in ("logit", "ols"):
        raise ValueError(f"kind: expected 'logit' or 'ols'; found {kind!r}")
    features = _features(features)
    is_t, is_c = _arms(train, outcome, features, treatment=treatment, control=control, arm=arm, arms=arms,
                       name="train", kind="bool" if kind == "logit" else "numeric", min_per_arm=len(features) + 2)
    check_unique(train, key, name="train")
    e = _propensity(propensity, is_t, is_c)
    x = sm.add_constant(train[features].astype(float), has_constant="add")
    y = train[outcome].astype(float)
    mu_t = _outcome_model(y[is_t], x[is_t], kind)
    mu_c = _outcome_model(y[is_c], x[is_c], kind)
    d_t = y[is_t] - np.asarray(mu_c.predict(x[is_t]), dtype=float)
    d_c = np.asarray(mu_t.predict(x[is_c]), dtype=float) - y[is_c]
    results = {"treated": mu_t, "control": mu_c,
               "effect_treated": sm.OLS(d_t, x[is_t]).fit(cov_type="HC1"),
               "effect_control": sm.OLS(d_c, x[is_c]).fit(cov_type="HC1")}
    return DirectUpliftModel("x_learner", features, outcome, arm, treatment, control, e, results)


def cross_fit_learner(
    df: pd.DataFrame,
    features: Sequence[str],
    outcome: str = "converted",
    *,
    method: Literal["transformed_outcome", "x_learner"] = "transformed_outcome",
    n_folds: int = 2,
    seed: int = 2002,
    kind: Literal["logit", "ols"] = "logit",
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Predict every customer's uplift with a direct model that never saw that customer.

    The folds are drawn exactly as in :func:`crm_course.uplift.cross_fit_uplift`
    (same ``seed``, same folds), so the methods are compared on the same splits.

    Parameters
    ----------
    df : pandas.DataFrame
    features, outcome
        As in :func:`fit_transformed_outcome`.
    method : {"transformed_outcome", "x_learner"}
    n_folds : int
        At least 2.
    seed : int
        Seed of the random split.
    kind : {"logit", "ols"}
        First-stage models of the X-learner (ignored by the transformed outcome).
    treatment, control, arm, arms, key
        As in :func:`fit_transformed_outcome`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``df``: ``fold`` and ``uplift``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.experiments import history_features
    >>> campaign = history_features(load("offer_experiment"))
    >>> pred = cross_fit_learner(campaign, ["log_orders", "log_recency"])
    >>> sorted(pred["fold"].unique().tolist()), len(pred) == len(campaign)
    ([0, 1], True)
    """
    if method not in ("transformed_outcome", "x_learner"):
        raise ValueError(f"method: expected 'transformed_outcome' or 'x_learner'; found {method!r}")
    check_number(n_folds, "n_folds", low=2, integer=True)
    check_number(seed, "seed", low=0, integer=True)
    _check_experiment(df, arm=arm, control=control, arms=arms, name="data")
    check_unique(df, key, name="data")
    n_folds = int(n_folds)
    fold = _stratified_folds(df, arm, n_folds, seed)  # the T-learner's folds, for a like-for-like comparison
    parts = []
    for k in range(n_folds):
        inside = fold == k
        common = dict(treatment=treatment, control=control, arm=arm, arms=arms, key=None)
        if method == "transformed_outcome":
            model = fit_transformed_outcome(df.loc[~inside], features, outcome, **common)
        else:
            model = fit_x_learner(df.loc[~inside], features, outcome, kind=kind, **common)
        parts.append(pd.DataFrame({"fold": k, "uplift": model.predict(df.loc[inside])}))
    return pd.concat(parts).reindex(df.index)


def policy_value(
    df: pd.DataFrame,
    policy: Any,
    outcome: str = "profit",
    *,
    baseline: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
    key: str | None = "customer_id",
) -> pd.Series:
    """Value of a policy that gives each customer one arm, against giving everyone the baseline arm.

    The policy splits the customers into groups :math:`S_a` by the arm it
    would give them; in each group the randomised arms show what arm *a* and
    the baseline do. Per customer of the base,

    .. math:: V = \\sum_{a \\neq b} q_a\\,(\\bar y_{a,S_a} - \\bar y_{b,S_a}),

    with :math:`q_a` the share of customers the policy gives arm *a* and *b*
    the baseline. With two arms this is :func:`crm_course.uplift.targeting_value`.
    The groups are disjoint, so their estimates are independent and the
    standard error is :math:`\\sqrt{\\sum_a q_a^2 (s^2_{a,S_a}/n_{a,S_a} + s^2_{b,S_a}/n_{b,S_a})}`
    (Welch, normal approximation). Judge a policy built by a model only on
    customers that model never saw.

    Parameters
    ----------
    df : pandas.DataFrame
        A randomised experiment with every arm the policy may choose.
    policy : str, array-like or pandas.Series
        The arm label the policy gives each row (a column name or values).
    outcome : str
        E.g. profit per customer, net of what each arm costs.
    baseline : str
        The arm everyone gets without the policy (the control arm).
    arm, arms, level, key
        As in :func:`crm_course.uplift.targeting_value`.

    Returns
    -------
    pandas.Series
        ``share_<arm>`` for every arm, then ``value_per_customer``, ``se``,
        ``ci_low``, ``ci_high``.

    Raises
    ------
    ValueError
        If the policy names an arm the data do not hold, or gives an arm to
        customers of whom fewer than 2 are in that arm or in the baseline arm.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["none", "generic", "personalised"] * 4,
    ...                     "profit": [1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 3.0],
    ...                     "best": ["generic"] * 6 + ["personalised"] * 6})
    >>> float(policy_value(toy, "best", arms=None)["value_per_customer"])
    2.0
    """
    level = _check_level(level)
    order = _check_experiment(df, arm=arm, control=baseline, arms=arms, columns={outcome: "numeric"}, name="data")
    check_unique(df, key, name="data")
    if isinstance(policy, str):
        check_frame(df, {policy: "any"}, name="data")
        chosen = df[policy].astype(str).to_numpy()
    else:
        chosen = np.asarray(policy).astype(str)
        if chosen.shape != (len(df),):
            raise ValueError(f"policy: expected one arm label per row of data ({len(df)}); found shape {chosen.shape}")
    unknown = sorted(set(chosen) - set(order))
    if unknown:
        raise ValueError(f"policy: expected arm labels found in column {arm!r}, {order}; found {unknown}")
    labels = df[arm].astype(str).to_numpy()
    y = df[outcome].to_numpy(dtype=float)
    out, value, var = {}, 0.0, 0.0
    for a in order:
        group = chosen == a
        q = group.mean()
        out[f"share_{a}"] = q
        if a == baseline or q == 0:
            continue
        ya, yb = y[group & (labels == a)], y[group & (labels == baseline)]
        if len(ya) < 2 or len(yb) < 2:
            raise ValueError(f"policy: gives arm {a!r} to {int(group.sum())} customers, of whom {len(ya)} are in arm "
                             f"{a!r} and {len(yb)} in the baseline arm {baseline!r}; measuring its effect needs at "
                             "least 2 in each")
        value += q * (ya.mean() - yb.mean())
        var += q**2 * (ya.var(ddof=1) / len(ya) + yb.var(ddof=1) / len(yb))
    se, z = float(np.sqrt(var)), _z(level)
    out.update(value_per_customer=value, se=se, ci_low=value - z * se, ci_high=value + z * se)
    return pd.Series(out)
