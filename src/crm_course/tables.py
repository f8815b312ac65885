"""Side-by-side regression tables for the notebooks and for papers.

:func:`regression_table` lines up fitted statsmodels results in columns:
one row per term with the estimate and, beneath it, the standard error (or a
confidence interval), then rows of fit statistics, then a footer that says
which kind of standard error each column uses. The result displays itself in
a notebook and exports to Markdown, LaTeX (booktabs) and a tidy DataFrame.

Standard errors are read from each result (``result.cov_type`` and its
keywords), never assumed, so a table cannot claim robust errors that were not
computed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from crm_course.language import language, tr, tr_noop
from crm_course.validation import check_number

__all__ = ["RegressionTable", "regression_table", "STATISTICS"]

#: Fit statistics a table can show, as key -> (plain label, LaTeX label), in English; a table shows
#: them in the current language (:func:`crm_course.language.set_language`).
STATISTICS: dict[str, tuple[str, str]] = {
    "nobs": ("N", "$N$"),
    "events": (tr_noop("Events"), tr_noop("Events")),
    "r2": ("R²", "$R^2$"),
    "r2_adj": (tr_noop("Adjusted R²"), tr_noop("Adjusted $R^2$")),
    "pseudo_r2": (tr_noop("Pseudo R² (McFadden)"), tr_noop("Pseudo $R^2$ (McFadden)")),
    "llf": (tr_noop("Log-likelihood"), tr_noop("Log-likelihood")),
    "aic": ("AIC", "AIC"),
    "bic": ("BIC", "BIC"),
}

_STAR_LEVELS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))
_STARS_NOTE = "* p < 0.05, ** p < 0.01, *** p < 0.001."

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # In the default OT1 font encoding these print as other glyphs.
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_MARKDOWN_SPECIALS = {c: "\\" + c for c in "\\|*_`"}


def _escape(text: str, table: Mapping[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in text)


def latex_escape(text: str) -> str:
    r"""Escape the characters LaTeX treats specially.

    Examples
    --------
    >>> print(latex_escape("order_value in $ & 5% off"))
    order\_value in \$ \& 5\% off
    """
    return _escape(str(text), _LATEX_SPECIALS)


def markdown_escape(text: str) -> str:
    r"""Escape the characters that would break a pipe table or add emphasis.

    Examples
    --------
    >>> print(markdown_escape("I(tenure**2) | member_tier"))
    I(tenure\*\*2) \| member\_tier
    """
    return _escape(str(text), _MARKDOWN_SPECIALS)


# --------------------------------------------------------------------------
# Reading a result
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """What the table needs from one fitted result."""

    header: str
    result: Any
    coefficients: pd.DataFrame  # term, estimate, std_error, conf_low, conf_high, p_value, auxiliary
    statistics: dict[str, float]
    standard_errors: str  # in English: the table's data
    standard_errors_shown: str  # in the current language: its footer


def _model_classes() -> dict[str, type]:
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.regression.mixed_linear_model import MixedLM

    return {"MixedLM": MixedLM, "PHReg": PHReg, "OrderedModel": OrderedModel, "GLM": GLM}


def _check_result(obj: Any, where: str) -> None:
    from statsmodels.base.model import Model, Results
    from statsmodels.base.wrapper import ResultsWrapper

    if isinstance(obj, Model):
        raise TypeError(
            f"{where}: expected a fitted statsmodels result; found an unfitted "
            f"{type(obj).__name__} model (call .fit() on it first)"
        )
    if not isinstance(obj, (Results, ResultsWrapper)) or not hasattr(obj, "params"):
        module = type(obj).__module__.split(".")[0]
        kind = type(obj).__qualname__ if module == "builtins" else f"{module}.{type(obj).__qualname__}"
        raise TypeError(
            f"{where}: expected a fitted statsmodels result such as smf.ols(...).fit(); found {kind}"
        )
    if np.ndim(obj.params) != 1:
        raise TypeError(
            f"{where}: {type(obj.model).__name__} has a 2-D table of parameters (one column per "
            "outcome); fit one model per outcome to tabulate it"
        )


def _attr(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name)
    except (AttributeError, NotImplementedError):
        return None


def _term_names(result: Any) -> list[str]:
    params = result.params
    if isinstance(params, pd.Series):
        return [str(t) for t in params.index]
    model = result.model
    for names in (_attr(model, "exog_names"), _attr(_attr(model, "data"), "param_names")):
        if names is not None and len(names) == len(params):
            return [str(t) for t in names]
    return [f"x{i}" for i in range(len(params))]


def _n_regressors(result: Any, classes: Mapping[str, type]) -> int:
    """How many leading parameters are regression coefficients.

    MixedLM appends variance components and OrderedModel appends thresholds;
    they go below the coefficients so that columns of different kinds align.
    """
    model = result.model
    if isinstance(model, classes["MixedLM"]):
        return int(model.k_fe)
    if isinstance(model, classes["OrderedModel"]):
        return int(model.k_vars)
    return len(result.params)


def _n_unique(values: Any) -> int:
    return int(pd.Series(np.asarray(values).ravel()).nunique(dropna=True))


def _cluster_description(result: Any, variant: str = "") -> str:
    """E.g. "clustered by member_id (412 clusters)"; the name is known only when
    the groups were passed as a named Series or a DataFrame."""
    groups = (_attr(result, "cov_kwds") or {}).get("groups")
    if groups is None:
        n = _attr(result, "n_groups")
        return (tr("clustered{variant} ({n} clusters)", variant=variant, n=n) if n is not None
                else tr("clustered{variant}", variant=variant))
    if np.ndim(groups) == 2:
        frame = pd.DataFrame(groups)
        counts = tr(" and ").join(str(_n_unique(frame[c])) for c in frame.columns)
        names = [str(c) for c in frame.columns] if isinstance(groups, pd.DataFrame) else []
        by = tr(" by {names}", names=tr(" and ").join(names)) if names else ""
        return tr("two-way clustered{by}{variant} ({counts} clusters)", by=by, variant=variant, counts=counts)
    name = groups.name if isinstance(groups, pd.Series) and isinstance(groups.name, str) else None
    by = tr(" by {names}", names=name) if name else ""
    return tr("clustered{by}{variant} ({n} clusters)", by=by, variant=variant, n=_n_unique(groups))


def _standard_errors(result: Any, classes: Mapping[str, type]) -> str:
    """Describe the kind of standard error a result reports, from the result itself (in the current language)."""
    model = result.model
    if isinstance(model, classes["MixedLM"]):
        return tr("model-based, {method} ({n} groups)", method=result.method, n=model.n_groups)
    if isinstance(model, classes["PHReg"]):
        groups = _attr(result, "groups")
        if groups is None:
            return tr("model-based (partial likelihood)")
        return tr("robust, clustered ({n} clusters)", n=_n_unique(groups))
    cov_type = _attr(result, "cov_type")
    if cov_type is None:
        return tr("as reported by statsmodels")
    kind = str(cov_type)
    lowered = kind.lower()
    if lowered == "nonrobust":
        return tr("nonrobust")
    if lowered in {"hc0", "hc1", "hc2", "hc3"}:
        return tr("{kind} (heteroskedasticity-robust)", kind=kind.upper())
    if lowered == "cluster":
        return _cluster_description(result)
    if lowered in {"cluster-crv3", "cluster-jk"}:
        return _cluster_description(result, f", {kind.split('-')[1].upper()}")
    if lowered == "hac":
        lags = (_attr(result, "cov_kwds") or {}).get("maxlags")
        return tr("HAC ({lags} lags)", lags=lags) if lags is not None else "HAC"
    return kind


def _notes(column: _Column, shown: pd.DataFrame, classes: Mapping[str, type]) -> list[str]:
    """Footnotes a reader needs to read one column correctly."""
    result, header = column.result, column.header
    model = result.model
    notes = []
    no_se = shown.loc[~np.isfinite(shown["std_error"]), "term"].tolist()
    if no_se:
        notes.append(tr("{header}: statsmodels returned no standard error for {terms} (n/a).", header=header,
                        terms=", ".join(no_se)))
    if isinstance(model, classes["MixedLM"]) and result.method == "REML":
        notes.append(tr(
            "{header}: the log-likelihood is the restricted (REML) one; compare fits with "
            "different fixed effects only after refitting with reml=False.", header=header
        ))
    if isinstance(model, classes["PHReg"]):
        notes.append(tr(
            "{header}: coefficients are log hazard ratios; the log-likelihood is the log partial likelihood.",
            header=header,
        ))
    if isinstance(model, classes["OrderedModel"]) and shown["auxiliary"].any():
        notes.append(tr(
            "{header}: of the thresholds, the first is a cut-point and the others are log "
            "increments between successive cut-points (statsmodels' parameterisation).", header=header
        ))
    return notes


def _statistic(result: Any, key: str, classes: Mapping[str, type]) -> float | None:
    model = result.model
    if key == "nobs":
        value = _attr(result, "nobs")
        if value is None:
            value = _attr(model, "nobs")
    elif key == "events":
        value = np.sum(model.status) if isinstance(model, classes["PHReg"]) else None
    elif key == "r2":
        value = _attr(result, "rsquared")
    elif key == "r2_adj":
        value = _attr(result, "rsquared_adj")
    elif key == "pseudo_r2":
        value = _attr(result, "prsquared")
        # GLM's own default is Cox-Snell; McFadden keeps one definition per row.
        if value is None and isinstance(model, classes["GLM"]):
            value = result.pseudo_rsquared(kind="mcf")
    else:  # llf, aic, bic
        value = _attr(result, key)
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _read(result: Any, header: str, level: float, stats: Sequence[str], classes: Mapping[str, type]) -> _Column:
    terms = _term_names(result)
    conf = np.asarray(result.conf_int(alpha=1 - level), dtype=float)
    frame = pd.DataFrame(
        {
            "term": terms,
            "estimate": np.asarray(result.params, dtype=float),
            "std_error": np.asarray(result.bse, dtype=float),
            "conf_low": conf[:, 0],
            "conf_high": conf[:, 1],
            "p_value": np.asarray(result.pvalues, dtype=float),
        }
    )
    frame["auxiliary"] = np.arange(len(frame)) >= _n_regressors(result, classes)
    if isinstance(result.model, classes["MixedLM"]):
        # statsmodels stores variance components relative to the residual
        # variance; report them on the outcome's scale, as result.cov_re does.
        cols = ["estimate", "std_error", "conf_low", "conf_high"]
        frame.loc[frame["auxiliary"], cols] *= float(result.scale)
    statistics = {k: v for k in stats if (v := _statistic(result, k, classes)) is not None}
    with language("en"):
        english = _standard_errors(result, classes)
    return _Column(header, result, frame, statistics, english, _standard_errors(result, classes))


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def _fmt(value: float, digits: int) -> str:
    if not math.isfinite(value):
        return tr("n/a")
    text = f"{value:.{digits}f}"
    # "-0.000" says a sign the rounded number does not have.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _stars(p: float) -> str:
    if not math.isfinite(p):
        return ""
    return next((mark for cut, mark in _STAR_LEVELS if p < cut), "")


@dataclass(frozen=True)
class _Row:
    kind: Literal["coef", "beneath", "stat"]
    label: str  # plain text; each exporter escapes it
    cells: tuple[str, ...]
    stars: tuple[str, ...] = ()
    latex_label: str | None = None  # ready-made LaTeX, used as is


class RegressionTable:
    """Fitted models side by side, built by :func:`regression_table`.

    Display it in a notebook, print it, or export it with :meth:`to_markdown`,
    :meth:`to_latex` and :meth:`to_frame`.

    Attributes
    ----------
    columns : tuple of str
        Column headers, one per model.
    standard_errors : dict
        Column header -> the kind of standard error that column reports.
    statistics : pandas.DataFrame
        Fit statistics, one row per statistic and one column per model
        (NaN where a statistic does not apply).
    notes : tuple of str
        The footer, one sentence per entry.
    """

    def __init__(
        self,
        coefficients: pd.DataFrame,
        statistics: pd.DataFrame,
        standard_errors: Mapping[str, str],
        notes: Sequence[str],
        *,
        digits: int,
        beneath: str,
        stars: bool,
    ) -> None:
        self._coefficients = coefficients
        self.statistics = statistics
        self.columns = tuple(statistics.columns)
        self.standard_errors = dict(standard_errors)
        self.notes = tuple(notes)
        self._digits = digits
        self._beneath = beneath
        self._stars = stars
        self._rows = self._build_rows()

    # ---------------------------------------------------------------- layout

    def _build_rows(self) -> list[_Row]:
        coefs = self._coefficients
        rows: list[_Row] = []
        d = self._digits
        for label in dict.fromkeys(coefs["label"]):
            by_model = coefs[coefs["label"] == label].set_index("model")
            top, stars, under = [], [], []
            for col in self.columns:
                if col not in by_model.index:
                    top.append("")
                    stars.append("")
                    under.append("")
                    continue
                r = by_model.loc[col]
                top.append(_fmt(r["estimate"], d))
                stars.append(_stars(r["p_value"]) if self._stars else "")
                if self._beneath == "ci":
                    under.append(f"[{_fmt(r['conf_low'], d)}, {_fmt(r['conf_high'], d)}]")
                else:
                    under.append(f"({_fmt(r['std_error'], d)})")
            rows.append(_Row("coef", label, tuple(top), tuple(stars)))
            rows.append(_Row("beneath", "", tuple(under)))
        for key, values in self.statistics.iterrows():
            cells = []
            for value in values:
                if not math.isfinite(value):
                    cells.append("")
                elif key in {"nobs", "events"}:
                    cells.append(f"{int(round(value)):,}")
                else:
                    cells.append(_fmt(value, d))
            plain, latex = STATISTICS[key]
            rows.append(_Row("stat", tr(plain), tuple(cells), latex_label=tr(latex)))
        return rows

    def _plain_cells(self, row: _Row) -> list[str]:
        if row.kind == "coef":
            return [c + s for c, s in zip(row.cells, row.stars)]
        return list(row.cells)

    # ------------------------------------------------------------- exporters

    def __str__(self) -> str:
        grid = [["", *self.columns]] + [[r.label, *self._plain_cells(r)] for r in self._rows]
        widths = [max(len(line[i]) for line in grid) for i in range(len(grid[0]))]

        def line(cells: Sequence[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = [c.center(w) for c, w in zip(cells[1:], widths[1:])]
            return "  ".join([first, *rest]).rstrip()

        rule_width = sum(widths) + 2 * (len(widths) - 1)
        out = ["=" * rule_width, line(grid[0]), "-" * rule_width]
        previous = None
        for row, cells in zip(self._rows, grid[1:]):
            if row.kind == "stat" and previous != "stat":
                out.append("-" * rule_width)
            out.append(line(cells))
            previous = row.kind
        out.append("=" * rule_width)
        out.extend(self.notes)
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        n = len(self.columns) + 1
        cell = 'style="text-align: center"'
        out = ['<table class="regression-table">', "<thead>", "<tr><th></th>"]
        out[-1] += "".join(f"<th {cell}>{esc(c)}</th>" for c in self.columns) + "</tr>"
        out += ["</thead>", "<tbody>"]
        previous = None
        for row in self._rows:
            style = ' style="border-top: 1px solid"' if row.kind == "stat" and previous != "stat" else ""
            cells = "".join(f"<td {cell}>{esc(c)}</td>" for c in self._plain_cells(row))
            out.append(f'<tr{style}><th style="text-align: left">{esc(row.label)}</th>{cells}</tr>')
            previous = row.kind
        out += ["</tbody>", "<tfoot>"]
        out += [f'<tr><td colspan="{n}" style="text-align: left">{esc(note)}</td></tr>' for note in self.notes]
        out += ["</tfoot>", "</table>"]
        return "\n".join(out)

    def to_markdown(self) -> str:
        """Return a GitHub-flavoured Markdown pipe table with the notes beneath.

        Returns
        -------
        str
            The table, then each note as a paragraph of its own (no
            trailing newline, as :meth:`pandas.DataFrame.to_markdown`).
        """

        def line(cells: Iterable[str]) -> str:
            return "| " + " | ".join(cells) + " |"

        out = [line(["", *map(markdown_escape, self.columns)])]
        out.append("|:---|" + ":---:|" * len(self.columns))
        for row in self._rows:
            out.append(line([markdown_escape(row.label), *map(markdown_escape, self._plain_cells(row))]))
        for note in self.notes:
            out += ["", markdown_escape(note)]
        return "\n".join(out)

    def to_latex(self) -> str:
        r"""Return a booktabs ``tabular`` (needs ``\usepackage{booktabs}``).

        Names are escaped, minus signs are set in math mode and significance
        stars as superscripts; the notes follow the bottom rule.

        Returns
        -------
        str
            ``\begin{tabular}`` ... ``\end{tabular}``, ending in a newline.
        """

        def number(text: str) -> str:
            return latex_escape(text).replace("-", "$-$")

        def line(cells: Iterable[str]) -> str:
            return " & ".join(cells) + r" \\"

        n = len(self.columns) + 1
        out = [r"\begin{tabular}{l" + "c" * len(self.columns) + "}", r"\toprule"]
        out.append(line(["", *map(latex_escape, self.columns)]))
        out.append(r"\midrule")
        previous = None
        for row in self._rows:
            if row.kind == "stat" and previous != "stat":
                out.append(r"\midrule")
            label = row.latex_label if row.latex_label is not None else latex_escape(row.label)
            cells = [number(c) for c in row.cells]
            if row.kind == "coef":
                cells = [c + (f"$^{{{s}}}$" if s else "") for c, s in zip(cells, row.stars)]
            out.append(line([label, *cells]))
            previous = row.kind
        out.append(r"\bottomrule")
        out += [rf"\multicolumn{{{n}}}{{l}}{{\footnotesize {latex_escape(note)}}} \\" for note in self.notes]
        out.append(r"\end{tabular}")
        return "\n".join(out) + "\n"

    def to_frame(self, formatted: bool = False) -> pd.DataFrame:
        """Return the table as a DataFrame.

        Parameters
        ----------
        formatted : bool, default False
            False: a tidy frame with one row per model and term and the full
            precision numbers (``model``, ``term``, ``label``, ``estimate``,
            ``std_error``, ``conf_low``, ``conf_high``, ``p_value``,
            ``standard_errors``). True: the displayed strings, laid out as
            printed (the row beneath a coefficient has an empty label).

        Returns
        -------
        pandas.DataFrame
            A new frame; changing it does not change the table.
        """
        if formatted:
            data = [self._plain_cells(r) for r in self._rows]
            index = pd.Index([r.label for r in self._rows], name="")
            return pd.DataFrame(data, index=index, columns=list(self.columns))
        return self._coefficients.copy()


# --------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------


def _as_columns(models: Any) -> list[tuple[str, Any]]:
    from statsmodels.base.model import Results
    from statsmodels.base.wrapper import ResultsWrapper

    if isinstance(models, (Results, ResultsWrapper)):
        return [("(1)", models)]
    if isinstance(models, Mapping):
        pairs = [(str(k), v) for k, v in models.items()]
        if len({k for k, _ in pairs}) < len(pairs):
            raise ValueError("models: two keys print the same; give each model a distinct label")
        where = [f"models[{k!r}] (position {i})" for i, (k, _) in enumerate(pairs, start=1)]
    elif isinstance(models, Sequence) and not isinstance(models, (str, bytes)):
        pairs = [(f"({i})", v) for i, v in enumerate(models, start=1)]
        where = [f"models[{i}] (position {i + 1})" for i in range(len(pairs))]
    else:
        raise TypeError(
            "models: expected a mapping of label -> fitted statsmodels result, or a list of results; "
            f"found {type(models).__name__}"
        )
    if not pairs:
        raise ValueError("models: expected at least one fitted result; found none")
    for (_, result), place in zip(pairs, where):
        _check_result(result, place)
    return pairs


def regression_table(
    models: Mapping[str, Any] | Sequence[Any],
    *,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    stats: Sequence[str] = ("nobs", "r2", "pseudo_r2", "llf"),
    digits: int = 3,
    beneath: Literal["se", "ci"] = "se",
    level: float = 0.95,
    stars: bool = False,
    se_note: bool = True,
) -> RegressionTable:
    """Put fitted statsmodels results side by side in one table.

    Each model is a column. Each term is a row with the estimate and,
    beneath it, the standard error in parentheses (or a confidence interval
    in brackets). Rows of fit statistics follow, then a footer that names the
    kind of standard error of every column, read from the result itself.

    Parameters
    ----------
    models : mapping of str to result, or sequence of results
        Fitted results of OLS, WLS, Logit, Probit, GLM, MixedLM,
        OrderedModel or PHReg (other statsmodels results with a 1-D
        ``params`` work as well). Mapping keys become column headers; a list
        gets headers ``(1)``, ``(2)``, ... A single result is accepted too.
    terms : sequence of str, optional
        The terms to show, in this order, by their names in ``params``.
        Default: every term, the regression coefficients in order of first
        appearance, then variance components (MixedLM) and thresholds
        (OrderedModel). A term some models lack is left blank in them.
    labels : mapping of str to str, optional
        Display names for terms, e.g. ``{"np.log(spend)": "log spend"}``.
        ``Intercept`` is shown in the current language unless labelled here.
        Terms given the same label share a row, which aligns models that
        name one variable differently.
    stats : sequence of str
        Fit statistics, from :data:`STATISTICS`: ``"nobs"``, ``"events"``
        (PHReg), ``"r2"``, ``"r2_adj"``, ``"pseudo_r2"`` (McFadden, for
        Logit, Probit, OrderedModel and GLM), ``"llf"``, ``"aic"``,
        ``"bic"``. A statistic no model has is left out.
    digits : int, default 3
        Decimal places of every number except counts.
    beneath : {"se", "ci"}, default "se"
        What goes under each estimate: its standard error or its
        confidence interval at ``level``.
    level : float, default 0.95
        Confidence level of the intervals (also in :meth:`~RegressionTable.to_frame`).
    stars : bool, default False
        Mark estimates with ``*`` p < 0.05, ``**`` p < 0.01, ``***`` p < 0.001. Off by
        default: the course reads the size and the interval of an effect,
        and stars invite reading only whether a threshold was crossed.
    se_note : bool, default True
        Name the kind of standard error of each column in the footer
        (nonrobust, HC1, clustered by a variable with the number of
        clusters, the MixedLM and PHReg conventions). Turn it off only when
        the surrounding text says it.

    Returns
    -------
    RegressionTable
        Displays itself in a notebook; see :meth:`~RegressionTable.to_markdown`,
        :meth:`~RegressionTable.to_latex` and :meth:`~RegressionTable.to_frame`.

    Raises
    ------
    TypeError
        If an entry is not a fitted statsmodels result; the message names
        its position and label and the type found.
    ValueError
        If there are no models, a term or label names no term of any model,
        a statistic is unknown, or a setting is out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> import statsmodels.formula.api as smf
    >>> df = pd.DataFrame({
    ...     "spend": [12.0, 15.0, 9.0, 20.0, 17.0, 11.0, 22.0, 14.0],
    ...     "tenure": [1, 2, 1, 4, 3, 2, 5, 2],
    ...     "app_user": [0, 1, 0, 1, 1, 0, 1, 0],
    ... })
    >>> short = smf.ols("spend ~ tenure", df).fit()
    >>> long = smf.ols("spend ~ tenure + app_user", df).fit(cov_type="HC1")
    >>> table = regression_table({"Short": short, "Long": long}, stats=("nobs", "r2"))
    >>> print(table.to_markdown())
    |  | Short | Long |
    |:---|:---:|:---:|
    | Intercept | 7.500 | 8.000 |
    |  | (1.155) | (1.070) |
    | tenure | 3.000 | 2.333 |
    |  | (0.408) | (0.322) |
    | app\\_user |  | 2.333 |
    |  |  | (1.161) |
    | N | 8 | 8 |
    | R² | 0.900 | 0.933 |
    <BLANKLINE>
    Standard errors in parentheses: Short: nonrobust; Long: HC1 (heteroskedasticity-robust).
    """
    digits = int(check_number(digits, "digits", low=0, high=12, integer=True))
    check_number(level, "level", low=0, high=1, inclusive=False)
    if beneath not in {"se", "ci"}:
        raise ValueError(f"beneath: expected 'se' or 'ci'; found {beneath!r}")
    if isinstance(stats, str):
        stats = (stats,)
    unknown = [s for s in stats if s not in STATISTICS]
    if unknown:
        raise ValueError(f"stats: unknown statistic(s) {unknown}; choose from {list(STATISTICS)}")

    classes = _model_classes()
    columns = [_read(result, header, level, stats, classes) for header, result in _as_columns(models)]

    available = list(dict.fromkeys(t for col in columns for t in col.coefficients["term"]))
    if terms is not None:
        if isinstance(terms, str):
            terms = [terms]
        terms = [str(t) for t in terms]
        if not terms:
            raise ValueError("terms: expected at least one term; found an empty list")
        missing = [t for t in terms if t not in available]
        if missing:
            raise ValueError(f"terms: {missing} not found in any model; available terms: {available}")
        if len(set(terms)) < len(terms):
            raise ValueError(f"terms: a term is listed twice in {terms}")
    labels = dict(labels or {})
    missing = [t for t in labels if t not in available]
    if missing:
        raise ValueError(f"labels: {missing} name no term of any model; available terms: {available}")

    frames, standard_errors, shown_errors, notes_by_model = [], {}, {}, []
    for column in columns:
        coef = column.coefficients
        if terms is not None:
            coef = coef[coef["term"].isin(terms)]
        coef = coef.assign(label=coef["term"].map(lambda t: labels.get(t, tr("Intercept") if t == "Intercept" else t)),
                           model=column.header)
        clash = coef["label"][coef["label"].duplicated()]
        if len(clash):
            raise ValueError(
                f"labels: in model {column.header!r} two terms would share the row {clash.iloc[0]!r}"
            )
        frames.append(coef)
        standard_errors[column.header] = column.standard_errors
        shown_errors[column.header] = column.standard_errors_shown
        notes_by_model.extend(_notes(column, coef, classes))

    coefficients = pd.concat(frames, ignore_index=True)
    if terms is not None:
        coefficients["_order"] = coefficients["term"].map({t: i for i, t in enumerate(terms)})
        coefficients["_order"] = coefficients.groupby("label")["_order"].transform("min")
    else:
        first = {lab: i for i, lab in reversed(list(enumerate(coefficients["label"])))}
        coefficients["_order"] = coefficients["label"].map(first)
        coefficients["_order"] += coefficients.groupby("label")["auxiliary"].transform("all") * len(coefficients)
    coefficients = coefficients.sort_values(["_order"], kind="stable").drop(columns=["_order", "auxiliary"])
    coefficients = coefficients.reset_index(drop=True)

    headers = [col.header for col in columns]
    statistics = pd.DataFrame(
        {col.header: [col.statistics.get(k, np.nan) for k in stats] for col in columns},
        index=pd.Index(list(stats), name="statistic"),
        columns=headers,
        dtype=float,
    )
    statistics = statistics[statistics.notna().any(axis=1)]
    coefficients["standard_errors"] = coefficients["model"].map(standard_errors)
    coefficients = coefficients[
        ["model", "term", "label", "estimate", "std_error", "conf_low", "conf_high", "p_value", "standard_errors"]
    ]

    notes = [_lead_note(shown_errors, beneath, level, se_note)]
    if stars:
        notes.append(_STARS_NOTE)
    notes.extend(notes_by_model)
    return RegressionTable(
        coefficients, statistics, standard_errors, notes, digits=digits, beneath=beneath, stars=stars
    )


def _lead_note(standard_errors: Mapping[str, str], beneath: str, level: float, se_note: bool) -> str:
    lead = (
        tr("Standard errors in parentheses")
        if beneath == "se"
        else tr("{level:g}% confidence intervals in brackets, from standard errors", level=level * 100)
    )
    if not se_note:
        return lead + "."
    kinds = list(standard_errors.values())
    if len(set(kinds)) == 1:
        where = tr(" in every column") if len(kinds) > 1 else ""
        return f"{lead}: {kinds[0]}{where}."
    parts = [f"{col}: {kind}" if not col.startswith("(") else f"{col} {kind}" for col, kind in standard_errors.items()]
    return f"{lead}: {'; '.join(parts)}."
