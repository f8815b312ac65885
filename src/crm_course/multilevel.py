r"""Random-intercept (multilevel) models: partial pooling of members' order values and of agents' CSAT scores.

Chapter 1 uses the order-value models to make "a segment of one" precise, and
chapter 4 the CSAT models to measure how much contacts of one agent resemble
each other:

* :func:`order_value_model` — a random-intercept model of (log) order value with
  members as groups, fitted by REML;
* :func:`variance_components` — between- and within-member variance and the
  intra-class correlation, with member-clustered sandwich intervals;
* :func:`shrunken_means` — each member's own mean against the partially pooled
  (shrunken) mean, and :func:`plot_shrinkage` to draw them;
* :func:`csat_mixed` — a linear mixed model of a contact's CSAT with a random
  intercept per agent;
* :func:`intra_agent_correlation` — the share of the score's residual variance
  that lies between agents, and the design effect it implies.

For order :math:`j` of member :math:`i`, and for contact :math:`i` handled by
agent :math:`j`,

.. math::

    \log v_{ij} = \mu + b_i + \varepsilon_{ij}, \qquad
    \mathrm{CSAT}_{ij} = x_{ij}'\beta + u_j + e_{ij},

with normal random intercepts :math:`b_i` and :math:`u_j` (the agents'
intercepts assumed independent of the regressors). The intervals of :func:`variance_components` stay valid when
log order values are not normal (under the Gamma–Gamma spend model their tails
are heavier); the standard errors of :func:`csat_mixed` are model-based.

Every function takes any DataFrame with the column names as arguments; Kopilka's
names (``customer_id``, ``order_value``, ``csat``, ``agent_id``) are only the
defaults. The default right-hand side of :func:`csat_mixed`,
:data:`crm_course.ratings.CSAT_TERMS`, names columns that
:func:`crm_course.kopilka.support.support_frame` builds for Kopilka: pass your
own terms for your data. Inputs are checked and never modified.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.multilevel import order_value_model, variance_components
>>> fit = order_value_model(load("transactions"), sample_members=200)
>>> components = variance_components(fit)
>>> list(components.index)
['between_member_variance', 'within_member_variance', 'icc']
>>> bool(0 < components.loc["icc", "estimate"] < 1)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_course.formulas import _check_name, _check_result, _model_frame
from crm_course.language import tr
from crm_course.ratings import CSAT_TERMS
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = [
    "order_value_model",
    "variance_components",
    "shrunken_means",
    "plot_shrinkage",
    "csat_mixed",
    "intra_agent_correlation",
]


def _log_values(transactions: pd.DataFrame, customer: str, value: str, log: bool) -> pd.DataFrame:
    check_frame(transactions, {customer: "any", value: "numeric"}, name="transactions", min_rows=2)
    if transactions[customer].isna().any():
        raise ValueError(f"transactions: column {customer!r} has missing value(s)")
    if log:
        check_range(transactions, value, low=0, inclusive=False, name="transactions")
    y = np.log(transactions[value].to_numpy(dtype=float)) if log else transactions[value].to_numpy(dtype=float)
    return pd.DataFrame({"group": transactions[customer].to_numpy(), "y": y})


def order_value_model(
    transactions: pd.DataFrame,
    *,
    customer: str = "customer_id",
    value: str = "order_value",
    log: bool = True,
    sample_members: int | None = None,
    seed: int = 0,
    key: str | None = "order_id",
):
    r"""Random-intercept model of (log) order value, members as groups.

    .. math::

        \log v_{ij} = \mu + b_i + \varepsilon_{ij}, \qquad
        b_i \sim N(0, \sigma_b^2), \quad \varepsilon_{ij} \sim N(0, \sigma_w^2)

    for order :math:`j` of member :math:`i`. :math:`\sigma_b^2` is how much
    members differ in their typical order, :math:`\sigma_w^2` how much one
    member's orders vary around their own typical value. Fitted by REML with
    statsmodels' MixedLM. Under the Gamma–Gamma spend model (Fader, Hardie &
    Lee, 2005) log order values are not normal, but REML still estimates the
    two variances consistently; use :func:`variance_components` for
    intervals that do not lean on normality.

    Parameters
    ----------
    transactions : DataFrame
        One row per order with ``customer`` and ``value`` (> 0 on the log scale).
    customer, value : str
        Column names.
    log : bool, default True
        Model the logarithm of the value (order values are skewed).
    sample_members : int, optional
        Fit on all orders of this many members drawn at random (MixedLM
        loops over members, so a sample keeps large data fast; the variance
        estimates stay unbiased). Default: all members.
    seed : int, default 0
        Seed of the sample.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels MixedLMResults
        ``cov_re`` holds :math:`\sigma_b^2`, ``scale`` :math:`\sigma_w^2`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> member = np.repeat(np.arange(500), 4)  # 500 members, 4 orders each
    >>> values = np.exp(7 + rng.normal(0, 0.6, 500)[member] + rng.normal(0, 0.5, 2000))
    >>> fit = order_value_model(pd.DataFrame({"customer_id": member, "order_value": values}))
    >>> round(float(fit.cov_re.iloc[0, 0]), 2), round(float(fit.scale), 2)  # planted 0.36 and 0.25
    (0.38, 0.25)
    """
    data = _log_values(transactions, customer, value, bool(log))
    check_unique(transactions, key, name="transactions")
    check_number(seed, "seed", low=0, integer=True)
    if sample_members is not None:
        n_members = data["group"].nunique()
        k = int(check_number(sample_members, "sample_members", low=2, integer=True))
        if k < n_members:
            members = pd.unique(data["group"])
            chosen = np.random.default_rng(seed).choice(members, size=k, replace=False)
            data = data[data["group"].isin(chosen)]
    counts = data["group"].value_counts()
    if (counts > 1).sum() < 2:
        raise ValueError(
            "transactions: at least two members need two or more orders to separate the "
            "between-member from the within-member variance"
        )
    import statsmodels.api as sm

    name = f"log_{value}" if log else value
    endog = pd.Series(data["y"].to_numpy(), name=name)
    exog = pd.DataFrame({"Intercept": np.ones(len(data))})
    model = sm.MixedLM(endog, exog, groups=data["group"].to_numpy())
    model._crm_course_log = bool(log)  # read by shrunken_means
    return model.fit(reml=True)


def _check_mixed(result) -> None:
    from statsmodels.regression.mixed_linear_model import MixedLMResults

    if not isinstance(result, MixedLMResults) and not isinstance(getattr(result, "_results", None), MixedLMResults):
        raise TypeError(f"result: expected the result of order_value_model() (a MixedLM fit); found {type(result).__name__}")
    if result.model.k_re != 1 or result.model.k_vc != 0:
        raise ValueError("result: expected a model with one random intercept and no other random effects")


def variance_components(result, level: float = 0.95) -> pd.DataFrame:
    r"""Between- and within-member variance, the intra-class correlation and their intervals.

    .. math::

        \text{ICC} = \frac{\sigma_b^2}{\sigma_b^2 + \sigma_w^2}

    is the share of the variation in (log) order value that lies *between*
    members — how much knowing who ordered tells about the order.

    Intervals: Wald intervals from a sandwich (member-clustered) covariance
    of the two variances, :math:`A^{-1} B A^{-1}`, where :math:`A` is the
    expected information of the one-way random-effects model and :math:`B`
    the sum over members of the outer products of their score
    contributions (computed in closed form from each member's count, sum and
    sum of squares of residuals). Unlike the model-based errors, these stay
    valid when the data are not normal (log order values under the
    Gamma–Gamma model have heavier tails); the ICC's interval follows by the
    delta method. (statsmodels' own ``bse_re`` refers to a rescaled
    parameter and is not the standard error of :math:`\sigma_b^2`.)

    Parameters
    ----------
    result
        A fit from :func:`order_value_model` (one random intercept).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        Indexed by ``component``: ``between_member_variance``,
        ``within_member_variance``, ``icc``; columns ``estimate``,
        ``std_error`` (robust), ``conf_low``, ``conf_high``,
        ``std_error_model`` (from the expected information, assuming
        normality).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> member = np.repeat(np.arange(200), 4)
    >>> values = np.exp(7 + rng.normal(0, 0.6, 200)[member] + rng.normal(0, 0.5, 800))
    >>> vc = variance_components(order_value_model(pd.DataFrame({"customer_id": member, "order_value": values})))
    >>> list(vc.index)
    ['between_member_variance', 'within_member_variance', 'icc']
    """
    _check_mixed(result)
    check_number(level, "level", low=0, high=1, inclusive=False)
    from scipy.stats import norm

    model = result.model
    e = np.asarray(model.endog, dtype=float) - np.asarray(model.exog, dtype=float) @ np.asarray(result.fe_params)
    groups = pd.factorize(np.asarray(model.groups))[0]
    n = np.bincount(groups).astype(float)
    s = np.bincount(groups, e)
    q = np.bincount(groups, e * e)
    b = float(np.asarray(result.cov_re)[0, 0])
    w = float(result.scale)
    lam = w + n * b
    score_b = -0.5 * n / lam + 0.5 * s**2 / lam**2
    e_v2_e = (q - 2 * b * s**2 / lam + n * b * b * s**2 / lam**2) / w**2
    score_w = -0.5 * ((n - 1) / w + 1 / lam) + 0.5 * e_v2_e
    scores = np.column_stack([score_b, score_w])
    info = 0.5 * np.array(
        [
            [np.sum(n**2 / lam**2), np.sum(n / lam**2)],
            [np.sum(n / lam**2), np.sum((n - 1) / w**2 + 1 / lam**2)],
        ]
    )
    inv = np.linalg.inv(info)
    robust = inv @ (scores.T @ scores) @ inv
    icc = b / (b + w)
    grad = np.array([w, -b]) / (b + w) ** 2
    se = np.sqrt([robust[0, 0], robust[1, 1], grad @ robust @ grad])
    se_model = np.sqrt([inv[0, 0], inv[1, 1], grad @ inv @ grad])
    est = np.array([b, w, icc])
    z = norm.ppf(0.5 + level / 2)
    return pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "conf_low": est - z * se,
            "conf_high": est + z * se,
            "std_error_model": se_model,
        },
        index=pd.Index(["between_member_variance", "within_member_variance", "icc"], name="component"),
    )


def shrunken_means(
    result,
    transactions: pd.DataFrame | None = None,
    *,
    customer: str = "customer_id",
    value: str = "order_value",
    key: str | None = "order_id",
) -> pd.DataFrame:
    r"""Each member's own mean against the partially pooled (shrunken) mean.

    With :math:`n_i` orders and own mean :math:`\bar y_i` (of log values),
    the best linear unbiased prediction of the member's typical value is

    .. math::

        \hat\mu_i = \hat\mu + w_i (\bar y_i - \hat\mu), \qquad
        w_i = \frac{n_i \sigma_b^2}{n_i \sigma_b^2 + \sigma_w^2},

    a weighted average of the member's own mean and the mean of all members.
    With one order the member's own data get the weight
    :math:`\sigma_b^2 / (\sigma_b^2 + \sigma_w^2)`, the ICC; with many
    orders the weight approaches 1 — a "segment of one" earns its own
    estimate order by order.

    Parameters
    ----------
    result
        A fit from :func:`order_value_model`.
    transactions : DataFrame, optional
        Orders to compute the means from (e.g. all members when the model
        was fitted on a sample). Default: the data the model was fitted on.
        Must be on the model's scale: the log is taken when the model's
        outcome is named ``log_<value>``.
    customer, value : str
        Column names in ``transactions``.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    DataFrame
        One row per member: ``customer``, ``orders``, ``own_mean``,
        ``weight``, ``shrunken_mean`` (on the model's scale) and, for a log
        model, ``own_typical_value`` and ``shrunken_typical_value`` — the
        geometric means back on the money scale.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3, 3, 3, 4],
    ...                        "order_value": [900.0, 1100, 1000, 3000, 3500, 400, 500, 450, 8000]})
    >>> means = shrunken_means(order_value_model(orders))
    >>> bool((means["weight"] < 1).all())
    True
    """
    _check_mixed(result)
    model = result.model
    if model.k_fe != 1:
        raise ValueError("result: expected an intercept-only model from order_value_model()")
    log = bool(getattr(model, "_crm_course_log", str(model.endog_names).startswith("log_")))
    if transactions is None:
        data = pd.DataFrame({"group": np.asarray(model.groups), "y": np.asarray(model.endog, dtype=float)})
    else:
        data = _log_values(transactions, customer, value, log)
        check_unique(transactions, key, name="transactions")
    g = data.groupby("group", sort=True)["y"]
    b = float(np.asarray(result.cov_re)[0, 0])
    w = float(result.scale)
    mu = float(np.asarray(result.fe_params)[0])
    out = pd.DataFrame({"orders": g.size().astype("int64"), "own_mean": g.mean()})
    out["weight"] = out["orders"] * b / (out["orders"] * b + w)
    out["shrunken_mean"] = mu + out["weight"] * (out["own_mean"] - mu)
    if log:
        out["own_typical_value"] = np.exp(out["own_mean"])
        out["shrunken_typical_value"] = np.exp(out["shrunken_mean"])
    out.index.name = customer
    return out.reset_index()


def plot_shrinkage(
    shrunk: pd.DataFrame,
    *,
    ax=None,
    few: int = 1,
    many: int = 10,
    overall: float | None = None,
    own: str = "own_typical_value",
    shrunken: str = "shrunken_typical_value",
    orders: str = "orders",
):
    """Draw each member's own typical value against the shrunken one, for short and long records.

    Members with exactly ``few`` orders and members with ``many`` or more are
    drawn in two colours, on log scales, with the diagonal of no shrinkage:
    a long record lies near the diagonal, a short one on a flatter line
    pulled towards the overall level.

    Parameters
    ----------
    shrunk : DataFrame
        The output of :func:`shrunken_means` for a log model (or any table
        with the three columns below, values > 0).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    few, many : int, default 1 and 10
        Members with exactly ``few`` orders, and with ``many`` or more.
    overall : float, optional
        The all-member typical value (e.g. ``exp`` of the fitted intercept),
        drawn as a horizontal line.
    own, shrunken, orders : str
        Column names.

    Returns
    -------
    matplotlib Axes
        Axis labels are set (in the unit of the data); the title is the caller's.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 3, 3, 3, 4],
    ...                        "order_value": [900.0, 1100, 1000, 3000, 3500, 400, 500, 450, 8000]})
    >>> ax = plot_shrinkage(shrunken_means(order_value_model(orders)), few=1, many=3)
    >>> ax.get_xscale()
    'log'
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE

    check_frame(shrunk, {own: "numeric", shrunken: "numeric", orders: "numeric"}, name="shrunk")
    check_range(shrunk, own, low=0, inclusive=False, name="shrunk")
    check_range(shrunk, shrunken, low=0, inclusive=False, name="shrunk")
    check_range(shrunk, orders, low=1, name="shrunk")
    check_number(few, "few", low=1)
    check_number(many, "many", low=1)
    if overall is not None:
        check_number(overall, "overall", low=0, inclusive=False)
    if ax is None:
        _, ax = plt.subplots()
    one = shrunk[shrunk[orders] == few]
    long = shrunk[shrunk[orders] >= many]
    ax.scatter(one[own], one[shrunken], s=6, alpha=0.4, color=PALETTE[1],
               label=tr("members with {n} order", n=few) if few == 1 else tr("members with {n} orders", n=few))
    ax.scatter(long[own], long[shrunken], s=6, alpha=0.6, color=PALETTE[0],
               label=tr("members with {n}+ orders", n=many))
    lims = [float(shrunk[own].min()), float(shrunk[own].max())]
    ax.plot(lims, lims, color="grey", linestyle=":", label=tr("no shrinkage"))
    if overall is not None:
        ax.axhline(overall, color=PALETTE[5], linewidth=1, label=tr("all members' typical value"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(tr("Member's own typical value, log scale"))
    ax.set_ylabel(tr("Shrunken estimate, log scale"))
    ax.legend(fontsize="small")
    return ax


def csat_mixed(
    data: pd.DataFrame,
    terms: str = CSAT_TERMS,
    *,
    outcome: str = "csat",
    group: str = "agent_id",
    reml: bool = True,
    key: str | None = "contact_id",
):
    r"""Linear mixed model of the score with a random intercept per agent.

    .. math::

        \mathrm{CSAT}_{ij} = \beta_0 + x_{ij}'\beta + u_j + e_{ij}, \qquad
        u_j \sim N(0, \tau^2), \quad e_{ij} \sim N(0, \sigma^2)

    Assumes the agents' intercepts are independent of the regressors and
    normal; standard errors are model-based. See
    :func:`intra_agent_correlation` for :math:`\tau^2/(\tau^2 + \sigma^2)`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per contact.
    terms : str
        Formula right-hand side (use ``"1"`` for the empty model).
    outcome : str
        The score column.
    group : str
        Column identifying the agent.
    reml : bool
        Restricted maximum likelihood (default) or maximum likelihood.
    key : str or None, default "contact_id"
        Column of ``data`` that identifies a support contact: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels MixedLMResultsWrapper

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import support_frame
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_mixed(frame, "first_contact_resolution")
    >>> int(fit.model.n_groups)
    100
    """
    import statsmodels.formula.api as smf

    _check_name(outcome, "outcome")
    _check_name(group, "group")
    if not isinstance(reml, bool):
        raise ValueError(f"reml: expected True or False; found {reml!r}")
    frame = _model_frame(data, outcome, terms, [group], name="data")
    check_unique(data, key, name="data")
    n_groups = frame[group].nunique()
    if n_groups < 3:
        raise ValueError(f"data: column {group!r} should identify at least 3 agents; found {n_groups}")
    # Powell first: statsmodels' default (BFGS) stalls on some of these
    # likelihoods and retries with a warning; L-BFGS polishes the optimum.
    return smf.mixedlm(f"{outcome} ~ {terms}", frame, groups=frame[group]).fit(reml=reml, method=["powell", "lbfgs"])


def intra_agent_correlation(result) -> pd.Series:
    r"""Share of the score's residual variance that lies between agents.

    .. math::

        \rho = \frac{\tau^2}{\tau^2 + \sigma^2}, \qquad
        \mathrm{deff} = 1 + (\bar m - 1)\rho

    where :math:`\bar m` is the mean number of contacts per agent. The
    design effect says how much the variance of an agent-level coefficient
    is understated by errors that treat contacts as independent (Moulton,
    1990; Kish's design effect). This :math:`\rho` is on the scale of the
    score, conditional on the model's regressors; it is not the latent
    :math:`\sigma_u^2/(\sigma_u^2 + \pi^2/3)` of an ordered logit.

    Parameters
    ----------
    result : MixedLMResults
        A random-intercept fit, e.g. from :func:`csat_mixed`.

    Returns
    -------
    pandas.Series
        ``between_variance``, ``within_variance``, ``icc``,
        ``mean_cluster_size`` and ``design_effect``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import support_frame
    >>> fit = csat_mixed(support_frame(load("contacts"), load("agents")), "1")
    >>> bool(0 < intra_agent_correlation(fit)["icc"] < 1)
    True
    """
    from statsmodels.regression.mixed_linear_model import MixedLM

    _check_result(result)
    if not isinstance(result.model, MixedLM):
        raise TypeError(f"result: expected a MixedLM fit (see csat_mixed); found {type(result.model).__name__}")
    cov_re = np.asarray(result.cov_re, dtype=float)
    if cov_re.shape != (1, 1):
        raise ValueError(f"result: expected a random-intercept model (one random effect); found {cov_re.shape[0]}")
    between = float(cov_re[0, 0])
    within = float(result.scale)
    icc = between / (between + within)
    m = float(result.model.nobs) / float(result.model.n_groups)
    return pd.Series({"between_variance": between, "within_variance": within, "icc": icc,
                      "mean_cluster_size": m, "design_effect": 1 + (m - 1) * icc})
