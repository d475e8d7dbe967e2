"""The plan: which steps a company gets, in which order, and how each is worded.

Each rule in ``RULES`` is data: an id, a condition, a priority weight (which may depend on sector and size),
its texts worded for a one-person firm, the owner of a micro enterprise, a small team or an organisation with
departments, and the effort, cost and figure that shows it worked. The first two steps are for this week,
the rest for this quarter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dialogs.ceilings import SizeClass
from dialogs.profile import CompanyProfile
from dialogs.text import Money, Text, msg

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


# --- Rules -------------------------------------------------------------------------------------------


class Audience(StrEnum):
    """Whom a step's wording addresses: a one-person firm, the owner, a small team, or an organisation."""

    SOLO = "solo"  # one person: never told about staff or a team
    OWNER = "owner"  # micro enterprise
    TEAM = "team"  # small enterprise
    ORGANISATION = "organisation"  # medium-sized and above


SOLO_BELOW_STAFF = Decimal(2)


def audience_for(category: SizeClass, staff: Decimal | None = None) -> Audience:
    """Whom the steps address for a size class (and a staff count: below 2 it is one person alone)."""
    if category is SizeClass.MICRO and staff is not None and staff < SOLO_BELOW_STAFF:
        return Audience.SOLO
    if category is SizeClass.MICRO:
        return Audience.OWNER
    if category is SizeClass.SMALL:
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


# One text for everyone, or texts per audience (a missing audience uses the next smaller one's text).
Wording = Text | Mapping[Audience, Text]


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
    cost: Text
    metric: Wording

    def weight_for(self, facts: Facts) -> int:
        return self.weight(facts) if callable(self.weight) else self.weight

    def step(self, priority: int, audience: Audience) -> Step:
        return Step(
            self.id,
            priority,
            _worded(self.title, audience),
            _worded(self.why, audience),
            _worded(self.action, audience),
            msg("about {low} to {high} hours", low=self.effort[0], high=self.effort[1]),
            self.cost,
            _worded(self.metric, audience),
            Horizon.WEEK if priority <= WEEK_STEPS else Horizon.QUARTER,
        )


def _worded(wording: Wording, audience: Audience) -> Text:
    """The text for ``audience``; an audience without its own text gets the next smaller audience's."""
    if isinstance(wording, Text):
        return wording
    order = list(Audience)
    index = order.index(audience)
    # A one-person firm takes the owner's text when it has none of its own.
    for candidate in [*reversed(order[: index + 1]), *order[index + 1 :]]:
        if candidate in wording:
            return wording[candidate]
    raise KeyError(f"no wording for {audience}")


def _free() -> Text:
    return msg("no extra cost")


def _once(low: int, high: int) -> Text:
    return msg("{low} to {high} once", low=Money(Decimal(low)), high=Money(Decimal(high)))


def _monthly(low: int, high: int) -> Text:
    return msg("{low} to {high} a month", low=Money(Decimal(low)), high=Money(Decimal(high)))


def _yearly(low: int, high: int) -> Text:
    return msg("{low} to {high} a year", low=Money(Decimal(low)), high=Money(Decimal(high)))


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
        weight=10,
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
            Audience.OWNER: msg(
                "Reserve your domain and build one page with a website builder: services, region, three"
                " photos of your work, phone number, contact form and legal notice (Impressum)."
            ),
            Audience.TEAM: msg(
                "Write down the ten questions customers ask most and request quotes from two local agencies for a mobile-friendly site with contact form and visitor statistics."
            ),
            Audience.ORGANISATION: msg(
                "Have the responsible person set three goals for the site (enquiries, applicants, dealers) and request quotes from two agencies, with web analytics from the start."
            ),
        },
        effort=(10, 20),
        cost=_once(300, 5000),
        metric=msg("enquiries through the website per month"),
    ),
    Rule(
        id="local_profile",
        weight=10,
        condition=lambda f: (
            _local_private(f) and (f.profile.website != "current" or f.profile.referral != "active")
        ),
        title=msg("Complete your Google Business Profile"),
        why=msg(
            "Local customers search on the map and compare reviews. A complete, free profile makes you"
            " visible there and leads them straight to you."
        ),
        action={
            Audience.OWNER: msg(
                "Claim or create the profile, add opening hours, service area and five photos of recent"
                " jobs, and answer every review."
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
        cost=_once(0, 2000),
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
            Audience.OWNER: msg(
                "Ask every new customer “How did you hear about us?”, note the answers in a simple list and"
                " look at it again in a month."
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
        metric=msg("share of new customers whose source you know"),
    ),
    Rule(
        id="social_start",
        weight=30,
        # business customers are reached on LinkedIn, which has a step of its own
        condition=lambda f: f.profile.social_presence == "none" and not _b2b(f),
        title=msg("Start on one social network, with a plan"),
        why=msg(
            "Customers and applicants expect to find you there. An account that posts now and then is not"
            " enough: decide whom you want to reach, and with what."
        ),
        action={
            Audience.OWNER: msg(
                "Choose the one platform your customers use, for local trades often Instagram or Facebook,"
                " and show one finished job with photos. Then keep one hour a week for it."
            ),
            Audience.TEAM: msg(
                "Choose one platform and three topics (work, team, tips), draw up a four-week posting plan"
                " and give one team member two hours a week for it."
            ),
            Audience.ORGANISATION: msg(
                "Complete your LinkedIn company page, set target groups and goals per platform (customers,"
                " applicants) and plan one post a week for the next quarter."
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
            Audience.ORGANISATION: msg(
                "Have the responsible person compare your platforms by reach and enquiries, drop the weakest"
                " and draft an editorial plan for LinkedIn and one other channel."
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
        title={
            Audience.SOLO: msg("Turn customers into advocates"),
            Audience.OWNER: msg("Turn customers and staff into advocates"),
        },
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
            Audience.OWNER: msg(
                "Ask five satisfied customers for an online review and send them the direct link. Thank"
                " everyone who writes one."
            ),
            Audience.TEAM: msg(
                "Make asking for a review part of every completed order, and invite your team to share"
                " company posts they like; show them how in ten minutes."
            ),
            Audience.ORGANISATION: msg(
                "Invite ten volunteers to a staff-advocacy programme on LinkedIn with posts ready to share,"
                " and ask your five best customers for a reference story."
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
                "Call the digital advisers of your chamber of crafts (HWK) or IHK, or the nearest"
                " Mittelstand-Digital Zentrum, and book a free first consultation."
            ),
            Audience.TEAM: msg(
                "Find a Mittelstand-Digital Zentrum that suits you and sign up for a first consultation or a"
                " workshop on online marketing; ask your IHK or HWK as well."
            ),
            Audience.ORGANISATION: msg(
                "Ask a Mittelstand-Digital Zentrum for a free workshop on your online marketing strategy,"
                " and ask your IHK about its digital advice and exchange groups."
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
        cost=_monthly(50, 300),
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
        cost=_monthly(100, 500),
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
            Audience.OWNER: msg(
                "Ask one happy customer for a short story with a photo and publish it on your website and"
                " your main social network."
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
        title=msg("Get advice suited to a company above the SME ceilings"),
        why=msg(
            "Your company is not an SME, so the Mittelstand-Digital Zentren are not meant for it. The chamber"
            " of commerce (IHK) and the European Digital Innovation Hubs (EDIH) also serve larger firms."
        ),
        action=msg("Ask your IHK about its digital advice, and the EDIH of your region about a workshop."),
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
        id="industry_portals",
        weight=lambda f: 4 if f.profile.sector == "manufacturing" else 16,
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
        cost=_once(0, 1500),
        metric=msg("requests for a quote that mention a case study"),
    ),
    Rule(
        id="e_invoicing",
        weight=35,
        condition=lambda f: f.profile.customers != "private",
        title=msg("Get ready to issue e-invoices"),
        why=msg(
            "Issuing e-invoices to business customers becomes mandatory in 2027 above €800,000 turnover and"
            " for everyone in 2028. Switching early saves postage and typing."
        ),
        action=msg(
            "Ask your software provider or tax adviser whether you can send XRechnung or ZUGFeRD, and send"
            " your next invoice to one business customer that way."
        ),
        effort=(4, 16),
        cost=_once(0, 1000),
        metric=msg("share of business invoices sent as e-invoices"),
    ),
)


# Steps that make sense for any company, used when fewer than ``MIN_STEPS`` rules apply.
FALLBACK_STEP_IDS = ("test_new_channel", "referral_advocates", "keep_measuring")


def select_steps(facts: Facts) -> tuple[Step, ...]:
    """The applying rules, most urgent first, at least ``MIN_STEPS`` and at most ``MAX_STEPS``."""
    applying = sorted((r for r in RULES if r.condition(facts)), key=lambda r: r.weight_for(facts))[:MAX_STEPS]
    by_id = {rule.id: rule for rule in RULES}
    for fallback in FALLBACK_STEP_IDS:
        if len(applying) >= MIN_STEPS:
            break
        if by_id[fallback] not in applying:
            applying.append(by_id[fallback])
    applying.sort(key=lambda r: r.weight_for(facts))
    return tuple(rule.step(priority, facts.audience) for priority, rule in enumerate(applying, 1))
