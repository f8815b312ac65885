r"""Mediation analysis: splitting a treatment's effect into the part through a mediator and the rest.

Chapter 4 asks how much of the empowerment pilot's effect on CSAT runs through
agents' engagement. :func:`mediation_effects` fits two OLS regressions
(Baron & Kenny, 1986; Imai, Keele & Tingley, 2010),

.. math::

    M = \alpha_0 + a\,T + \gamma'C + e_M, \qquad
    Y = \beta_0 + c'\,T + b\,M + \delta'C + e_Y,

and reports the indirect effect :math:`ab`, the direct effect :math:`c'`, the
total :math:`ab + c'` and the share mediated, with percentile intervals from a
seeded bootstrap over rows (whole units, e.g. agents).

The split is causal only under *sequential ignorability*: the treatment is as
good as random given the covariates :math:`C` (true when it was randomised),
**and** so is the mediator given the treatment and :math:`C`. Randomising the
treatment does not randomise the mediator. The linear form also assumes no
treatment–mediator interaction.

It takes any DataFrame with one row per unit; the treatment, mediator, outcome
and covariate columns are arguments, and Kopilka's agent-level names
(``empowered``, ``engagement``, ``mean_csat``) are only the defaults. Inputs are
checked and never modified.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.mediation import mediation_effects
>>> mean_csat = load("contacts").groupby("agent_id")["csat"].mean().rename("mean_csat")
>>> per_agent = load("agents").join(mean_csat, on="agent_id")
>>> table = mediation_effects(per_agent, n_boot=200)
>>> list(table.index)
['a_path', 'b_path', 'indirect', 'direct', 'total', 'share_mediated']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_course.formulas import _check_level, _check_name, _check_seed
from crm_course.validation import check_frame, check_number, check_unique

__all__ = [
    "mediation_effects",
    "mediation_sensitivity",
]


def mediation_effects(
    data: pd.DataFrame,
    *,
    treatment: str = "empowered",
    mediator: str = "engagement",
    outcome: str = "mean_csat",
    covariates: Sequence[str] = (),
    n_boot: int = 2000,
    seed: int = 2002,
    level: float = 0.95,
    key: str | None = "agent_id",
) -> pd.DataFrame:
    r"""Split a treatment's effect into the part through a mediator and the rest.

    Two OLS regressions (Baron & Kenny, 1986; Imai, Keele & Tingley, 2010):

    .. math::

        M = \alpha_0 + a\,T + \gamma'C + e_M, \qquad
        Y = \beta_0 + c'\,T + b\,M + \delta'C + e_Y

    give the indirect effect :math:`a b`, the direct effect :math:`c'` and
    the total :math:`ab + c'`. Intervals are percentile intervals of a
    seeded bootstrap over rows (resampling whole units, e.g. agents).

    The decomposition is causal only under *sequential ignorability*: the
    treatment is as good as random given :math:`C` (true when it was
    randomised), **and** the mediator is as good as random given the
    treatment and :math:`C`: nothing unmeasured drives both the mediator and
    the outcome. Randomising the treatment does not randomise the mediator.
    The linear form also assumes no treatment–mediator interaction.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (e.g. :func:`~crm_course.kopilka.support.agent_summary`).
    treatment, mediator, outcome : str
        Column names; ``treatment`` may be True/False.
    covariates : sequence of str
        Pre-treatment controls for both equations.
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.
    level : float
        Interval level.
    key : str or None, default "agent_id"
        Column of ``data`` that identifies an agent: a repeated value is an
        error (the agent would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Rows ``a_path`` (treatment → mediator), ``b_path`` (mediator →
        outcome), ``indirect``, ``direct``, ``total`` and ``share_mediated``
        (indirect / total; unstable when the total is near zero), with
        ``estimate``, ``ci_low`` and ``ci_high``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import agent_summary
    >>> per_agent = agent_summary(load("contacts"), load("agents"))
    >>> table = mediation_effects(per_agent, n_boot=200)
    >>> list(table.index)
    ['a_path', 'b_path', 'indirect', 'direct', 'total', 'share_mediated']
    """
    for value, label in ((treatment, "treatment"), (mediator, "mediator"), (outcome, "outcome")):
        _check_name(value, label)
    if isinstance(covariates, str) or not isinstance(covariates, Sequence):
        raise ValueError(f"covariates: expected a list of column names; found {covariates!r}")
    covariates = list(covariates)
    names = [treatment, mediator, outcome, *covariates]
    if len(set(names)) < len(names):
        raise ValueError(f"treatment, mediator, outcome and covariates should be different columns; found {names}")
    n_boot = int(check_number(n_boot, "n_boot", low=10, integer=True))
    seed = _check_seed(seed)
    level = _check_level(level)
    check_frame(data, {treatment: "bool", mediator: "numeric", outcome: "numeric",
                       **{c: "numeric" for c in covariates}}, name="data", min_rows=len(covariates) + 4)
    check_unique(data, key, name="data")
    frame = data[names].astype(float)
    t = frame[treatment].to_numpy()
    if np.unique(t).size < 2:
        raise ValueError(f"data: column {treatment!r} should have treated and untreated units; found one value only")
    n = len(frame)
    ones = np.ones(n)
    cov_block = frame[covariates].to_numpy() if covariates else np.empty((n, 0))
    xm = np.column_stack([ones, t, cov_block])
    xy = np.column_stack([ones, t, frame[mediator].to_numpy(), cov_block])
    m = frame[mediator].to_numpy()
    y = frame[outcome].to_numpy()
    for x, label in ((xm, "mediator"), (xy, "outcome")):
        if np.linalg.matrix_rank(x) < x.shape[1]:
            raise ValueError(f"data: the {label} equation's regressors are collinear; drop a covariate")

    def estimates(idx: np.ndarray) -> np.ndarray:
        """a, b, c' for each row of bootstrap indices (B x n)."""
        bm = np.linalg.pinv(xm[idx]) @ m[idx][..., None]
        by = np.linalg.pinv(xy[idx]) @ y[idx][..., None]
        return np.column_stack([bm[:, 1, 0], by[:, 2, 0], by[:, 1, 0]])

    point = estimates(np.arange(n)[None, :])[0]
    rng = np.random.default_rng(seed)
    boots = np.vstack([estimates(rng.integers(0, n, size=(min(500, n_boot - s), n)))
                       for s in range(0, n_boot, 500)])

    def derived(abc: np.ndarray) -> np.ndarray:
        a, b, c = abc[..., 0], abc[..., 1], abc[..., 2]
        total = a * b + c
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total != 0, a * b / total, np.nan)
        return np.stack([a, b, a * b, c, total, share], axis=-1)

    est = derived(point)
    dist = derived(boots)
    alpha = 1 - level
    low = np.nanpercentile(dist, 100 * alpha / 2, axis=0)
    high = np.nanpercentile(dist, 100 * (1 - alpha / 2), axis=0)
    index = pd.Index(["a_path", "b_path", "indirect", "direct", "total", "share_mediated"], name="effect")
    return pd.DataFrame({"estimate": est, "ci_low": low, "ci_high": high}, index=index)


def mediation_sensitivity(
    data: pd.DataFrame,
    *,
    treatment: str = "empowered",
    mediator: str = "engagement",
    outcome: str = "mean_csat",
    covariates: Sequence[str] = (),
    rho: Sequence[float] | np.ndarray | None = None,
    n_boot: int = 0,
    seed: int = 2002,
) -> pd.DataFrame:
    r"""How the indirect effect changes if the mediator is confounded (Imai, Keele & Yamamoto, 2010).

    Sequential ignorability cannot be tested: something unmeasured may drive both the
    mediator and the outcome. Let :math:`\rho` be the correlation between the errors of
    the mediator equation and of the outcome equation; the estimate of
    :func:`mediation_effects` assumes :math:`\rho = 0`. In the linear model the indirect
    effect (ACME) at any :math:`\rho` is

    .. math::

        \mathrm{ACME}(\rho) = \frac{a\,\sigma_1}{\sigma_2}\Bigl[\tilde\rho
            - \rho\sqrt{\frac{1 - \tilde\rho^2}{1 - \rho^2}}\Bigr],

    with :math:`a` the treatment's effect on the mediator, :math:`\sigma_2` the
    mediator equation's residual standard deviation, :math:`\sigma_1` that of the
    outcome regressed on the treatment and covariates only, and :math:`\tilde\rho` the
    correlation of those two sets of residuals. At :math:`\rho = 0` it equals
    :math:`ab`; it is zero exactly at :math:`\rho = \tilde\rho`, the confounding a
    reader must find plausible to dismiss the indirect effect.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, as for :func:`mediation_effects`. Not modified.
    treatment, mediator, outcome : str
        Column names; ``treatment`` may be True/False.
    covariates : sequence of str
        Pre-treatment controls for every equation.
    rho : sequence of float, optional
        Correlations to evaluate, each in (-1, 1) (default -0.9 to 0.9 by 0.05).
    n_boot : int, default 0
        Bootstrap resamples of the rows for a 95% percentile band around the curve
        (none by default), as Imai, Keele & Tingley (2010) report it.
    seed : int, default 2002
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        ``rho`` and ``acme`` (the indirect effect under that confounding), with
        ``n_boot`` also ``acme_low`` and ``acme_high``;
        ``attrs["rho_at_zero"]`` is the :math:`\rho` at which the indirect effect
        vanishes (:math:`\tilde\rho`, the observed residual correlation) and, with
        ``n_boot``, ``attrs["rho_band_reaches_zero"]`` the smallest :math:`\rho` of the grid
        at or above 0 whose band includes zero (NaN if none does).

    References
    ----------
    Imai, K., Keele, L. & Yamamoto, T. (2010). Identification, inference and
    sensitivity analysis for causal mediation effects. *Statistical Science*, 25(1),
    51-71.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import agent_summary
    >>> per_agent = agent_summary(load("contacts"), load("agents"))
    >>> table = mediation_sensitivity(per_agent, rho=[0.0])
    >>> point = mediation_effects(per_agent, n_boot=10).loc["indirect", "estimate"]
    >>> bool(abs(table["acme"].iloc[0] - point) < 1e-9)
    True
    """
    for value, label in ((treatment, "treatment"), (mediator, "mediator"), (outcome, "outcome")):
        _check_name(value, label)
    if isinstance(covariates, str) or not isinstance(covariates, Sequence):
        raise ValueError(f"covariates: expected a list of column names; found {covariates!r}")
    covariates = list(covariates)
    names = [treatment, mediator, outcome, *covariates]
    if len(set(names)) < len(names):
        raise ValueError(f"treatment, mediator, outcome and covariates should be different columns; found {names}")
    grid = np.round(np.arange(-0.9, 0.9001, 0.05), 2) if rho is None else np.asarray(rho, dtype=float).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(np.abs(grid) >= 1):
        raise ValueError(f"rho: expected correlations strictly between -1 and 1; found {rho!r}")
    check_frame(data, {treatment: "bool", mediator: "numeric", outcome: "numeric",
                       **{c: "numeric" for c in covariates}}, name="data", min_rows=len(covariates) + 4)
    frame = data[names].astype(float)
    t = frame[treatment].to_numpy()
    if np.unique(t).size < 2:
        raise ValueError(f"data: column {treatment!r} should have treated and untreated units; found one value only")
    n = len(frame)
    x = np.column_stack([np.ones(n), t, frame[covariates].to_numpy() if covariates else np.empty((n, 0))])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("data: the treatment and covariates are collinear; drop a covariate")
    n_boot = int(check_number(n_boot, "n_boot", low=0, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    m = frame[mediator].to_numpy()
    y = frame[outcome].to_numpy()

    def curve(rows: np.ndarray) -> tuple[np.ndarray, float]:
        xs, ms, ys = x[rows], m[rows], y[rows]
        coef_m, *_ = np.linalg.lstsq(xs, ms, rcond=None)
        coef_y, *_ = np.linalg.lstsq(xs, ys, rcond=None)
        e_m, e_y = ms - xs @ coef_m, ys - xs @ coef_y
        sigma_m, sigma_y = e_m.std(), e_y.std()
        if sigma_m == 0 or sigma_y == 0:
            return np.full(grid.shape, np.nan), np.nan
        rho_tilde = float(np.corrcoef(e_m, e_y)[0, 1])
        a = float(coef_m[1])
        return a * sigma_y / sigma_m * (rho_tilde - grid * np.sqrt((1 - rho_tilde**2) / (1 - grid**2))), rho_tilde

    acme, rho_tilde = curve(np.arange(n))
    if np.isnan(rho_tilde):
        raise ValueError("data: the mediator or the outcome is fully explained by the treatment and covariates")
    out = pd.DataFrame({"rho": grid, "acme": acme})
    out.attrs["rho_at_zero"] = rho_tilde
    if n_boot:
        rng = np.random.default_rng(seed)
        draws = np.array([curve(rng.integers(0, n, size=n))[0] for _ in range(n_boot)])
        out["acme_low"], out["acme_high"] = np.nanpercentile(draws, [2.5, 97.5], axis=0)
        reaches = (grid >= 0) & (out["acme_low"].to_numpy() <= 0) & (out["acme_high"].to_numpy() >= 0)
        out.attrs["rho_band_reaches_zero"] = float(grid[reaches].min()) if reaches.any() else float("nan")
    return out
