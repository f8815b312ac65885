r"""Customer-base models and customer lifetime value (chapter 5 and the capstone).

The family of probability models Fader and Hardie teach, each fitted by maximum
likelihood over the *distinct* rows of the data (each weighted by how many
members share it), reproducing the published estimates, with the same interface
as lifelines' fitters: ``fit``, ``summary`` (estimates, standard errors from the
inverse observed information, Wald intervals), ``params_``,
``standard_errors_``, ``log_likelihood_``, ``from_params`` and predictions.

**Non-contractual, continuous time** (a cashback service: nobody announces that
they have stopped buying). A customer buys at the times of a Poisson process
with rate :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` while alive; the
models differ in how a customer drops out:

* :class:`BGNBDFitter` -- BG/NBD (Fader, Hardie & Lee, 2005a): after each
  repeat purchase, with probability :math:`p \sim \mathrm{Beta}(a, b)`;
* :class:`MBGNBDFitter` -- MBG/NBD (Batislam, Denizel & Filiztekin, 2007):
  after every purchase, the first included;
* :class:`ParetoNBDFitter` -- Pareto/NBD (Schmittlein, Morrison & Colombo,
  1987): at any moment, after an exponential lifetime with rate
  :math:`\mu \sim \mathrm{Gamma}(s, \beta)`; its hypergeometric terms are
  evaluated so that they cannot overflow or cancel.

Each gives ``expected_purchases`` (:math:`E[X(t)]`), ``probability_alive``,
``conditional_expected_purchases`` (:math:`E[Y(t) \mid x, t_x, T]`),
``predict`` and ``probability_of_purchases`` (:math:`P(X(t) = x)`).

**Non-contractual, discrete opportunities** (an annual appeal, a yearly event):
:class:`BGBBFitter` -- BG/BB (Fader, Hardie & Shang, 2010), with the same
methods in opportunities.

**Contractual** (a subscription: the firm sees the customer leave):
:class:`SBGFitter` -- the shifted-beta-geometric model of retention (Fader &
Hardie, 2007): survival, retention rates that rise with tenure, projections and
the discounted expected residual lifetime (Fader & Hardie, 2010). The textbook
formula with one retention rate :math:`r`, :math:`\mathrm{CLV} = m r/(1 + d - r)`
(Gupta, Lehmann & Stuart, 2004), is :func:`clv_contractual`.

**Spend**: :class:`GammaGammaFitter` (Fader, Hardie & Lee, 2005b; Fader &
Hardie, 2013), :math:`E[Z \mid x, \bar z] = p(\gamma + x\bar z)/(px + q - 1)`.

**Value, with units you cannot get wrong**: :func:`customer_lifetime_value`
(any purchase model with the spend model, optional interval from parameter
uncertainty) and :func:`contractual_value` (an sBG model) take the model's
time unit and a discount rate per a stated period, convert between them, refuse
a rate that looks yearly but is given per week or month, and state both in
their output; :func:`periodic_rate` converts a rate between periods.

**Data, checks and comparison**: :func:`rfm_summary` and
:func:`calibration_holdout` build (frequency, recency, T) from transactions;
:func:`holdout_validation`, :func:`repeat_purchase_tracking`,
:func:`holdout_errors`, :func:`compare_models` (log-likelihood, AIC, BIC),
:func:`frequency_histogram`, :func:`frequency_recency_matrix` and
:func:`probability_alive_matrix` check and compare the fits; the plots of
``crm_course.clv.plots`` draw them (also as methods of the fitted models).
Simulators for every model (:func:`simulate_bgnbd`, :func:`simulate_mbgnbd`,
:func:`simulate_pareto_nbd`, :func:`simulate_bgbb`, :func:`simulate_sbg`,
:func:`simulate_gamma_gamma`) give data with a planted truth.

A million CDNOW-like members share about 150,000 distinct rows; the BG/NBD and
MBG/NBD fits take well under a second and the Pareto/NBD a few seconds
(``benchmarks/bench_clv.py``, ``benchmarks/bench_models.py``).

References
----------
Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation and
comparison of models for customer base analysis. *International Journal of
Research in Marketing*, 24(3), 201–209.

Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing*, 21(1), 76–90.

Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a
contractual setting: The perils of ignoring heterogeneity. *Marketing Science*,
29(1), 85–93.

Fader, P. S., & Hardie, B. G. S. (2013). *The Gamma-Gamma model of monetary
value*. Technical note.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using
iso-value curves for customer base analysis. *Journal of Marketing Research*,
42(4), 415–430.

Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in a
discrete-time noncontractual setting. *Marketing Science*, 29(6), 1086–1108.

Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers.
*Journal of Marketing Research*, 41(1), 7–18.

Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your
customers: Who are they and what will they do next? *Management Science*,
33(1), 1–24.
"""

from crm_course.clv import discounting as _discounting
from crm_course.clv.bgbb import BGBBFitter, simulate_bgbb
from crm_course.clv.bgnbd import BGNBDFitter, simulate_bgnbd
from crm_course.clv.comparison import (
    compare_models,
    frequency_histogram,
    frequency_recency_matrix,
    holdout_errors,
    probability_alive_matrix,
)
from crm_course.clv.discounting import periodic_rate
from crm_course.clv.evaluation import holdout_validation, repeat_purchase_tracking
from crm_course.clv.gamma_gamma import GammaGammaFitter, simulate_gamma_gamma
from crm_course.clv.mbgnbd import MBGNBDFitter, simulate_mbgnbd
from crm_course.clv.pareto_nbd import ParetoNBDFitter, simulate_pareto_nbd
from crm_course.clv.plots import (
    plot_calibration_vs_holdout,
    plot_frequency_recency_matrix,
    plot_period_transactions,
    plot_probability_alive_matrix,
    plot_survival,
    plot_tracking,
)
from crm_course.clv.sbg import SBGFitter, simulate_sbg
from crm_course.clv.summary import calibration_holdout, rfm_summary
from crm_course.clv.summary_sql import rfm_summary_sql
from crm_course.clv.value import (
    clv_contractual,
    clv_sensitivity,
    contractual_value,
    customer_lifetime_value,
)

#: Length of each period in days, for the time units of :func:`rfm_summary` (a month is an average
#: month) and an average quarter and year. Every CLV function takes its units from this list.
PERIODS = _discounting.PERIODS

__all__ = [
    "BGBBFitter",
    "BGNBDFitter",
    "GammaGammaFitter",
    "MBGNBDFitter",
    "PERIODS",
    "ParetoNBDFitter",
    "SBGFitter",
    "calibration_holdout",
    "clv_contractual",
    "clv_sensitivity",
    "compare_models",
    "contractual_value",
    "customer_lifetime_value",
    "frequency_histogram",
    "frequency_recency_matrix",
    "holdout_errors",
    "holdout_validation",
    "periodic_rate",
    "plot_calibration_vs_holdout",
    "plot_frequency_recency_matrix",
    "plot_period_transactions",
    "plot_probability_alive_matrix",
    "plot_survival",
    "plot_tracking",
    "probability_alive_matrix",
    "repeat_purchase_tracking",
    "rfm_summary",
    "rfm_summary_sql",
    "simulate_bgbb",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "simulate_mbgnbd",
    "simulate_pareto_nbd",
    "simulate_sbg",
]
