"""The accessibility duty (BFSG) for consumer-facing online offers, with the micro-enterprise exemption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from dialogs.ceilings import SizeClass
from dialogs.classification import Classification
from dialogs.duty_verdict import DutyStatus, DutyVerdict
from dialogs.profile import CompanyProfile
from dialogs.text import Day, Money, Text, msg

BFSG_SINCE = date(2025, 6, 28)
MICRO_MONEY_LIMIT = Decimal(2_000_000)

_BFSG_SOURCE = msg(
    "Barrierefreiheitsstärkungsgesetz (BFSG), in force since {date}; exemption for micro enterprises"
    " offering services: § 3 (3) BFSG",
    date=Day(BFSG_SINCE),
)


@dataclass(frozen=True, eq=False)
class _Micro:
    """Whether the company is a micro enterprise: True, False, or None with the figure that decides. There
    are five, built once (``micro_status`` returns one of them): each is its own key of the verdicts kept."""

    is_micro: bool | None
    decides: Text | None = None


_MICRO = _Micro(True)
_NOT_MICRO = _Micro(False)
_MICRO_UNLESS_GROUP = _Micro(
    None,
    msg(
        "whether your company stays a micro enterprise once the figures of partner and linked"
        " enterprises are added: fewer than 10 staff and turnover or balance-sheet total at most"
        " {limit}",
        limit=Money(MICRO_MONEY_LIMIT),
    ),
)
_MICRO_UNLESS_LAST_YEAR = _Micro(
    None,
    msg(
        "whether your figures were above the micro ceilings in the previous financial year as well;"
        " if not, your company stays a micro enterprise for now"
    ),
)
_MICRO_UNLESS_BALANCE = _Micro(
    None,
    msg("whether your balance-sheet total is at most {limit}", limit=Money(MICRO_MONEY_LIMIT)),
)


def _classified_figures(p: CompanyProfile, c: Classification) -> tuple[Decimal, Decimal | None]:
    """Staff and balance-sheet total as classified (with partner and linked figures added when given)."""
    if c.aggregation is not None:
        balance = None if c.aggregation.balance_sheet is None else c.aggregation.balance_sheet.total
        return c.aggregation.staff.total, balance
    return p.staff, p.balance_sheet


def micro_status(p: CompanyProfile, c: Classification) -> _Micro:
    """Micro enterprise (fewer than 10 staff and turnover or balance-sheet total at most €2 m), or what decides."""
    staff, balance = _classified_figures(p, c)
    if c.category is SizeClass.MICRO:
        return _MICRO_UNLESS_GROUP if c.provisional else _MICRO
    if c.two_year_open and c.earlier_class is SizeClass.MICRO:
        return _MICRO_UNLESS_LAST_YEAR
    if staff < 10 and balance is None and not p.no_balance_sheet and c.category is SizeClass.SMALL:
        return _MICRO_UNLESS_BALANCE
    return _NOT_MICRO


_BFSG_TITLE = msg("Accessible online shop, booking or app (BFSG)")


def _accessibility_verdict(
    status: DutyStatus, verdict: Text, as_of: date, depends_on: Text | None = None
) -> DutyVerdict:
    return DutyVerdict(
        duty_id="accessibility",
        status=status,
        title=_BFSG_TITLE,
        starts_on=None if status is DutyStatus.DOES_NOT_APPLY else BFSG_SINCE,
        depends_on=depends_on,
        verdict=verdict,
        action=None
        if status is DutyStatus.DOES_NOT_APPLY
        else msg(
            "Have your web shop, booking or app checked against WCAG 2.1 level AA (EN 301 549), publish an"
            " accessibility statement, and ask your shop or booking provider for an accessible version."
        ),
        source=_BFSG_SOURCE,
        source_date=BFSG_SINCE,
        as_of=as_of,
    )


def accessibility(p: CompanyProfile, c: Classification, as_of: date) -> DutyVerdict:
    if p.customers == "business":
        return _accessibility_on(True, "", None, as_of)
    if p.online_offer == "none":
        return _accessibility_on(False, "none", None, as_of)
    return _accessibility_on(False, p.online_offer, micro_status(p, c), as_of)


@lru_cache(maxsize=64)
def _accessibility_on(
    business_only: bool, online_offer: str, micro: _Micro | None, as_of: date
) -> DutyVerdict:
    # Every text here is the same for all firms: a verdict is built once per combination of these and day (the
    # day is part of the key, so a verdict is never served on another day).
    if business_only:
        return _accessibility_verdict(
            DutyStatus.DOES_NOT_APPLY,
            msg(
                "The BFSG covers services for consumers; purely business-to-business offers are not covered."
            ),
            as_of,
        )
    if online_offer == "none":
        return _accessibility_verdict(
            DutyStatus.DOES_NOT_APPLY,
            msg(
                "You do not sell or take bookings online from consumers, so the BFSG does not cover you. A"
                " web shop, online booking or app you start for consumers would be covered."
            ),
            as_of,
        )
    assert micro is not None
    exemption = msg(
        "The exemption covers services only: products the law names (such as computers, smartphones or"
        " e-book readers) stay covered."
    )
    if micro.is_micro is True:
        return _accessibility_verdict(
            DutyStatus.DOES_NOT_APPLY,
            msg(
                "As a micro enterprise (fewer than 10 staff and turnover or balance-sheet total at most"
                " {limit}) you are exempt for the services you offer consumers online. {exemption}",
                limit=Money(MICRO_MONEY_LIMIT),
                exemption=exemption,
            ),
            as_of,
        )
    if online_offer == "not_asked":
        return _accessibility_verdict(
            DutyStatus.DEPENDS,
            msg(
                "If you sell or take bookings online from consumers (web shop, online booking, app), the"
                " offer must be accessible since {date}, unless your company is a micro enterprise.",
                date=Day(BFSG_SINCE),
            ),
            as_of,
            msg("whether you sell or take bookings online from consumers"),
        )
    if micro.is_micro is None:
        assert micro.decides is not None
        return _accessibility_verdict(
            DutyStatus.DEPENDS,
            msg(
                "Your online offer for consumers must be accessible since {date}, unless your company is a"
                " micro enterprise. That depends on {decides}. {exemption}",
                date=Day(BFSG_SINCE),
                decides=micro.decides,
                exemption=exemption,
            ),
            as_of,
            micro.decides,
        )
    return _accessibility_verdict(
        DutyStatus.APPLIES,
        msg(
            "Your online offer for consumers must be accessible since {date}. Your company is not a micro"
            " enterprise, so the exemption does not apply.",
            date=Day(BFSG_SINCE),
        ),
        as_of,
    )
