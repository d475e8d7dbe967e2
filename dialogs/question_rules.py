"""When a question is asked, and the cross-checks between answers.

The rules read other answers against the offered bands (``dialogs.answer_bands``), not through the catalogue
(``dialogs.questions``), which names these rules.
"""

from __future__ import annotations

from decimal import Decimal

from dialogs.answer_bands import BANDS
from dialogs.answers import Customers, chosen, typed
from dialogs.ceilings import ceiling_just_crossed
from dialogs.group import Group, aggregate, related_from_answer
from dialogs.question_model import Answers, answer_range
from dialogs.text import InvalidAnswer, Percent, msg

SMALL_BUSINESS_TURNOVER_LIMIT = Decimal(100_000)  # § 19 UStG since 2025: at most this in the current year
_MICRO_STAFF_BELOW = Decimal(10)

# Sector answers naming a sector of the NIS2 annexes, and the plan's sector each answer stands for.
NIS2_SECTOR_KEYS = frozenset({"manufacturing_nis2", "infrastructure"})
PLAN_SECTOR = {"manufacturing_nis2": "manufacturing", "infrastructure": "other"}

# Customer answers that also say private customers buy or book online (web shop, booking, app), and the
# plain customer group each stands for. Asking this within the customers question keeps the questionnaire
# short; the accessibility law (BFSG) needs exactly this fact.
PLAN_CUSTOMERS = {"private_online": "private", "both_online": "both"}
ONLINE_CUSTOMER_KEYS = frozenset(PLAN_CUSTOMERS)
_BUSINESS_CUSTOMERS: frozenset[Customers] = frozenset({"business", "both"})


def _range(question_id: str, answers: Answers) -> tuple[Decimal, Decimal] | None:
    return answer_range(BANDS[question_id], answers.get(question_id))


def customers_key(answers: Answers) -> str | None:
    """The customer group (private, business, both) without the online-offer detail."""
    value = chosen(typed(answers).get("customers"))
    return PLAN_CUSTOMERS.get(value, value) if value is not None else None


def has_online_budget(answers: Answers) -> bool:
    online = _range("online_share", answers)
    return online is None or online[1] > 0


def check_social_share(value: Decimal, answers: Answers) -> None:
    online = _range("online_share", answers)
    if online is not None and value > online[1]:
        raise InvalidAnswer(
            msg(
                "The social media share ({share}) cannot be larger than the online share it belongs to"
                " ({online}). Please enter a share of at most {online}.",
                share=Percent(value),
                online=Percent(online[1]),
            )
        )


def check_controlling_share(value: Decimal, answers: Answers) -> None:
    online = _range("online_share", answers)
    if online is None:
        return
    social = _range("social_share", answers)
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


def small_business_applies(answers: Answers) -> bool:
    """Asked when the turnover allows the small-business rule and invoices go to businesses: only then can
    the answer spare the firm the duty to issue e-invoices."""
    turnover = _range("turnover", answers)
    staff = _range("staff", answers)
    # a turnover within the rule's limit does not pay ten full-time staff: such answers are not asked about
    return (
        turnover is not None
        and turnover[1] <= SMALL_BUSINESS_TURNOVER_LIMIT
        and staff is not None
        and staff[0] < _MICRO_STAFF_BELOW
        and customers_key(answers) in _BUSINESS_CUSTOMERS
    )


# The answers ``previous_year_applies`` reads. It is asked for every question's number on every screen once the
# figures are in, and they do not change while the rest of the questionnaire is answered: so its verdict is kept
# per distinct set of these answers (a user's own later screens hit it; a new user's first one computes it).
_PREVIOUS_YEAR_INPUTS = ("staff", "turnover", "balance_sheet", "linked", "owns")
_previous_year_verdicts: dict[object, bool] = {}
_VERDICTS_KEPT = 4096


def previous_year_applies(answers: Answers) -> bool:
    """Asked when an exact figure is just above a ceiling that decides the class (two-year rule)."""
    staff, turnover = answers.get("staff"), answers.get("turnover")
    if not staff or staff.get("value") is None or not turnover or turnover.get("value") is None:
        return False
    key = _verdict_key(answers)
    verdict = _previous_year_verdicts.get(key)
    if verdict is None:
        if len(_previous_year_verdicts) >= _VERDICTS_KEPT:
            _previous_year_verdicts.clear()
        try:
            verdict = _previous_year_verdict(answers)
        except ArithmeticError:  # a stored figure that is no number ("NaN"): its own question comes again
            return False
        _previous_year_verdicts[key] = verdict
    return verdict


def _verdict_key(answers: Answers) -> object:
    """The inputs of the verdict as a key: their (value, band) strings when that is all they hold (answers chosen
    by button or typed as one figure), else their whole text (typed enterprises, or anything unusual)."""
    key: list[tuple[str | None, str | None] | None] = []
    for question_id in _PREVIOUS_YEAR_INPUTS:
        answer = answers.get(question_id)
        if answer is None:
            key.append(None)
            continue
        value, band = answer.get("value"), answer.get("band")
        if not (
            (value is None or type(value) is str)
            and (band is None or type(band) is str)
            and answer.keys() <= _PLAIN_KEYS
        ):
            return repr(tuple(answers.get(question_id) for question_id in _PREVIOUS_YEAR_INPUTS))
        key.append((value, band))
    return tuple(key)


_PLAIN_KEYS = frozenset({"value", "band"})


def _previous_year_verdict(answers: Answers) -> bool:
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
