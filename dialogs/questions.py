"""The question catalogue as data: prompts, offered choices and parsers.

Progress, back navigation and the summary are all derived from ``QUESTIONS``. The shapes live in
``dialogs.question_model``, when each question is asked in ``dialogs.question_rules``.
"""

from __future__ import annotations

from dialogs import answer_bands
from dialogs.group import relation_answer
from dialogs.parsing import parse_annual_money, parse_balance_total, parse_headcount, parse_percent
from dialogs.question_model import YES_NO_UNKNOWN, Answer, Answers, Choice, Question, answer_range
from dialogs.question_rules import (
    NIS2_SECTOR_KEYS,
    ONLINE_CUSTOMER_KEYS,
    PLAN_CUSTOMERS,
    PLAN_SECTOR,
    SMALL_BUSINESS_TURNOVER_LIMIT,
    check_controlling_share,
    check_social_share,
    has_online_budget,
    previous_year_applies,
    small_business_applies,
)
from dialogs.text import msg

__all__ = [
    "MOST_ASKED",
    "NIS2_SECTOR_KEYS",
    "ONLINE_CUSTOMER_KEYS",
    "PLAN_CUSTOMERS",
    "PLAN_SECTOR",
    "QUESTIONS",
    "QUESTION_BY_ID",
    "SMALL_BUSINESS_TURNOVER_LIMIT",
    "YES_NO_UNKNOWN",
    "Answer",
    "Answers",
    "Choice",
    "Question",
    "answer_range",
]

# The most questions one independent company is asked: the 13 always asked, the social-media and controlling
# shares (with an online budget) and one of the previous-year and small-business questions, which never both
# apply. tests/test_question_count.py checks it over every combination of answers that changes what is asked.
# Group companies may get more (the figures of related enterprises).
MOST_ASKED = 16

_PERCENT_HINT = msg("A share of the whole marketing budget, e.g. 15 or 15 %.")


def _relation_choices(*, public: bool) -> tuple[Choice, ...]:
    choices = [
        Choice("none", msg("None")),
        Choice("lt25", msg("under 25 %")),
        Choice("p25_50", msg("25 to 50 % (partner enterprise)")),
        Choice("over50", msg("over 50 %, or control by other means (linked enterprise)")),
    ]
    if public:
        choices.append(Choice("public", msg("Public bodies hold 25 % or more")))
    choices.append(Choice("unknown", msg("Don't know")))
    return tuple(choices)


_TYPE_FIGURES = msg(
    "To have the figures added, type each enterprise as: stake; staff; turnover; balance-sheet total, e.g."
    " “40%; 30; €6m; €4m”, several separated by “/”."
)

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="staff",
        prompt=msg(
            "How many people worked in your company on average in the last closed financial year, in"
            " full-time equivalents?"
        ),
        summary_label=msg("Staff (annual work units)"),
        hint=msg(
            "Count everyone including owner-managers and partners working in the company. Part-time,"
            " Minijobber, seasonal and part-year staff count as fractions (half-time = 0.5; six months"
            " full-time = 0.5). Not counted: apprentices, and staff on maternity or parental leave."
        ),
        choices=answer_bands.STAFF,
        parser=parse_headcount,
    ),
    Question(
        id="turnover",
        prompt=msg("What was your annual turnover in the last closed financial year?"),
        summary_label=msg("Annual turnover"),
        hint=msg("In euros, without VAT. A new company gives its estimate for this year."),
        choices=answer_bands.TURNOVER,
        parser=parse_annual_money,
    ),
    Question(
        id="balance_sheet",
        prompt=msg("What was your balance-sheet total at the end of the last financial year?"),
        summary_label=msg("Balance-sheet total"),
        hint=msg(
            "In euros, on the closing date. If you only keep a cash-basis account (EÜR), choose that: your"
            " turnover then decides. If you don't know the figure, choose “Don't know”."
        ),
        choices=answer_bands.BALANCE_SHEET,
        parser=parse_balance_total,
    ),
    Question(
        id="linked",
        prompt=msg("How much of your company (capital or votes) do other enterprises hold together?"),
        summary_label=msg("Stakes of others in your company"),
        hint=msg(
            "Count each enterprise on its own. Not counted towards the 25 %: public investment corporations,"
            " venture capital firms, business angels (up to €1.25 million in one company), universities,"
            " institutional investors and small local authorities. “Public bodies” means the state, Länder,"
            " municipalities and public institutions; a local authority with an annual budget under €10 million"
            " and fewer than 5,000 inhabitants does not count as one. {figures}",
            figures=_TYPE_FIGURES,
        ),
        choices=_relation_choices(public=True),
        text_parser=relation_answer,
    ),
    Question(
        id="owns",
        prompt=msg("Does your company itself hold stakes in other enterprises?"),
        summary_label=msg("Your stakes in other enterprises"),
        hint=msg(
            "The largest stake counts. The other enterprise's own stakes of 25 % or more in further"
            " enterprises count as well. {figures}",
            figures=_TYPE_FIGURES,
        ),
        choices=_relation_choices(public=False),
        text_parser=relation_answer,
    ),
    Question(
        id="previous_year",
        prompt=msg(
            "Your figures are just above a ceiling of the EU definition. Were they above it at the end of the"
            " previous financial year as well?"
        ),
        summary_label=msg("Above the ceiling in the previous year too"),
        hint=msg(
            "A company changes its size class only when it is above (or below) a ceiling in two consecutive"
            " financial years. If last year was the first, it keeps its earlier class for now."
        ),
        choices=(
            Choice("yes", msg("Yes, then too")),
            Choice("no", msg("No, below it then")),
            Choice("unknown", msg("Don't know")),
        ),
        applies=previous_year_applies,
        default_when_skipped={"value": "not_asked", "band": None},
    ),
    Question(
        id="sector",
        prompt=msg("Which sector is your company in?"),
        summary_label=msg("Sector"),
        hint=msg(
            "The two finer options for industry and infrastructure show whether the EU cybersecurity rules"
            " (NIS2) may concern you."
        ),
        choices=(
            Choice("craft", msg("Craft trade")),
            Choice("retail", msg("Retail or e-commerce")),
            Choice("hospitality", msg("Hospitality or tourism")),
            Choice("services", msg("Professional services")),
            Choice(
                "manufacturing_nis2",
                msg("Manufacturing of machinery, vehicles, electronics, medical devices, chemicals or food"),
            ),
            Choice("manufacturing", msg("Other manufacturing or industry")),
            Choice("infrastructure", msg("Energy, transport and logistics, health, or IT services")),
            Choice("other", msg("Other")),
        ),
    ),
    Question(
        id="customers",
        prompt=msg("Who are your customers?"),
        summary_label=msg("Customers"),
        hint=msg(
            "“Online” means private customers can buy or book from you on the internet: a web shop, online"
            " booking or reservation, or an app. The accessibility law (BFSG) covers such offers."
        ),
        choices=(
            Choice("private", msg("Private customers")),
            Choice("private_online", msg("Private customers, also online (shop, booking, app)")),
            Choice("business", msg("Businesses")),
            Choice("both", msg("Both")),
            Choice("both_online", msg("Both, private customers also online (shop, booking, app)")),
        ),
    ),
    Question(
        id="small_business",
        prompt=msg("Do you use the small-business rule for VAT (Kleinunternehmerregelung, § 19 UStG)?"),
        summary_label=msg("Small-business rule (§ 19 UStG)"),
        hint=msg(
            "Then you charge no VAT on your invoices. Since 2025 it is open to businesses with at most"
            " €25,000 turnover in the previous year and at most €100,000 in the current year."
        ),
        choices=YES_NO_UNKNOWN,
        applies=small_business_applies,
        default_when_skipped={"value": "not_asked", "band": None},
    ),
    Question(
        id="reach",
        prompt=msg("Where are your customers?"),
        summary_label=msg("Reach"),
        choices=(
            Choice("local", msg("Local or regional")),
            Choice("national", msg("Across Germany")),
            Choice("international", msg("International")),
        ),
    ),
    Question(
        id="website",
        prompt=msg("Does your company have its own website?"),
        summary_label=msg("Website"),
        choices=(
            Choice("current", msg("Yes, up to date and mobile-friendly")),
            Choice("outdated", msg("Yes, but outdated")),
            Choice("none", msg("No")),
        ),
    ),
    Question(
        id="social_presence",
        prompt=msg("How does your company use social media?"),
        summary_label=msg("Social media"),
        choices=(
            Choice("strategy", msg("With a strategy and a posting plan")),
            Choice("occasional", msg("We have accounts and post now and then")),
            Choice("none", msg("Not at all")),
        ),
    ),
    Question(
        id="online_share",
        prompt=msg(
            "What share of your marketing budget goes online (website, search engines, online ads, social media,"
            " newsletters)?"
        ),
        summary_label=msg("Online share of the marketing budget"),
        hint=_PERCENT_HINT,
        choices=answer_bands.ONLINE_SHARE,
        parser=parse_percent,
    ),
    Question(
        id="social_share",
        prompt=msg("And what share of the whole marketing budget goes to social media?"),
        summary_label=msg("Social media share"),
        hint=msg("Part of the online share, as a share of the whole budget, e.g. 3 %."),
        choices=answer_bands.SOCIAL_SHARE,
        parser=parse_percent,
        applies=has_online_budget,
        check=check_social_share,
        default_when_skipped={"value": "0", "band": "p0"},
    ),
    Question(
        id="controlling_share",
        prompt=msg(
            "What share of the whole marketing budget goes to marketing controlling and monitoring? It is part"
            " of your online share."
        ),
        summary_label=msg("Controlling/monitoring share"),
        hint=msg(
            "Analytics tools, reports, A/B tests, agency reporting; as a share of the whole budget, at most"
            " the online share minus the social media share."
        ),
        choices=answer_bands.CONTROLLING_SHARE,
        parser=parse_percent,
        applies=has_online_budget,
        check=check_controlling_share,
        default_when_skipped={"value": "0", "band": "p0"},
    ),
    Question(
        id="results_check",
        prompt=msg("Do you check whether your advertising delivers results?"),
        summary_label=msg("Results checked"),
        hint=msg("For example enquiries per campaign, cost per new customer, or website analytics."),
        choices=(
            Choice("yes", msg("Yes, for every campaign")),
            Choice("partly", msg("Partly")),
            Choice("no", msg("No")),
        ),
    ),
    Question(
        id="referral",
        prompt=msg("Do you actively ask customers and staff to recommend you?"),
        summary_label=msg("Referral marketing"),
        hint=msg("For example a referral programme, asking for reviews, or staff sharing company posts."),
        choices=(
            Choice("active", msg("Yes, systematically")),
            Choice("occasional", msg("Now and then")),
            Choice("none", msg("No")),
        ),
    ),
)

QUESTION_BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
