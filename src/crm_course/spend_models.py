r"""Models of customer spend: next-period spend on demographics and past behaviour, and time to the first order.

Chapter 1 sets "who you are" (the sign-up form, :data:`DEMOGRAPHICS`) against
"what you do" (past behaviour, :data:`BEHAVIOUR`):

* :func:`next_period_spend` — each member's behaviour before a split date and
  spend in the period after it;
* :func:`spend_regression` — OLS of next-period spend on demographics and,
  optionally, past behaviour;
* :func:`compare_spend_models` — no predictors, demographics, behaviour and
  both, in sample and by cross-validation out of sample;
* :func:`first_order_data` — days from sign-up to the first order, censored at
  the end of observation;
* :func:`first_order_model` — how demographics scale the purchase rate: the
  exponential–gamma (Pareto II) timing model with covariates,

  .. math::

      S_i(t) = \left(\frac{\alpha}{\alpha + e^{x_i'\beta}\, t}\right)^{r},

  the chance of no order in the first :math:`t` periods, with gamma
  heterogeneity (shape :math:`r`, rate :math:`\alpha`) of the baseline rate;
* :func:`rate_ratios` — its rate ratios :math:`\exp(\beta_k)` and gamma
  parameters with confidence intervals.

Standard errors: heteroskedasticity-robust (HC1) in the spend regressions, since
spend is skewed and its spread grows with its level; model-based (the inverse of
the observed information) in the timing model. The spend models describe
association, not cause; the timing model assumes constant rates while a member
waits, covariates that act multiplicatively and no event that pushes members to
buy.

Every function takes any DataFrame with the column names as arguments; Kopilka's
names (``customer_id``, ``signup_date``, ``order_date``, ``order_value``,
``channel``, ...) are only the defaults. Inputs are checked and never modified;
money is in the unit of the data (RUB for Kopilka).

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.spend_models import compare_spend_models, next_period_spend
>>> panel = next_period_spend(load("customers"), load("transactions"))
>>> table = compare_spend_models(panel)
>>> r2 = table["r2_out_of_sample"]
>>> bool(r2["what you do (past behaviour)"] > r2["who you are (demographics)"])
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from crm_course.concentration import _names
from crm_course.validation import check_frame, check_number, check_predictor, check_range, check_unique

__all__ = [
    "DEMOGRAPHICS",
    "BEHAVIOUR",
    "next_period_spend",
    "spend_regression",
    "compare_spend_models",
    "first_order_data",
    "first_order_model",
    "rate_ratios",
]


#: Kopilka's sign-up form, or "who you are".
DEMOGRAPHICS: tuple[str, ...] = ("channel", "age_band", "region", "device")


#: Past behaviour built by :func:`next_period_spend`, or "what you do".
BEHAVIOUR: tuple[str, ...] = ("past_orders", "past_spend", "weeks_since_last_order", "tenure_weeks")


def _check_timestamp(value: Any, argument: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{argument}: expected a date such as '2024-01-01'; found {value!r}") from None
    if stamp is pd.NaT:
        raise ValueError(f"{argument}: expected a date such as '2024-01-01'; found {value!r}")
    return stamp


def _check_orders_match(customers: pd.DataFrame, transactions: pd.DataFrame, customer: str) -> None:
    """Refuse orders none of which belongs to a member: the identifiers were read as different types."""
    if len(transactions) and not transactions[customer].isin(customers[customer]).any():
        raise ValueError(
            f"transactions: no order's {customer!r} is in customers (dtype {transactions[customer].dtype} here, "
            f"{customers[customer].dtype} there); read both identifiers as the same type"
        )


def _levels(series: pd.Series, reference: Any | None, column: str) -> list:
    """The levels of a categorical predictor, the reference level first."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        levels = [c for c in series.cat.categories if c in present]
    else:
        levels = sorted(series.dropna().unique(), key=str)
    if reference is not None:
        if reference not in levels:
            raise ValueError(
                f"reference: {reference!r} is not a level of column {column!r}; found levels {levels}"
            )
        levels = [reference] + [lev for lev in levels if lev != reference]
    return levels


def _design(
    df: pd.DataFrame,
    categorical: Sequence[str],
    numeric: Sequence[str],
    reference: Mapping[str, Any] | None,
    *,
    intercept: bool,
) -> pd.DataFrame:
    """Dummy-coded design matrix with patsy-style names such as ``channel[T.social]``."""
    reference = dict(reference or {})
    parts = {}
    if intercept:
        parts["Intercept"] = np.ones(len(df))
    for col in categorical:
        levels = _levels(df[col], reference.get(col), col)
        values = df[col].to_numpy()
        for level in levels[1:]:
            parts[f"{col}[T.{level}]"] = (values == level).astype(float)
    for col in numeric:
        parts[col] = df[col].to_numpy(dtype=float)
    return pd.DataFrame(parts, index=df.index)


def _split_predictors(df: pd.DataFrame, columns: Sequence[str], name: str) -> tuple[list[str], list[str]]:
    """Numeric columns enter as they are, every other column as categories.

    Numbers stored as text are refused rather than dummy-coded (make the
    column a pandas Categorical if it really is a category).
    """
    categorical, numeric = [], []
    for col in columns:
        series = df[col]
        if series.isna().any():
            raise ValueError(f"{name}: column {col!r} has {int(series.isna().sum())} missing value(s); drop or fill them first")
        check_predictor(df, col, name=name, hint="make it a pandas Categorical")
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            categorical.append(col)
        else:
            numeric.append(col)
    return categorical, numeric


def _check_reference(reference: Any, columns: Sequence[str]) -> dict:
    if reference is None:
        return {}
    if not isinstance(reference, Mapping):
        raise ValueError(f"reference: expected a mapping such as {{'channel': 'search'}}; found {reference!r}")
    unknown = [c for c in reference if c not in columns]
    if unknown:
        raise ValueError(f"reference: {unknown} are not among the categorical predictors {list(columns)}")
    return dict(reference)


def next_period_spend(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    split: Any = "2024-01-01",
    horizon_days: int = 364,
    joined_before: Any = "2023-07-01",
    joined_from: Any = None,
    demographics: Sequence[str] = DEMOGRAPHICS,
    customer: str = "customer_id",
    signup: str = "signup_date",
    date: str = "order_date",
    value: str = "order_value",
    order_key: str | None = "order_id",
) -> pd.DataFrame:
    """Past behaviour before a split date and spend in the period after it.

    The members who joined before ``joined_before`` (and on or after
    ``joined_from``) are followed: their behaviour is measured from orders
    before ``split`` and their outcome is the value of their orders in
    ``[split, split + horizon_days)``. With the defaults: members who joined
    in the first half of 2023, behaviour in 2023, spend in 2024.

    Parameters
    ----------
    customers : DataFrame
        One row per member with ``customer``, ``signup`` (datetime) and the
        ``demographics`` columns.
    transactions : DataFrame
        One row per order with ``customer``, ``date`` (datetime) and
        ``value``.
    split : date, default "2024-01-01"
        First day of the outcome period.
    horizon_days : int, default 364
        Length of the outcome period in days (52 weeks). The transactions
        must reach to its last week.
    joined_before, joined_from : date
        The sign-up window of the members followed; ``joined_before`` must
        not be after ``split``.
    demographics : sequence of str
        Columns of ``customers`` to carry over.
    customer, signup, date, value : str
        Column names.
    order_key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        One row per member followed: ``customer``, the demographics,
        ``tenure_weeks`` (weeks from sign-up to ``split``), ``past_orders``,
        ``past_spend``, ``weeks_since_last_order`` (from the last order to
        ``split``; the tenure for members who never ordered),
        ``never_ordered`` (bool) and ``next_spend``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = next_period_spend(load("customers"), load("transactions"))
    >>> list(panel.columns[-4:])
    ['past_spend', 'weeks_since_last_order', 'never_ordered', 'next_spend']
    """
    demo = _names(demographics, "demographics")
    check_frame(customers, {customer: "any", signup: "datetime", **{d: "any" for d in demo}}, name="customers")
    check_unique(customers, customer, name="customers")
    check_frame(transactions, {customer: "any", date: "datetime", value: "numeric"}, name="transactions")
    check_unique(transactions, order_key, name="transactions")
    check_range(transactions, value, low=0, name="transactions")
    split = _check_timestamp(split, "split")
    horizon = int(check_number(horizon_days, "horizon_days", low=1, integer=True))
    end = split + pd.Timedelta(days=horizon)
    joined_before = _check_timestamp(joined_before, "joined_before")
    if joined_before > split:
        raise ValueError(
            f"joined_before: expected a date no later than split ({split.date()}); found {joined_before.date()}"
        )
    _check_orders_match(customers, transactions, customer)
    last_order = transactions[date].max()
    if last_order < end - pd.Timedelta(days=7):
        raise ValueError(
            f"horizon_days: the outcome period runs to {end.date()}, but the last order in transactions is on "
            f"{last_order.date()}; shorten horizon_days or move split earlier"
        )
    keep = customers[signup] < joined_before
    if joined_from is not None:
        joined_from = _check_timestamp(joined_from, "joined_from")
        keep &= customers[signup] >= joined_from
    cohort = customers.loc[keep, [customer, *demo, signup]].reset_index(drop=True)
    if cohort.empty:
        raise ValueError(f"joined_before/joined_from: no member joined in that window (customers: column "
                         f"{signup!r} runs from {customers[signup].min().date()} to {customers[signup].max().date()})")
    in_cohort = transactions[customer].isin(cohort[customer])
    past = transactions[in_cohort & (transactions[date] < split)].groupby(customer)
    future = transactions[in_cohort & (transactions[date] >= split) & (transactions[date] < end)]
    key = cohort[customer]
    tenure = (split - cohort[signup]).dt.days / 7
    # reindex rather than map: it keeps the datetime type even when no member of the cohort ordered
    last = pd.Series(past[date].max().reindex(key.to_numpy()).to_numpy(), index=key.index)
    since = (split - last).dt.days / 7
    out = cohort.drop(columns=[signup])
    out["tenure_weeks"] = tenure.to_numpy(dtype=float)
    out["past_orders"] = key.map(past.size()).fillna(0).astype("int64").to_numpy()
    out["past_spend"] = key.map(past[value].sum()).fillna(0.0).astype(float).to_numpy()
    out["weeks_since_last_order"] = since.fillna(tenure).to_numpy(dtype=float)
    out["never_ordered"] = last.isna().to_numpy()
    out["next_spend"] = key.map(future.groupby(customer)[value].sum()).fillna(0.0).astype(float).to_numpy()
    return out


def _check_predictors(
    df: pd.DataFrame, outcome: str, demographics: Any, behaviour: Any
) -> tuple[list[str], list[str]]:
    if not isinstance(outcome, str):
        raise ValueError(f"outcome: expected a column name (text); found {outcome!r}")
    demo = _names(demographics, "demographics")
    beh = _names(behaviour, "behaviour")
    if not demo and not beh:
        raise ValueError("demographics/behaviour: expected at least one predictor; found none")
    both = set(demo) & set(beh)
    if both:
        raise ValueError(f"demographics/behaviour: column(s) {sorted(both)} are listed in both")
    if outcome in demo or outcome in beh:
        raise ValueError(f"outcome: {outcome!r} is also listed as a predictor")
    check_frame(df, {outcome: "numeric", **{d: "any" for d in demo}, **{b: "numeric" for b in beh}}, name="df")
    for d in demo:
        if df[d].isna().any():
            raise ValueError(f"df: column {d!r} has {int(df[d].isna().sum())} missing value(s); drop or fill them first")
    return demo, beh


def _spend_design(df, demo, beh, reference):
    cat, num = _split_predictors(df, demo, "df")
    reference = _check_reference(reference, cat)
    return _design(df, cat, num + list(beh), reference, intercept=True)


def spend_regression(
    df: pd.DataFrame,
    outcome: str = "next_spend",
    demographics: Sequence[str] = DEMOGRAPHICS,
    behaviour: Sequence[str] = (),
    *,
    reference: Mapping[str, Any] | None = None,
    cov_type: str = "HC1",
    key: str | None = "customer_id",
):
    r"""OLS of next-period spend on demographics and, optionally, past behaviour.

    .. math::

        y_i = \beta_0 + \sum_k \gamma_k\, d_{ik} + \sum_m \delta_m\, b_{im} + \varepsilon_i

    with :math:`d_{ik}` dummies for the levels of each categorical
    demographic (the first level, or ``reference``, is the baseline) and
    :math:`b_{im}` the behaviour columns as they are. Coefficients are in
    the outcome's unit (RUB of next-period spend per unit of the predictor).
    Spend is skewed and its spread grows with its level, so the standard
    errors are heteroskedasticity-robust (HC1) by default. The model
    describes association, not cause.

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`next_period_spend`.
    outcome : str, default "next_spend"
        Numeric outcome column.
    demographics : sequence of str
        Predictors; text, categorical and boolean columns are dummy-coded,
        numeric ones enter as they are.
    behaviour : sequence of str, default ()
        Numeric predictors of past behaviour (e.g. :data:`BEHAVIOUR`).
    reference : mapping, optional
        Baseline level of categorical predictors, e.g. ``{"channel": "search"}``.
    cov_type : str, default "HC1"
        statsmodels covariance type ("HC1", "HC3", "nonrobust", ...).
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels RegressionResults
        Term names follow patsy: ``channel[T.referral]``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = next_period_spend(load("customers"), load("transactions"))
    >>> who = spend_regression(panel)
    >>> what = spend_regression(panel, behaviour=BEHAVIOUR)
    >>> bool(what.rsquared > who.rsquared)
    True
    """
    demo, beh = _check_predictors(df, outcome, demographics, behaviour)
    check_unique(df, key, name="df")
    if not isinstance(cov_type, str):
        raise ValueError(f"cov_type: expected a statsmodels covariance type such as 'HC1'; found {cov_type!r}")
    import statsmodels.api as sm

    x = _spend_design(df, demo, beh, reference)
    if len(df) <= x.shape[1]:
        raise ValueError(f"df: expected more rows than the {x.shape[1]} coefficients; found {len(df)}")
    y = df[outcome].astype(float).rename(outcome)
    return sm.OLS(y, x).fit(cov_type=cov_type)


def compare_spend_models(
    df: pd.DataFrame,
    outcome: str = "next_spend",
    demographics: Sequence[str] = DEMOGRAPHICS,
    behaviour: Sequence[str] = BEHAVIOUR,
    *,
    folds: int = 5,
    seed: int = 0,
    reference: Mapping[str, Any] | None = None,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    r"""Who you are against what you do: fit in sample and error out of sample.

    Four OLS models of ``outcome`` are compared: no predictor (everyone is
    predicted the average), demographics only, past behaviour only, and
    both. In-sample :math:`R^2` flatters a model with many predictors; the
    out-of-sample figures come from ``folds``-fold cross-validation (members
    split at random, with ``seed``, into ``folds`` groups; each group is
    predicted by the model fitted on the others, the same split for every
    model):

    .. math::

        R^2_{\text{out}} = 1 - \frac{\sum_i (y_i - \hat y_{i,-f(i)})^2}{\sum_i (y_i - \bar y)^2}.

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`next_period_spend`.
    outcome, demographics, behaviour, reference
        As in :func:`spend_regression`; both predictor lists must be non-empty.
    folds : int, default 5
        Number of cross-validation folds, 2 to the number of members.
    seed : int, default 0
        Seed of the random split.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        Indexed by ``model`` ("no predictors", "who you are (demographics)",
        "what you do (past behaviour)", "both"): ``coefficients``, ``r2``
        (in sample), ``r2_out_of_sample``, ``rmse_out_of_sample`` and
        ``mae_out_of_sample`` (typical errors in the outcome's unit).

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = next_period_spend(load("customers"), load("transactions"))
    >>> table = compare_spend_models(panel)
    >>> list(table.index)
    ['no predictors', 'who you are (demographics)', 'what you do (past behaviour)', 'both']
    """
    demo, beh = _check_predictors(df, outcome, demographics, behaviour)
    check_unique(df, key, name="df")
    if not demo or not beh:
        raise ValueError("demographics/behaviour: expected at least one column in each list to compare them")
    if isinstance(folds, (int, np.integer)) and not isinstance(folds, bool) and 2 <= folds and len(df) < folds:
        raise ValueError(f"df: expected at least {folds} rows for {folds}-fold cross-validation; found {len(df)}")
    folds = int(check_number(folds, "folds", low=2, high=len(df), integer=True))
    check_number(seed, "seed", low=0, integer=True)
    y = df[outcome].to_numpy(dtype=float)
    full = _spend_design(df, demo, beh, reference)
    demo_cols = [c for c in full.columns if c == "Intercept" or any(c == d or c.startswith(f"{d}[T.") for d in demo)]
    beh_cols = ["Intercept", *beh]
    designs = {
        "no predictors": full[["Intercept"]],
        "who you are (demographics)": full[demo_cols],
        "what you do (past behaviour)": full[beh_cols],
        "both": full,
    }
    fold = np.random.default_rng(seed).permutation(len(df)) % folds
    sst = float(((y - y.mean()) ** 2).sum())
    rows = {}
    for name, x in designs.items():
        xm = x.to_numpy(dtype=float)
        beta = np.linalg.lstsq(xm, y, rcond=None)[0]
        r2 = 1 - float(((y - xm @ beta) ** 2).sum()) / sst
        pred = np.empty_like(y)
        for f in range(folds):
            test = fold == f
            b = np.linalg.lstsq(xm[~test], y[~test], rcond=None)[0]
            pred[test] = xm[test] @ b
        err = y - pred
        rows[name] = {
            "coefficients": xm.shape[1],
            "r2": r2 if name != "no predictors" else 0.0,
            "r2_out_of_sample": 1 - float((err**2).sum()) / sst,
            "rmse_out_of_sample": float(np.sqrt((err**2).mean())),
            "mae_out_of_sample": float(np.abs(err).mean()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    return out


def first_order_data(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    end: Any,
    covariates: Sequence[str] = ("channel", "age_band"),
    customer: str = "customer_id",
    signup: str = "signup_date",
    date: str = "order_date",
    order_key: str | None = "order_id",
) -> pd.DataFrame:
    """Days from sign-up to the first order, censored at ``end``.

    Parameters
    ----------
    customers : DataFrame
        One row per member with ``customer``, ``signup`` (datetime) and the
        ``covariates``.
    transactions : DataFrame
        One row per order with ``customer`` and ``date`` (datetime).
    end : date
        The day observation stops (orders on or after it are ignored).
        Stop before anything that pushes members to buy for another reason,
        such as a campaign.
    covariates : sequence of str
        Columns of ``customers`` to carry over.
    customer, signup, date : str
        Column names.
    order_key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        One row per member who joined before ``end``: ``customer``, the
        covariates, ``days_observed`` (whole days from sign-up to ``end``),
        ``days_to_first_order`` (whole days from sign-up to the first order;
        ``NaN`` if none before ``end``) and ``ordered`` (bool).

    Examples
    --------
    >>> from crm_course.data import load
    >>> first = first_order_data(load("customers"), load("transactions"), end="2024-09-30")
    >>> bool((first["days_to_first_order"].dropna() >= 0).all())
    True
    """
    cov = _names(covariates, "covariates")
    check_frame(customers, {customer: "any", signup: "datetime", **{c: "any" for c in cov}}, name="customers")
    check_unique(customers, customer, name="customers")
    check_frame(transactions, {customer: "any", date: "datetime"}, name="transactions", min_rows=0)
    check_unique(transactions, order_key, name="transactions")
    end = _check_timestamp(end, "end")
    members = customers.loc[customers[signup] < end, [customer, signup, *cov]].reset_index(drop=True)
    if members.empty:
        raise ValueError(f"end: no member joined before {end.date()}")
    _check_orders_match(customers, transactions, customer)
    first = transactions[transactions[date] < end].groupby(customer)[date].min()
    first_date = pd.Series(first.reindex(members[customer].to_numpy()).to_numpy(), index=members.index)
    days = (first_date - members[signup]).dt.days
    early = days < 0
    if early.any():
        raise ValueError(
            f"transactions: {int(early.sum())} member(s) ordered before signing up "
            f"(e.g. {customer}={members.loc[early, customer].iloc[0]!r}); check the dates"
        )
    out = members.drop(columns=[signup])
    out["days_observed"] = (end - members[signup]).dt.days.astype("int64").to_numpy()
    out["days_to_first_order"] = days.astype(float).to_numpy()
    out["ordered"] = days.notna().to_numpy()
    return out


@lru_cache(maxsize=1)
def _exponential_gamma_model() -> type:
    """The exponential–gamma timing model as a statsmodels likelihood model (built on first use)."""
    from statsmodels.base.model import GenericLikelihoodModel
    from statsmodels.tools.numdiff import approx_fprime

    class ExponentialGammaFirstOrder(GenericLikelihoodModel):
        """Time to the first purchase with gamma heterogeneity and covariates.

        ``endog`` is the whole number of periods before the first purchase
        (-1 when censored); ``observed`` the number of periods observed.
        Parameters: the log rate ratios of ``exog`` (no constant), then
        ``log_r`` and ``log_alpha``.
        """

        def __init__(self, endog, exog, observed, per_period, **kwargs):
            self.observed = np.asarray(observed, dtype=float)
            self.per_period = float(per_period)
            super().__init__(endog, exog, extra_params_names=["log_r", "log_alpha"], **kwargs)
            # No constant: log_alpha plays its part, so every column of exog is a slope.
            self.k_constant = 0
            self.df_model = float(self.exog.shape[1])
            self.df_resid = float(len(self.endog) - self.exog.shape[1] - self.k_extra)

        def _pieces(self, params):
            beta, log_r, log_alpha = params[:-2], params[-2], params[-1]
            r, alpha = np.exp(log_r), np.exp(log_alpha)
            m = np.exp(self.exog @ beta) / self.per_period
            event = self.endog >= 0
            t0 = np.where(event, self.endog, self.observed)
            t1 = np.where(event, self.endog + 1, self.observed)
            return beta, r, alpha, log_alpha, m, event, t0, t1

        def loglikeobs(self, params):
            _, r, alpha, log_alpha, m, event, t0, t1 = self._pieces(params)
            log_s0 = r * (log_alpha - np.log(alpha + m * t0))
            log_s1 = r * (log_alpha - np.log(alpha + m * t1))
            # log(S(t) - S(t+1)) for an order in period t; log S(T) if none by T.
            with np.errstate(divide="ignore"):
                return np.where(event, log_s0 + np.log(-np.expm1(log_s1 - log_s0)), log_s0)

        def score_obs(self, params):
            _, r, alpha, log_alpha, m, event, t0, t1 = self._pieces(params)

            def parts(t):
                log_s = r * (log_alpha - np.log(alpha + m * t))
                frac = m * t / (alpha + m * t)
                # d log S / d beta (times x), d log S / d log r, d log S / d log alpha
                return log_s, -r * frac, log_s, r * frac

            s0, b0, lr0, la0 = parts(t0)
            s1, b1, lr1, la1 = parts(t1)
            w1 = np.where(event, np.exp(s1 - s0), 0.0)
            denom = np.where(event, -np.expm1(s1 - s0), 1.0)
            combine = lambda g0, g1: np.where(event, (g0 - w1 * g1) / denom, g0)  # noqa: E731
            g_beta = combine(b0, b1)[:, None] * self.exog
            return np.column_stack([g_beta, combine(lr0, lr1), combine(la0, la1)])

        def score(self, params):
            return self.score_obs(params).sum(axis=0)

        def hessian(self, params):
            return approx_fprime(params, self.score, centered=True)

        def fit(self, start_params=None, method="bfgs", maxiter=2000, **kwargs):
            return super().fit(start_params=start_params, method=method, maxiter=maxiter, disp=0, **kwargs)

    return ExponentialGammaFirstOrder


def first_order_model(
    df: pd.DataFrame,
    covariates: Sequence[str] = ("channel", "age_band"),
    *,
    time: str = "days_to_first_order",
    observed: str = "days_observed",
    per_period: float = 7.0,
    reference: Mapping[str, Any] | None = None,
    key: str | None = "customer_id",
):
    r"""How demographics scale the purchase rate: the exponential–gamma timing model.

    A member buys at the times of a Poisson process with rate
    :math:`\lambda_i = \lambda_{0i} \exp(x_i'\beta)` per period, where
    :math:`\lambda_{0i} \sim \text{Gamma}(r, \alpha)` (shape :math:`r`, rate
    :math:`\alpha`) is the individual, unobserved part and
    :math:`\exp(\beta_k)` is the *rate ratio* of covariate level :math:`k`
    against the baseline. Integrating over :math:`\lambda_{0i}`, the chance
    of no order in the first :math:`t` periods is

    .. math::

        S_i(t) = \left(\frac{\alpha}{\alpha + e^{x_i'\beta}\, t}\right)^{r},

    the exponential–gamma (Pareto II) model of time to first purchase with
    covariates (Fader, Hardie & Zeithammer, 2003). Times are recorded in
    whole days, so a member whose first order came on day :math:`d` adds
    :math:`\log[S_i(d) - S_i(d+1)]` to the log-likelihood and a member with
    no order in :math:`T` observed days adds :math:`\log S_i(T)` (days are
    divided by ``per_period`` to express rates per week).

    Why the first order: a member can only drop out *after* buying, so the
    wait for the first order is free of drop-out and of its knock-on effects
    (support contacts, dissatisfaction); the model is then exact for a
    Poisson buyer. Counting all orders would mix the purchase rate with
    drop-out. Assumptions: constant rates while the member waits; covariates
    act multiplicatively; gamma heterogeneity; no event that pushes members
    to buy (stop the clock before a campaign).

    Standard errors are model-based (the inverse of the observed
    information, a numerical derivative of the analytic score).

    Parameters
    ----------
    df : DataFrame
        One row per member, e.g. from :func:`first_order_data`.
    covariates : sequence of str
        Categorical (dummy-coded) or numeric columns. Use few: each adds a
        parameter.
    time : str, default "days_to_first_order"
        Whole days from sign-up to the first order, missing (NaN) when the
        member had not ordered by the end of observation.
    observed : str, default "days_observed"
        Whole days the member was observed (> 0).
    per_period : float, default 7
        Days per period of the reported rates (7: per week).
    reference : mapping, optional
        Baseline level per categorical covariate, e.g. ``{"channel": "search"}``.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels GenericLikelihoodModelResults
        Parameters: the log rate ratios (``channel[T.referral]``, ...), then
        ``log_r`` and ``log_alpha`` (for the baseline levels, in periods).
        :func:`rate_ratios` turns them into ratios with confidence intervals.

    Examples
    --------
    >>> from crm_course.data import load
    >>> first = first_order_data(load("customers"), load("transactions"), end="2024-09-30")
    >>> fit = first_order_model(first, ["channel"], reference={"channel": "search"})
    >>> bool(fit.mle_retvals["converged"])
    True
    """
    cov = _names(covariates, "covariates")
    if not cov:
        raise ValueError("covariates: expected at least one column name; found none")
    check_frame(df, {observed: "numeric", time: "any", **{c: "any" for c in cov}}, name="df")
    check_unique(df, key, name="df")
    if not pd.api.types.is_numeric_dtype(df[time]):
        raise ValueError(f"df: column {time!r} should be a numeric column; found dtype {df[time].dtype}")
    check_range(df, observed, low=0, inclusive=False, name="df")
    check_number(per_period, "per_period", low=0, inclusive=False)
    t = df[time].to_numpy(dtype=float)
    obs = df[observed].to_numpy(dtype=float)
    done = ~np.isnan(t)
    if (t[done] < 0).any():
        raise ValueError(f"df: column {time!r} should be >= 0 (or missing when no order); found {t[done].min():g}")
    if (t[done] % 1 != 0).any() or (obs % 1 != 0).any():
        raise ValueError(f"df: columns {time!r} and {observed!r} should hold whole days (0, 1, 2, ...)")
    late = done & (t >= obs)
    if late.any():
        raise ValueError(
            f"df: {int(late.sum())} member(s) have {time!r} >= {observed!r}; an order must fall inside the observed days"
        )
    if not done.any():
        raise ValueError(f"df: column {time!r} is missing for every member; nobody ordered, the rate cannot be estimated")
    cat, num = _split_predictors(df, cov, "df")
    reference = _check_reference(reference, cat)
    x = _design(df, cat, num, reference, intercept=False)
    if x.shape[1] == 0:
        raise ValueError(f"covariates: every column in {cov} takes a single value; nothing to compare")
    endog = pd.Series(np.where(done, t, -1.0), index=df.index, name=time)
    model = _exponential_gamma_model()(endog, x, obs, per_period)
    # Start at r = 1 with the exponential model's rate: alpha = 1 / rate.
    exposure = np.where(done, t + 0.5, obs).sum() / per_period
    start = np.r_[np.zeros(x.shape[1]), 0.0, np.log(exposure / done.sum())]
    result = model.fit(start_params=start)
    if not result.mle_retvals.get("converged", False):
        import warnings

        warnings.warn("first_order_model: the optimiser did not converge; check the data", RuntimeWarning, stacklevel=2)
    return result


def rate_ratios(result, level: float = 0.95) -> pd.DataFrame:
    """Rate ratios and the gamma parameters of a :func:`first_order_model` fit.

    Parameters
    ----------
    result
        The result of :func:`first_order_model`.
    level : float, default 0.95
        Confidence level of the Wald intervals (computed on the log scale
        and exponentiated, so they are not symmetric).

    Returns
    -------
    DataFrame
        Indexed by ``term``: one row per covariate level (``estimate`` is the
        rate ratio against the baseline), then ``r`` (shape of the gamma
        heterogeneity: the smaller, the more members differ) and ``alpha``
        (its rate for the baseline levels, in periods). Columns
        ``estimate``, ``conf_low``, ``conf_high``, ``std_error_log``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> first = first_order_data(load("customers"), load("transactions"), end="2024-09-30")
    >>> fit = first_order_model(first, ["channel"], reference={"channel": "search"})
    >>> list(rate_ratios(fit).index)
    ['channel[T.social]', 'channel[T.referral]', 'channel[T.partner]', 'r', 'alpha']
    """
    if type(getattr(result, "model", None)) is not _exponential_gamma_model():
        raise TypeError(f"result: expected the result of first_order_model(); found {type(result).__name__}")
    check_number(level, "level", low=0, high=1, inclusive=False)
    names = list(result.model.exog_names)
    params = np.asarray(result.params, dtype=float)
    bse = np.asarray(result.bse, dtype=float)
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    index = [n.replace("log_", "") if n in {"log_r", "log_alpha"} else n for n in names]
    return pd.DataFrame(
        {
            "estimate": np.exp(params),
            "conf_low": np.exp(params - z * bse),
            "conf_high": np.exp(params + z * bse),
            "std_error_log": bse,
        },
        index=pd.Index(index, name="term"),
    )
