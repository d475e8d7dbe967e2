"""The e-invoicing duties (receiving since 2025, issuing from 2027 or 2028) judged for one company."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from dialogs.duty_verdict import DutyStatus, DutyVerdict
from dialogs.figures import figure_bounds
from dialogs.profile import CompanyProfile
from dialogs.text import Day, Money, Text, msg

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

_E_INVOICE_SOURCE = msg(
    "§ 14 and § 27 (38) UStG as amended by the Wachstumschancengesetz; BMF letter of {date}, updated 2025",
    date=Day(date(2024, 10, 15)),
)


@lru_cache(maxsize=8)
def receive(as_of: date) -> DutyVerdict:
    # the same verdict for every business on a day: built once per day (keyed on the day, so never stale)
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
    return _ISSUE_EXEMPTIONS


_ISSUE_EXEMPTIONS = msg(
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


def issue(p: CompanyProfile, as_of: date) -> DutyVerdict:
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
            turnover=Money(p.turnover)
            if low == high
            else msg("more than {low}", low=Money(low.to_integral_value(ROUND_DOWN))),
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
