"""Kopilka's support contacts prepared for the models of chapters 4 and 5: contacts joined to their agents.

Kopilka-specific: it builds the variables that the chapters' models of CSAT
(:mod:`crm_course.ratings`, :mod:`crm_course.multilevel`) and of drop-out
(:mod:`crm_course.survival`) expect from Kopilka's ``contacts`` and ``agents``
tables and from the simulation's hidden truth.

* :func:`support_frame` — each support contact joined to its agent, with the
  chapter's variables: centred engagement (``engagement_c``), ``not_paid_out``,
  the Eastman fit (``fit``: the agent meets all of
  :data:`crm_course.ratings.CRITERIA`), ``criteria_met`` and ``dissatisfied``;
* :func:`agent_summary` — one row per agent: the agent's columns and the
  outcomes of their contacts (``n_contacts``, ``mean_csat``,
  ``share_dissatisfied``, ``resolution_rate``), e.g. for
  :func:`crm_course.mediation.mediation_effects`;
* :func:`team_quality_agents` — the agents of a small scenario world with a
  planted confounder, team quality, that drives working conditions and
  engagement alike; its hidden ``team_quality`` column is what a firm would
  have to measure to repair the naive regression (chapter 4, section 7.2);
* :func:`pilot_replications` — the empowerment pilot rerun in many small
  worlds, with the planted agent-level effect for agents who fail the Eastman
  criteria beside each world's estimate (chapter 4, section 4.5);
* :func:`planted_mediation` — the world's own indirect, direct and total
  effect of empowerment on an agent's mean CSAT, to set against the mediation
  estimates (chapter 4, section 7.2);
* :func:`contacts_at_risk` — the contacts of a simulated world among members
  still active, with the hidden drop-out flag that a real firm never sees, for
  :func:`crm_course.survival.contact_dropout_logit`.

The column names are arguments with Kopilka's names as defaults, but the
variables are the course's; inputs are checked and never modified.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.kopilka.support import agent_summary, support_frame
>>> frame = support_frame(load("contacts"), load("agents"))
>>> len(frame) == len(load("contacts"))
True
>>> int(agent_summary(load("contacts"), load("agents"))["n_contacts"].sum()) == len(frame)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.formulas import _check_name
from crm_course.ratings import CRITERIA
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = [
    "support_frame",
    "agent_summary",
    "contacts_at_risk",
    "team_quality_agents",
    "pilot_replications",
    "planted_mediation",
]


def support_frame(
    contacts: pd.DataFrame,
    agents: pd.DataFrame,
    *,
    agent: str = "agent_id",
    csat: str = "csat",
    payout: str = "payout_received",
    resolution: str = "first_contact_resolution",
    engagement: str = "engagement",
    treatment: str = "empowered",
    criteria: Sequence[str] = CRITERIA,
    centre: float = 60.0,
    scale: tuple[int, int] = (1, 5),
    dissatisfied_at: int = 2,
    contact_key: str | None = "contact_id",
) -> pd.DataFrame:
    """Join each support contact to its agent and add the chapter's variables.

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per contact, with the agent, the satisfaction score, whether
        the member had been paid out before and whether the contact was
        resolved first time.
    agents : pandas.DataFrame
        One row per agent, with the engagement score, the treatment flag and
        the criteria flags.
    agent, csat, payout, resolution, engagement, treatment : str
        Column names (Kopilka names by default). ``agent`` is the key in both
        tables.
    criteria : sequence of str
        True/False columns of ``agents``; an agent *fits* when all are true
        (Eastman Chemical's rule: interested, able, respected).
    centre : float
        Engagement is centred here (``engagement_c = engagement - centre``),
        so that the coefficient of ``not_paid_out`` in :data:`~crm_course.ratings.CSAT_TERMS` is
        the gap at an engagement of ``centre``.
    scale : (int, int)
        Lowest and highest possible score; every score must be a whole
        number in this range.
    dissatisfied_at : int
        Scores at or below this count as dissatisfied.
    contact_key : str or None, default "contact_id"
        Column of ``contacts`` that identifies a support contact: a repeated
        value is an error (it would be counted twice). Checked when the table
        has the column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        A new frame, one row per contact: the contact's and the agent's
        columns (True/False as 0/1), plus ``engagement_c``, ``not_paid_out``
        (1 if no payout yet), ``fit`` (1 if all criteria hold),
        ``criteria_met`` (0 to the number of criteria) and ``dissatisfied``.
        The inputs are not modified.

    Raises
    ------
    ValueError
        For a missing or wrongly typed column, a score off the scale, an
        agent key that is not unique, or a contact whose agent is not in
        ``agents``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> {"engagement_c", "not_paid_out", "fit"} <= set(frame.columns)
    True
    """
    for value, label in ((agent, "agent"), (csat, "csat"), (payout, "payout"), (resolution, "resolution"),
                         (engagement, "engagement"), (treatment, "treatment")):
        _check_name(value, label)
    if isinstance(criteria, str) or not isinstance(criteria, Sequence) or not criteria:
        raise ValueError(f"criteria: expected a list of column names; found {criteria!r}")
    criteria = list(criteria)
    check_number(centre, "centre")
    if not isinstance(scale, Sequence) or isinstance(scale, str) or len(scale) != 2:
        raise ValueError(f"scale: expected (lowest, highest) scores such as (1, 5); found {scale!r}")
    low = check_number(scale[0], "scale[0]", integer=True)
    high = check_number(scale[1], "scale[1]", low=low + 2, integer=True)
    check_number(dissatisfied_at, "dissatisfied_at", low=low, high=high - 1, integer=True)
    check_frame(contacts, {agent: "any", csat: "numeric", payout: "bool", resolution: "bool"}, name="contacts")
    check_unique(contacts, contact_key, name="contacts")
    check_range(contacts, csat, low=low, high=high, name="contacts")
    if not (contacts[csat] == np.round(contacts[csat])).all():
        raise ValueError(f"contacts: column {csat!r} should hold whole-number scores; found values such as "
                         f"{contacts.loc[contacts[csat] != np.round(contacts[csat]), csat].iloc[0]!r}")
    check_frame(agents, {agent: "any", engagement: "numeric", treatment: "bool", **{c: "bool" for c in criteria}},
                name="agents")
    if agents[agent].isna().any() or contacts[agent].isna().any():
        raise ValueError(f"contacts/agents: column {agent!r} has missing value(s); every contact needs an agent")
    duplicated = agents[agent].duplicated()
    if duplicated.any():
        raise ValueError(
            f"agents: column {agent!r} should identify one agent per row; found {int(duplicated.sum())} "
            f"repeated value(s), e.g. {agents.loc[duplicated, agent].iloc[0]!r}"
        )
    unknown = ~contacts[agent].isin(agents[agent])
    if unknown.any():
        raise ValueError(
            f"contacts: {int(unknown.sum())} contact(s) name an agent that is not in agents "
            f"(column {agent!r}), e.g. {contacts.loc[unknown, agent].iloc[0]!r}"
        )
    overlap = [c for c in agents.columns if c in contacts.columns and c != agent]
    if overlap:
        raise ValueError(f"contacts and agents both have column(s) {overlap}; rename one side first")
    frame = contacts.merge(agents, on=agent, how="left", validate="many_to_one", sort=False)
    for col in frame.columns:
        if pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("int64")
    frame["engagement_c"] = frame[engagement] - centre
    frame["not_paid_out"] = 1 - frame[payout]
    frame["criteria_met"] = frame[criteria].sum(axis=1).astype("int64")
    frame["fit"] = (frame["criteria_met"] == len(criteria)).astype("int64")
    frame["dissatisfied"] = (frame[csat] <= dissatisfied_at).astype("int64")
    return frame


def agent_summary(
    contacts: pd.DataFrame,
    agents: pd.DataFrame,
    **kwargs: Any,
) -> pd.DataFrame:
    """One row per agent: the agent's columns and the outcomes of their contacts.

    Parameters
    ----------
    contacts, agents : pandas.DataFrame
        As for :func:`support_frame`.
    **kwargs
        Column names and settings passed on to :func:`support_frame`.

    Returns
    -------
    pandas.DataFrame
        The agents who handled at least one contact, with their columns
        (True/False as 0/1), ``fit`` and ``criteria_met``, and
        ``n_contacts``, ``mean_csat``, ``share_dissatisfied`` and
        ``resolution_rate`` over their contacts.

    Examples
    --------
    >>> from crm_course.data import load
    >>> per_agent = agent_summary(load("contacts"), load("agents"))
    >>> int(per_agent["n_contacts"].sum()) == len(load("contacts"))
    True
    """
    frame = support_frame(contacts, agents, **kwargs)
    agent = kwargs.get("agent", "agent_id")
    csat = kwargs.get("csat", "csat")
    resolution = kwargs.get("resolution", "first_contact_resolution")
    outcomes = frame.groupby(agent, sort=True).agg(
        n_contacts=(csat, "size"),
        mean_csat=(csat, "mean"),
        share_dissatisfied=("dissatisfied", "mean"),
        resolution_rate=(resolution, "mean"),
    )
    agent_cols = [c for c in agents.columns if c != agent]
    per_agent = agents.loc[agents[agent].isin(outcomes.index), [agent, *agent_cols]].copy()
    for col in agent_cols:
        if pd.api.types.is_bool_dtype(per_agent[col]):
            per_agent[col] = per_agent[col].astype("int64")
    criteria = list(kwargs.get("criteria", CRITERIA))
    per_agent["criteria_met"] = per_agent[criteria].sum(axis=1).astype("int64")
    per_agent["fit"] = (per_agent["criteria_met"] == len(criteria)).astype("int64")
    per_agent = per_agent.merge(outcomes, left_on=agent, right_index=True, how="left")
    return per_agent.sort_values(agent, kind="stable").reset_index(drop=True)


def contacts_at_risk(world: Any) -> pd.DataFrame:
    """The contacts of a simulated Kopilka world, with the hidden drop-out flag, among members still active.

    Uses the world's hidden truth (``world.truth``), which a real firm never
    sees: ``dropped_out_after`` says whether the member dropped out right
    after the contact. A contact counts as *at risk* if the member had not
    yet dropped out when it was handled (drop-out after an order in the
    same week comes first in the simulation). Use it to check the planted
    ``SupportParams.dropout_per_csat_point`` with :func:`~crm_course.survival.contact_dropout_logit`.

    Parameters
    ----------
    world : crm_course.world.World
        A simulated world (``crm_course.world.simulate``).

    Returns
    -------
    pandas.DataFrame
        The at-risk contacts: the ``contacts`` table's columns plus
        ``week`` and ``dropped_out_after``.

    Examples
    --------
    >>> from crm_course.world import simulate
    >>> at_risk = contacts_at_risk(simulate(2_000, seed=1))
    >>> bool(at_risk["dropped_out_after"].any())
    True
    """
    from crm_course.world import World

    if not isinstance(world, World):
        raise TypeError(f"world: expected a World from crm_course.world.simulate; found {type(world).__name__}")
    contacts = world.tables["contacts"].merge(world.truth["contacts"], on="contact_id", how="left", validate="1:1")
    members = world.truth["members"].set_index("customer_id")
    start = pd.Timestamp(world.params.members.start)
    week = ((contacts["contact_date"] - start).dt.days // 7).to_numpy()
    dropout_week = members["dropout_week"].reindex(contacts["customer_id"]).to_numpy(dtype=float, na_value=np.nan)
    cause = members["dropout_cause"].reindex(contacts["customer_id"]).to_numpy()
    active = np.isnan(dropout_week) | (dropout_week > week) | ((dropout_week == week) & (cause == "after contact"))
    out = contacts.assign(week=week)
    return out.loc[active].reset_index(drop=True)


def team_quality_agents(
    selection: float = 0.8,
    engagement: float = 5.0,
    *,
    n_members: int = 6_000,
    members_per_agent: int = 5,
    seed: int = 3,
) -> pd.DataFrame:
    """The agents of a scenario world in which team quality confounds working conditions and engagement.

    Kopilka's shipped world draws pay, desks and training independently of
    everything else, so the engagement regression of chapter 4 recovers its
    planted effects. Here each agent works in a team of standard-normal
    quality *q* (:class:`crm_course.world.params.StaffParams`,
    ``team_quality_selection`` and ``team_quality_engagement``): better teams
    pay on time, give their agents a desk of their own and train more, and
    their agents are more engaged for reasons of their own. The randomised
    empowerment pilot is untouched. A small world (1,200 agents by default,
    five members each) simulates in well under a second.

    Parameters
    ----------
    selection : float, default 0.8
        How strongly *q* selects agents into good conditions (log-odds of pay
        on time and of an own desk per unit of *q*; training rises by
        exp(0.3 x selection x q)). Zero with ``engagement`` zero gives the
        unconfounded world.
    engagement : float, default 5.0
        Engagement points that one unit of *q* adds directly.
    n_members : int, default 6000
        Members of the scenario world.
    members_per_agent : int, default 5
        Members per agent; small, so that the world has many agents.
    seed : int, default 3
        Seed of the simulation.

    Returns
    -------
    pandas.DataFrame
        The ``agents`` table of the scenario world with the hidden truth
        joined: ``team_quality`` (the confounder), ``fit`` and
        ``random_effect``.

    Raises
    ------
    ValueError
        If ``selection`` or ``engagement`` is negative or not a number, or
        ``n_members``, ``members_per_agent`` or ``seed`` is not a positive
        whole number (``seed`` may be 0).

    Examples
    --------
    >>> agents = team_quality_agents(n_members=600, members_per_agent=5)
    >>> len(agents), "team_quality" in agents.columns
    (120, True)
    >>> float(team_quality_agents(0.0, 0.0, n_members=600)["team_quality"].abs().max())
    0.0
    """
    from dataclasses import replace

    from crm_course.world import simulate
    from crm_course.world.params import WorldParams

    selection = check_number(selection, "selection", low=0)
    engagement = check_number(engagement, "engagement", low=0)
    n_members = int(check_number(n_members, "n_members", low=1, integer=True))
    members_per_agent = int(check_number(members_per_agent, "members_per_agent", low=1, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    params = WorldParams()
    staff = replace(params.staff, members_per_agent=members_per_agent, team_quality_selection=selection,
                    team_quality_engagement=engagement)
    world = simulate(n_members=n_members, seed=seed, params=replace(params, staff=staff))
    return world.tables["agents"].merge(world.truth["agents"], on="agent_id", how="left")


def _expected_csat(
    engagement: np.ndarray, empowered: float, fit: np.ndarray, random_effect: np.ndarray,
    paid_out: np.ndarray, declined: np.ndarray, sp: Any,
) -> np.ndarray:
    """Each contact's expected CSAT in the world, given its agent's engagement and empowerment.

    Averages over the rating's logistic noise and over first-contact resolution,
    whose chance rises with engagement, as ``crm_course.world.support.handle_contacts``
    draws them; the agent's own random effect is held fixed.
    """
    cuts = np.asarray(sp.cut_points)
    eng = engagement - 60.0
    p_fcr = 1 / (1 + np.exp(-(sp.fcr_intercept + sp.fcr_per_engagement_point * eng + sp.fcr_declined * declined)))
    mu = (sp.engagement_per_point * eng * (1.0 + sp.unpaid_agent_weight * ~paid_out)
          + empowered * np.where(fit, sp.empowered_fit, sp.empowered_misfit) + random_effect)

    def rating(m: np.ndarray) -> np.ndarray:  # 1 + sum_k P(latent > cut_k)
        return 1 + (1 / (1 + np.exp(-(m[:, None] - cuts[None, :])))).sum(axis=1)

    return p_fcr * rating(mu + sp.fcr) + (1 - p_fcr) * rating(mu)


def planted_mediation(
    contacts: pd.DataFrame,
    agents: pd.DataFrame,
    agent_truth: pd.DataFrame,
    params: Any = None,
) -> pd.Series:
    r"""The world's own indirect, direct and total effect of empowerment on an agent's mean CSAT.

    The planted counterpart of :func:`crm_course.mediation.mediation_effects` on
    :func:`agent_summary`'s ``mean_csat``. For every agent, with engagement
    :math:`e_0` without the pilot and :math:`e_1 = e_0 +` ``engagement_empowered``,
    the expected mean CSAT of the agent's own contacts is computed under
    (engagement, empowered) = :math:`(e_0, 0)`, :math:`(e_0, 1)` and :math:`(e_1, 1)`;
    the **direct** effect is the mean over agents of :math:`(e_0,1) - (e_0,0)`, the
    **indirect** effect :math:`(e_1,1) - (e_0,1)` (through engagement, and through the
    first-contact resolution that engagement brings), and the **total** their sum.

    Parameters
    ----------
    contacts, agents : pandas.DataFrame
        Kopilka's tables (``agent_id``, ``payout_received``, ``reason``;
        ``agent_id``, ``engagement``, ``empowered``). Not modified.
    agent_truth : pandas.DataFrame
        The world's hidden agent table (``agent_id``, ``fit``, ``random_effect``),
        ``simulate().truth["agents"]``.
    params : crm_course.world.params.WorldParams, optional
        The planted effects; by default the shipped world's.

    Returns
    -------
    pandas.Series
        ``indirect``, ``direct`` and ``total``, in points of mean CSAT.

    Examples
    --------
    >>> from crm_course.world import simulate
    >>> world = simulate(n_members=2_000, seed=1)
    >>> paths = planted_mediation(world.tables["contacts"], world.tables["agents"], world.truth["agents"])
    >>> bool(abs(paths["indirect"] + paths["direct"] - paths["total"]) < 1e-12)
    True
    """
    from crm_course.world.params import WorldParams

    check_frame(contacts, {"agent_id": "any", "payout_received": "bool", "reason": "any"}, name="contacts")
    check_frame(agents, {"agent_id": "any", "engagement": "numeric", "empowered": "bool"}, name="agents")
    check_frame(agent_truth, {"agent_id": "any", "fit": "bool", "random_effect": "numeric"}, name="agent_truth")
    check_unique(agents, "agent_id", name="agents")
    check_unique(agent_truth, "agent_id", name="agent_truth")
    unknown = int((~agents["agent_id"].isin(agent_truth["agent_id"])).sum())
    if unknown:
        raise ValueError(f"agent_truth: column 'agent_id' should hold every agent of agents; {unknown} missing")
    unknown = int((~contacts["agent_id"].isin(agents["agent_id"])).sum())
    if unknown:
        raise ValueError(f"contacts: column 'agent_id' should name agents of the agents table; {unknown} do not")
    params = WorldParams() if params is None else params
    sp, st = params.support, params.staff
    who = agents[["agent_id", "engagement", "empowered"]].merge(
        agent_truth[["agent_id", "fit", "random_effect"]], on="agent_id", how="left")
    rows = contacts[["agent_id", "payout_received", "reason"]].merge(who, on="agent_id", how="inner")
    e0 = rows["engagement"].to_numpy(dtype=float) - st.engagement_empowered * rows["empowered"].to_numpy(dtype=float)
    args = (rows["fit"].to_numpy(dtype=bool), rows["random_effect"].to_numpy(dtype=float),
            rows["payout_received"].to_numpy(dtype=bool), (rows["reason"] == "declined order").to_numpy(), sp)
    by_agent = rows["agent_id"].to_numpy()

    def mean_over_agents(values: np.ndarray) -> float:
        return float(pd.Series(values).groupby(by_agent).mean().mean())

    base = _expected_csat(e0, 0.0, *args)
    empowered = _expected_csat(e0, 1.0, *args)
    both = _expected_csat(e0 + st.engagement_empowered, 1.0, *args)
    direct, indirect = mean_over_agents(empowered - base), mean_over_agents(both - empowered)
    return pd.Series({"indirect": indirect, "direct": direct, "total": indirect + direct})


def pilot_replications(
    contacts: pd.DataFrame,
    n_worlds: int = 40,
    *,
    n_agents: int = 100,
    seed: int = 0,
    params: Any = None,
) -> pd.DataFrame:
    r"""Rerun the empowerment pilot in many small worlds: how unusual is the shipped one?

    Each world draws ``n_agents`` new agents with the world's staff model
    (``crm_course.world.staff.simulate_agents``: conditions, Eastman
    criteria, a randomised pilot, engagement) and gives them the shipped
    contacts (payout status and reason kept, each contact routed to an agent at
    random), which are resolved and rated exactly as in the world
    (``crm_course.world.support.handle_contacts``). For agents who fail
    the Eastman criteria it then computes the chapter's agent-level test
    (empowered agents' mean CSAT minus the others', unequal-variance standard
    error, normal p-value) and the **planted** effect on the same scale: the
    expected mean CSAT of those agents' contacts with and without empowerment,
    averaged over the agents, the ratings' logistic noise and first-contact
    resolution, with each agent's own random effect held fixed. The planted
    harm is the course's assumption (``SupportParams.empowered_misfit``), not a
    finding of the article.

    Parameters
    ----------
    contacts : pandas.DataFrame
        Kopilka's ``contacts`` table (``payout_received``, ``reason``). Not modified.
    n_worlds : int, default 40
        Worlds to draw.
    n_agents : int, default 100
        Agents per world (the shipped world has 100).
    seed : int, default 0
        Seed of the first world; world *k* uses ``seed + k``.
    params : crm_course.world.params.WorldParams, optional
        The planted effects; by default the shipped world's.

    Returns
    -------
    pandas.DataFrame
        One row per world: ``planted``, ``estimate``, ``std_error``,
        ``p_value``, ``failing_agents``.

    Raises
    ------
    ValueError
        If a column is missing, or ``n_worlds``, ``n_agents`` or ``seed`` is not a
        whole number in range.

    Examples
    --------
    >>> from crm_course.data import load
    >>> reps = pilot_replications(load("contacts"), n_worlds=3)
    >>> len(reps), bool((reps["planted"] < 0).all())
    (3, True)
    """
    from crm_course.world import staff as world_staff
    from crm_course.world import support as world_support
    from crm_course.world.params import WorldParams
    from crm_course.world.schema import REASONS

    check_frame(contacts, {"payout_received": "bool", "reason": "any"}, name="contacts")
    n_worlds = int(check_number(n_worlds, "n_worlds", low=1, integer=True))
    n_agents = int(check_number(n_agents, "n_agents", low=4, integer=True))
    seed = int(check_number(seed, "seed", low=0, integer=True))
    params = WorldParams() if params is None else params
    sp, st = params.support, params.staff
    paid_out = contacts["payout_received"].to_numpy(dtype=bool)
    reason = contacts["reason"].map({r: i for i, r in enumerate(REASONS)}).to_numpy()
    if np.isnan(reason.astype(float)).any():
        raise ValueError(f"contacts: column 'reason' must hold one of {', '.join(REASONS)}")
    reason = reason.astype(np.int64)
    n = len(contacts)
    declined = reason == REASONS.index("declined order")

    rows = []
    for k in range(n_worlds):
        rng = np.random.default_rng(seed + k)
        agents = world_staff.simulate_agents(n_agents, st, sp, rng)
        handled = world_support.handle_contacts(
            np.arange(n), reason, np.zeros(n, dtype=np.int64), 1, np.where(paid_out, 0, 2), agents, sp, rng)
        agent = handled["agent"]
        mean_csat = pd.Series(handled["csat"]).groupby(agent).mean().reindex(range(n_agents))
        failing = ~agents.fit
        seen = mean_csat.notna().to_numpy()
        arms = [mean_csat[failing & seen & (agents.empowered == e)] for e in (True, False)]
        if min(len(a) for a in arms) < 2:
            raise ValueError(f"contacts: too few contacts ({n}) to give both arms of failing agents two agents "
                             "with contacts; pass Kopilka's contacts table")
        difference = arms[0].mean() - arms[1].mean()
        std_error = float(np.hypot(*(a.std(ddof=1) / np.sqrt(len(a)) for a in arms)))
        # The planted effect: each failing agent's contacts, rated with and without empowerment.
        base = agents.engagement - st.engagement_empowered * agents.empowered
        mine = failing[agent]
        args = (agents.fit[agent], agents.random_effect[agent], paid_out, declined, sp)
        effect = (_expected_csat(base[agent] + st.engagement_empowered, 1.0, *args)
                  - _expected_csat(base[agent], 0.0, *args))
        planted = pd.Series(effect[mine]).groupby(agent[mine]).mean().mean()
        from scipy import stats

        rows.append({"planted": float(planted), "estimate": float(difference), "std_error": std_error,
                     "p_value": float(2 * stats.norm.sf(abs(difference) / std_error)),
                     "failing_agents": int((failing & seen).sum())})
    return pd.DataFrame(rows, index=pd.RangeIndex(seed, seed + n_worlds, name="seed"))
