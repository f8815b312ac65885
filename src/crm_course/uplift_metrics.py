r"""Uplift metrics for a randomised experiment: the Qini curve and coefficient, the uplift curve, AUUC, bootstrap bands.

Chapter 3 ranks customers by a score (a predicted uplift, a purchase
probability, anything) and asks how much better than random that ranking
targets an offer. The arms of a randomised experiment answer it: among the
top of the ranking, compare the customers who happened to get the offer with
those who happened not to. Models and the cumulative gain (profit) curve are
in :mod:`crm_course.uplift`; this module measures rankings:

* :func:`qini_curve` — the Qini curve and the uplift curve of a score, at
  every cut-off of the ranking, with the random-targeting baseline;
* :func:`qini_coefficient` — the area between the Qini curve and the random
  line, optionally normalised by the perfect ranking, with a bootstrap
  interval;
* :func:`auuc` — the area under the uplift curve, with a bootstrap interval;
* :func:`qini_band` — the Qini curve on a grid of shares with a pointwise
  bootstrap band;
* :func:`plot_qini` — draw the curve, the random line and the band.

**Definitions.** Only the rows of the treatment and the control arm count.
Sort them by the score, highest first; customers with equal scores form one
block, which is targeted together (so the curves do not depend on the order
of the rows). For the top :math:`k` customers let :math:`N_t(k)` and
:math:`N_c(k)` be the numbers in the treatment and control arm and
:math:`R_t(k)`, :math:`R_c(k)` the sums of their outcomes (conversions, or any
numeric outcome); :math:`N_t`, :math:`N_c`, :math:`n = N_t + N_c` are the arm
sizes and :math:`\varphi = k / n` the share targeted. The *Qini curve*
(Radcliffe, 2007; Radcliffe & Surry, 2011) counts the extra outcomes among the
targeted treated customers, scaling the control arm to the size of the
treated one,

.. math:: g(k) = R_t(k) - R_c(k)\,\frac{N_t(k)}{N_c(k)};

the *uplift curve* (Gutierrez & Gérardy, 2017, §5) multiplies the difference
in mean outcomes among the targeted by how many they are,

.. math:: f(k) = \Bigl(\frac{R_t(k)}{N_t(k)} - \frac{R_c(k)}{N_c(k)}\Bigr)\,(N_t(k) + N_c(k)).

An arm with nobody among the top :math:`k` contributes 0 (so
:math:`g(k) = R_t(k)` until the first control customer appears), as in
scikit-uplift. This module reports both curves **per customer**:
:math:`g(k) / N_t` (per treated customer) and :math:`f(k) / n` (per customer
of the experiment). Both then estimate the same population quantity, the
extra outcome per customer if the top :math:`\varphi` were treated and nobody
else, :math:`G(\varphi) = E[\tau(X)\,1\{X \text{ in the top } \varphi\}]`
with :math:`\tau(x)` the true uplift; they differ only in how they use the
random imbalance of the arms within the top :math:`k`. At :math:`\varphi = 1`
both equal the difference in mean outcomes between the arms, the average
effect :math:`\bar\tau`, so the **random-targeting baseline** is the
straight line :math:`\varphi\,\bar\tau`: a score without information targets
an average slice at every depth.

The **Qini coefficient** is the area between the Qini curve and the random
line, and **AUUC** the area under the uplift curve, both over the share
targeted (trapezoids between the block ends, which is exact for the curve
drawn by joining them):

.. math:: Q = \int_0^1 \Bigl(\frac{g(\varphi)}{N_t} - \varphi\,\bar\tau\Bigr)\,d\varphi,
          \qquad \mathrm{AUUC} = \int_0^1 \frac{f(\varphi)}{n}\,d\varphi.

Random targeting gives :math:`Q = 0` and :math:`\mathrm{AUUC} = \bar\tau / 2`.
In this module's convention :math:`Q` is in the outcome's unit per customer
(extra conversions per customer, averaged over all targeting depths), has a
population value to estimate and a standard error, and is comparable between
experiments of different sizes. For example, if the uplift rises linearly in a
feature :math:`x \sim U(0, 1)`, :math:`\tau(x) = a + bx`, the ranking by
:math:`x` has :math:`G(\varphi) - \varphi\bar\tau = \tfrac b2 \varphi(1 - \varphi)`
and :math:`Q = b / 12`, whatever :math:`a`.

**When it is negative, and when it exceeds 1.** :math:`Q < 0` means the
ranking targets worse than random: it puts first the customers whom the offer
moves least, or moves the wrong way (a purchase-propensity score often ranks
"sure things", who buy anyway, and "sleeping dogs", whom an offer annoys,
first). A useless score gives :math:`Q` around 0, negative about half the
time; the bootstrap interval says whether 0 is plausible. The raw :math:`Q`
has no upper bound of 1; its largest possible value is that of the true
uplift ranking, and grows with how unequal the uplift is across customers.
Normalised coefficients are ratios, and whether they can exceed 1 depends on
the denominator:

* ``normalise=True`` here (and scikit-uplift's ``qini_auc_score`` with
  ``negative_effect=True``) divides by the area of the *perfect* ranking of
  the realised outcomes: treated customers with the largest outcome first,
  control customers with the largest outcome last. That ranking knows every
  customer's outcome, noise included, so a real score stays well below 1.
* Radcliffe's :math:`q_0` (scikit-uplift with ``negative_effect=False``)
  divides by the *zero-downlift* optimum, which assumes that nobody reacts
  against the offer: the curve rises at 45° to the total extra outcome and
  stays flat. When some customers do react against it, a good score
  climbs above that total before falling back, and :math:`q_0` exceeds 1.
* causalml's ``qini_score`` (``normalize=True``) divides the curve by the
  absolute total gain :math:`|g(n)|` and averages over customers: when the
  average effect is near zero it divides by nearly zero and can take any
  value, beyond 1 or below -1. Its ``auuc_score`` is the mean of the uplift
  curve divided by :math:`|f(n)|`, about 0.5 for a random score.

For example, in a simulated experiment of 20,000 customers, half treated,
with a 10% base conversion rate and an uplift of :math:`-0.09 + 0.2x`
(negative for almost half of them; 0.01 on average), the ranking by the true
uplift has :math:`Q` = 0.017 here (the truth is 0.2 / 12), 0.17 with
``normalise=True`` and 1.39 by causalml's formula. Compare scores only within
one convention, and prefer the unnormalised area with its interval when
comparing campaigns.

**Bootstrap.** :func:`qini_band`, and :func:`qini_coefficient` and
:func:`auuc` with ``n_boot``, resample customers with replacement *within each
arm* (so every replicate has the experiment's arm sizes), keep each customer's
score, and recompute; the interval is the percentile interval of the
replicates. It describes the sampling uncertainty of evaluating a fixed score
on this experiment, not the uncertainty of the model that produced it.

Every function takes any experiment table with one row per customer, an arm
column, an outcome and a score, all named by arguments; Kopilka's names
(``arm`` with ``"personalised"`` and ``"none"``, ``converted``) are only the
defaults. Inputs are checked and never modified.

References
----------
Gutierrez, P., & Gérardy, J.-Y. (2017). Causal inference and uplift modelling:
A review of the literature. *Proceedings of the 3rd International Conference
on Predictive Applications and APIs*, PMLR 67, 1–13.

Radcliffe, N. J. (2007). Using control groups to target on predicted lift:
Building and assessing uplift models. *Direct Marketing Analytics Journal*
(Direct Marketing Association Analytics Council), 1, 14–21.

Radcliffe, N. J., & Surry, P. D. (2011). Real-world uplift modelling with
significance-based uplift trees. Stochastic Solutions, Technical Report
TR-2011-1.

Examples
--------
>>> import pandas as pd
>>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
...                     "converted": [1, 0, 1, 0, 0, 1, 0, 0],
...                     "score": [4, 4, 3, 3, 2, 2, 1, 1]})
>>> float(qini_coefficient(toy, "score", arms=None)["qini_coefficient"])
0.15625
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.experiments import ARMS, _check_level, _score
from crm_course.language import tr
from crm_course.uplift import _evaluation_rows
from crm_course.validation import check_frame, check_number

__all__ = [
    "auuc",
    "plot_qini",
    "qini_band",
    "qini_coefficient",
    "qini_curve",
]

#: Largest number of (replicate x customer) cells held at once by the bootstrap.
_CELLS_PER_CHUNK = 2_000_000


def _experiment(df, score, outcome, arm, treatment, control, arms):
    """Outcome, treated flag and score of the two arms' rows, sorted by score (highest first)."""
    is_t, is_c = _evaluation_rows(df, outcome, arm, treatment, control, arms)
    s = _score(df, score)
    keep = is_t | is_c
    y = df[outcome].to_numpy(dtype=float)[keep]
    t = is_t[keep]
    s = s[keep]
    order = np.argsort(-s, kind="stable")
    y, t, s = y[order], t[order], s[order]
    # The last position of each block of equal scores: a block is targeted whole.
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    return y, t, ends


def _curves(y: np.ndarray, t: np.ndarray, ends: np.ndarray, weights: np.ndarray | None = None):
    """Share targeted, Qini per treated customer and uplift per customer at (0 and) every block end.

    With ``weights`` (replicates x customers, e.g. bootstrap counts) every row
    of the result is one replicate.
    """
    w = np.ones((1, len(y))) if weights is None else weights
    wt = w * t
    wc = w - wt
    zero = np.zeros((w.shape[0], 1))
    nt = np.hstack([zero, np.cumsum(wt, axis=1)[:, ends]])
    nc = np.hstack([zero, np.cumsum(wc, axis=1)[:, ends]])
    rt = np.hstack([zero, np.cumsum(wt * y, axis=1)[:, ends]])
    rc = np.hstack([zero, np.cumsum(wc * y, axis=1)[:, ends]])
    with np.errstate(divide="ignore", invalid="ignore"):
        # An arm with nobody among the targeted contributes 0 (0 * x / 0 := 0).
        mean_t = np.where(nt > 0, rt / nt, 0.0)
        mean_c = np.where(nc > 0, rc / nc, 0.0)
    k = nt + nc
    n = k[:, -1:]
    share = k / n
    qini = (rt - nt * mean_c) / nt[:, -1:]
    uplift = (mean_t - mean_c) * k / n
    return share, qini, uplift, nt, nc, rt, rc


def _area(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Trapezoid area under each row of ``y`` over ``x`` (same shape)."""
    return 0.5 * ((x[:, 1:] - x[:, :-1]) * (y[:, 1:] + y[:, :-1])).sum(axis=1)


def _areas(share, qini, uplift) -> tuple[np.ndarray, np.ndarray]:
    ate = qini[:, -1]
    return _area(share, qini) - ate / 2, _area(share, uplift)


def _perfect_score(y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The ranking that knows the outcomes: treated high outcomes first, control high outcomes last."""
    return np.where(t, y, -y)


def _replicates(y, t, ends, n_boot: int, rng: np.random.Generator) -> Iterator[tuple[np.ndarray, ...]]:
    """Bootstrap curves, resampling customers with replacement within each arm, in chunks of replicates."""
    n = len(y)
    # Positions of the treated customers first, then of the control customers: a draw u in [0, 1)
    # picks position floor(u * size) of its own arm, so every replicate keeps both arm sizes.
    members = np.r_[np.flatnonzero(t), np.flatnonzero(~t)]
    size = np.where(np.arange(n) < t.sum(), t.sum(), n - t.sum())
    start = np.where(np.arange(n) < t.sum(), 0, t.sum())
    chunk = max(1, min(n_boot, _CELLS_PER_CHUNK // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        # One row of draws per replicate, drawn in replicate order: the chunk size does not change them.
        picks = members[start + np.floor(rng.random((b, n)) * size).astype(np.int64)]
        rows = np.repeat(np.arange(b) * n, n)
        w = np.bincount(rows + picks.ravel(), minlength=b * n).reshape(b, n).astype(float)
        yield _curves(y, t, ends, w)[:3]
        done += b


def _rng(rng: Any, n_boot: int) -> np.random.Generator | None:
    check_number(n_boot, "n_boot", low=0, integer=True)
    if n_boot == 0:
        return None
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)) or a seed to draw the bootstrap; "
        f"found {type(rng).__name__}"
    )


def _interval(estimate: float, draws: np.ndarray, level: float, name: str) -> pd.Series:
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return pd.Series({name: estimate, "se": float(draws.std(ddof=1)), "ci_low": float(lo), "ci_high": float(hi),
                      "n_boot": len(draws)})


def qini_curve(
    df: pd.DataFrame,
    score: Any,
    outcome: str = "converted",
    *,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
) -> pd.DataFrame:
    """The Qini curve and the uplift curve of a score, at every cut-off of its ranking.

    Customers of the two arms are ranked by ``score``, highest first, and
    targeted block by block (equal scores together). At each block end the
    Qini curve :math:`g(k) / N_t` and the uplift curve :math:`f(k) / n` are
    computed as defined in the module docstring; ``random`` is the straight
    line :math:`\\varphi\\,\\bar\\tau` that both would follow, on average, for
    a score without information.

    Parameters
    ----------
    df : pandas.DataFrame
        A randomised experiment, one row per customer (held-out customers if
        the score came from a model); rows of other arms are ignored.
    score : str, array-like or pandas.Series
        Higher means target first (a predicted uplift, a propensity, ...).
    outcome : str
        A numeric outcome without missing values (0/1 conversion, spend, profit).
    treatment, control : str
        Labels of the two arms in ``arm``.
    arm : str
        The arm column.
    arms : sequence of str or None
        Every label the arm column may hold (Kopilka's three by default);
        None accepts any labels.

    Returns
    -------
    pandas.DataFrame
        One row for nobody targeted and one per block end: ``share_targeted``
        (:math:`\\varphi`), ``n_targeted``, ``n_treated``, ``n_control`` and
        ``outcome_treated``, ``outcome_control`` (:math:`N_t(k)`,
        :math:`N_c(k)`, :math:`R_t(k)`, :math:`R_c(k)`), ``qini`` (per
        treated customer of the experiment), ``uplift`` (per customer) and
        ``random``. Multiply ``qini`` by :math:`N_t` (or ``uplift`` by
        :math:`n`) for the counts of extra outcomes the literature plots.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "converted": [1, 0, 1, 0, 0, 1, 0, 0],
    ...                     "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    >>> qini_curve(toy, "score", arms=None)[["share_targeted", "qini", "random"]]
       share_targeted  qini  random
    0            0.00  0.00  0.0000
    1            0.25  0.25  0.0625
    2            0.50  0.50  0.1250
    3            0.75  0.25  0.1875
    4            1.00  0.25  0.2500
    """
    y, t, ends = _experiment(df, score, outcome, arm, treatment, control, arms)
    share, qini, uplift, nt, nc, rt, rc = (a[0] for a in _curves(y, t, ends))
    return pd.DataFrame({
        "share_targeted": share, "n_targeted": (nt + nc).astype(np.int64), "n_treated": nt.astype(np.int64),
        "n_control": nc.astype(np.int64), "outcome_treated": rt, "outcome_control": rc,
        "qini": qini, "uplift": uplift, "random": share * qini[-1],
    })


def qini_coefficient(
    df: pd.DataFrame,
    score: Any,
    outcome: str = "converted",
    *,
    normalise: bool = False,
    n_boot: int = 0,
    rng: np.random.Generator | int | None = None,
    level: float = 0.95,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
) -> pd.Series:
    """Qini coefficient: the area between a score's Qini curve and the random line.

    .. math:: Q = \\int_0^1 \\Bigl(\\frac{g(\\varphi)}{N_t} - \\varphi\\,\\bar\\tau\\Bigr)\\,d\\varphi,

    in the outcome's unit per customer (see the module docstring for the
    definitions, and for when normalised coefficients exceed 1). 0 for
    random targeting; negative when the score targets worse than random.

    Parameters
    ----------
    df, score, outcome, treatment, control, arm, arms
        As in :func:`qini_curve`.
    normalise : bool
        Divide by the coefficient of the perfect ranking of the realised
        outcomes (treated customers with high outcomes first, control
        customers with high outcomes last): the convention of scikit-uplift's
        ``qini_auc_score(negative_effect=True)``. Off by default: the raw
        area has a population value, the normalised one depends on the noise
        of the sample.
    n_boot : int
        Bootstrap replicates for an interval (0: none). Customers are
        resampled with replacement within each arm; scores are kept.
    rng : numpy.random.Generator or int
        Source of the bootstrap draws (or its seed); required when
        ``n_boot > 0``.
    level : float
        Level of the percentile interval.

    Returns
    -------
    pandas.Series
        ``qini_coefficient``; with ``n_boot``, also ``se`` (the standard
        deviation of the replicates), ``ci_low``, ``ci_high`` and ``n_boot``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> x = rng.random(4000)
    >>> treated = rng.random(4000) < 0.5
    >>> converted = rng.random(4000) < 0.1 + treated * 0.2 * x      # uplift 0.2 x: Q = 0.2 / 12
    >>> toy = pd.DataFrame({"arm": np.where(treated, "personalised", "none"), "converted": converted, "x": x})
    >>> q = qini_coefficient(toy, "x", arms=None, n_boot=200, rng=rng)
    >>> bool(q["ci_low"] < 0.2 / 12 < q["ci_high"])
    True
    """
    level = _check_level(level)
    generator = _rng(rng, n_boot)
    y, t, ends = _experiment(df, score, outcome, arm, treatment, control, arms)
    share, qini, uplift = _curves(y, t, ends)[:3]
    q = float(_areas(share, qini, uplift)[0][0])
    scale = 1.0
    if normalise:
        perfect = _perfect_score(y, t)
        order = np.argsort(-perfect, kind="stable")
        ps = perfect[order]
        p_ends = np.flatnonzero(np.r_[ps[1:] != ps[:-1], True])
        scale = float(_areas(*_curves(y[order], t[order], p_ends)[:3])[0][0])
        if scale <= 0:
            raise ValueError("normalise: the perfect ranking has no area above the random line "
                             "(every outcome is equal); use normalise=False")
    name = "qini_coefficient"
    if generator is None:
        return pd.Series({name: q / scale})
    draws = np.concatenate([_areas(*rep)[0] for rep in _replicates(y, t, ends, int(n_boot), generator)])
    return _interval(q / scale, draws / scale, level, name)


def auuc(
    df: pd.DataFrame,
    score: Any,
    outcome: str = "converted",
    *,
    n_boot: int = 0,
    rng: np.random.Generator | int | None = None,
    level: float = 0.95,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
) -> pd.Series:
    """Area under the uplift curve (AUUC), per customer.

    .. math:: \\mathrm{AUUC} = \\int_0^1 \\frac{f(\\varphi)}{n}\\,d\\varphi,

    with :math:`f` the uplift curve of Gutierrez & Gérardy (2017) (module
    docstring). A random score gives about :math:`\\bar\\tau / 2`, reported as
    ``random``; the excess over it is the uplift-curve analogue of the Qini
    coefficient. scikit-uplift's ``uplift_auc_score`` instead normalises the
    excess by that of a perfect ranking, and causalml's ``auuc_score`` divides
    the curve by :math:`|f(n)|`, so their numbers are not comparable with
    these.

    Parameters
    ----------
    df, score, outcome, treatment, control, arm, arms
        As in :func:`qini_curve`.
    n_boot, rng, level
        As in :func:`qini_coefficient`.

    Returns
    -------
    pandas.Series
        ``auuc`` and ``random`` (:math:`\\bar\\tau/2`); with ``n_boot``, also
        ``se``, ``ci_low``, ``ci_high`` and ``n_boot`` for ``auuc``.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "converted": [1, 0, 1, 0, 0, 1, 0, 0],
    ...                     "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    >>> auuc(toy, "score", arms=None).tolist()
    [0.28125, 0.125]
    """
    level = _check_level(level)
    generator = _rng(rng, n_boot)
    y, t, ends = _experiment(df, score, outcome, arm, treatment, control, arms)
    share, qini, uplift = _curves(y, t, ends)[:3]
    area = float(_areas(share, qini, uplift)[1][0])
    random = float(uplift[0, -1] / 2)
    if generator is None:
        return pd.Series({"auuc": area, "random": random})
    draws = np.concatenate([_areas(*rep)[1] for rep in _replicates(y, t, ends, int(n_boot), generator)])
    out = _interval(area, draws, level, "auuc")
    return pd.concat([out.iloc[:1], pd.Series({"random": random}), out.iloc[1:]])


def _on_grid(share: np.ndarray, curve: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Each row of a curve, drawn by joining its points, read at the shares of ``grid``."""
    return np.vstack([np.interp(grid, s, c) for s, c in zip(share, curve, strict=True)])


def qini_band(
    df: pd.DataFrame,
    score: Any,
    outcome: str = "converted",
    *,
    rng: np.random.Generator | int,
    n_boot: int = 1000,
    level: float = 0.95,
    shares: Sequence[float] | None = None,
    treatment: str = "personalised",
    control: str = "none",
    arm: str = "arm",
    arms: Sequence[str] | None = ARMS,
    relative: bool = False,
) -> pd.DataFrame:
    """The Qini curve on a grid of shares targeted, with a pointwise bootstrap band.

    The curve of :func:`qini_curve`, joined linearly between block ends and
    read at ``shares``; the band holds, at each share, the central ``level``
    of the bootstrap replicates (customers resampled within each arm, scores
    kept). Pointwise: at each share separately, not for the whole curve at
    once.

    Parameters
    ----------
    df, score, outcome, treatment, control, arm, arms
        As in :func:`qini_curve`.
    rng : numpy.random.Generator or int
        Source of the bootstrap draws (or its seed).
    n_boot : int
        Bootstrap replicates, at least 2.
    level : float
        Level of the band.
    shares : sequence of float, optional
        Shares targeted in [0, 1]; by default 0, 0.01, ..., 1.

    relative : bool, default False
        Give the curve *minus the random line* and its band: each bootstrap
        replicate subtracts its own random line, so the band shows the noise
        of the ranking's gain over random targeting only, without the noise
        of the total lift (which makes the plain band widest at 100%, where a
        ranking has no skill to show). ``random`` is then 0.

    Returns
    -------
    pandas.DataFrame
        ``share_targeted``, ``qini``, ``random``, ``ci_low``, ``ci_high``
        (all per treated customer, as in :func:`qini_curve`).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> toy = pd.DataFrame({"arm": np.where(rng.random(400) < 0.5, "personalised", "none"),
    ...                     "converted": rng.random(400) < 0.2, "score": rng.random(400)})
    >>> band = qini_band(toy, "score", arms=None, rng=rng, n_boot=100, shares=[0, 0.5, 1])
    >>> list(band.columns), bool((band["ci_low"] <= band["qini"]).all())
    (['share_targeted', 'qini', 'random', 'ci_low', 'ci_high'], True)
    >>> gain = qini_band(toy, "score", arms=None, rng=3, n_boot=100, shares=[0, 0.5, 1], relative=True)
    >>> bool(gain[["qini", "ci_low", "ci_high"]].iloc[-1].abs().max() < 1e-12)   # no skill to show at 100%
    True
    """
    level = _check_level(level)
    check_number(n_boot, "n_boot", low=2, integer=True)
    generator = _rng(rng, n_boot)
    grid = np.linspace(0, 1, 101) if shares is None else np.asarray(list(shares), dtype=float)
    if grid.size == 0 or not np.isfinite(grid).all() or (grid < 0).any() or (grid > 1).any():
        raise ValueError(f"shares: expected shares between 0 and 1; found {grid.tolist()}")
    y, t, ends = _experiment(df, score, outcome, arm, treatment, control, arms)
    share, qini, _ = _curves(y, t, ends)[:3]
    estimate = _on_grid(share, qini, grid)[0]
    random = grid * qini[0, -1]
    keep = 1.0 if relative else 0.0
    reps = np.vstack([_on_grid(s, q, grid) - keep * grid * q[:, -1:]
                      for s, q, _ in _replicates(y, t, ends, int(n_boot), generator)])
    lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2], axis=0)
    if relative:
        estimate, random = estimate - random, np.zeros_like(grid)
    return pd.DataFrame({"share_targeted": grid, "qini": estimate, "random": random, "ci_low": lo, "ci_high": hi})


def plot_qini(
    curves: pd.DataFrame | dict[str, pd.DataFrame],
    *,
    ax=None,
    scale: float = 1.0,
    ylabel: str | None = None,
    title: str | None = None,
):
    """Draw Qini curves with the random-targeting line and, where given, their bootstrap bands.

    Parameters
    ----------
    curves : pandas.DataFrame or mapping of label to DataFrame
        Outputs of :func:`qini_band` (curve, random line and band) or of
        :func:`qini_curve` (curve and random line). Several are drawn on one
        set of axes; the random line of the first is drawn once.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    scale : float
        Multiply the curves by this (e.g. 100 to show conversions per 100
        treated customers; say so in ``ylabel``).
    ylabel, title : str, optional
        By default "Extra outcomes per treated customer" and "Qini curve", in
        the current language. A single DataFrame's curve is labelled "score".

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"arm": ["personalised", "none"] * 4,
    ...                     "converted": [1, 0, 1, 0, 0, 1, 0, 0],
    ...                     "score": [4, 4, 3, 3, 2, 2, 1, 1]})
    >>> ax = plot_qini(qini_curve(toy, "score", arms=None))
    >>> ax.get_legend_handles_labels()[1]
    ['score', 'random targeting']
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE

    if isinstance(curves, pd.DataFrame):
        curves = {tr("score"): curves}
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves: expected a DataFrame from qini_curve or qini_band, or a dict of label -> DataFrame")
    for label, c in curves.items():
        if not isinstance(c, pd.DataFrame) or not {"share_targeted", "qini", "random"} <= set(c.columns):
            raise ValueError(f"curves[{label!r}]: expected a DataFrame from qini_curve or qini_band "
                             "(columns share_targeted, qini, random)")
        band = [col for col in ("ci_low", "ci_high") if col in c.columns]
        check_frame(c, dict.fromkeys(["share_targeted", "qini", "random", *band], "numeric"), name=f"curves[{label!r}]")
    check_number(scale, "scale", low=0, inclusive=False)
    if ax is None:
        _, ax = plt.subplots()
    for (label, c), colour in zip(curves.items(), PALETTE, strict=False):
        x = c["share_targeted"].to_numpy() * 100
        ax.plot(x, c["qini"].to_numpy() * scale, color=colour, label=label)
        if {"ci_low", "ci_high"} <= set(c.columns):
            ax.fill_between(x, c["ci_low"].to_numpy() * scale, c["ci_high"].to_numpy() * scale, color=colour,
                            alpha=0.2, linewidth=0)
    first = next(iter(curves.values()))
    ax.plot(first["share_targeted"].to_numpy() * 100, first["random"].to_numpy() * scale, color="grey",
            linestyle="--", label=tr("random targeting"))
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel(tr("Customers targeted, in order of the score (%)"))
    ax.set_ylabel(tr("Extra outcomes per treated customer") if ylabel is None else ylabel)
    ax.set_title(tr("Qini curve") if title is None else title)
    ax.legend()
    return ax
