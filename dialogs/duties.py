"""Legal duties that hang on size, sector and dates, as data, each judged against an "as of" date.

The plan, the section "What your size class means" and the PDF all read the verdicts from here, so they
never disagree. Public API (kept stable for other modules, e.g. deadline reminders)::

    evaluate_duties(profile, classification, *, as_of=None) -> tuple[DutyVerdict, ...]

One ``DutyVerdict`` per duty, always in the order of ``DUTY_IDS``:

- ``duty_id``: "e_invoice_receive", "e_invoice_issue", "accessibility" or "nis2" (never renamed);
- ``status``: ``DutyStatus.APPLIES``, ``DOES_NOT_APPLY`` or ``DEPENDS`` (on a figure the user did not give);
- ``title``: the duty in a few words ("Issue e-invoices to business customers");
- ``starts_on``: the day the duty starts or started; for ``DEPENDS`` the earliest day it may start;
  ``None`` when it does not apply;
- ``depends_on``: for ``DEPENDS``, the unknown figure and the value that decides it; else ``None``;
- ``verdict``: the verdict in full sentences; ``action``: what the firm must do (``None`` if nothing);
- ``source`` and ``source_date``: the law or guidance it rests on; ``as_of``: the day it was judged on;
- ``days_left`` (days from ``as_of`` to ``starts_on``, 0 once started) and ``due_soon`` (it starts within
  ``DUE_SOON_MONTHS`` months and applies or may apply).

The rules were checked against the law as of December 2026 (``RULES_CHECKED``); see the sources named in each
verdict. Pure: no I/O, no clock except the default of ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from dialogs.classification import SIZE_ORDER, Classification, SizeClass, figure_bounds
from dialogs.profile import CompanyProfile
from dialogs.text import Day, Money, Text, msg

RULES_CHECKED = date(2026, 12, 1)

# E-invoicing: § 14 and § 27 (38) UStG (Wachstumschancengesetz), BMF letter of 15 October 2024.
E_INVOICE_RECEIVE_SINCE = date(2025, 1, 1)
E_INVOICE_ISSUE_ABOVE_LIMIT_FROM = date(2027, 1, 1)
E_INVOICE_ISSUE_EVERYONE_FROM = date(2028, 1, 1)
E_INVOICE_EDI_UNTIL = date(2027, 12, 31)
E_INVOICE_TURNOVER_LIMIT = Decimal(800_000)  # VAT total turnover of 2026
SMALL_INVOICE_LIMIT = Decimal(250)  # gross
SMALL_BUSINESS_TURNOVER_LIMIT = Decimal(100_000)  # § 19 UStG, current year; the prior year at most 25,000
SMALL_BUSINESS_PRIOR_YEAR_LIMIT = Decimal(25_000)
# The questionnaire asks for the EU turnover of the last closed year, not the VAT total turnover of 2026:
# within this fraction of the limit the two may fall on different sides of it.
_NEAR = Decimal("0.10")

BFSG_SINCE = date(2025, 6, 28)
MICRO_MONEY_LIMIT = Decimal(2_000_000)

NIS2_SINCE = date(2025, 12, 6)

DUE_SOON_MONTHS = 3

DUTY_IDS = ("e_invoice_receive", "e_invoice_issue", "accessibility", "nis2")


class DutyStatus(StrEnum):
    """Whether a duty applies to the company: yes, no, or it depends on a figure the user did not give."""

    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    DEPENDS = "depends"


@dataclass(frozen=True)
class DutyVerdict:
    """One legal duty judged for one company on one day."""

    duty_id: str
    status: DutyStatus
    title: Text
    starts_on: date | None
    depends_on: Text | None
    verdict: Text
    action: Text | None
    source: Text
    source_date: date
    as_of: date

    @property
    def days_left(self) -> int | None:
        """Days from ``as_of`` until the duty starts (0 once it has started); ``None`` without a date."""
        if self.starts_on is None:
            return None
        return max(0, (self.starts_on - self.as_of).days)

    @property
    def due_soon(self) -> bool:
        """It applies, or may apply, from a day still ahead and at most ``DUE_SOON_MONTHS`` months away."""
        return (
            self.status is not DutyStatus.DOES_NOT_APPLY
            and self.starts_on is not None
            and self.as_of < self.starts_on <= add_months(self.as_of, DUE_SOON_MONTHS)
        )

    @property
    def started(self) -> bool:
        return self.starts_on is not None and self.starts_on <= self.as_of


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


# --- sources -----------------------------------------------------------------------------------------

_E_INVOICE_SOURCE = msg(
    "§ 14 and § 27 (38) UStG as amended by the Wachstumschancengesetz; BMF letter of {date}, updated 2025",
    date=Day(date(2024, 10, 15)),
)
_BFSG_SOURCE = msg(
    "Barrierefreiheitsstärkungsgesetz (BFSG), in force since {date}; exemption for micro enterprises"
    " offering services: § 3 (3) BFSG",
    date=Day(BFSG_SINCE),
)
_NIS2_SOURCE = msg(
    "Directive (EU) 2022/2555 (NIS2); German NIS2 implementation act, BGBl. 2025 I No. 301, in force since {date}",
    date=Day(NIS2_SINCE),
)


# --- e-invoicing -------------------------------------------------------------------------------------


def _receive(as_of: date) -> DutyVerdict:
    return DutyVerdict(
        duty_id="e_invoice_receive",
        status=DutyStatus.APPLIES,
        title=msg("Receive e-invoices from other businesses"),
        starts_on=E_INVOICE_RECEIVE_SINCE,
        depends_on=None,
        verdict=msg(
            "Since {date} every business in Germany must be able to receive e-invoices (XRechnung or ZUGFeRD"
            " from version 2.0.1) from other businesses, small businesses under § 19 UStG included.",
            date=Day(E_INVOICE_RECEIVE_SINCE),
        ),
        action=msg(
            "Name one e-mail address for incoming invoices and check that your software or tax adviser can"
            " read XRechnung and ZUGFeRD."
        ),
        source=_E_INVOICE_SOURCE,
        source_date=date(2024, 10, 15),
        as_of=as_of,
    )


_ISSUE_TITLE = msg("Issue e-invoices to business customers")
_ISSUE_ACTION = msg(
    "Ask your invoicing software provider or tax adviser now whether you can issue XRechnung or ZUGFeRD"
    " (from version 2.0.1), and send your next invoice to one business customer that way."
)


def _issue_exemptions() -> Text:
    return msg(
        "Not covered: invoices to consumers and small invoices up to {small} gross. Invoices you exchange with"
        " large customers by EDI may stay in that form until {edi}.",
        small=Money(SMALL_INVOICE_LIMIT),
        edi=Day(E_INVOICE_EDI_UNTIL),
    )


def _issue_verdict(
    status: DutyStatus, starts_on: date | None, depends_on: Text | None, verdict: Text, as_of: date
) -> DutyVerdict:
    return DutyVerdict(
        duty_id="e_invoice_issue",
        status=status,
        title=_ISSUE_TITLE,
        starts_on=starts_on,
        depends_on=depends_on,
        verdict=verdict,
        action=None if status is DutyStatus.DOES_NOT_APPLY else _ISSUE_ACTION,
        source=_E_INVOICE_SOURCE,
        source_date=date(2024, 10, 15),
        as_of=as_of,
    )


def _issue(p: CompanyProfile, as_of: date) -> DutyVerdict:
    if p.customers == "private":
        return _issue_verdict(
            DutyStatus.DOES_NOT_APPLY,
            None,
            None,
            msg(
                "The duty covers invoices to businesses, and you sell to private customers: invoices to"
                " consumers are not covered. Should you invoice a business, that invoice must be an"
                " e-invoice from {date} at the latest.",
                date=Day(E_INVOICE_ISSUE_EVERYONE_FROM),
            ),
            as_of,
        )
    if p.small_business == "yes":
        return _issue_verdict(
            DutyStatus.DOES_NOT_APPLY,
            None,
            None,
            msg(
                "As a small business under § 19 UStG (Kleinunternehmerregelung) you never have to issue"
                " e-invoices, as long as you stay within its limits (prior-year turnover at most {prior},"
                " current year at most {current}). You must still be able to receive them.",
                prior=Money(SMALL_BUSINESS_PRIOR_YEAR_LIMIT),
                current=Money(SMALL_BUSINESS_TURNOVER_LIMIT),
            ),
            as_of,
        )
    low, high = figure_bounds("turnover", p.turnover, p.banded)
    assert low is not None and high is not None
    limit = E_INVOICE_TURNOVER_LIMIT
    margin = limit * _NEAR
    above = low > limit + margin
    below = high <= limit - margin
    exemptions = _issue_exemptions()
    if as_of >= E_INVOICE_ISSUE_EVERYONE_FROM or below:
        start = E_INVOICE_ISSUE_EVERYONE_FROM
    elif above:
        start = E_INVOICE_ISSUE_ABOVE_LIMIT_FROM
    else:
        return _issue_verdict(
            DutyStatus.DEPENDS,
            E_INVOICE_ISSUE_ABOVE_LIMIT_FROM,
            msg("whether your total turnover of 2026 under VAT law is above {limit}", limit=Money(limit)),
            msg(
                "If your total turnover of 2026 under VAT law is above {limit}, you must issue e-invoices to"
                " business customers from {early}; otherwise from {late}. Your turnover of roughly"
                " {turnover} last year is too close to the limit to tell. {exemptions}",
                limit=Money(limit),
                early=Day(E_INVOICE_ISSUE_ABOVE_LIMIT_FROM),
                late=Day(E_INVOICE_ISSUE_EVERYONE_FROM),
                turnover=Money(p.turnover) if low == high else msg("up to {high}", high=Money(high)),
                exemptions=exemptions,
            ),
            as_of,
        )
    if p.small_business == "unknown":
        return _issue_verdict(
            DutyStatus.DEPENDS,
            start,
            msg("whether you use the small-business rule of § 19 UStG (Kleinunternehmerregelung)"),
            msg(
                "If you use the small-business rule of § 19 UStG, you never have to issue e-invoices."
                " Otherwise you must issue them to business customers from {start}. Your tax adviser or last"
                " VAT return tells you which applies. {exemptions}",
                start=Day(start),
                exemptions=exemptions,
            ),
            as_of,
        )
    if start <= as_of:
        verdict = msg(
            "Since {start} you must issue e-invoices (XRechnung or ZUGFeRD) to business customers. {exemptions}",
            start=Day(start),
            exemptions=exemptions,
        )
    elif start == E_INVOICE_ISSUE_ABOVE_LIMIT_FROM:
        verdict = msg(
            "With a turnover of roughly {turnover}, above {limit}, you must issue e-invoices (XRechnung or"
            " ZUGFeRD) to business customers for supplies from {start}; paper and PDF invoices end then. The"
            " deciding figure is your total turnover of 2026 under VAT law. {exemptions}",
            turnover=Money(p.turnover) if low == high else msg("more than {low}", low=Money(low)),
            limit=Money(limit),
            start=Day(start),
            exemptions=exemptions,
        )
    else:
        verdict = msg(
            "With a turnover of roughly {turnover}, at most {limit}, you may send paper or PDF invoices"
            " until the end of 2027; from {start} you must issue e-invoices (XRechnung or ZUGFeRD) to business"
            " customers, like every business. {exemptions}",
            turnover=Money(p.turnover) if low == high else msg("up to {high}", high=Money(high)),
            limit=Money(limit),
            start=Day(start),
            exemptions=exemptions,
        )
    return _issue_verdict(DutyStatus.APPLIES, start, None, verdict, as_of)


# --- accessibility -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Micro:
    """Whether the company is a micro enterprise: True, False, or None with the figure that decides."""

    is_micro: bool | None
    decides: Text | None = None


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
        if c.provisional:
            return _Micro(
                None,
                msg(
                    "whether your company stays a micro enterprise once the figures of partner and linked"
                    " enterprises are added: fewer than 10 staff and turnover or balance-sheet total at most"
                    " {limit}",
                    limit=Money(MICRO_MONEY_LIMIT),
                ),
            )
        return _Micro(True)
    if staff < 10 and balance is None and not p.no_balance_sheet and c.category is SizeClass.SMALL:
        return _Micro(
            None,
            msg("whether your balance-sheet total is at most {limit}", limit=Money(MICRO_MONEY_LIMIT)),
        )
    return _Micro(False)


_BFSG_TITLE = msg("Make your online shop or booking accessible (BFSG)")


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


def _accessibility(p: CompanyProfile, c: Classification, as_of: date) -> DutyVerdict:
    if p.customers == "business":
        return _accessibility_verdict(
            DutyStatus.DOES_NOT_APPLY,
            msg(
                "The BFSG covers services for consumers; purely business-to-business offers are not covered."
            ),
            as_of,
        )
    if p.online_offer == "none":
        return _accessibility_verdict(
            DutyStatus.DOES_NOT_APPLY,
            msg(
                "You do not sell or take bookings online from consumers, so the BFSG does not cover you. A"
                " web shop, online booking or app you start for consumers would be covered."
            ),
            as_of,
        )
    if p.online_offer == "not_asked":
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
    micro = micro_status(p, c)
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


# --- NIS2 --------------------------------------------------------------------------------------------

_NIS2_TITLE = msg("Check whether the NIS2 cybersecurity duties apply")


def _nis2_verdict(
    status: DutyStatus, verdict: Text, as_of: date, depends_on: Text | None = None
) -> DutyVerdict:
    return DutyVerdict(
        duty_id="nis2",
        status=status,
        title=_NIS2_TITLE,
        starts_on=None if status is DutyStatus.DOES_NOT_APPLY else NIS2_SINCE,
        depends_on=depends_on,
        verdict=verdict,
        action=None
        if status is DutyStatus.DOES_NOT_APPLY
        else msg(
            "Do the BSI's NIS2 scope check (NIS-2-Betroffenheitsprüfung) on bsi.bund.de; if your company is"
            " covered, register with the BSI and put a person in charge of cyber risks and incident reports."
        ),
        source=_NIS2_SOURCE,
        source_date=NIS2_SINCE,
        as_of=as_of,
    )


def _nis2(p: CompanyProfile, c: Classification, as_of: date) -> DutyVerdict:
    medium_or_larger = SIZE_ORDER.index(c.category) >= SIZE_ORDER.index(SizeClass.MEDIUM)
    if not p.nis2_sector:
        return _nis2_verdict(
            DutyStatus.DOES_NOT_APPLY,
            msg(
                "The sector you chose is not one of the NIS2 sectors. If your company does work in one of"
                " them (such as energy, transport, health, digital services or the manufacture of machinery,"
                " vehicles or electronics), the BSI's NIS2 scope check tells you more."
            ),
            as_of,
        )
    if medium_or_larger:
        return _nis2_verdict(
            DutyStatus.DEPENDS,
            msg(
                "Your company is medium-sized or larger and works in a sector of the NIS2 annexes, so it may"
                " be an important entity (particularly important from 250 staff, or above {turnover} turnover"
                " and {balance} balance-sheet total). Such entities must register with the BSI within three"
                " months, report security incidents and manage cyber risks, and management is personally"
                " responsible. Size and sector alone do not decide: your exact activity does.",
                turnover=Money(Decimal(50_000_000)),
                balance=Money(Decimal(43_000_000)),
            ),
            as_of,
            msg("whether your exact activity is one the NIS2 annexes list; the BSI's NIS2 scope check says"),
        )
    if c.provisional:
        return _nis2_verdict(
            DutyStatus.DEPENDS,
            msg(
                "Your sector is one of the NIS2 sectors, but NIS2 covers only medium-sized and larger"
                " companies. Whether yours is one depends on the figures of its partner and linked"
                " enterprises."
            ),
            as_of,
            msg(
                "whether your company, with partner and linked enterprises added, has 50 staff or more, or"
                " turnover and balance-sheet total both above {limit}",
                limit=Money(Decimal(10_000_000)),
            ),
        )
    return _nis2_verdict(
        DutyStatus.DOES_NOT_APPLY,
        msg(
            "NIS2 covers only medium-sized and larger companies in its sectors, with few exceptions (such as"
            " providers of telecommunications or trust services). Your company is below that size."
        ),
        as_of,
    )


# --- the API -----------------------------------------------------------------------------------------


def evaluate_duties(
    profile: CompanyProfile, classification: Classification, *, as_of: date | None = None
) -> tuple[DutyVerdict, ...]:
    """Judge each duty of ``DUTY_IDS`` for the company on ``as_of`` (today unless given)."""
    day = date.today() if as_of is None else as_of
    return (
        _receive(day),
        _issue(profile, day),
        _accessibility(profile, classification, day),
        _nis2(profile, classification, day),
    )
