"""NIS2: a hedged pointer for medium-sized and larger firms in the sectors of its annexes, never an assertion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from dialogs.ceilings import SIZE_ORDER, SizeClass
from dialogs.classification import Classification
from dialogs.duty_verdict import DutyStatus, DutyVerdict
from dialogs.profile import CompanyProfile
from dialogs.text import Day, Money, Text, msg

NIS2_SINCE = date(2025, 12, 6)

_NIS2_SOURCE = msg(
    "Directive (EU) 2022/2555 (NIS2); German NIS2 implementation act, BGBl. 2025 I No. 301, in force since {date}",
    date=Day(NIS2_SINCE),
)


_NIS2_TITLE = msg("NIS2 cybersecurity duties (registration with the BSI)")


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


def nis2(p: CompanyProfile, c: Classification, as_of: date) -> DutyVerdict:
    medium_or_larger = SIZE_ORDER.index(c.category) >= SIZE_ORDER.index(SizeClass.MEDIUM)
    return _nis2_on(p.nis2_sector, medium_or_larger, bool(c.provisional and p.group.provisional), as_of)


@lru_cache(maxsize=64)
def _nis2_on(nis2_sector: bool, medium_or_larger: bool, group_open: bool, as_of: date) -> DutyVerdict:
    # The verdict reads these three facts alone: built once per combination and day (the day is part of
    # the key, so a verdict is never served on another day).
    if not nis2_sector:
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
    if group_open:  # below medium, an unknown balance sheet only decides micro or small
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
