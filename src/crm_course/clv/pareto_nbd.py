r"""The Pareto/NBD model of repeat purchasing: simulation, a numerically stable fit and predictions.

The Pareto/NBD (Schmittlein, Morrison & Colombo, 1987) is the model the BG/NBD
was built to approximate. While alive, a customer buys at the times of a
Poisson process with rate :math:`\lambda`; the customer's lifetime is
exponential with rate :math:`\mu`, so that dropping out can happen at any
moment, not only just after a purchase. Across customers
:math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` and
:math:`\mu \sim \mathrm{Gamma}(s, \beta)`, independently. A customer observed
for :math:`T` periods after the first purchase, with :math:`x` repeat
purchases, the last at :math:`t_x`, has likelihood (Fader & Hardie, 2005)

.. math::

    L = \frac{\Gamma(r + x)\,\alpha^{r}\beta^{s}}{\Gamma(r)} \Bigl[
        \frac{1}{(\alpha + T)^{r + x}(\beta + T)^{s}}
        + s \int_{t_x}^{T} \frac{d\tau}{(\alpha + \tau)^{r + x}(\beta + \tau)^{s + 1}} \Bigr],

"alive at :math:`T`" plus "dropped out at some :math:`\tau` between the last
purchase and :math:`T`". The integral is a difference of two Gauss
hypergeometric functions, and evaluating it naively is where implementations
fail: with many purchases the functions overflow and the difference cancels.
Here it is evaluated in a form that cannot overflow. With
:math:`m = r + s + x`, the branch trick of Fader & Hardie (2005) (expand
around :math:`\alpha` when :math:`\alpha \ge \beta`, around :math:`\beta`
otherwise, so that the argument :math:`z` lies in :math:`[0, 1)`) and Euler's
transformation give

.. math::

    s \int_{t}^{\infty} \frac{d\tau}{(\alpha + \tau)^{r + x}(\beta + \tau)^{s + 1}}
    = \frac{s}{m}\,\frac{F(t)}{(\alpha + t)^{r + x}(\beta + t)^{s}},

with :math:`F(t) = {}_2F_1(1, r + x; m + 1; z)` and
:math:`z = (\alpha - \beta)/(\alpha + t)` when :math:`\alpha \ge \beta`, and
:math:`F(t) = (1 - z)\,{}_2F_1(1, s + 1; m + 1; z)` with
:math:`z = (\beta - \alpha)/(\beta + t)` otherwise. Every term of these series
is positive and :math:`F` lies between :math:`1 - z` and :math:`1/(1 - z)`, so
it never overflows. The log of the ratio of the "dropped out" to the
"alive" term is then

.. math::

    D = \log\frac{s}{m} + E + \log F(t_x) + \log\bigl(1 - e^{\log F(T) - \log F(t_x) - E}\bigr),
    \quad E = (r + x)\log\frac{\alpha + T}{\alpha + t_x} + s \log\frac{\beta + T}{\beta + t_x} \ge 0,

so that :math:`\log L` is the log of the "alive" term plus
:math:`\mathrm{softplus}(D)`, and

.. math::

    P(\text{alive} \mid x, t_x, T) = \frac{1}{1 + e^{D}}.

Neither term is ever exponentiated on its own, so the likelihood and
:math:`P(\text{alive})` stay finite and accurate for any history (the tests
compare them with numerical integration where lifetimes returns NaN or
infinity). The expectations are

.. math::

    E[X(t)] = \frac{r\beta}{\alpha(s - 1)}\Bigl[1 - \Bigl(\frac{\beta}{\beta + t}\Bigr)^{s - 1}\Bigr],
    \qquad
    E[Y(t) \mid x, t_x, T] = P(\text{alive})\,\frac{(r + x)(\beta + T)}{(\alpha + T)(s - 1)}
        \Bigl[1 - \Bigl(\frac{\beta + T}{\beta + T + t}\Bigr)^{s - 1}\Bigr],

evaluated as :math:`(1 - e^{-(s - 1)L})/(s - 1)` with
:math:`L = \log(1 + t/\beta)`, which has the limit :math:`L` at :math:`s = 1`.
:math:`P(X(t) = x)` follows Fader & Hardie (2006).

What is here (also exported by :mod:`crm_course.clv`):

* :func:`simulate_pareto_nbd` -- the per-member summary of a simulated
  Pareto/NBD customer base, without a loop over members;
* :class:`ParetoNBDFitter` -- the model, with the interface of
  :class:`crm_course.clv.BGNBDFitter`.

On the CDNOW sample it reproduces Fader, Hardie & Lee (2005a): r = 0.553,
α = 10.578, s = 0.606, β = 11.669, log-likelihood −9594.98.

References
----------
Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your
customers: Who are they and what will they do next? *Management Science*,
33(1), 1–24.

Fader, P. S., & Hardie, B. G. S. (2005). *A note on deriving the Pareto/NBD
model and related expressions*. Technical note.

Fader, P. S., & Hardie, B. G. S. (2006). *Deriving an expression for
P(X(t) = x) under the Pareto/NBD model*. Technical note.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Examples
--------
>>> from crm_course.clv.pareto_nbd import ParetoNBDFitter
>>> model = ParetoNBDFitter.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
>>> model.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3)
array([0.295, 0.869, 0.13 ])
>>> round(model.conditional_expected_purchases(39.0, 2, 30.43, 38.86), 3)
1.455
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_course.clv.checks import _simulation_inputs
from crm_course.clv.fitting import _dot
from crm_course.clv.purchase_model import _PurchaseModel

__all__ = [
    "ParetoNBDFitter",
    "simulate_pareto_nbd",
]


def simulate_pareto_nbd(
    n: int,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    T: float | np.ndarray,
    rng: np.random.Generator,
    *,
    period: float | None = None,
    latent: bool = False,
) -> pd.DataFrame:
    """Simulate the per-member summary of a Pareto/NBD customer base.

    Each member makes a first purchase at time 0, then buys at the times of a
    Poisson process with rate ``lambda ~ Gamma(r, rate alpha)`` until an
    exponential lifetime with rate ``mu ~ Gamma(s, rate beta)`` ends. Over the
    ``a = min(lifetime, T)`` periods the member is alive and observed, the
    number of repeat purchases is Poisson with mean ``lambda a`` and the last
    of them is the largest of that many uniform times on ``(0, a)``, that is
    ``a`` times a ``Beta(x, 1)`` draw. No loop over members.

    Parameters
    ----------
    n : int
        Number of members.
    r, alpha, s, beta : float
        Model parameters, all > 0.
    T : float or array of shape (n,)
        Observation time after each member's first purchase.
    rng : numpy.random.Generator
        Source of every random draw.
    period : float, optional
        Record ``recency`` and ``T`` to the nearest multiple of this length
        (``1 / 7`` for days when the unit is a week). By default times are
        exact.
    latent : bool
        Also return each member's ``purchase_rate``, ``dropout_rate`` and
        whether they are ``alive`` at ``T``.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T`` (and the latent columns).

    Examples
    --------
    >>> import numpy as np
    >>> members = simulate_pareto_nbd(3, r=0.55, alpha=10.6, s=0.6, beta=11.7, T=39.0,
    ...                               rng=np.random.default_rng(3))
    >>> list(members.columns), members["T"].tolist()
    (['frequency', 'recency', 'T'], [39.0, 39.0, 39.0])
    """
    n, T_arr = _simulation_inputs(n, {"r": r, "alpha": alpha, "s": s, "beta": beta}, T, rng, period)

    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    lifetime = rng.exponential(1.0 / np.maximum(mu, 1e-300))
    active = np.minimum(lifetime, T_arr)
    x = rng.poisson(lam * active)
    buys = x > 0
    recency = np.zeros(n)
    recency[buys] = active[buys] * rng.beta(x[buys], 1.0)
    if period is not None:
        recency = period * np.round(recency / period)
        T_arr = period * np.round(T_arr / period)

    out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": T_arr})
    if latent:
        out["purchase_rate"] = lam
        out["dropout_rate"] = mu
        out["alive"] = lifetime > T
    return out


def _continued_fraction(b: np.ndarray, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    """2F1(1, b; c; z) for c > b > 0 and 0 <= z < 1, by Gauss's continued fraction evaluated backwards.

    ``2F1(1, b; c; z) = 1 / (1 + k1 z / (1 + k2 z / (1 + ...)))`` with, for
    ``e = c - 1``, ``k_{2i+1} = -(e + i)(b + i) / ((e + 2i)(e + 2i + 1))`` and
    ``k_{2i} = (b - e - i) i / ((e + 2i - 1)(e + 2i))``: every level is a
    positive number minus a positive one, and the coefficients tend to -1/4,
    so the tail is started at the fixed point ``(1 + sqrt(1 - z)) / 2``. The
    error shrinks like ``((1 - sqrt(1 - z)) / (1 + sqrt(1 - z)))`` to the
    depth, far faster than the power series near z = 1, so each value gets
    the depth it needs (a power of two, up to 32,768).
    """
    b, c, z = (np.asarray(v, dtype=float).ravel() for v in np.broadcast_arrays(b, c, z))
    out = np.empty(z.size)
    root = np.sqrt(1.0 - z)
    rho = (1.0 - root) / (1.0 + root)
    with np.errstate(divide="ignore"):
        need = np.where(rho > 0, 38.0 / -np.log(np.where(rho > 0, rho, 0.5)), 1.0)
    depth = np.clip(2 ** np.ceil(np.log2(np.maximum(need, 1.0))), 16, 32_768).astype(np.int64)
    for levels in np.unique(depth):  # a few depths, each vectorised over its values
        at = depth == levels
        bb, e, zz = b[at], c[at] - 1.0, z[at]
        f = (1.0 + root[at]) / 2.0
        for n in range(int(levels), 0, -1):
            i = n // 2
            k = (-(e + i) * (bb + i) / ((e + 2 * i) * (e + 2 * i + 1)) if n % 2 else
                 (bb - e - i) * i / ((e + 2 * i - 1) * (e + 2 * i)))
            f = 1.0 + k * zz / f
        out[at] = 1.0 / f
    return out


def _hyp2f1_one(b: np.ndarray, c: np.ndarray, z: np.ndarray) -> np.ndarray:
    """2F1(1, b; c; z) for c > b > 0 and 0 <= z < 1: scipy where it is accurate, the continued fraction above.

    scipy's compiled ``hyp2f1`` is used for z <= 0.9, where it agrees with
    :func:`_continued_fraction` to 4e-15 over b from 0.01 to 10,000 and
    c - b from 0.01 to 1,000, whole differences included
    (``tests/test_clv_models.py``). Above 0.9 it returns NaN when c - b - 1
    is a whole number, and above about 0.996 for large b (scipy 1.17): that
    is what makes other implementations fail on customers with many
    purchases, and where the continued fraction takes over.
    """
    from scipy.special import hyp2f1

    b, c, z = (np.asarray(v, dtype=float).ravel() for v in np.broadcast_arrays(b, c, z))
    out = np.empty(z.size)
    easy = z <= 0.9
    out[easy] = hyp2f1(1.0, b[easy], c[easy], z[easy])
    if not easy.all():
        out[~easy] = _continued_fraction(b[~easy], c[~easy], z[~easy])
    return out


def _log_hyp(theta: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log F(t) of the module docstring, with the branch that keeps z in [0, 1).

    For alpha >= beta, F = 2F1(1, r + x; m + 1; (alpha - beta) / (alpha + t)),
    in [1, 1 / (1 - z)]; for alpha < beta, F = (1 - z) 2F1(1, s + 1; m + 1; z)
    with z = (beta - alpha) / (beta + t), in [1 - z, 1].
    """
    r, alpha, s, beta = theta
    x, t = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        return np.log(_hyp2f1_one(r + x, r + s + x + 1.0, z)).reshape(x.shape)
    # Expanding around beta leaves a factor 1 - z = (alpha + t) / (beta + t) outside the function.
    z = (beta - alpha) / (beta + t)
    return (np.log(_hyp2f1_one(s + 1.0, r + s + x + 1.0, z)).reshape(x.shape) + np.log1p(-z))


def _log1mexp(q: np.ndarray) -> np.ndarray:
    """log(1 - exp(q)) for q <= 0; -inf at q = 0.

    Computed as log(-expm1(q)): exact in relative terms near 0, and within
    1e-16 in absolute terms far below it, which is what the sum it enters needs.
    """
    with np.errstate(divide="ignore"):
        return np.log(-np.expm1(q))


def _dropout_logit(theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray,
                   log_f_tx: np.ndarray, log_f_T: np.ndarray) -> np.ndarray:
    """D = log of ("dropped out" / "alive at T"); -inf when the last purchase is at T."""
    r, alpha, s, beta = theta
    spread = (r + x) * (np.log(alpha + T) - np.log(alpha + tx)) + s * (np.log(beta + T) - np.log(beta + tx))
    return (np.log(s) - np.log(r + s + x) + spread + log_f_tx
            + _log1mexp(np.minimum(log_f_T - log_f_tx - spread, 0.0)))


def _per_period(k: float, L: np.ndarray) -> np.ndarray:
    """(1 - exp(-k L)) / k, with its limit L at k = 0 (the s = 1 case of the Pareto/NBD expectations)."""
    if abs(k) < 1e-12:
        return L * (1.0 - 0.5 * k * L)
    return -np.expm1(-k * L) / k


class _ParetoNBDLikelihood:
    """Weighted Pareto/NBD log-likelihood over distinct rows, with a central-difference gradient.

    ``log L = log C - (r + x) log(alpha + T) - s log(beta + T) + softplus(D)``.
    The hypergeometric terms are evaluated once per distinct (x, t_x) and
    (x, T) pair, and the other terms once per distinct x or T, so a fit on a
    million members costs about as much as one on their distinct pairs. The
    derivatives of 2F1 in its parameters have no closed form, so the gradient
    is a central difference in the log of each parameter (step 1e-5).
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.total = float(w.sum())
        self.ux, ix = np.unique(x, return_inverse=True)
        self.w_x = np.bincount(ix, weights=w)
        self.uT, iT = np.unique(T, return_inverse=True)
        self.w_T = np.bincount(iT, weights=w)
        self.wx_T = np.bincount(iT, weights=w * x)
        # Only rows whose last purchase is before T have a "dropped out" term.
        gap = tx < T
        self.utx, itx = np.unique(tx[gap], return_inverse=True)
        self.x, self.w, self.ix, self.iT, self.itx = x[gap], w[gap], ix[gap], iT[gap], itx
        # Distinct (x, t) pairs for the hypergeometric terms.
        self.p_tx, self.i_tx = self._pairs(x[gap], tx[gap])
        self.p_T, self.i_T = self._pairs(x[gap], T[gap])

    @staticmethod
    def _pairs(x: np.ndarray, t: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        both, inverse = np.unique(np.column_stack([x, t]), axis=0, return_inverse=True)
        return (both[:, 0], both[:, 1]), inverse.ravel()

    def value(self, theta: np.ndarray) -> float:
        from scipy.special import gammaln

        r, alpha, s, beta = theta
        W = self.total
        log_a_T, log_b_T = np.log(alpha + self.uT), np.log(beta + self.uT)
        alive = (_dot(self.w_x, gammaln(r + self.ux))
                 + W * (r * np.log(alpha) + s * np.log(beta) - gammaln(r))
                 - _dot(r * self.w_T + self.wx_T, log_a_T) - s * _dot(self.w_T, log_b_T))
        if self.x.size == 0:
            return float(alive)
        # D of the module docstring, with every log evaluated once per distinct value and gathered.
        spread = ((r + self.x) * (log_a_T[self.iT] - np.log(alpha + self.utx)[self.itx])
                  + s * (log_b_T[self.iT] - np.log(beta + self.utx)[self.itx]))
        log_f_tx = _log_hyp(theta, *self.p_tx)[self.i_tx]
        log_f_T = _log_hyp(theta, *self.p_T)[self.i_T]
        d = (np.log(s) - np.log(r + s + self.ux)[self.ix] + spread + log_f_tx
             + _log1mexp(np.minimum(log_f_T - log_f_tx - spread, 0.0)))
        return float(alive + _dot(self.w, np.maximum(d, 0.0) + np.log1p(np.exp(-np.abs(d)))))

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        ll = self.value(theta)
        if not gradient:
            return ll, None
        h = 1e-5
        grad = np.empty(4)
        for j in range(4):  # four parameters, not members
            up, down = theta.copy(), theta.copy()
            up[j] *= np.exp(h)
            down[j] *= np.exp(-h)
            grad[j] = (self.value(up) - self.value(down)) / (2 * h) / theta[j]
        return ll, grad


class ParetoNBDFitter(_PurchaseModel):
    r"""The Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo, 1987).

    Purchases follow a Poisson process with rate
    :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` during an exponential
    lifetime with rate :math:`\mu \sim \mathrm{Gamma}(s, \beta)`. See the
    module docstring for the likelihood, its numerically stable evaluation
    and the expectations.

    ``fit`` maximises the exact log-likelihood over the distinct
    (frequency, recency, T) rows, weighted by their counts, with BFGS on the
    log of the parameters (the gradient by central differences, since the
    derivatives of the hypergeometric function in its parameters have no
    closed form). Standard errors come from the numerical Hessian at the
    estimate; intervals are Wald intervals. It refuses data without a repeat
    purchase, without observed time, or in which every member bought at the
    very end of observation.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``r``, ``alpha``, ``s``, ``beta``.
    standard_errors_, variance_matrix_ : pandas.Series, pandas.DataFrame
        Their standard errors and covariance.
    log_likelihood_ : float
        Maximised log-likelihood (comparable with the BG/NBD's on the same data).
    n_members_, n_distinct_ : float, int
        Members fitted (sum of weights) and distinct rows the fit used.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import ParetoNBDFitter, simulate_pareto_nbd
    >>> members = simulate_pareto_nbd(20_000, r=0.55, alpha=10.6, s=0.6, beta=11.7, T=52.0,
    ...                               rng=np.random.default_rng(5), period=1 / 7)
    >>> model = ParetoNBDFitter().fit(members)
    >>> model.summary.round(2)
               estimate  std_error  lower_95  upper_95
    parameter
    r              0.57       0.02      0.54      0.61
    alpha         10.97       0.29     10.40     11.55
    s              0.62       0.04      0.54      0.70
    beta          11.82       1.58      8.72     14.92
    """

    _names = ("r", "alpha", "s", "beta")

    def _likelihood(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> _ParetoNBDLikelihood:
        return _ParetoNBDLikelihood(x, tx, T, w)

    def _start(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
        # r = s = 1 with alpha matched to the mean purchase rate and beta to the mean time observed.
        exposure = _dot(w, T)
        return np.array([1.0, 1.0 / max(_dot(w, x) / exposure, 1e-6), 1.0, exposure / w.sum()])

    def _alive_logit(self, theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        x, tx, T = np.broadcast_arrays(x, tx, T)
        return _dropout_logit(theta, x, tx, T, _log_hyp(theta, x, tx), _log_hyp(theta, x, T))

    def _future(self, theta: np.ndarray, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = theta
        return (r + x) * (beta + T) / (alpha + T) * _per_period(s - 1.0, np.log1p(t / (beta + T)))

    def _expected(self, theta: np.ndarray, t: np.ndarray) -> np.ndarray:
        r, alpha, s, beta = theta
        return r * beta / alpha * _per_period(s - 1.0, np.log1p(t / beta))

    def _pmf(self, theta: np.ndarray, n: np.ndarray, t: np.ndarray) -> np.ndarray:
        """P(X(t) = n) of Fader & Hardie (2006), on a grid of i = 0..max(n) for the inner sum."""
        from scipy.special import betaln, gammaln, hyp2f1, xlogy

        r, alpha, s, beta = theta
        n, t = n.ravel(), t.ravel()
        alive = np.exp(gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * np.log(alpha / (alpha + t))
                       + xlogy(n, t / (alpha + t)) + s * np.log(beta / (beta + t)))
        if alpha >= beta:
            rho, c, z0, zt = alpha, s + 1.0, (alpha - beta) / alpha, (alpha - beta) / (alpha + t)
            c = np.full(n.shape, c)
        else:
            rho, c, z0, zt = beta, r + n, (beta - alpha) / beta, (beta - alpha) / (beta + t)
        top = r + s + n + 1.0
        b1 = np.log(hyp2f1(r + s, c, top, z0)) - (r + s) * np.log(rho)
        i = np.arange(int(n.max()) + 1)[None, :]
        log_terms = (gammaln(r + s + i) - gammaln(r + s) - gammaln(i + 1) + xlogy(i, t[:, None])
                     + np.log(hyp2f1(r + s + i, c[:, None], top[:, None], zt[:, None]))
                     - (r + s + i) * np.log(rho + t[:, None]))
        inner = np.where(i <= n[:, None], np.exp(log_terms - b1[:, None]), 0.0).sum(axis=1)
        # The bracket B1 - sum is a probability mass times a positive constant: never below 0.
        dead = np.exp(r * np.log(alpha) + s * np.log(beta) + betaln(r + n, s + 1) - betaln(r, s) + b1)
        return alive + dead * np.maximum(1.0 - inner, 0.0)
