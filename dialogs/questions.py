"""The question catalogue as data: prompts, offered choices, parsers and cross-checks.

Progress, back navigation and the summary are all derived from ``QUESTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dialogs.answers import Customers, Owns, chosen, typed
from dialogs.group import Group, aggregate, related_from_answer, relation_answer
from dialogs.parsing import parse_annual_money, parse_balance_total, parse_headcount, parse_percent
from dialogs.text import InvalidAnswer, Percent, Text, msg

# A stored answer: {"value": str | None, "band": str | None}.  For number questions "value" is a decimal
# string (the typed number, or the representative of the chosen band); for choice questions it is the key.
Answer = Mapping[str, Any]
Answers = Mapping[str, Answer]


@dataclass(frozen=True)
class Choice:
    """An offered answer. For number questions a band: ``low``..``high`` with a representative ``value``."""

    key: str
    label: Text
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


def _always(answers: Answers) -> bool:
    return True


def _no_check(value: Decimal, answers: Answers) -> None:
    return None


@dataclass(frozen=True)
class Question:
    """One step of the questionnaire."""

    id: str
    prompt: Text
    summary_label: Text
    hint: Text | None = None
    choices: tuple[Choice, ...] = ()
    # (text, language) -> value; None means the question is answered by choosing only.
    parser: Callable[[str, str], Decimal] | None = None
    applies: Callable[[Answers], bool] = _always
    check: Callable[[Decimal, Answers], None] = _no_check
    # Value assumed when the question does not apply (e.g. no social-media share without online budget).
    default_when_skipped: Answer = field(default_factory=dict)
    # For a choice question that also takes typed details: (text, language) -> the whole stored answer.
    text_parser: Callable[[str, str], dict[str, Any]] | None = None

    @property
    def is_number(self) -> bool:
        return self.parser is not None

    @property
    def accepts_text(self) -> bool:
        return self.parser is not None or self.text_parser is not None

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)


def _d(value: str | int) -> Decimal:
    return Decimal(value)


def _band(key: str, label: Text, value: str, low: str | None, high: str | None) -> Choice:
    return Choice(key, label, _d(value), None if low is None else _d(low), None if high is None else _d(high))


def answer_range(question: Question, answer: Answer | None) -> tuple[Decimal, Decimal] | None:
    """The interval an answer stands for: a band's bounds, or the exact number twice."""
    if not answer or answer.get("value") is None:
        return None
    band = question.choice(answer["band"]) if answer.get("band") else None
    if band is not None and band.low is not None and band.high is not None:
        return band.low, band.high
    value = Decimal(answer["value"])
    return value, value


def _online_range(answers: Answers) -> tuple[Decimal, Decimal] | None:
    return answer_range(QUESTION_BY_ID["online_share"], answers.get("online_share"))


def _has_online_budget(answers: Answers) -> bool:
    online = _online_range(answers)
    return online is None or online[1] > 0


def _check_social_share(value: Decimal, answers: Answers) -> None:
    online = _online_range(answers)
    if online is not None and value > online[1]:
        raise InvalidAnswer(
            msg(
                "The social media share ({share}) cannot be larger than the online share it belongs to"
                " ({online}). Please enter a share of at most {online}.",
                share=Percent(value),
                online=Percent(online[1]),
            )
        )


def _check_controlling_share(value: Decimal, answers: Answers) -> None:
    online = _online_range(answers)
    if online is None:
        return
    social = answer_range(QUESTION_BY_ID["social_share"], answers.get("social_share"))
    social_low = Decimal(0) if social is None else social[0]
    room = max(Decimal(0), online[1] - social_low)
    if value <= room:
        return
    if room == 0:
        raise InvalidAnswer(
            msg(
                "Social media ({social}) already takes up your whole online share ({online}), so there is no"
                " room for controlling. Please enter 0, or go back and change the online or social media"
                " share.",
                social=Percent(social_low),
                online=Percent(online[1]),
            )
        )
    raise InvalidAnswer(
        msg(
            "Controlling is part of your online share ({online}), and social media takes {social} of it, so"
            " at most {room} is left. Please enter at most {room}, or 0, or go back and change the online or"
            " social media share.",
            online=Percent(online[1]),
            social=Percent(social_low),
            room=Percent(room),
        )
    )


SMALL_BUSINESS_TURNOVER_LIMIT = Decimal(100_000)  # § 19 UStG since 2025: at most this in the current year
_MICRO_STAFF_BELOW = Decimal(10)
_MICRO_MONEY_MAX = Decimal(2_000_000)
_INDEPENDENT: frozenset[Owns] = frozenset({"none", "lt25"})
_BUSINESS_CUSTOMERS: frozenset[Customers] = frozenset({"business", "both"})
_PRIVATE_CUSTOMERS: frozenset[Customers] = frozenset({"private", "both"})

# Sector answers naming a sector of the NIS2 annexes, and the plan's sector each answer stands for.
NIS2_SECTOR_KEYS = frozenset({"manufacturing_nis2", "infrastructure"})
PLAN_SECTOR = {"manufacturing_nis2": "manufacturing", "infrastructure": "other"}


def _sells_to_businesses(answers: Answers) -> bool:
    return chosen(typed(answers).get("customers")) in _BUSINESS_CUSTOMERS


def _small_business_applies(answers: Answers) -> bool:
    """Asked when the turnover allows the small-business rule and invoices go to businesses: only then can
    the answer spare the firm the duty to issue e-invoices."""
    turnover = answer_range(QUESTION_BY_ID["turnover"], answers.get("turnover"))
    staff = answer_range(QUESTION_BY_ID["staff"], answers.get("staff"))
    # a turnover within the rule's limit does not pay ten full-time staff: such answers are not asked about
    return (
        turnover is not None
        and turnover[1] <= SMALL_BUSINESS_TURNOVER_LIMIT
        and staff is not None
        and staff[0] < _MICRO_STAFF_BELOW
        and _sells_to_businesses(answers)
    )


def _certainly_micro(answers: Answers) -> bool:
    """An independent company whose own figures make it a micro enterprise whatever the exact values."""
    staff = answer_range(QUESTION_BY_ID["staff"], answers.get("staff"))
    turnover = answer_range(QUESTION_BY_ID["turnover"], answers.get("turnover"))
    balance = answer_range(QUESTION_BY_ID["balance_sheet"], answers.get("balance_sheet"))
    independent = (
        chosen(typed(answers).get("linked")) in _INDEPENDENT
        and chosen(typed(answers).get("owns")) in _INDEPENDENT
    )
    money_fits = (turnover is not None and turnover[1] <= _MICRO_MONEY_MAX) or (
        balance is not None and balance[1] <= _MICRO_MONEY_MAX
    )
    return independent and staff is not None and staff[1] < _MICRO_STAFF_BELOW and money_fits


def _online_offer_applies(answers: Answers) -> bool:
    """Asked where customers include private ones and the firm is not certainly a micro enterprise, which
    the accessibility law exempts for services whatever it offers online."""
    return chosen(typed(answers).get("customers")) in _PRIVATE_CUSTOMERS and not _certainly_micro(answers)


def _previous_year_applies(answers: Answers) -> bool:
    """Asked when an exact figure is just above a ceiling that decides the class (two-year rule)."""
    from dialogs.ceilings import ceiling_just_crossed  # the ceilings read this catalogue

    def value(question_id: str) -> Decimal | None:
        answer = answers.get(question_id)
        return None if not answer or answer.get("value") is None else Decimal(str(answer["value"]))

    staff, turnover, balance = value("staff"), value("turnover"), value("balance_sheet")
    if staff is None or turnover is None:
        return False
    banded = frozenset(
        qid for qid in ("staff", "turnover", "balance_sheet") if (answers.get(qid) or {}).get("band")
    )
    group = Group(
        owned_by=str(chosen(typed(answers).get("linked")) or "none"),
        owns=str(chosen(typed(answers).get("owns")) or "none"),
        upstream=related_from_answer(answers.get("linked")),
        downstream=related_from_answer(answers.get("owns")),
    )
    aggregation = aggregate(group, staff, turnover, balance)
    if aggregation is not None:
        staff, turnover = aggregation.staff.total, aggregation.turnover.total
        balance = None if aggregation.balance_sheet is None else aggregation.balance_sheet.total
        banded = frozenset()
    return ceiling_just_crossed(staff, turnover, balance, banded) is not None


# The most questions one independent company is asked; tests/test_questions.py checks it over a grid of
# answers. Group companies may get more (the figures of related enterprises).
MOST_ASKED = 17

_PERCENT_HINT = msg("A share of the whole marketing budget, e.g. 15 or 15 %.")

YES_NO_UNKNOWN = (Choice("yes", msg("Yes")), Choice("no", msg("No")), Choice("unknown", msg("Don't know")))


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
        choices=(
            _band("lt10", msg("fewer than 10"), "5", "0", "9.99"),
            _band("10_49", msg("10 to 49"), "25", "10", "49.99"),
            _band("50_249", msg("50 to 249"), "120", "50", "249.99"),
            _band("250_749", msg("250 to 749"), "400", "250", "749.99"),
            _band("750plus", msg("750 or more"), "1000", "750", "10000000"),
        ),
        parser=parse_headcount,
    ),
    Question(
        id="turnover",
        prompt=msg("What was your annual turnover in the last closed financial year?"),
        summary_label=msg("Annual turnover"),
        hint=msg("In euros, without VAT. A new company gives its estimate for this year."),
        choices=(
            _band("upto2m", msg("up to €2 million"), "1000000", "0", "2000000"),
            _band("2_10m", msg("over €2 to €10 million"), "5000000", "2000000.01", "10000000"),
            _band("10_50m", msg("over €10 to €50 million"), "25000000", "10000000.01", "50000000"),
            _band("50_150m", msg("over €50 to €150 million"), "100000000", "50000000.01", "150000000"),
            _band("over150m", msg("over €150 million"), "300000000", "150000000.01", "1000000000000"),
        ),
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
        choices=(
            _band("upto2m", msg("up to €2 million"), "1000000", "0", "2000000"),
            _band("2_10m", msg("over €2 to €10 million"), "5000000", "2000000.01", "10000000"),
            _band("10_43m", msg("over €10 to €43 million"), "25000000", "10000000.01", "43000000"),
            _band("43_129m", msg("over €43 to €129 million"), "80000000", "43000000.01", "129000000"),
            _band("over129m", msg("over €129 million"), "250000000", "129000000.01", "1000000000000"),
            Choice("no_balance_sheet", msg("We do not draw up a balance sheet (EÜR)")),
            Choice("unknown", msg("Don't know")),
        ),
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
        applies=_previous_year_applies,
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
        choices=(
            Choice("private", msg("Private customers")),
            Choice("business", msg("Businesses")),
            Choice("both", msg("Both")),
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
        applies=_small_business_applies,
        default_when_skipped={"value": "not_asked", "band": None},
    ),
    Question(
        id="online_offer",
        prompt=msg("Can private customers buy or book from you online?"),
        summary_label=msg("Online offer for private customers"),
        hint=msg("If you offer several, choose the one that brings most orders or bookings."),
        choices=(
            Choice("shop", msg("Yes, in a web shop")),
            Choice("booking", msg("Yes, by online booking or reservation")),
            Choice("app", msg("Yes, in an app")),
            Choice("none", msg("No")),
        ),
        applies=_online_offer_applies,
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
        choices=(
            _band("p0", msg("0 %"), "0", "0", "0"),
            _band("p1_10", msg("1 to 10 %"), "5", "0.01", "10"),
            _band("p11_25", msg("11 to 25 %"), "18", "10.01", "25"),
            _band("p26_50", msg("26 to 50 %"), "38", "25.01", "50"),
            _band("p51_100", msg("more than 50 %"), "75", "50.01", "100"),
        ),
        parser=parse_percent,
    ),
    Question(
        id="social_share",
        prompt=msg("And what share of the whole marketing budget goes to social media?"),
        summary_label=msg("Social media share"),
        hint=msg("Part of the online share, as a share of the whole budget, e.g. 3 %."),
        choices=(
            _band("p0", msg("0 %"), "0", "0", "0"),
            _band("p1_5", msg("1 to 5 %"), "3", "0.01", "5"),
            _band("p6_10", msg("6 to 10 %"), "8", "5.01", "10"),
            _band("p11_25", msg("11 to 25 %"), "18", "10.01", "25"),
            _band("over25", msg("more than 25 %"), "40", "25.01", "100"),
        ),
        parser=parse_percent,
        applies=_has_online_budget,
        check=_check_social_share,
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
        choices=(
            _band("p0", msg("0 %"), "0", "0", "0"),
            _band("p1_5", msg("1 to 5 %"), "3", "0.01", "5"),
            _band("p6_10", msg("6 to 10 %"), "8", "5.01", "10"),
            _band("over10", msg("more than 10 %"), "15", "10.01", "100"),
        ),
        parser=parse_percent,
        applies=_has_online_budget,
        check=_check_controlling_share,
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
