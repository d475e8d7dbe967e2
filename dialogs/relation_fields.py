"""The questions about one related enterprise, as data: label, stake, control by other means, investor type,
its figures, consolidated accounts and its own links.

Each field says when it applies to the answers given so far (a draft), how its answer is read and how it
reads back; ``dialogs.relations`` walks the user through them and lets the card change any answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dialogs.answer_bands import BANDS
from dialogs.enterprise import (
    LINKED,
    LINKS_INCLUDED,
    LINKS_NONE,
    LINKS_UNKNOWN,
    ORDINARY,
    PUBLIC_BODY,
    RELATED_KEYS,
    UP,
    RelatedEnterprise,
    stake_arg,
)
from dialogs.parsing import parse_annual_money, parse_balance_total, parse_headcount, parse_percent
from dialogs.text import Arg, InvalidAnswer, Money, Number, Percent, Text, msg

MAX_LABEL = 60

# The answers given so far about one enterprise, by field id (bands beside as "<field>_band").
Draft = dict[str, Any]


def _partial(draft: Draft) -> RelatedEnterprise:
    """The enterprise as far as it is known, to decide which questions apply."""
    return RelatedEnterprise(
        _stake(draft),
        None,
        None,
        None,
        control=bool(draft.get("control")),
        investor=str(draft.get("investor") or ORDINARY),
        consolidated=bool(draft.get("consolidated")),
    )


def _added(draft: Draft, direction: str) -> bool:
    return _partial(draft).relation in RELATED_KEYS


@dataclass(frozen=True)
class Field:
    """One question about an enterprise: choices first, typed text where a number is asked."""

    id: str
    label: Text  # as the card names it
    prompt: Callable[[Arg, str], Text]  # (name, direction) -> question
    choices: tuple[tuple[str, Text, Any], ...]  # (key, label, stored value)
    applies: Callable[[Draft, str], bool]
    parse: Callable[[str, str], Any] | None = None
    hint: Text | None = None
    band_key: str | None = None  # where a chosen band's key is kept ("staff" -> "staff_band")

    def display(self, draft: Draft) -> Text:
        value = draft.get(self.id)
        band = draft.get(self.band_key) if self.band_key else None
        for key, label, stored in self.choices:
            if (band is not None and key == band) or (
                band is None and stored == value and self.parse is None
            ):
                return label
        if self.id == "label":
            return msg("{name}", name=value or msg("without a name"))
        if value is None:
            return msg("not given")
        if self.id == "stake":
            return msg("{value}", value=stake_arg(Fraction(str(value))))
        if self.id == "staff":
            return msg("{value}", value=Number(Decimal(value)))
        return msg("{value}", value=Money(Decimal(value)))


def _always(draft: Draft, direction: str) -> bool:
    return True


def _stake(draft: Draft) -> Fraction:
    return Fraction(str(draft.get("stake", "0")))


_FRACTION_WORDS = {
    "drittel": 3,
    "third": 3,
    "thirds": 3,
    "viertel": 4,
    "quarter": 4,
    "quarters": 4,
    "hälfte": 2,
    "haelfte": 2,
    "half": 2,
}
_COUNT_WORDS = {"": 1, "ein": 1, "eine": 1, "a": 1, "one": 1, "die": 1, "the": 1, "zwei": 2, "two": 2}
_COUNT_WORDS |= {"drei": 3, "three": 3}
_SLASH = re.compile(r"^(\d+)\s*/\s*(\d+)$")


def parse_stake(text: str, language: str) -> Fraction:
    """A stake in percent points, exact: "35 %", "35", "ein Drittel", "one third", "1/3", "die Hälfte"."""
    folded = " ".join(text.casefold().replace("-", " ").split())
    fraction = _SLASH.match(folded)
    parts = folded.rsplit(" ", 1)
    if fraction is not None and int(fraction[2]) > 0 and int(fraction[1]) <= int(fraction[2]):
        value = Fraction(100 * int(fraction[1]), int(fraction[2]))
    elif parts[-1] in _FRACTION_WORDS and (parts[0] if len(parts) == 2 else "") in _COUNT_WORDS:
        count = _COUNT_WORDS[parts[0] if len(parts) == 2 else ""]
        value = Fraction(100 * count, _FRACTION_WORDS[parts[-1]])
    else:
        value = Fraction(parse_percent(text, language))
    if value <= 0 or value > 100:
        raise InvalidAnswer(
            msg("Please enter the stake as a share from above 0 up to 100%, e.g. 35% or “one third”.")
        )
    return value


def _parse_label(text: str, language: str) -> str:
    label = " ".join("".join(c for c in text if c.isprintable()).split())
    if not label or len(label) > MAX_LABEL:
        raise InvalidAnswer(
            msg("Please type a short name or label, at most {limit} characters.", limit=MAX_LABEL)
        )
    return label


def _bands(question_id: str) -> tuple[tuple[str, Text, Any], ...]:
    """The main question's ranges, so that an enterprise's figures are asked just as the company's are."""
    choices = BANDS[question_id]
    return tuple((c.key, c.label, None if c.value is None else str(c.value)) for c in choices)


_YES_NO = (("yes", msg("Yes"), True), ("no", msg("No"), False))


def _control_prompt(name: Arg, direction: str) -> Text:
    if direction == UP:
        return msg(
            "Does {name} control your company by other means: can it appoint or dismiss the majority of the"
            " management or supervisory board, or does it control your company by a contract or an"
            " agreement with other shareholders?",
            name=name,
        )
    return msg(
        "Does your company control {name} by other means: can it appoint or dismiss the majority of the"
        " management or supervisory board, or does it control {name} by a contract or an agreement with"
        " other shareholders?",
        name=name,
    )


FIELDS: tuple[Field, ...] = (
    Field(
        "label",
        msg("Name or label"),
        lambda name, direction: (
            msg("What shall we call this enterprise? Its name or any label you choose.")
            if direction == UP
            else msg(
                "What shall we call the enterprise your company holds a stake in? Its name or any label."
            )
        ),
        (("", msg("Without a name"), ""),),
        _always,
        parse=_parse_label,
        hint=msg(
            "The label is only used in this conversation and on your report and worksheet. It is deleted"
            " with your answers and never goes into statistics or exports."
        ),
    ),
    Field(
        "stake",
        msg("Stake"),
        lambda name, direction: (
            msg("How much of your company's capital or voting rights does {name} hold?", name=name)
            if direction == UP
            else msg("How much of the capital or voting rights of {name} does your company hold?", name=name)
        ),
        (
            ("lt25", msg("under 25%"), "10"),
            ("25", msg("{value}", value=Percent(Decimal(25))), "25"),
            ("third", msg("one third"), "100/3"),
            ("40", msg("{value}", value=Percent(Decimal(40))), "40"),
            ("50", msg("{value}", value=Percent(Decimal(50))), "50"),
            ("over50", msg("over 50%"), "100"),
        ),
        _always,
        parse=parse_stake,
        hint=msg("Of capital and votes the higher share counts. Type e.g. 35%, 35 or “one third”."),
        band_key="stake_band",
    ),
    Field(
        "control",
        msg("Control by other means"),
        _control_prompt,
        _YES_NO,
        lambda draft, direction: draft.get("stake_band") != "over50" and _stake(draft) <= 50,
        hint=msg("Such control makes it a linked enterprise whatever the stake."),
    ),
    Field(
        "investor",
        msg("Investor type"),
        lambda name, direction: msg("What kind of investor is {name}?", name=name),
        (
            (ORDINARY, msg("An ordinary enterprise or person"), ORDINARY),
            ("public_investor", msg("Public investment corporation"), "public_investor"),
            ("venture", msg("Venture capital firm"), "venture"),
            ("angel", msg("Business angel (up to €1.25 million in your company)"), "angel"),
            ("university", msg("University or non-profit research centre"), "university"),
            ("institutional", msg("Institutional investor or regional development fund"), "institutional"),
            (
                "local_authority",
                msg("Local authority with a budget under €10 million and fewer than 5,000 inhabitants"),
                "local_authority",
            ),
            (PUBLIC_BODY, msg("Another public body (state, municipality, public institution)"), PUBLIC_BODY),
        ),
        lambda draft, direction: direction == UP and _stake(draft) >= 25,
        hint=msg(
            "Holding 25 to 50%, these investors keep your company autonomous as long as they are not linked"
            " to it (Commission Recommendation 2003/361/EC, Annex Art. 3(2)). Public bodies holding 25% or"
            " more take it out of the SME definition."
        ),
    ),
    Field(
        "staff",
        msg("Staff"),
        lambda name, direction: msg(
            "How many staff (annual work units) did {name} have in its last closed financial year?", name=name
        ),
        _bands("staff"),
        _added,
        parse=parse_headcount,
        band_key="staff_band",
    ),
    Field(
        "turnover",
        msg("Turnover"),
        lambda name, direction: msg("What was the annual turnover of {name}?", name=name),
        _bands("turnover"),
        _added,
        parse=parse_annual_money,
        hint=msg("In euros, without VAT, from its last closed financial year."),
        band_key="turnover_band",
    ),
    Field(
        "balance_sheet",
        msg("Balance-sheet total"),
        lambda name, direction: msg("What was the balance-sheet total of {name}?", name=name),
        _bands("balance_sheet"),
        _added,
        parse=parse_balance_total,
        band_key="balance_sheet_band",
    ),
    Field(
        "consolidated",
        msg("Consolidated figures including your company"),
        lambda name, direction: msg(
            "Are these figures from consolidated accounts of {name} that already include your company?",
            name=name,
        ),
        _YES_NO,
        lambda draft, direction: direction == UP and _partial(draft).relation == LINKED,
        hint=msg("Then your company's own figures are not added a second time."),
    ),
    Field(
        "links",
        msg("Its own partner and linked enterprises"),
        lambda name, direction: msg(
            "Does {name} itself have partner or linked enterprises (stakes of 25% or more, up or down,"
            " besides your company)?",
            name=name,
        ),
        (
            (LINKS_NONE, msg("No"), LINKS_NONE),
            (LINKS_INCLUDED, msg("Yes, and they are included in the figures given"), LINKS_INCLUDED),
            (LINKS_UNKNOWN, msg("Don't know, or not included"), LINKS_UNKNOWN),
        ),
        lambda draft, direction: _added(draft, direction) and not draft.get("consolidated"),
    ),
)
FIELD_BY_ID = {f.id: f for f in FIELDS}


def applying(draft: Draft, direction: str) -> list[Field]:
    """The fields that apply to an enterprise given the answers so far, in the order they are asked."""
    return [f for f in FIELDS if f.applies(draft, direction)]


def next_open(draft: Draft, direction: str) -> str | None:
    """The first field that applies and is not answered yet (None: the enterprise is complete)."""
    return next((f.id for f in applying(draft, direction) if f.id not in draft), None)


def as_draft(r: RelatedEnterprise) -> Draft:
    """A finished enterprise as answers to the fields, so that the card can change any of them."""
    data = r.to_dict()
    draft: Draft = {"stake": data["stake"]}
    if r.label is not None:
        draft["label"] = r.label
    for key in ("stake_band", "staff_band", "turnover_band", "balance_sheet_band"):
        if key in data:
            draft[key] = data[key]
    if r.staff is not None:
        draft |= {k: data[k] for k in ("staff", "turnover", "balance_sheet")}
    draft |= {"control": r.control, "investor": r.investor, "consolidated": r.consolidated, "links": r.links}
    return draft


def built(draft: Draft, direction: str) -> RelatedEnterprise:
    """The enterprise the answers describe; answers to fields that no longer apply are left out."""
    asked = {f.id for f in applying(draft, direction)}

    def value(key: str) -> Any:
        return draft.get(key) if key in asked else None

    def number(key: str) -> Decimal | None:
        v = value(key)
        return None if v is None else Decimal(str(v))

    stake = _stake(draft)
    return RelatedEnterprise(
        stake,
        number("staff"),
        number("turnover"),
        number("balance_sheet"),
        label=str(draft.get("label") or "") or None,
        control=bool(value("control")),
        investor=str(value("investor") or ORDINARY),
        links=str(value("links") or LINKS_NONE),
        consolidated=bool(value("consolidated")),
        stake_band=draft.get("stake_band"),
    )
