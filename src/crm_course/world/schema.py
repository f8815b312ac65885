"""The tables of the Kopilka world: the one source of the data dictionary.

``data/datapackage.json`` (a Frictionless Data Package descriptor) and
``data/README.md`` are generated from :data:`TABLES`, and
:func:`crm_course.data.load` validates every file against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crm_course.language import tr_noop

__all__ = ["TABLES", "Table", "Field", "ForeignKey"]


@dataclass(frozen=True)
class Field:
    """One column of a table: its name, type, meaning and the checks its values pass."""

    name: str
    type: str  #: Frictionless type (integer, number, string, boolean, date)
    description: str
    unit: str | None = None
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple | None = None  #: allowed labels (an enum); order matters when ``ordered``
    ordered: bool = False


@dataclass(frozen=True)
class ForeignKey:
    """Columns of one table that point at the key of another (``reference`` in ``table``)."""

    fields: tuple
    table: str
    reference: tuple


@dataclass(frozen=True)
class Table:
    """One table of the world: what a row is, which chapters use it, its columns and keys."""

    name: str
    title: str
    grain: str
    description: str
    chapters: str
    fields: tuple
    primary_key: tuple
    foreign_keys: tuple = field(default_factory=tuple)

    def field(self, name: str) -> Field:
        """The column called ``name`` (``KeyError`` if the table has none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


CHANNELS = ("search", "social", "referral", "partner")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
REGIONS = ("Moscow", "St Petersburg", "Central", "Volga", "Urals", "Siberia", "South")
DEVICES = ("android", "ios", "desktop")
CATEGORIES = ("marketplaces", "electronics", "fashion", "beauty", "home", "groceries", "travel", "food delivery")
STATUSES = ("pending", "confirmed", "declined")
ARMS = ("none", "generic", "personalised")
REASONS = ("missing cashback", "declined order", "payout", "account", "other")

#: Every table of the world by name, in the order the data dictionary lists them.
TABLES: dict[str, Table] = {}


def _add(table: Table) -> None:
    TABLES[table.name] = table


_add(Table(
    name="customers",
    title=tr_noop("Members"),
    grain="one row per member",
    description="Everyone who joined Kopilka during the observation window, with what the sign-up form records.",
    chapters="all",
    primary_key=("customer_id",),
    fields=(
        Field("customer_id", "integer", "Member identifier.", minimum=1),
        Field("signup_date", "date", "Day the member joined."),
        Field("channel", "string", "How the member came: search engine, social media, a friend's referral link, or a partner's app.", categories=CHANNELS),
        Field("age_band", "string", "Age band from the sign-up form.", categories=AGE_BANDS, ordered=True),
        Field("region", "string", "Region of residence.", categories=REGIONS),
        Field("device", "string", "Device used at sign-up.", categories=DEVICES),
    ),
))

_add(Table(
    name="merchants",
    title=tr_noop("Partner merchants"),
    grain="one row per partner store",
    description="Stores that pay Kopilka a commission on orders placed through its links; Kopilka passes part of it back as cashback.",
    chapters="2, 4",
    primary_key=("merchant_id",),
    fields=(
        Field("merchant_id", "integer", "Merchant identifier.", minimum=1),
        Field("merchant_name", "string", "Fictional store name."),
        Field("category", "string", "What the store sells.", categories=CATEGORIES),
        Field("commission_rate", "number", "Commission the merchant pays Kopilka, as a share of the order value.", unit="share", minimum=0, maximum=1),
        Field("cashback_rate", "number", "Cashback Kopilka passes to the member, as a share of the order value.", unit="share", minimum=0, maximum=1),
        Field("key_account", "boolean", "Managed by a key account manager."),
        Field("kam_id", "integer", "Key account manager in charge (empty unless a key account).", required=False, minimum=1),
    ),
))

_add(Table(
    name="transactions",
    title=tr_noop("Orders"),
    grain="one row per order placed through Kopilka",
    description=(
        "Every order a member placed at a partner merchant. Cashback stays pending until the merchant "
        "confirms or declines the order, 3 to 10 weeks later; orders still undecided at the end of the "
        "window are pending. Declined orders earn no commission and pay no cashback."
    ),
    chapters="1, 3, 5",
    primary_key=("order_id",),
    foreign_keys=(
        ForeignKey(("customer_id",), "customers", ("customer_id",)),
        ForeignKey(("merchant_id",), "merchants", ("merchant_id",)),
    ),
    fields=(
        Field("order_id", "integer", "Order identifier, in date order.", minimum=1),
        Field("customer_id", "integer", "Member who placed the order."),
        Field("merchant_id", "integer", "Merchant where the order was placed."),
        Field("category", "string", "Merchant's category.", categories=CATEGORIES),
        Field("order_date", "date", "Day of the order."),
        Field("order_value", "number", "Value of the order.", unit="RUB", minimum=0),
        Field("commission", "number", "Commission the merchant pays Kopilka (0 if declined).", unit="RUB", minimum=0),
        Field("cashback", "number", "Cashback credited to the member (0 if declined).", unit="RUB", minimum=0),
        Field("status", "string", "Pending until the merchant decides; then confirmed or declined.", categories=STATUSES),
        Field("decision_date", "date", "Day the merchant confirmed or declined (empty while pending).", required=False),
    ),
))

_add(Table(
    name="merchant_panel",
    title=tr_noop("Merchant panel"),
    grain="one row per merchant and year, 2015-2024",
    description=(
        "Partner merchants' own customer metrics by year, with the year each adopted a CRM programme "
        "(if it did). Adoption was the merchants' own choice."
    ),
    chapters="2",
    primary_key=("merchant_id", "year"),
    foreign_keys=(ForeignKey(("merchant_id",), "merchants", ("merchant_id",)),),
    fields=(
        Field("merchant_id", "integer", "Merchant identifier."),
        Field("year", "integer", "Calendar year."),
        Field("crm_adoption_year", "integer", "Year the merchant adopted CRM (empty if it never did by 2024).", required=False),
        Field("crm_active", "boolean", "CRM in use in this year (year >= adoption year)."),
        Field("repeat_rate", "number", "Share of the merchant's customers who bought again within the year.", unit="share", minimum=0, maximum=1),
        Field("revenue", "number", "Merchant's revenue in the year.", unit="million RUB", minimum=0),
        Field("customer_heterogeneity", "number", "How much the merchant's customers differ in value (Gini coefficient of customer revenue, measured before 2015).", unit="index 0-1", minimum=0, maximum=1),
        Field("employees", "integer", "Number of employees (size).", minimum=1),
    ),
))

_add(Table(
    name="offer_experiment",
    title=tr_noop("Offer experiment"),
    grain="one row per member in the randomised campaign",
    description=(
        "On the campaign date every member who had joined at least four weeks earlier was randomly "
        "assigned, in equal thirds, to no offer, a generic offer or a personalised offer. Outcomes cover "
        "the 30 days from the campaign date; converters in a treated arm received a bonus cashback."
    ),
    chapters="3",
    primary_key=("customer_id",),
    foreign_keys=(ForeignKey(("customer_id",), "customers", ("customer_id",)),),
    fields=(
        Field("customer_id", "integer", "Member identifier."),
        Field("campaign_date", "date", "Day the offers were sent."),
        Field("arm", "string", "Randomly assigned arm.", categories=ARMS),
        Field("prior_orders", "integer", "Orders the member placed before the campaign date.", minimum=0),
        Field("prior_spend", "number", "Value of those orders.", unit="RUB", minimum=0),
        Field("weeks_since_last_order", "number", "Weeks from the last order to the campaign date (empty if none).", unit="weeks", required=False, minimum=0),
        Field("tenure_weeks", "number", "Weeks from sign-up to the campaign date.", unit="weeks", minimum=0),
        Field("opened", "boolean", "Opened the offer (always false in the 'none' arm)."),
        Field("clicked", "boolean", "Clicked through the offer (always false in the 'none' arm)."),
        Field("converted", "boolean", "Placed at least one order within 30 days."),
        Field("revenue_30d", "number", "Value of orders within 30 days.", unit="RUB", minimum=0),
        Field("margin_30d", "number", "Kopilka's margin on those orders: commission minus cashback.", unit="RUB"),
        Field("offer_cost", "number", "Cost of the offer: sending cost plus bonus cashback if converted.", unit="RUB", minimum=0),
    ),
))

_add(Table(
    name="agents",
    title=tr_noop("Support agents"),
    grain="one row per support employee",
    description=(
        "Kopilka's customer-support agents at the end of the window, with their working conditions, the "
        "three criteria Eastman Chemical used before granting autonomy, whether they were in the "
        "empowerment pilot (randomly chosen) and their score in the staff engagement survey."
    ),
    chapters="4",
    primary_key=("agent_id",),
    fields=(
        Field("agent_id", "integer", "Agent identifier.", minimum=1),
        Field("tenure_months", "integer", "Months with Kopilka.", unit="months", minimum=0),
        Field("paid_on_time", "boolean", "Salary always paid on time in the last year."),
        Field("shared_desk", "boolean", "Shares a desk (hot-desking) rather than having one's own."),
        Field("training_hours", "integer", "Hours of training in the last year.", unit="hours", minimum=0),
        Field("interested_in_autonomy", "boolean", "Said in the survey they want more say over their decisions."),
        Field("able", "boolean", "Judged able to decide alone by their team lead."),
        Field("respected", "boolean", "Named as a go-to person by colleagues."),
        Field("empowered", "boolean", "In the empowerment pilot: may grant goodwill cashback and close disputes alone."),
        Field("engagement", "number", "Staff engagement survey score.", unit="points 0-100", minimum=0, maximum=100),
    ),
))

_add(Table(
    name="contacts",
    title=tr_noop("Support contacts"),
    grain="one row per support contact",
    description="Every contact a member made with support, who handled it, and the member's satisfaction rating.",
    chapters="4, 5",
    primary_key=("contact_id",),
    foreign_keys=(
        ForeignKey(("customer_id",), "customers", ("customer_id",)),
        ForeignKey(("agent_id",), "agents", ("agent_id",)),
    ),
    fields=(
        Field("contact_id", "integer", "Contact identifier, in date order.", minimum=1),
        Field("customer_id", "integer", "Member who made contact."),
        Field("agent_id", "integer", "Agent who handled it."),
        Field("contact_date", "date", "Day of the contact."),
        Field("reason", "string", "Why the member got in touch.", categories=REASONS),
        Field("payout_received", "boolean", "The member had received at least one cashback payout before this contact."),
        Field("first_contact_resolution", "boolean", "Resolved in this contact, without follow-up."),
        Field("csat", "integer", "Customer satisfaction rating after the contact (1 = very dissatisfied, 5 = very satisfied).", unit="points 1-5", minimum=1, maximum=5),
    ),
))

_add(Table(
    name="key_accounts",
    title=tr_noop("Key accounts"),
    grain="one row per key account (merchant) and its manager",
    description="Key merchants, the key account manager in charge, and how the relationship went in 2024.",
    chapters="4",
    primary_key=("kam_id", "merchant_id"),
    foreign_keys=(ForeignKey(("merchant_id",), "merchants", ("merchant_id",)),),
    fields=(
        Field("kam_id", "integer", "Key account manager identifier.", minimum=1),
        Field("merchant_id", "integer", "Key merchant."),
        Field("relationship_quality", "number", "Merchant's rating of the relationship (1 = poor, 7 = excellent).", unit="points 1-7", minimum=1, maximum=7),
        Field("meetings_per_year", "integer", "Meetings between the manager and the merchant in 2024.", minimum=0),
        Field("merchant_growth", "number", "Growth of the merchant's sales through Kopilka, 2024 over 2023.", unit="%"),
    ),
))
