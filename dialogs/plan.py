"""The plan: which steps a company gets, in which order, and how each is worded.

Each rule in ``RULES`` is data: an id, a condition, a priority weight (which may depend on sector and size),
its texts worded for a one-person firm, the owner of a micro enterprise, a small team or an organisation with
departments (and, where the words differ, for the sector's trade: guests, orders, clients, jobs), and the
effort, cost and figure that shows it worked. The first two steps are for this week,
the rest for this quarter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import TypeAlias

from dialogs.ceilings import SizeClass
from dialogs.duties import DutyStatus, DutyVerdict
from dialogs.profile import CompanyProfile
from dialogs.text import Day, Money, Text, msg, nmsg

MIN_STEPS = 3
MAX_STEPS = 7


class Horizon(StrEnum):
    """When a step's first action is due: at most ``WEEK_STEPS`` steps this week, the rest this quarter."""

    WEEK = "week"
    QUARTER = "quarter"


WEEK_STEPS = 2


@dataclass(frozen=True)
class Step:
    """One thing to do: what (title), why it matters, the first action, its effort, cost and the figure
    that shows it worked."""

    id: str
    priority: int
    title: Text
    why: Text
    action: Text
    effort: Text
    cost: Text
    metric: Text
    horizon: Horizon = Horizon.QUARTER
    duty_id: str | None = None  # the legal duty this step is about (see dialogs.duties)
    days_left: int | None = None  # until the duty starts, for a duty due soon


# --- Rules -------------------------------------------------------------------------------------------


class Audience(StrEnum):
    """Whom a step's wording addresses: a one-person firm, the owner, a small team, or an organisation."""

    SOLO = "solo"  # one person: never told about staff or a team
    OWNER = "owner"  # micro enterprise
    TEAM = "team"  # small enterprise
    ORGANISATION = "organisation"  # medium-sized and above


SOLO_BELOW_STAFF = Decimal(2)


TEAM_FROM_STAFF = Decimal(10)
ORGANISATION_FROM_STAFF = Decimal(50)


def audience_for(category: SizeClass, staff: Decimal | None = None) -> Audience:
    """Whom the steps address: the firm's own headcount decides the wording (an 8-person subsidiary of a
    large group is a small team), the size class only when the headcount is not known."""
    if staff is None:
        return {SizeClass.MICRO: Audience.OWNER, SizeClass.SMALL: Audience.TEAM}.get(
            category, Audience.ORGANISATION
        )
    if staff < SOLO_BELOW_STAFF:
        return Audience.SOLO
    if staff < TEAM_FROM_STAFF:
        return Audience.OWNER
    if staff < ORGANISATION_FROM_STAFF:
        return Audience.TEAM
    return Audience.ORGANISATION


@dataclass(frozen=True)
class Facts:
    """What a rule's condition may look at."""

    profile: CompanyProfile
    category: SizeClass
    audience: Audience
    gap: int
    is_sme: bool = True
    duties: tuple[DutyVerdict, ...] = ()


# One text for everyone, texts per audience (a missing audience uses the next smaller one's text), or texts
# per trade (``BySector``); the last two may be nested either way.
Wording: TypeAlias = "Text | Mapping[Audience, Wording] | BySector"


class Trade(StrEnum):
    """What a firm's customers and its work are called: a restaurant has guests, not finished jobs."""

    JOBS = "jobs"  # crafts: customers, jobs
    GUESTS = "guests"  # hospitality: guests, visits and stays
    ORDERS = "orders"  # shops and retail: customers, orders, products
    CLIENTS = "clients"  # professional services: clients, mandates
    GENERAL = "general"  # manufacturing and others: customers (the default wording)


_TRADE_OF_SECTOR = {
    "craft": Trade.JOBS,
    "hospitality": Trade.GUESTS,
    "retail": Trade.ORDERS,
    "services": Trade.CLIENTS,
}


def trade_for(profile: CompanyProfile) -> Trade:
    return _TRADE_OF_SECTOR.get(profile.sector, Trade.GENERAL)


@dataclass(frozen=True)
class BySector:
    """Wording that depends on the firm's trade, and for firms selling to businesses (LinkedIn, not
    Instagram) on that; a trade without a text of its own gets ``default``."""

    default: Wording
    jobs: Wording | None = None
    guests: Wording | None = None
    orders: Wording | None = None
    clients: Wording | None = None
    b2b: Wording | None = None

    def pick(self, trade: Trade, b2b: bool) -> Wording:
        if b2b and self.b2b is not None:
            return self.b2b
        own: Wording | None = getattr(self, trade.value, None)
        return self.default if own is None else own


class CostBand(StrEnum):
    """The firm's own size for what a step costs: a website for 400 staff is not a one-person firm's."""

    MICRO = "micro"  # fewer than 10 staff
    SMALL = "small"  # 10 to 49
    MEDIUM = "medium"  # 50 to 249
    LARGE = "large"  # 250 or more


def cost_band(staff: Decimal) -> CostBand:
    """The cost band of the firm's own headcount (not the group's: an 8-person subsidiary builds small)."""
    for band, below in ((CostBand.MICRO, 10), (CostBand.SMALL, 50), (CostBand.MEDIUM, 250)):
        if staff < below:
            return band
    return CostBand.LARGE


# One cost for every size, or a cost per band (every band named). The ranges are this advisor's estimates
# from typical offers; no dated source with ranges per size band was found.
Costs = Text | Mapping[CostBand, Text]


@dataclass(frozen=True)
class Rule:
    """A step that applies when ``condition`` holds; a lower ``weight`` comes first."""

    id: str
    weight: int | Callable[[Facts], int]
    condition: Callable[[Facts], bool]
    title: Wording
    why: Wording
    action: Wording
    effort: tuple[int, int]  # hours for the first action, low and high
    cost: Costs
    metric: Wording

    def weight_for(self, facts: Facts) -> int:
        return self.weight(facts) if callable(self.weight) else self.weight

    def step(
        self,
        priority: int,
        audience: Audience,
        band: CostBand = CostBand.MICRO,
        trade: Trade = Trade.GENERAL,
        b2b: bool = False,
    ) -> Step:
        def worded(wording: Wording) -> Text:
            return _worded(wording, audience, trade, b2b)

        return Step(
            self.id,
            priority,
            worded(self.title),
            worded(self.why),
            worded(self.action),
            msg("about {low} to {high} hours", low=self.effort[0], high=self.effort[1]),
            self.cost if isinstance(self.cost, Text) else self.cost[band],
            worded(self.metric),
            Horizon.WEEK if priority <= WEEK_STEPS else Horizon.QUARTER,
        )


def _worded(wording: Wording, audience: Audience, trade: Trade = Trade.GENERAL, b2b: bool = False) -> Text:
    """The text for ``audience`` and ``trade``; an audience without its own text gets the next smaller
    audience's, a trade without its own text the default."""
    if isinstance(wording, Text):
        return wording
    if isinstance(wording, BySector):
        return _worded(wording.pick(trade, b2b), audience, trade, b2b)
    order = list(Audience)
    index = order.index(audience)
    # A one-person firm takes the owner's text when it has none of its own.
    for candidate in [*reversed(order[: index + 1]), *order[index + 1 :]]:
        if candidate in wording:
            return _worded(wording[candidate], audience, trade, b2b)
    raise KeyError(f"no wording for {audience}")


def _free() -> Text:
    return msg("no extra cost")


def _once(low: int, high: int) -> Text:
    return msg("{low} to {high} once", low=Money(Decimal(low)), high=Money(Decimal(high)))


def _monthly(low: int, high: int) -> Text:
    return msg("{low} to {high} a month", low=Money(Decimal(low)), high=Money(Decimal(high)))


def _yearly(low: int, high: int) -> Text:
    return msg("{low} to {high} a year", low=Money(Decimal(low)), high=Money(Decimal(high)))


def _per_band(micro: Text, small: Text, medium: Text, large: Text) -> Mapping[CostBand, Text]:
    return {CostBand.MICRO: micro, CostBand.SMALL: small, CostBand.MEDIUM: medium, CostBand.LARGE: large}


_DUTY_COSTS: dict[str, Costs] = {
    "e_invoice_issue": _per_band(_once(0, 500), _once(500, 5000), _once(5000, 30000), _once(20000, 150000)),
    "accessibility": _per_band(
        _once(500, 3000), _once(2000, 10000), _once(5000, 30000), _once(20000, 100000)
    ),
    "nis2": _free(),  # the BSI's scope check itself is free
}


def duty_cost(duty_id: str, staff: Decimal) -> Text:
    """What meeting a duty costs a firm of this headcount (software, a check, an integration)."""
    return _duty_cost_for_band(duty_id, cost_band(staff))


def _duty_cost_for_band(duty_id: str, band: CostBand) -> Text:
    costs = _DUTY_COSTS[duty_id]
    return costs if isinstance(costs, Text) else costs[band]


_ANY_CHAMBER = msg("your chamber (IHK, HWK or professional chamber)")

# The chamber of each kind of firm (``_chamber_kind``): crafts to the HWK, liberal professions to their own
# chamber, others to the IHK (domain facts, chambers).
_CHAMBERS = {
    "craft": msg("your chamber of crafts (HWK)"),
    "services": msg(
        "your professional chamber (such as the Steuerberaterkammer, Rechtsanwaltskammer or Architekten-"
        " und Ingenieurkammer), or the IHK if your profession has none"
    ),
    "other": msg("your chamber of commerce (IHK)"),
}


def _chamber_kind(sector: str) -> str:
    return sector if sector in ("craft", "services") else "other"


def chamber_for(profile: CompanyProfile) -> Text:
    """The chamber a firm belongs to: crafts to the HWK, liberal professions to their own chamber, others to
    the IHK (domain facts, chambers)."""
    return _CHAMBERS[_chamber_kind(profile.sector)]


def _local_private(f: Facts) -> bool:
    """Local or regional business with private customers: the map and reviews decide."""
    return f.profile.reach == "local" and f.profile.customers != "business"


def _b2b(f: Facts) -> bool:
    """Selling to businesses: buyers search on LinkedIn, in industry portals and in references."""
    p = f.profile
    return p.customers == "business" or (p.customers == "both" and p.sector in ("manufacturing", "services"))


def _shop(f: Facts) -> bool:
    return f.profile.sector == "retail" and f.profile.customers != "business"


def _needs_support(f: Facts) -> bool:
    return f.gap >= SUPPORT_FROM_GAP or f.profile.website == "none" or f.profile.social_presence == "none"


def _owner_needed(f: Facts) -> bool:
    p = f.profile
    return f.audience is Audience.ORGANISATION and (
        p.website != "current" or p.social_presence != "strategy" or p.results_check != "yes"
    )


# Gap at or above which free outside help comes into the steps; at or below which a company does well.
SUPPORT_FROM_GAP = 40
DOING_WELL_UP_TO_GAP = 30
# An online share below this (percent of the marketing budget) makes shifting budget a step.
SHIFT_BELOW_ONLINE_SHARE = Decimal(25)

RULES: tuple[Rule, ...] = (
    Rule(
        id="digital_owner",
        weight=5,
        condition=_owner_needed,
        title=msg("Name one person responsible for online marketing"),
        why=msg(
            "Without a clear owner, online marketing stays a side job and nobody answers for results."
            " Website, social media and monitoring need one person who steers them."
        ),
        action=msg(
            "Choose the person, agree on a fixed share of their working time and one goal for the next"
            " quarter, such as qualified enquiries per month."
        ),
        effort=(2, 4),
        cost=_free(),
        metric=msg("qualified enquiries per month, reported by the responsible person"),
    ),
    Rule(
        id="website_foundation",
        weight=5,  # before every step that links to the website (equal weights keep the table's order)
        condition=lambda f: f.profile.website == "none",
        title=msg("Build a website as your foundation"),
        why={
            Audience.OWNER: msg(
                "Customers look you up online before they call. Without a website, posts and recommendations"
                " lead nowhere."
            ),
            Audience.ORGANISATION: msg(
                "Customers, applicants and partners check you online first. The website is the foundation"
                " every campaign and post links to."
            ),
        },
        action={
            Audience.OWNER: BySector(
                default=msg(
                    "Reserve your domain and build one page with a website builder: services, region, three"
                    " photos of your work, phone number, contact form and legal notice (Impressum)."
                ),
                guests=msg(
                    "Reserve your domain and build one page with a website builder: menu or rooms, opening"
                    " hours, how to find you, three photos, a reservation button and legal notice (Impressum)."
                ),
                orders=msg(
                    "Reserve your domain and build one page with a website builder: your range and prices,"
                    " opening hours, three photos of your shop, phone number and legal notice (Impressum)."
                ),
                clients=msg(
                    "Reserve your domain and build one page with a website builder: your services and"
                    " qualifications, whom you work for, phone number, contact form and legal notice (Impressum)."
                ),
            ),
            Audience.TEAM: msg(
                "Write down the ten questions customers ask most and request quotes from two local agencies for a mobile-friendly site with contact form and visitor statistics."
            ),
            Audience.ORGANISATION: msg(
                "Have the responsible person set three goals for the site (enquiries, applicants, dealers) and request quotes from two agencies, with web analytics from the start."
            ),
        },
        effort=(10, 20),
        cost=_per_band(_once(300, 3000), _once(2000, 10000), _once(10000, 50000), _once(30000, 150000)),
        metric=msg("enquiries through the website per month"),
    ),
    Rule(
        id="local_profile",
        weight=10,
        condition=lambda f: (
            _local_private(f)
            and f.profile.sector != "hospitality"  # the booking step covers the map profile and reviews
            and (f.profile.website != "current" or f.profile.referral != "active")
        ),
        title=msg("Complete your Google Business Profile"),
        why=msg(
            "Local customers search on the map and compare reviews. A complete, free profile makes you"
            " visible there and leads them straight to you."
        ),
        action={
            Audience.OWNER: BySector(
                default=msg(
                    "Claim or create the profile, add opening hours, service area and five photos of your"
                    " premises and work, and answer every review."
                ),
                jobs=msg(
                    "Claim or create the profile, add opening hours, service area and five photos of recent"
                    " jobs, and answer every review."
                ),
                orders=msg(
                    "Claim or create the profile, add opening hours, your range and five photos of your shop"
                    " and products, and answer every review."
                ),
                clients=msg(
                    "Claim or create the profile, add office hours, your services and a photo of your office,"
                    " and answer every review."
                ),
            ),
            Audience.TEAM: msg(
                "Check the profile of every location for opening hours, services, photos and contact"
                " details, and name one person who answers reviews within two days."
            ),
        },
        effort=(2, 4),
        cost=_free(),
        metric=msg("calls, route requests and website clicks in the profile statistics"),
    ),
    Rule(
        id="website_refresh",
        weight=20,
        condition=lambda f: f.profile.website == "outdated",
        title=msg("Bring your website up to date"),
        why=msg(
            "An outdated site, or one that is hard to use on a phone, loses the visitors your posts and"
            " recommendations send to it."
        ),
        action={
            Audience.OWNER: msg(
                "Open your site on your phone, correct opening hours, prices and photos, and check phone"
                " number, legal notice (Impressum) and privacy policy."
            ),
            Audience.TEAM: msg(
                "Ask three customers to find one piece of information on your site on their phone, note"
                " where they get stuck and fix the biggest problem first."
            ),
            Audience.ORGANISATION: msg(
                "Have the responsible person audit the site (mobile use, loading time, outdated pages,"
                " analytics) and draw up a relaunch plan with budget and deadline."
            ),
        },
        effort=(4, 12),
        cost=_per_band(_once(0, 2000), _once(1000, 8000), _once(5000, 30000), _once(20000, 100000)),
        metric=msg("enquiries through the website per month"),
    ),
    Rule(
        id="start_measuring",
        weight=25,
        condition=lambda f: f.profile.results_check == "no" and not _shop(f),
        title=msg("Check what your advertising brings"),
        why=msg(
            "Only when you know which measures bring customers can you put the budget where it works."
            " Otherwise advertising money simply fizzles out."
        ),
        action={
            Audience.OWNER: BySector(
                default=msg(
                    "Ask every new customer “How did you hear about us?”, note the answers in a simple list"
                    " and look at it again in a month."
                ),
                guests=msg(
                    "Ask every new guest “How did you find us?”, note the answers in a simple list and look"
                    " at it again in a month."
                ),
                clients=msg(
                    "Ask every new client “How did you hear about us?”, note the answers in a simple list"
                    " and look at it again in a month."
                ),
            ),
            Audience.TEAM: msg(
                "Switch on privacy-friendly visitor statistics for your website, give every campaign its own"
                " link or code and note the source of every enquiry."
            ),
            Audience.ORGANISATION: msg(
                "Have the responsible person set up a dashboard with the cost per enquiry for each channel"
                " and tag every campaign link; review it monthly with management."
            ),
        },
        effort=(1, 3),
        cost=_free(),
        metric=BySector(
            default=msg("share of new customers whose source you know"),
            guests=msg("share of new guests whose source you know"),
            clients=msg("share of new clients whose source you know"),
        ),
    ),
    Rule(
        id="social_start",
        weight=30,
        # business customers are reached on LinkedIn, which has a step of its own
        condition=lambda f: f.profile.social_presence == "none" and not _b2b(f),
        title=msg("Start on one social network, with a plan"),
        why=BySector(
            default=msg(
                "Customers and applicants expect to find you there. An account that posts now and then is"
                " not enough: decide whom you want to reach, and with what."
            ),
            guests=msg(
                "Guests look at photos on social media before they book or come by. An account that posts"
                " now and then is not enough: decide whom you want to reach, and with what."
            ),
        ),
        action={
            Audience.OWNER: BySector(
                default=msg(
                    "Choose the one platform your customers use, often Instagram or Facebook, and show one"
                    " example of your work with photos. Then keep one hour a week for it."
                ),
                jobs=msg(
                    "Choose the one platform your customers use, for local trades often Instagram or Facebook,"
                    " and show one finished job with photos. Then keep one hour a week for it."
                ),
                guests=msg(
                    "Choose Instagram or Facebook and show a dish, a room or a moment of your day with good"
                    " photos. Then keep one hour a week for it."
                ),
                orders=msg(
                    "Choose the platform your buyers use, often Instagram or Facebook, and show one product in"
                    " use with photos. Then keep one hour a week for it."
                ),
                clients=msg(
                    "Choose the one platform your clients use and answer one question clients often ask, in"
                    " plain words. Then keep one hour a week for it."
                ),
            ),
            Audience.TEAM: BySector(
                default=msg(
                    "Choose one platform and three topics (work, team, tips), draw up a four-week posting"
                    " plan and give one team member two hours a week for it."
                ),
                guests=msg(
                    "Choose one platform and three topics (dishes or rooms, team, events), draw up a"
                    " four-week posting plan and give one team member two hours a week for it."
                ),
                orders=msg(
                    "Choose one platform and three topics (products, team, tips), draw up a four-week"
                    " posting plan and give one team member two hours a week for it."
                ),
            ),
            # this step is for firms selling to consumers: their platform is rarely LinkedIn
            Audience.ORGANISATION: msg(
                "Set up your company profile where your customers are, often Instagram or Facebook; set goals"
                " per platform (customers, applicants) and plan one post a week for the next quarter."
            ),
        },
        effort=(2, 6),
        cost=_monthly(0, 300),
        metric=msg("enquiries that mention the social network"),
    ),
    Rule(
        id="social_strategy",
        weight=30,
        condition=lambda f: f.profile.social_presence == "occasional",
        title=msg("Turn occasional posting into a social media strategy"),
        why=msg(
            "An account that posts now and then builds no reach. A strategy sets goals, target groups,"
            " topics and a rhythm, and makes results measurable."
        ),
        action={
            Audience.OWNER: msg(
                "Look at your last ten posts, keep the two topics with the most reactions and block one"
                " fixed hour a week to post on them."
            ),
            Audience.TEAM: msg(
                "Write a one-page strategy: goal, target group, platform, three topics, rhythm and who"
                " posts. Then plan the next four weeks."
            ),
            Audience.ORGANISATION: BySector(
                default=msg(
                    "Have the responsible person compare your platforms by reach and enquiries, drop the"
                    " weakest and draft an editorial plan for your main platform, such as Instagram, and one"
                    " other channel."
                ),
                b2b=msg(
                    "Have the responsible person compare your platforms by reach and enquiries, drop the"
                    " weakest and draft an editorial plan for LinkedIn and one other channel."
                ),
            ),
        },
        effort=(3, 6),
        cost=_free(),
        metric=msg("reactions and enquiries per post"),
    ),
    Rule(
        id="referral_advocates",
        weight=40,
        condition=lambda f: f.profile.referral != "active",
        title=BySector(
            default={
                Audience.SOLO: msg("Turn customers into advocates"),
                Audience.OWNER: msg("Turn customers and staff into advocates"),
            },
            guests=msg("Turn guests into regulars who recommend you"),
            clients={
                Audience.SOLO: msg("Turn clients into advocates"),
                Audience.OWNER: msg("Turn clients and staff into advocates"),
            },
        ),
        why={
            Audience.SOLO: msg(
                "Recommendations win new customers, and social networks carry them further than word of"
                " mouth alone. Satisfied customers sell for you."
            ),
            Audience.OWNER: msg(
                "Recommendations win new customers, and social networks carry them further than word of"
                " mouth alone. Satisfied customers and proud staff sell for you."
            ),
        },
        action={
            Audience.OWNER: BySector(
                default=msg(
                    "Ask five satisfied customers for an online review and send them the direct link. Thank"
                    " everyone who writes one."
                ),
                guests=msg(
                    "Put a card with the link to your reviews on the table or with the bill, ask your regular"
                    " guests for a review and answer every one."
                ),
                clients=msg(
                    "Ask five satisfied clients for an online review or a recommendation and send them the"
                    " direct link. Thank everyone who writes one."
                ),
            ),
            Audience.TEAM: BySector(
                default=msg(
                    "Make asking for a review part of every completed order, and invite your team to share"
                    " company posts they like; show them how in ten minutes."
                ),
                jobs=msg(
                    "Make asking for a review part of every finished job, and invite your team to share"
                    " company posts they like; show them how in ten minutes."
                ),
                guests=msg(
                    "Make asking for a review part of saying goodbye to guests, and invite your team to share"
                    " posts they like; show them how in ten minutes."
                ),
                clients=msg(
                    "Make asking for a review part of closing every mandate, and invite your team to share"
                    " company posts they like; show them how in ten minutes."
                ),
            ),
            Audience.ORGANISATION: BySector(
                default=msg(
                    "Send every customer a review request with the direct link after each purchase, and invite"
                    " staff who want to share company posts; give them ready-made posts."
                ),
                guests=msg(
                    "Send every guest a review request with the direct link after their stay or visit, and"
                    " invite staff who want to share your posts; give them ready-made posts."
                ),
                b2b=msg(
                    "Invite ten volunteers to a staff-advocacy programme on LinkedIn with posts ready to share,"
                    " and ask your five best customers for a reference story."
                ),
            ),
        },
        effort=(1, 3),
        cost=_free(),
        metric=msg("new reviews and recommendations per month"),
    ),
    Rule(
        id="measure_every_campaign",
        weight=45,
        condition=lambda f: f.profile.results_check == "partly",
        title=msg("Measure every campaign, not just some"),
        why=msg(
            "Partial checks leave you guessing about the rest of the budget. Every measure needs a goal and"
            " a figure that shows whether it was reached."
        ),
        action={
            Audience.OWNER: msg(
                "List everything you pay for in advertising and write next to each item how you will tell"
                " whether it brought a customer."
            ),
            Audience.TEAM: msg(
                "Pick one figure per channel (enquiries, calls, orders), keep it in a shared sheet and agree"
                " on a short monthly review."
            ),
            Audience.ORGANISATION: msg(
                "Add the unmeasured campaigns to your reporting with one target figure each, and end every"
                " campaign still without one at the end of the quarter."
            ),
        },
        effort=(2, 4),
        cost=_free(),
        metric=msg("share of the budget with a target figure"),
    ),
    Rule(
        id="professional_support",
        weight=50,
        condition=lambda f: f.is_sme and _needs_support(f),
        title=msg("Get free, neutral support"),
        why=msg(
            "Professional support is a cornerstone of success. About 26 Mittelstand-Digital Zentren, funded"
            " by the federal ministry for economic affairs (BMWE), advise SMEs free of charge and vendor-neutrally."
        ),
        action={
            Audience.OWNER: msg(
                "Call the digital advisers of {chamber}, or the nearest Mittelstand-Digital Zentrum, and book a"
                " free first consultation.",
                chamber=_ANY_CHAMBER,
            ),
            Audience.TEAM: msg(
                "Find a Mittelstand-Digital Zentrum that suits you and sign up for a first consultation or a"
                " workshop on online marketing; ask {chamber} as well.",
                chamber=_ANY_CHAMBER,
            ),
            Audience.ORGANISATION: msg(
                "Ask a Mittelstand-Digital Zentrum for a free workshop on your online marketing strategy,"
                " and ask {chamber} about its digital advice and exchange groups.",
                chamber=_ANY_CHAMBER,
            ),
        },
        effort=(1, 2),
        cost=_free(),
        metric=msg("one agreed next step after the consultation"),
    ),
    Rule(
        id="shift_budget",
        weight=55,
        condition=lambda f: f.profile.online_share < SHIFT_BELOW_ONLINE_SHARE,
        title=msg("Shift budget from traditional to online"),
        why=msg(
            "Online marketing is not free, and your customers are online today. The budget should move"
            " towards online activities, step by step and measured."
        ),
        action={
            Audience.OWNER: msg(
                "Pick one traditional expense, such as an ad in the local paper, and spend the same amount online for three months instead. Compare the enquiries."
            ),
            Audience.TEAM: msg(
                "List your traditional marketing costs (print, fairs, directories), pick the one with the least visible effect and move its budget into a measured online test."
            ),
            Audience.ORGANISATION: msg(
                "Put the online share on the agenda of the next budget round and propose moving ten"
                " percentage points from print and fairs to measured online channels."
            ),
        },
        effort=(2, 4),
        cost=msg("none beyond the budget you move"),
        metric=msg("enquiries per euro, online against traditional"),
    ),
    Rule(
        id="social_budget",
        weight=58,
        condition=lambda f: f.profile.social_presence != "none" and f.profile.social_share == 0,
        title=msg("Give social media a budget of its own"),
        why=msg(
            "Social media is not free: content, time and promoted posts cost money. Without a budget, the"
            " channel depends on spare moments."
        ),
        action={
            Audience.OWNER: msg(
                "Set a small fixed monthly amount for promoted posts or good photos, test it for three"
                " months and note the enquiries it brings."
            ),
            Audience.ORGANISATION: msg(
                "Plan a social media line in next quarter's budget for content and promoted posts, with a"
                " target figure to measure it against."
            ),
        },
        effort=(1, 2),
        cost=_per_band(_monthly(50, 300), _monthly(100, 600), _monthly(300, 2000), _monthly(1000, 5000)),
        metric=msg("enquiries per euro spent on social media"),
    ),
    Rule(
        id="keep_measuring",
        weight=70,
        condition=lambda f: f.profile.results_check == "yes",
        title=msg("Keep measuring and compare over time"),
        why=msg(
            "You already check your advertising, which puts you ahead of most companies. Comparing quarter"
            " by quarter shows trends that single campaigns hide."
        ),
        action={
            Audience.OWNER: msg(
                "Put last quarter's enquiries per channel next to this quarter's and decide where your next"
                " hour and euro go."
            ),
            Audience.TEAM: msg(
                "Put last quarter's enquiries per channel next to this quarter's and decide with your team"
                " where the next budget goes."
            ),
            Audience.ORGANISATION: msg(
                "Add a quarter-on-quarter comparison to your dashboard and present its three main findings"
                " at the next management meeting."
            ),
        },
        effort=(1, 2),
        cost=_free(),
        metric=msg("cost per enquiry per channel, quarter on quarter"),
    ),
    Rule(
        id="test_new_channel",
        weight=75,
        condition=lambda f: f.gap <= DOING_WELL_UP_TO_GAP,
        title=msg("Test one new channel"),
        why=msg(
            "Your basics are in place. A small, measured test shows whether another channel pays off before"
            " you commit more budget."
        ),
        action={
            Audience.OWNER: msg(
                "Pick one channel you do not use yet, such as a newsletter to existing customers, and test"
                " it for three months with a fixed budget and one target figure."
            ),
            Audience.ORGANISATION: msg(
                "Choose one untested channel, such as LinkedIn ads for one product line or a dealer"
                " newsletter, and set budget, duration and target figure for a three-month test."
            ),
        },
        effort=(4, 8),
        cost=_per_band(_monthly(100, 500), _monthly(200, 1000), _monthly(500, 3000), _monthly(2000, 10000)),
        metric=msg("enquiries from the new channel against its cost"),
    ),
    Rule(
        id="customer_stories",
        weight=80,
        condition=lambda f: f.profile.referral == "active",
        title=msg("Make your advocates visible"),
        why=msg(
            "Your customers and staff already recommend you. Stories and reviews on your own channels turn"
            " single recommendations into lasting proof."
        ),
        action={
            Audience.OWNER: BySector(
                default=msg(
                    "Ask one happy customer for a short story with a photo and publish it on your website and"
                    " your main social network."
                ),
                guests=msg(
                    "Ask a regular guest for a few sentences and a photo, and publish them on your website and"
                    " your main social network."
                ),
                clients=msg(
                    "Ask one client for permission to tell how you helped (without confidential details), and"
                    " publish it on your website and your main social network."
                ),
            ),
            Audience.ORGANISATION: msg(
                "Pick one reference project a month, have the customer and the staff involved tell it, and"
                " let your advocates share it."
            ),
        },
        effort=(2, 4),
        cost=_once(0, 300),
        metric=msg("visits and enquiries on the story pages"),
    ),
    Rule(
        id="larger_firm_support",
        weight=50,
        condition=lambda f: not f.is_sme and _needs_support(f),
        title=msg("Get advice suited to a company outside the SME definition"),
        why=msg(
            "Your company is not an SME under the EU definition, so the Mittelstand-Digital Zentren are not"
            " meant for it. The chamber of commerce (IHK) and the European Digital Innovation Hubs (EDIH) also"
            " serve such companies."
        ),
        action=msg(
            "Ask {chamber} about its digital advice, and the EDIH of your region about a workshop.",
            chamber=_ANY_CHAMBER,
        ),
        effort=(1, 2),
        cost=_free(),
        metric=msg("one agreed next step after the consultation"),
    ),
    Rule(
        id="reservations_reviews",
        weight=8,
        condition=lambda f: f.profile.sector == "hospitality",
        title=msg("Let guests find, book and rate you online"),
        why=msg(
            "Guests choose on the map and by reviews, and book where it takes one click. Every booking by"
            " phone that could have been online costs you guests at night and at weekends."
        ),
        action=msg(
            "Add a booking or reservation button to your map profile and website, and answer the last ten"
            " reviews, the critical ones first."
        ),
        effort=(2, 5),
        cost=_monthly(0, 100),
        metric=msg("online bookings and new reviews per month"),
    ),
    Rule(
        id="shop_analytics",
        weight=7,
        condition=_shop,
        title=msg("Measure your shop: where buyers come from and where they drop out"),
        why=msg(
            "In retail, every euro of advertising shows up in orders. Shop analytics tell you which channel"
            " brings buyers and at which step they leave the basket."
        ),
        action=msg(
            "Switch on privacy-friendly shop analytics, tag every campaign link and note conversion rate and"
            " average basket for the last four weeks as your starting point."
        ),
        effort=(3, 6),
        cost=_free(),
        metric=msg("conversion rate and average basket per month"),
    ),
    Rule(
        id="marketplaces",
        weight=12,
        condition=lambda f: _shop(f) and f.profile.reach != "local",
        title=msg("Sell where your customers already search: online marketplaces"),
        why=msg(
            "Many buyers start their search on a marketplace, not in a search engine. A few best-selling"
            " products there bring new customers who then find your own shop."
        ),
        action=msg(
            "Work out the marketplace fees for your five best-selling products and list the two with the"
            " best margin on one marketplace as a test."
        ),
        effort=(8, 16),
        cost=_monthly(40, 300),
        metric=msg("orders and margin per marketplace after fees"),
    ),
    Rule(
        id="international_markets",
        weight=12,
        condition=lambda f: f.profile.reach == "international",
        title=msg("Reach customers abroad: multilingual website, export platforms, digital fairs"),
        why=msg("Customers abroad search in their own language and on their own platforms."),
        action=BySector(
            default=msg(
                "Have your key pages translated into the language of your largest foreign market (contact,"
                " delivery terms), list your firm on one export or B2B platform there, and book one digital"
                " trade fair of your industry."
            ),
            orders=msg(
                "Translate the pages of your best-selling products into the language of your largest foreign"
                " market, offer its usual payment and shipping, and test one marketplace in that country."
            ),
            guests=msg(
                "Translate your website and booking into English and the language of your most frequent"
                " foreign guests, and complete your listing on the international booking and travel portals."
            ),
        ),
        effort=(8, 20),
        cost=_per_band(_once(500, 3000), _once(2000, 8000), _once(5000, 20000), _once(10000, 50000)),
        metric=msg("enquiries and orders from abroad per quarter"),
    ),
    Rule(
        id="industry_portals",
        # the entry links to the website: without one, after the step that builds it
        weight=lambda f: (
            (4 if f.profile.sector == "manufacturing" else 16) + (2 if f.profile.website == "none" else 0)
        ),
        condition=lambda f: _b2b(f) and f.profile.sector in ("manufacturing", "craft", "other"),
        title=msg("Be listed where buyers search: industry portals and supplier directories"),
        why=msg(
            "Buyers look for suppliers in portals and directories before they request a quote. A complete"
            " entry puts you on their shortlist."
        ),
        action=msg(
            "Complete your entry in the two portals most used in your industry: capabilities, certificates,"
            " a contact person and a link to your website."
        ),
        effort=(3, 6),
        cost=_yearly(0, 3000),
        metric=msg("requests for a quote from portals per quarter"),
    ),
    Rule(
        id="linkedin_b2b",
        weight=lambda f: 6 if f.profile.sector in ("services", "other") else 14,
        condition=_b2b,
        title={
            Audience.SOLO: msg("Make your LinkedIn profile your shop window"),
            Audience.OWNER: msg("Make LinkedIn your channel to business customers"),
        },
        why=msg(
            "Business customers check who is behind an offer before they request a quote. On LinkedIn they meet the people and their expertise, not an advertisement."
        ),
        action={
            Audience.SOLO: msg(
                "Rewrite your profile headline as the problem you solve for whom, and write one post a week"
                " about a question a client asked you."
            ),
            Audience.OWNER: msg(
                "Complete the company page, and let the managing director write one post a week about a"
                " question customers ask."
            ),
            Audience.ORGANISATION: msg(
                "Have the responsible person set up the company page with target groups, and win five experts"
                " from sales and service to post once a month each."
            ),
        },
        effort=(3, 6),
        cost=_free(),
        metric=msg("conversations with decision-makers per month"),
    ),
    Rule(
        id="case_studies",
        weight=lambda f: 9 if f.audience in (Audience.SOLO, Audience.OWNER) else 18,
        condition=_b2b,
        title=msg("Publish case studies"),
        why={
            Audience.SOLO: msg(
                "Business customers buy proof: a case study shows the problem, your solution and the result"
                " in figures, and you can send it to every prospect."
            ),
            Audience.TEAM: msg(
                "Business customers buy proof: a case study shows the problem, your solution and the result in"
                " figures, and sales can send it to every prospect."
            ),
        },
        action=msg(
            "Ask one satisfied customer for permission, write one page on problem, solution and measurable"
            " result, and put it on your website and LinkedIn."
        ),
        effort=(4, 8),
        cost=_per_band(_once(0, 500), _once(0, 1500), _once(1000, 5000), _once(2000, 10000)),
        metric=msg("requests for a quote that mention a case study"),
    ),
)
_RULE_BY_ID = {rule.id: rule for rule in RULES}
# Each rule as (rule, condition, fixed weight, weight read from the facts), unpacked once for ``select_steps``.
_RULE_TABLE: tuple[tuple[Rule, Callable[[Facts], bool], int, Callable[[Facts], int] | None], ...] = tuple(
    (rule, rule.condition, 0, rule.weight)
    if callable(rule.weight)
    else (rule, rule.condition, rule.weight, None)
    for rule in RULES
)


# --- Legal duties as steps ---------------------------------------------------------------------------

# Weights of duty steps that are not due soon, among the rules' weights: a duty in force comes first.
_DUTY_IN_FORCE_WEIGHT = 3
_DUTY_WEIGHTS = {"e_invoice_issue": 35, "accessibility": 20, "nis2": 15}
_DUTY_EFFORT = {"e_invoice_issue": (4, 16), "accessibility": (4, 12), "nis2": (2, 4)}
_DUTY_EFFORT_TEXT = {
    duty_id: msg("about {low} to {high} hours", low=low, high=high)
    for duty_id, (low, high) in _DUTY_EFFORT.items()
}
_DUTY_METRIC = {
    "e_invoice_issue": msg("share of business invoices sent as e-invoices"),
    "accessibility": msg("accessibility check passed and statement published"),
    "nis2": msg("scope check done and its result on file"),
}


def _duty_title(verdict: DutyVerdict) -> Text:
    """The duty and its date: "Duty from 1 January 2027: Issue e-invoices to business customers"."""
    assert verdict.starts_on is not None
    day = Day(verdict.starts_on)
    if verdict.status is DutyStatus.DEPENDS:
        if verdict.started:
            return msg("Possibly a duty since {date}: {duty}", date=day, duty=verdict.title)
        return msg("Possibly a duty from {date}: {duty}", date=day, duty=verdict.title)
    if verdict.started:
        return msg("Duty since {date}: {duty}", date=day, duty=verdict.title)
    return msg("Duty from {date}: {duty}", date=day, duty=verdict.title)


def _duty_step(
    verdict: DutyVerdict, facts: Facts, priority: int, horizon: Horizon, band: CostBand | None = None
) -> Step:
    assert verdict.action is not None
    action = verdict.action
    days = verdict.days_left if verdict.due_soon else None
    if days is not None:
        action = msg(
            "{action} ({days})",
            action=action,
            days=nmsg("{n} day left", "{n} days left", days),
        )
    return Step(
        verdict.duty_id,
        priority,
        _duty_title(verdict),
        verdict.verdict,
        action,
        _DUTY_EFFORT_TEXT[verdict.duty_id],
        _duty_cost_for_band(verdict.duty_id, cost_band(facts.profile.staff) if band is None else band),
        _DUTY_METRIC[verdict.duty_id],
        horizon,
        duty_id=verdict.duty_id,
        days_left=days,
    )


def _duty_weight(verdict: DutyVerdict) -> int:
    if verdict.started and verdict.status is DutyStatus.APPLIES:
        return _DUTY_IN_FORCE_WEIGHT
    return _DUTY_WEIGHTS[verdict.duty_id]


def _actionable(verdict: DutyVerdict) -> bool:
    # Receiving e-invoices concerns every business alike; the size-class section says it, the plan need not.
    return verdict.action is not None and verdict.duty_id in _DUTY_WEIGHTS


# --- Selecting the steps -------------------------------------------------------------------------------

# Steps that make sense for any company, used when fewer than ``MIN_STEPS`` rules apply.
FALLBACK_STEP_IDS = ("test_new_channel", "referral_advocates", "keep_measuring")
SUPPORT_STEP_IDS = ("professional_support", "larger_firm_support")
# Never cut by the step limit: support, the website the other steps link to, and the firm's reach abroad.
KEPT_STEP_IDS = (*SUPPORT_STEP_IDS, "website_foundation", "international_markets")


def select_steps(facts: Facts) -> tuple[Step, ...]:
    """Duties due soon first (never cut), then the applying rules and the other duties, most urgent first:
    at least ``MIN_STEPS`` and at most ``MAX_STEPS`` besides the duties due soon. Support is never cut."""
    actionable = [v for v in facts.duties if _actionable(v)]
    urgent = sorted((v for v in actionable if v.due_soon), key=lambda v: v.starts_on or 0)
    Candidate = tuple[int, Rule | DutyVerdict]
    candidates: list[Candidate] = [
        (facts_weight(facts) if facts_weight is not None else weight, rule)
        for rule, condition, weight, facts_weight in _RULE_TABLE
        if condition(facts)
    ]
    # each duty is one verdict: the same object, never an equal copy (no field-by-field comparison needed)
    candidates += [(_duty_weight(v), v) for v in actionable if all(v is not u for u in urgent)]
    candidates.sort(key=lambda c: c[0])
    chosen = candidates[:MAX_STEPS]

    def kept(candidate: Candidate) -> bool:
        return isinstance(candidate[1], Rule) and candidate[1].id in KEPT_STEP_IDS

    for candidate in [c for c in candidates[MAX_STEPS:] if kept(c)]:
        cut = next((i for i in reversed(range(len(chosen))) if not kept(chosen[i])), None)
        if cut is not None:
            chosen[cut] = candidate
    for fallback in FALLBACK_STEP_IDS:
        if len(chosen) >= MIN_STEPS:
            break
        rule = _RULE_BY_ID[fallback]
        if all(c[1] is not rule for c in chosen):
            chosen.append((rule.weight_for(facts), rule))
    chosen.sort(key=lambda c: c[0])
    band, trade, b2b = cost_band(facts.profile.staff), trade_for(facts.profile), _b2b(facts)
    steps = [_duty_step(v, facts, n, Horizon.WEEK, band) for n, v in enumerate(urgent, 1)]
    week_left = max(0, WEEK_STEPS - len(steps))
    chamber = _chamber_kind(facts.profile.sector)
    for index, (_, item) in enumerate(chosen):
        priority = len(steps) + 1
        horizon = Horizon.WEEK if index < week_left else Horizon.QUARTER
        if isinstance(item, Rule):
            steps.append(_rule_step(item.id, priority, horizon, facts.audience, band, trade, b2b, chamber))
        else:
            steps.append(_duty_step(item, facts, priority, horizon, band))
    return tuple(steps)


@lru_cache(maxsize=4096)
def _rule_step(
    rule_id: str,
    priority: int,
    horizon: Horizon,
    audience: Audience,
    band: CostBand,
    trade: Trade,
    b2b: bool,
    chamber: str | None = None,
) -> Step:
    """A rule's step for a firm, its texts worded once per (rule, audience, cost band, trade, B2B) and, for
    a step that names the firm's chamber, per ``chamber`` (the kind ``_chamber_kind`` names). Steps are
    immutable and these are values every firm of a kind shares: each step is built once per place in a plan."""
    worded = _worded_step(rule_id, audience, band, trade, b2b, chamber)
    return Step(
        rule_id,
        priority,
        worded.title,
        worded.why,
        worded.action,
        worded.effort,
        worded.cost,
        worded.metric,
        horizon,
    )


@lru_cache(maxsize=1024)
def _worded_step(
    rule_id: str, audience: Audience, band: CostBand, trade: Trade, b2b: bool, chamber: str | None = None
) -> Step:
    """The step's texts depend on these alone, and every firm of a size, trade and audience meets the same few
    combinations: each is worded once (texts are immutable); priority and horizon are set per firm."""
    step = _RULE_BY_ID[rule_id].step(1, audience, band, trade, b2b)
    if chamber is None or "chamber" not in step.action.args:
        return step
    # a support step names the chamber the firm belongs to
    return replace(step, action=Text(step.action.msgid, {**step.action.args, "chamber": _CHAMBERS[chamber]}))
