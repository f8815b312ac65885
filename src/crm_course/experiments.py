"""Randomised experiments with several arms: balance checks, effects by arm and lift models (used in chapter 3).

* Was the randomisation clean? :func:`balance_table` (arm shares and
  covariate means by arm) and :func:`balance_test` (can the covariates
  predict the arm?).
* What did each arm do on average? :func:`arm_summary` (means, differences
  from the control arm, Welch standard errors and normal-approximation
  intervals), :func:`fit_lift_model` (a logit or linear probability model,
  HC1 errors, with an optional arm x moderator interaction) and
  :func:`arm_effects` (average marginal effects on the probability scale).
* :func:`history_features` adds the purchase-history features
  :data:`HISTORY_FEATURES` that balance checks and uplift models use.

Any DataFrame with one row per unit, an arm column and outcome columns works:
column names are arguments, and Kopilka's names are only the defaults. The
share of non-buyers an offer converts (persuadables) and targeting by uplift
are in :mod:`crm_course.uplift`.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.experiments import arm_summary
>>> list(arm_summary(load("offer_experiment"), "converted")["arm"])
['none', 'generic', 'personalised']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from crm_course.validation import (
    check_categories,
    check_frame,
    check_number,
    check_range,
    check_unique,
)

__all__ = [
    "HISTORY_FEATURES",
    "history_features",
    "ARMS",
    "arm_effects",
    "arm_summary",
    "balance_table",
    "balance_test",
    "fit_lift_model",
]

#: The columns :func:`history_features` adds, in the order models use them.
HISTORY_FEATURES: tuple[str, ...] = ("log_orders", "log_spend", "no_history", "log_recency", "tenure_years")



#: The arms of Kopilka's campaign; the first is the control arm.
ARMS: tuple[str, ...] = ("none", "generic", "personalised")


def _check_level(level: float) -> float:
    return float(check_number(level, "level", low=0, high=1, inclusive=False))


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _check_experiment(
    df: Any,
    *,
    arm: str,
    control: str,
    arms: Sequence[str] | None,
    columns: Mapping[str, str] | None = None,
    name: str = "data",
    min_per_arm: int = 2,
) -> list[str]:
    """Validate an experiment table and return its arms, the control first.

    Checks that ``df`` is a non-empty DataFrame holding ``arm`` and
    ``columns`` (name -> kind, as in :func:`crm_course.validation.check_frame`),
    that the arm column has no missing or unknown labels, that the control
    arm and at least one other arm are present, and that every arm present
    has at least ``min_per_arm`` rows.
    """
    if not isinstance(arm, str):
        raise TypeError(f"arm: expected the name of the arm column as text; found {type(arm).__name__}")
    if not isinstance(control, str):
        raise TypeError(f"control: expected the label of the control arm as text; found {type(control).__name__}")
    check_frame(df, {arm: "any", **dict(columns or {})}, name=name)
    labels = df[arm]
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise ValueError(f"{name}: column {arm!r} has {n_missing} missing value(s); every row needs an arm")
    if arms is not None:
        if isinstance(arms, str) or len(arms) < 2:
            raise ValueError(f"arms: expected a list of at least two arm labels; found {arms!r}")
        try:
            check_categories(df, arm, list(arms), name=name)
        except ValueError as err:
            raise ValueError(f"{err} (declare your labels with arms=[...], or pass arms=None to accept any)") from None
    present = list(pd.unique(labels.astype(str)))
    if control not in present:
        known = list(arms) if arms is not None else present
        hint = "" if control in known else f" (the arms are {known}; pass control=...)"
        raise ValueError(
            f"{name}: the control arm {control!r} has no rows in column {arm!r}; found only {present}{hint}"
        )
    if len(present) < 2:
        raise ValueError(
            f"{name}: expected at least two arms in column {arm!r} (a control and a treatment) to compare; "
            f"found only {present}"
        )
    if arms is not None:
        order = [a for a in arms if a in present]
    elif isinstance(labels.dtype, pd.CategoricalDtype):
        order = [str(c) for c in labels.cat.categories if str(c) in present]
    else:
        order = sorted(present)
    order = [control] + [a for a in order if a != control]
    counts = labels.astype(str).value_counts()
    small = [a for a in order if counts.get(a, 0) < min_per_arm]
    if small:
        raise ValueError(
            f"{name}: expected at least {min_per_arm} rows in every arm; "
            + ", ".join(f"arm {a!r} has {int(counts.get(a, 0))}" for a in small)
        )
    return order


def _check_labels(arms: list[str], *, treatment: str | None = None, arm: str = "arm") -> None:
    if treatment is not None and treatment not in arms:
        raise ValueError(f"treatment: expected one of the arms found in column {arm!r}, {arms}; found {treatment!r}")


def _columns(names: Any, what: str) -> list[str]:
    if isinstance(names, str):
        return [names]
    if names is None:
        return []
    names = list(names)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise TypeError(f"{what}: expected column names as text; found {bad[0]!r}")
    return names


def _score(df: pd.DataFrame, score: Any, name: str = "score") -> np.ndarray:
    """A score given as a column name, a Series aligned with ``df`` or an array."""
    if isinstance(score, str):
        check_frame(df, {score: "numeric"}, name="data")
        values = df[score].to_numpy(dtype=float)
    elif isinstance(score, pd.Series):
        if len(score) != len(df) or not score.index.equals(df.index):
            if len(score) == len(df) and set(score.index) == set(df.index):
                score = score.reindex(df.index)
            else:
                raise ValueError(f"{name}: expected a Series with the same index as data ({len(df)} rows); "
                                 f"found {len(score)} values with a different index")
        values = pd.to_numeric(score, errors="coerce").to_numpy(dtype=float)
    else:
        # a plain sequence or array, in the order of the rows of df
        values = np.asarray(score, dtype=float)
        if values.ndim != 1 or len(values) != len(df):
            raise ValueError(f"{name}: expected one value per row of data ({len(df)}); found shape {values.shape}")
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).sum())
        raise ValueError(f"{name}: expected finite numbers; found {bad} missing or infinite")
    return values


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    n = len(values)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


def balance_table(
    df: pd.DataFrame,
    covariates: Sequence[str] = ("prior_orders", "prior_spend", "weeks_since_last_order", "tenure_weeks"),
    *,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    expected_shares: Mapping[str, float] | None = None,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Check a randomisation: arm sizes and pre-treatment covariates by arm.

    The first row compares the share of customers in each arm with the
    intended shares (equal by default) by a chi-square goodness-of-fit test:
    a mismatch ("sample ratio mismatch") means the assignment or the data
    pipeline went wrong. Each further row compares one covariate across the
    arms: its mean in every arm, the largest absolute standardised
    difference from the control arm,

    .. math:: d = (\\bar x_a - \\bar x_c) / \\sqrt{(s_a^2 + s_c^2) / 2},

    and the p-value of a one-way analysis of variance (F-test) of equal
    means. A covariate with missing values gets a second row for the share
    missing, and its mean is over the rows where it is known.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    covariates : sequence of str
        Numeric or boolean columns measured *before* the treatment. Never
        include outcomes of the treatment (opened, clicked): they differ by
        design.
    arm, control, arms : str, str, sequence of str or None
        The arm column, the label of the control arm and the labels allowed
        (``None`` accepts any).
    expected_shares : mapping of arm -> share, optional
        The intended allocation; equal shares by default.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Columns ``variable``, one column per arm (mean, or share for the
        first row), ``max_abs_std_diff`` and ``p_value``.

    Notes
    -----
    Under a clean randomisation, p-values are uniform: about one covariate
    in twenty "fails" at 5 % by chance. Standardised differences below 0.1
    are the usual rule of thumb for negligible imbalance.

    Examples
    --------
    >>> from crm_course.data import load
    >>> table = balance_table(load("offer_experiment"), ["prior_orders"])
    >>> list(table["variable"])
    ['share of customers', 'prior_orders']
    """
    from scipy import stats

    covariates = _columns(covariates, "covariates")
    if not covariates:
        raise ValueError("covariates: expected at least one column name; found none")
    check_frame(df, covariates, name="data")
    for col in covariates:
        s = df[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise ValueError(f"data: column {col!r} should be a numeric or boolean column; found dtype {s.dtype}")
    order = _check_experiment(df, arm=arm, control=control, arms=arms)
    check_unique(df, key, name="data")
    for col in covariates:
        if np.isinf(df[col].astype(float)).any():
            raise ValueError(f"data: column {col!r} has infinite value(s)")
    labels = df[arm].astype(str)
    counts = labels.value_counts().reindex(order)
    if expected_shares is None:
        expected = pd.Series(1 / len(order), index=order)
    else:
        expected = pd.Series({a: float(expected_shares.get(a, np.nan)) for a in order})
        if expected.isna().any() or (expected <= 0).any():
            raise ValueError(f"expected_shares: expected a positive share for every arm {order}; found {dict(expected_shares)}")
        expected = expected / expected.sum()
    chi2 = stats.chisquare(counts.to_numpy(dtype=float), expected.to_numpy() * counts.sum())
    rows = [{"variable": "share of customers", **(counts / counts.sum()).to_dict(),
             "max_abs_std_diff": np.nan, "p_value": float(chi2.pvalue)}]
    for col in covariates:
        x = df[col].astype(float)
        known = x.notna()
        variants = [(col, x[known], labels[known])]
        if not known.all():
            variants.append((f"{col}: share missing", (~known).astype(float), labels))
        for label, values, lab in variants:
            groups = {a: values[lab == a].to_numpy() for a in order}
            means = {a: float(g.mean()) if len(g) else np.nan for a, g in groups.items()}
            c = groups[control]
            diffs = []
            for a in order[1:]:
                pooled = np.sqrt((groups[a].var(ddof=1) + c.var(ddof=1)) / 2) if len(groups[a]) > 1 and len(c) > 1 else np.nan
                diffs.append(abs(means[a] - means[control]) / pooled if pooled > 0 else 0.0)
            usable = [g for g in groups.values() if len(g) > 1]
            if len(usable) >= 2 and any(np.var(g) > 0 for g in usable):
                p = float(stats.f_oneway(*usable).pvalue)
            else:
                p = np.nan
            rows.append({"variable": label, **means, "max_abs_std_diff": float(np.nanmax(diffs)), "p_value": p})
    return pd.DataFrame(rows, columns=["variable", *order, "max_abs_std_diff", "p_value"])


def balance_test(
    df: pd.DataFrame,
    covariates: Sequence[str] = HISTORY_FEATURES,
    *,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
):
    """Test jointly whether pre-treatment covariates predict the assigned arm.

    Fits a multinomial logit of the arm on the covariates,

    .. math:: \\log \\frac{P(\\text{arm} = a)}{P(\\text{arm} = c)} = \\alpha_a + x' \\gamma_a,

    and returns the statsmodels result; its ``llr_pvalue`` is the
    likelihood-ratio test of :math:`\\gamma_a = 0` for every arm. Under a
    randomised assignment the covariates carry no information about the arm,
    so a small p-value signals a broken randomisation (or a covariate that
    was in fact measured after the treatment).

    Parameters
    ----------
    df : pandas.DataFrame
    covariates : sequence of str
        Numeric columns without missing values (see :func:`history_features`
        for a way to code missing recency).
    arm, control, arms : str, str, sequence of str or None
        As in :func:`balance_table`.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels MNLogitResults
        Model-based standard errors; the likelihood-ratio test is what to read.

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = history_features(load("offer_experiment"))
    >>> bool(balance_test(campaign).llr_pvalue > 0.01)
    True
    """
    import statsmodels.api as sm

    covariates = _columns(covariates, "covariates")
    if not covariates:
        raise ValueError("covariates: expected at least one column name; found none")
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns={c: "numeric" for c in covariates})
    check_unique(df, key, name="data")
    codes = pd.Categorical(df[arm].astype(str), categories=order).codes
    exog = sm.add_constant(df[covariates].astype(float), has_constant="add")
    return sm.MNLogit(pd.Series(codes, index=df.index, name=arm), exog).fit(disp=0, maxiter=200)


def arm_summary(
    df: pd.DataFrame,
    outcomes: str | Sequence[str] = ("converted", "revenue_30d", "margin_30d"),
    *,
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    level: float = 0.95,
    key: str | None = "customer_id",
) -> pd.DataFrame:
    """Mean outcome per arm and each arm's difference from the control arm.

    For arm :math:`a` and outcome :math:`y`, the lift is
    :math:`\\hat\\tau_a = \\bar y_a - \\bar y_c` with the unequal-variance
    standard error :math:`\\sqrt{s_a^2/n_a + s_c^2/n_c}`, a normal-approximation
    confidence interval and a two-sided p-value. With a randomised arm this
    difference estimates the average causal effect of the offer. For a
    0/1 outcome the mean is a rate and the lift is in shares (0.01 = one
    percentage point).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    outcomes : str or sequence of str
        Numeric or boolean outcome columns, without missing values.
    arm, control, arms : str, str, sequence of str or None
        The arm column, the control arm's label and the labels allowed, in
        the order to report them. ``None`` accepts any labels, ordered as
        the column's categories (or alphabetically), the control first.
    level : float
        Confidence level of the intervals.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and arm: ``outcome``, ``arm``, ``n``, ``mean``,
        ``se``, ``ci_low``, ``ci_high``, ``lift``, ``lift_se``,
        ``lift_ci_low``, ``lift_ci_high``, ``p_value`` (the lift columns are
        empty in the control rows).

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["none"] * 4 + ["generic"] * 4,
    ...                     "converted": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> arm_summary(toy, "converted", arms=None)[["arm", "mean", "lift"]]
           arm  mean  lift
    0     none  0.25   NaN
    1  generic  0.75   0.5
    """
    level = _check_level(level)
    outcomes = _columns(outcomes, "outcomes")
    if not outcomes:
        raise ValueError("outcomes: expected at least one outcome column; found none")
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns={o: "numeric" for o in outcomes})
    check_unique(df, key, name="data")
    z = _z(level)
    labels = df[arm].astype(str)
    n = labels.value_counts()
    rows = []
    for outcome in outcomes:
        y = df[outcome].astype(float)
        stats = {a: _mean_se(y[labels == a].to_numpy()) for a in order}
        mc, sc = stats[control]
        for a in order:
            m, s = stats[a]
            row = {"outcome": outcome, "arm": a, "n": int(n[a]), "mean": m, "se": s,
                   "ci_low": m - z * s, "ci_high": m + z * s}
            if a == control:
                row.update(lift=np.nan, lift_se=np.nan, lift_ci_low=np.nan, lift_ci_high=np.nan, p_value=np.nan)
            else:
                d, se = m - mc, float(np.hypot(s, sc))
                row.update(lift=d, lift_se=se, lift_ci_low=d - z * se, lift_ci_high=d + z * se,
                           p_value=_two_sided_p(d, se))
            rows.append(row)
    return pd.DataFrame(rows)


def _two_sided_p(estimate, se):
    from scipy.stats import norm

    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * norm.sf(np.abs(np.asarray(estimate, dtype=float) / np.asarray(se, dtype=float)))




@dataclass(frozen=True)
class _LiftSpec:
    """How :func:`fit_lift_model` built its design, so effects can be recomputed."""

    kind: str
    outcome: str
    arm: str
    control: str
    treated: tuple[str, ...]
    dummies: tuple[str, ...]
    moderator: str | None
    moderator_term: str | None
    transform: str | None
    covariates: tuple[str, ...]
    frame: pd.DataFrame = field(repr=False)  # arm labels, raw moderator and covariates of the estimation rows


def _dummy_name(label: str) -> str:
    name = "".join(ch if ch.isalnum() else "_" for ch in str(label)).strip("_") or "arm"
    return name if not name[0].isdigit() else f"arm_{name}"


_TRANSFORMS = {"log1p": np.log1p, None: lambda x: np.asarray(x, dtype=float)}


def _design(spec: _LiftSpec, arm_label: str | None = None, moderator_value: float | None = None) -> pd.DataFrame:
    f = spec.frame
    n = len(f)
    labels = f[spec.arm].to_numpy() if arm_label is None else np.full(n, arm_label, dtype=object)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    for label, name in zip(spec.treated, spec.dummies):
        cols[name] = (labels == label).astype(float)
    if spec.moderator is not None:
        raw = f[spec.moderator].to_numpy(dtype=float) if moderator_value is None else np.full(n, float(moderator_value))
        m = _TRANSFORMS[spec.transform](raw)
        cols[spec.moderator_term] = m
        for name in spec.dummies:
            cols[f"{name}:{spec.moderator_term}"] = cols[name] * m
    for c in spec.covariates:
        cols[c] = f[c].to_numpy(dtype=float)
    return pd.DataFrame(cols, index=f.index)


def fit_lift_model(
    df: pd.DataFrame,
    outcome: str = "converted",
    *,
    moderator: str | None = None,
    transform: Literal["log1p"] | None = "log1p",
    covariates: Sequence[str] = (),
    kind: Literal["logit", "ols"] = "logit",
    arm: str = "arm",
    control: str = "none",
    arms: Sequence[str] | None = ARMS,
    key: str | None = "customer_id",
):
    """Regress an outcome on the arms, optionally interacted with a moderator.

    With arms :math:`a = 1, \\dots, A` (dummies :math:`D_a`, the control arm
    left out), a moderator :math:`m = g(h)` (e.g. :math:`g = \\log(1 + h)` of
    the number of prior orders :math:`h`) and covariates :math:`x`, the
    model is

    .. math:: E[y] = F\\Big(\\beta_0 + \\sum_a \\beta_a D_a + \\gamma m
              + \\sum_a \\theta_a D_a m + x'\\lambda\\Big),

    with :math:`F` the logistic function (``kind="logit"``) or the identity
    (``kind="ols"``: for a 0/1 outcome the linear probability model). In the
    linear model :math:`\\theta_a` is how much arm *a*'s effect grows per unit
    of :math:`m`; in the logit it is a change in log-odds, which is *not* the
    change of the effect on the probability scale (Ai & Norton, 2003) — read
    the logit through :func:`arm_effects`.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer.
    outcome : str
        The outcome: 0/1 or boolean for a logit; any numeric column for OLS.
    moderator : str, optional
        A numeric column whose interaction with the arms is wanted.
    transform : {"log1p", None}
        Applied to the moderator; the term is named ``log1p_<moderator>``
        (or ``<moderator>`` untransformed).
    covariates : sequence of str
        Further numeric columns without missing values (pre-treatment only).
    kind : {"logit", "ols"}
    arm, control, arms
        As in :func:`arm_summary`.
    key : str or None, default "customer_id"
        Column of ``df`` that identifies a customer: a repeated value is an
        error (the customer would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels results
        ``LogitResults`` or ``OLSResults`` with HC1 (heteroskedasticity-
        robust) standard errors. Terms are named ``const``, one dummy per
        treated arm (its label), the moderator term and ``<arm>:<moderator
        term>`` interactions, then the covariates. Pass the result to
        :func:`arm_effects` for effects on the probability scale.

    Notes
    -----
    Assumptions: the arm is randomised, so the arm coefficients (and the interactions)
    are causal; the moderator itself is not randomised, so its own
    coefficient is only descriptive. The effect is assumed to change
    linearly in :math:`g(h)` (in the link's scale).

    Examples
    --------
    >>> from crm_course.data import load
    >>> campaign = load("offer_experiment")
    >>> model = fit_lift_model(campaign, moderator="prior_orders", kind="ols")
    >>> list(model.params.index)[:3]
    ['const', 'generic', 'personalised']
    """
    import statsmodels.api as sm

    if kind not in ("logit", "ols"):
        raise ValueError(f"kind: expected 'logit' or 'ols'; found {kind!r}")
    if transform not in _TRANSFORMS:
        raise ValueError(f"transform: expected 'log1p' or None; found {transform!r}")
    covariates = _columns(covariates, "covariates")
    columns = {outcome: "bool" if kind == "logit" else "numeric", **{c: "numeric" for c in covariates}}
    if moderator is not None:
        if not isinstance(moderator, str):
            raise TypeError(f"moderator: expected a column name; found {type(moderator).__name__}")
        columns[moderator] = "numeric"
    order = _check_experiment(df, arm=arm, control=control, arms=arms, columns=columns)
    check_unique(df, key, name="data")
    if moderator is not None and transform == "log1p":
        check_range(df, moderator, low=0, name="data")
    if outcome in covariates or (moderator is not None and moderator in covariates):
        raise ValueError("covariates: must not repeat the outcome or the moderator")
    treated = tuple(order[1:])
    dummies = tuple(_dummy_name(a) for a in treated)
    if len(set(dummies)) < len(dummies) or set(dummies) & {"const", *covariates}:
        raise ValueError(f"data: arm labels {list(treated)} give clashing column names {list(dummies)}; rename the arms")
    term = None if moderator is None else (f"log1p_{moderator}" if transform == "log1p" else moderator)
    keep = [arm, *covariates] + ([moderator] if moderator is not None else [])
    frame = df[list(dict.fromkeys(keep))].copy()
    frame[arm] = frame[arm].astype(str).astype(object)
    spec = _LiftSpec(kind, outcome, arm, control, treated, dummies, moderator, term, transform,
                     tuple(covariates), frame)
    exog = _design(spec)
    y = df[outcome].astype(float).rename(outcome)
    if kind == "logit":
        result = sm.Logit(y, exog).fit(disp=0, maxiter=200, cov_type="HC1")
    else:
        result = sm.OLS(y, exog).fit(cov_type="HC1")
    result.model.lift_spec = spec
    return result


def arm_effects(
    result: Any,
    at: Sequence[float] | None = None,
    *,
    contrasts: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Average effect of each arm on the outcome's scale, from :func:`fit_lift_model`.

    For arm *a* the average effect is the discrete change in the predicted
    outcome when every customer in the estimation sample is switched from
    the control arm to arm *a*, averaged over customers:

    .. math:: \\widehat{AME}_a = \\frac1n \\sum_i \\big[F(x_i(a)'\\hat\\beta) - F(x_i(c)'\\hat\\beta)\\big].

    For a logit this is the average marginal effect in probability units
    (0.01 = one percentage point); for OLS it equals the arm coefficient
    when there is no moderator. With ``at``, the moderator is also set to
    each given value (on its original scale, e.g. 0, 1, 2 prior orders) for
    everyone: the conditional average effect at that value. Standard errors
    come from the delta method with the result's (HC1) covariance matrix.

    Parameters
    ----------
    result
        A result of :func:`fit_lift_model`.
    at : sequence of float, optional
        Moderator values; needs a model with a moderator.
    contrasts : bool
        Also give the difference between every pair of treated arms (e.g.
        personalised minus generic).
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``comparison`` (e.g. ``"personalised - none"``), ``arm``,
        ``reference``, the moderator column if ``at`` is given, ``effect``,
        ``se``, ``ci_low``, ``ci_high``, ``p_value``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> model = fit_lift_model(load("offer_experiment"))
    >>> list(arm_effects(model)["comparison"])
    ['generic - none', 'personalised - none', 'personalised - generic']
    """
    level = _check_level(level)
    spec = getattr(getattr(result, "model", None), "lift_spec", None)
    if not isinstance(spec, _LiftSpec):
        raise TypeError("result: expected a result returned by fit_lift_model(); found "
                        f"{type(result).__name__}")
    if at is not None:
        if spec.moderator is None:
            raise ValueError("at: the model has no moderator; refit with fit_lift_model(..., moderator=...)")
        if isinstance(at, (str, bytes)) or np.ndim(at) == 0:
            at = [at]
        at_values = np.asarray(list(at), dtype=float)
        if at_values.size == 0 or not np.isfinite(at_values).all():
            raise ValueError(f"at: expected finite moderator values; found {list(at)}")
        if spec.transform == "log1p" and (at_values < 0).any():
            raise ValueError(f"at: log1p needs values of at least 0; found {at_values.min():g}")
    z = _z(level)
    params = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    logit = spec.kind == "logit"
    names = list(result.params.index)

    def mean_and_gradient(arm_label, value):
        x = _design(spec, arm_label, value)[names].to_numpy()
        eta = x @ params
        if logit:
            p = 1 / (1 + np.exp(-eta))
            return p.mean(), (x * (p * (1 - p))[:, None]).mean(axis=0)
        return eta.mean(), x.mean(axis=0)

    pairs = [(a, spec.control) for a in spec.treated]
    if contrasts:
        pairs += [(a, b) for i, b in enumerate(spec.treated) for a in spec.treated[i + 1:]]
    rows = []
    for value in ([None] if at is None else at_values):
        cache = {a: mean_and_gradient(a, value) for a in (spec.control, *spec.treated)}
        for a, b in pairs:
            effect = cache[a][0] - cache[b][0]
            grad = cache[a][1] - cache[b][1]
            se = float(np.sqrt(grad @ cov @ grad))
            row = {"comparison": f"{a} - {b}", "arm": a, "reference": b}
            if value is not None:
                row[spec.moderator] = value
            row.update(effect=float(effect), se=se, ci_low=effect - z * se, ci_high=effect + z * se,
                       p_value=float(_two_sided_p(effect, se)))
            rows.append(row)
    return pd.DataFrame(rows)

def history_features(
    df: pd.DataFrame,
    *,
    orders: str = "prior_orders",
    spend: str = "prior_spend",
    recency: str = "weeks_since_last_order",
    tenure: str = "tenure_weeks",
) -> pd.DataFrame:
    """Add model-ready features of each customer's purchase history.

    Adds ``log_orders`` = log(1 + orders), ``log_spend`` = log(1 + spend),
    ``no_history`` (1 if the customer has never ordered, i.e. recency is
    missing), ``log_recency`` = log(1 + weeks since the last order), set to 0
    when there is no order (the flag carries the difference), and
    ``tenure_years`` = tenure in weeks / 52. Logs tame the long right tails
    of counts and money.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer. The features are computed row by row (nothing
        is summed), so no key is checked here; the models that use them do.
    orders, spend, recency, tenure : str
        Column names: prior orders (count), prior spend (money), weeks since
        the last order (missing when none) and weeks since joining.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the columns of :data:`HISTORY_FEATURES` added.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"prior_orders": [0, 3], "prior_spend": [0.0, 900.0],
    ...                     "weeks_since_last_order": [None, 2.0], "tenure_weeks": [10.0, 52.0]})
    >>> history_features(toy)[["no_history", "tenure_years"]]
       no_history  tenure_years
    0           1      0.192308
    1           0      1.000000
    """
    check_frame(df, {orders: "numeric", spend: "numeric", recency: "any", tenure: "numeric"}, name="data")
    if not pd.api.types.is_numeric_dtype(df[recency]):
        raise ValueError(f"data: column {recency!r} should be a numeric column; found dtype {df[recency].dtype}")
    for col in (orders, spend, tenure):
        check_range(df, col, low=0, name="data")
    rec = df[recency].astype(float)
    if (rec.dropna() < 0).any():
        raise ValueError(f"data: column {recency!r} should be at least 0; found {rec[rec < 0].iloc[0]!r}")
    out = df.copy()
    out["log_orders"] = np.log1p(df[orders].astype(float))
    out["log_spend"] = np.log1p(df[spend].astype(float))
    out["no_history"] = rec.isna().astype(int)
    out["log_recency"] = np.log1p(rec.fillna(0.0))
    out["tenure_years"] = df[tenure].astype(float) / 52.0
    return out
