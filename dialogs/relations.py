"""The guided questions about each related enterprise: a sub-dialogue inside the two ownership questions.

Where the company has partner or linked enterprises (either direction), the ownership question offers to add
them up now, and then asks one question a screen per enterprise: its label, the stake, control by other means,
the investor type, its figures, whether they are consolidated accounts that include the company, and whether
its own links are known. A list ("another one?") and a card per enterprise let the user change any answer.

Pure: the cursor lives inside the ownership answer (``answer["sub"]``), the finished enterprises in
``answer["related"]`` as the one-line shortcut stores them, so the rest of the advisor reads them alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dialogs.group import (
    DOWN,
    LINKED,
    LINKS_INCLUDED,
    LINKS_NONE,
    LINKS_UNKNOWN,
    MAX_RELATED,
    ORDINARY,
    PUBLIC_BODY,
    RELATED_KEYS,
    UP,
    RelatedEnterprise,
    default_name,
    describe_enterprise,
    enterprise_name,
    parse_related,
    related_from_answer,
)
from dialogs.parsing import parse_annual_money, parse_balance_total, parse_headcount, parse_percent
from dialogs.questions import QUESTION_BY_ID
from dialogs.text import Arg, InvalidAnswer, Money, Number, Percent, Text, msg

DIRECTIONS = {"linked": UP, "owns": DOWN}
SEPARATOR = ":"
LIST = "list"
CARD = "card"
MAX_LABEL = 60

Draft = dict[str, Any]


@dataclass(frozen=True)
class SubChoice:
    key: str
    label: Text


@dataclass(frozen=True)
class SubScreen:
    """One screen of the sub-dialogue; the engine shows it like a question."""

    screen_id: str
    prompt: Text
    hint: Text | None
    choices: tuple[SubChoice, ...]
    accepts_text: bool
    current: Text | None


@dataclass(frozen=True)
class Step:
    """What one event did: the new answer, what to tell, and whether the sub-dialogue ends."""

    answer: dict[str, Any]
    notices: tuple[Text, ...] = ()
    rejected: bool = False
    done: bool = False  # the enterprises are complete: the ownership answer is stored
    left: bool = False  # back out of the list: the ownership question is shown again


def is_screen_id(screen_id: str) -> bool:
    """Whether a button's question id names a screen of the sub-dialogue (for the button codec)."""
    question_id, sep, at = screen_id.partition(SEPARATOR)
    return bool(sep) and question_id in DIRECTIONS and (at in (LIST, CARD) or at in FIELD_BY_ID)


def active(answer: Mapping[str, Any] | None) -> bool:
    return bool(answer) and isinstance(answer.get("sub"), dict)  # type: ignore[union-attr]


def opens_for(question_id: str, key: str) -> bool:
    """Whether choosing ``key`` at an ownership question offers the sub-dialogue."""
    return question_id in DIRECTIONS and key in RELATED_KEYS


def enter(previous: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    """The answer while the sub-dialogue runs: the chosen relation, enterprises given before, the list."""
    related = [r.to_dict() for r in _related(previous)]
    return {"value": key, "band": None, "related": related, "sub": {"at": LIST, "index": 0}}


def finished(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The ownership answer without the cursor."""
    return {k: v for k, v in answer.items() if k != "sub"}


def _related(answer: Mapping[str, Any] | None) -> list[RelatedEnterprise]:
    try:
        return list(related_from_answer(answer))
    except (ArithmeticError, ValueError, TypeError, KeyError):
        return []


# --- the questions about one enterprise -----------------------------------------------------------


def _partial(draft: Draft) -> RelatedEnterprise:
    """The enterprise as far as it is known, to decide which questions apply."""
    return RelatedEnterprise(
        Decimal(str(draft.get("stake", "0"))),
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
            return msg("{value}", value=Percent(Decimal(value)))
        if self.id == "staff":
            return msg("{value}", value=Number(Decimal(value)))
        return msg("{value}", value=Money(Decimal(value)))


def _always(draft: Draft, direction: str) -> bool:
    return True


def _stake(draft: Draft) -> Decimal:
    return Decimal(str(draft.get("stake", "0")))


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


def parse_stake(text: str, language: str) -> Decimal:
    """A stake in percent points: "35 %", "35", "ein Drittel", "one third", "1/3", "die Hälfte"."""
    folded = " ".join(text.casefold().replace("-", " ").split())
    fraction = _SLASH.match(folded)
    parts = folded.rsplit(" ", 1)
    if fraction is not None and int(fraction[2]) > 0 and int(fraction[1]) <= int(fraction[2]):
        value = Decimal(100) * int(fraction[1]) / int(fraction[2])
    elif parts[-1] in _FRACTION_WORDS and (parts[0] if len(parts) == 2 else "") in _COUNT_WORDS:
        count = _COUNT_WORDS[parts[0] if len(parts) == 2 else ""]
        value = Decimal(100) * count / _FRACTION_WORDS[parts[-1]]
    else:
        value = parse_percent(text, language)
    if value <= 0 or value > 100:
        raise InvalidAnswer(
            msg("Please enter the stake as a share from above 0 up to 100%, e.g. 35% or “one third”.")
        )
    value = value.quantize(Decimal("0.01"))
    return value.to_integral_value() if value == value.to_integral_value() else value.normalize()


def _parse_label(text: str, language: str) -> str:
    label = " ".join("".join(c for c in text if c.isprintable()).split())
    if not label or len(label) > MAX_LABEL:
        raise InvalidAnswer(
            msg("Please type a short name or label, at most {limit} characters.", limit=MAX_LABEL)
        )
    return label


def _bands(question_id: str) -> tuple[tuple[str, Text, Any], ...]:
    """The main question's ranges, so that an enterprise's figures are asked just as the company's are."""
    choices = QUESTION_BY_ID[question_id].choices
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
            ("third", msg("one third"), "33.33"),
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


def _applying(draft: Draft, direction: str) -> list[Field]:
    return [f for f in FIELDS if f.applies(draft, direction)]


def _next_open(draft: Draft, direction: str) -> str | None:
    return next((f.id for f in _applying(draft, direction) if f.id not in draft), None)


def _as_draft(r: RelatedEnterprise) -> Draft:
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


def _built(draft: Draft, direction: str) -> RelatedEnterprise:
    applying = {f.id for f in _applying(draft, direction)}

    def value(key: str) -> Any:
        return draft.get(key) if key in applying else None

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


# --- screens --------------------------------------------------------------------------------------


def _sub(answer: Mapping[str, Any]) -> dict[str, Any]:
    return dict(answer["sub"])


def screen(question_id: str, answer: Mapping[str, Any]) -> SubScreen:
    """The screen the cursor stands on."""
    direction = DIRECTIONS[question_id]
    sub = _sub(answer)
    at = str(sub.get("at"))
    related = _related(answer)
    screen_id = f"{question_id}{SEPARATOR}{at}"
    if at == CARD and 0 <= int(sub.get("index", 0)) < len(related):
        index = int(sub["index"])
        draft = _as_draft(related[index])
        card_name = enterprise_name(related[index], index + 1, direction)
        choices = [
            SubChoice(f"f_{f.id}", msg("✏️ {field}: {value}", field=f.label, value=f.display(draft)))
            for f in _applying(draft, direction)
        ]
        choices += [SubChoice("remove", msg("🗑 Remove this enterprise")), SubChoice(LIST, msg("✅ Done"))]
        return SubScreen(
            screen_id,
            msg("{name}: which answer would you like to change?", name=card_name),
            describe_enterprise(related[index], index + 1, direction),
            tuple(choices),
            True,  # more choices than digits: the terminal offers letters, and typed labels are matched
            None,
        )
    if at in FIELD_BY_ID:
        field = FIELD_BY_ID[at]
        draft = dict(sub.get("draft") or {})
        number = int(sub.get("index", 0)) + 1
        name: Arg = str(draft.get("label") or "") or default_name(number, direction)
        hint = msg("Enterprise {number}: {name}", number=number, name=name)
        if field.hint is not None:
            hint = msg("{first}\n{second}", first=hint, second=field.hint)
        return SubScreen(
            screen_id,
            field.prompt(name, direction),
            hint,
            tuple(SubChoice(key, label) for key, label, _ in field.choices),
            field.parse is not None,
            field.display(draft) if at in draft else None,
        )
    if not related:
        return SubScreen(
            f"{question_id}{SEPARATOR}{LIST}",
            msg(
                "Shall I add up the figures of these enterprises now? I ask about one enterprise at a time,"
                " as the official SME declaration does."
            ),
            msg(
                "Without their figures the result stays provisional. Advisers can also type them in one"
                " line: stake; staff; turnover; balance-sheet total, e.g. “{example}”.",
                example=msg("40%; 30; €6m; €4m"),
            ),
            (SubChoice("add", msg("➕ Add up now")), SubChoice("done", msg("Not now"))),
            True,
            None,
        )
    lines: Text | None = None
    for number, r in enumerate(related, 1):
        line = msg(
            "{number}. {enterprise}", number=number, enterprise=describe_enterprise(r, number, direction)
        )
        lines = line if lines is None else msg("{first}\n{second}", first=lines, second=line)
    choices = [SubChoice("add", msg("➕ Yes, add another"))] if len(related) < MAX_RELATED else []
    choices.append(SubChoice("done", msg("✅ No, that is all")))
    choices += [
        SubChoice(f"e{i}", msg("✏️ {name}", name=enterprise_name(r, i + 1, direction)))
        for i, r in enumerate(related)
    ]
    return SubScreen(
        f"{question_id}{SEPARATOR}{LIST}",
        msg("Is there another related enterprise?"),
        lines,
        tuple(choices),
        True,
        None,
    )


# --- events ---------------------------------------------------------------------------------------


def handle(question_id: str, answer: Mapping[str, Any], event: tuple[str, ...], language: str) -> Step:
    """Apply one event: ("choose", screen_id, key), ("text", text) or ("back",)."""
    direction = DIRECTIONS[question_id]
    result = dict(answer)
    sub = _sub(answer)
    related = _related(answer)
    at = str(sub.get("at"))
    kind = event[0]
    if kind == "choose":
        current = screen(question_id, answer)
        if event[1] != current.screen_id:
            return Step(
                result, (msg("That button belongs to an earlier message. Here is where you are now."),), True
            )
        key = event[2]
        if key not in {c.key for c in current.choices}:
            return Step(
                result, (msg("That choice is not available. Please pick one of the offered answers."),), True
            )
    if at == LIST:
        return _on_list(result, related, event, direction, language)
    if at == CARD:
        return _on_card(result, sub, related, event, direction)
    if at in FIELD_BY_ID:
        return _on_field(result, sub, related, event, direction, language)
    return Step(finished(result), left=True)


def _with(result: dict[str, Any], related: list[RelatedEnterprise], sub: dict[str, Any]) -> dict[str, Any]:
    return result | {"related": [r.to_dict() for r in related], "sub": sub}


def _on_list(
    result: dict[str, Any],
    related: list[RelatedEnterprise],
    event: tuple[str, ...],
    direction: str,
    language: str,
) -> Step:
    kind = event[0]
    if kind == "back":
        return Step(finished(result), left=True)
    if kind == "text":
        try:
            typed = parse_related(event[1], language)
        except InvalidAnswer as invalid:
            return Step(result, (invalid.reason,), True)
        if len(related) + len(typed) > MAX_RELATED:
            return Step(result, (msg("At most {limit} enterprises can be added.", limit=MAX_RELATED),), True)
        related += typed
        noted = tuple(
            msg("Noted: {answer}", answer=describe_enterprise(r, number, direction))
            for number, r in enumerate(related, 1)
            if number > len(related) - len(typed)
        )
        return Step(_with(result, related, {"at": LIST, "index": 0}), noted)
    key = event[2]
    if key == "add":
        return Step(_with(result, related, {"at": "label", "index": len(related), "draft": {}}))
    if key == "done":
        return Step(finished(result), done=True)
    return Step(_with(result, related, {"at": CARD, "index": int(key[1:])}))


def _on_card(
    result: dict[str, Any],
    sub: dict[str, Any],
    related: list[RelatedEnterprise],
    event: tuple[str, ...],
    direction: str,
) -> Step:
    index = int(sub.get("index", 0))
    if event[0] == "back" or (event[0] == "choose" and event[2] == LIST) or index >= len(related):
        return Step(_with(result, related, {"at": LIST, "index": 0}))
    if event[0] == "text":
        return Step(result, (msg("Please choose one of the offered answers."),), True)
    key = event[2]
    if key == "remove":
        name = enterprise_name(related[index], index + 1, direction)
        del related[index]
        return Step(_with(result, related, {"at": LIST, "index": 0}), (msg("Removed: {name}", name=name),))
    field = key.removeprefix("f_")
    draft = _as_draft(related[index])
    return Step(_with(result, related, {"at": field, "index": index, "draft": draft, "edit": True}))


def _on_field(
    result: dict[str, Any],
    sub: dict[str, Any],
    related: list[RelatedEnterprise],
    event: tuple[str, ...],
    direction: str,
    language: str,
) -> Step:
    field = FIELD_BY_ID[str(sub["at"])]
    draft: Draft = dict(sub.get("draft") or {})
    index = int(sub.get("index", 0))
    editing = bool(sub.get("edit"))
    if event[0] == "back":
        if editing:
            return Step(_with(result, related, {"at": CARD, "index": index}))
        earlier = [f.id for f in _applying(draft, direction)]
        position = earlier.index(field.id) if field.id in earlier else 0
        if position == 0:
            return Step(_with(result, related, {"at": LIST, "index": 0}))
        return Step(_with(result, related, {**sub, "at": earlier[position - 1]}))
    if event[0] == "choose":
        stored = next(v for k, _, v in field.choices if k == event[2])
        band = event[2] if field.band_key else None
    else:
        if field.parse is None:
            return Step(result, (msg("Please choose one of the offered answers."),), True)
        try:
            value = field.parse(event[1], language)
        except InvalidAnswer as invalid:
            return Step(result, (invalid.reason,), True)
        stored = value if isinstance(value, str) else str(value)
        band = None
    draft[field.id] = stored
    if field.band_key:
        draft.pop(field.band_key, None)
        if band is not None:
            draft[field.band_key] = band
    notices: list[Text] = [msg("Noted: {answer}", answer=field.display(draft))]
    following = _next_open(draft, direction)
    if following is not None:
        return Step(_with(result, related, {**sub, "at": following, "draft": draft}), tuple(notices))
    enterprise = _built(draft, direction)
    if editing and index < len(related):
        related[index] = enterprise
        return Step(_with(result, related, {"at": CARD, "index": index}), tuple(notices))
    related.append(enterprise)
    notices.append(msg("Noted: {answer}", answer=describe_enterprise(enterprise, len(related), direction)))
    return Step(_with(result, related, {"at": LIST, "index": 0}), tuple(notices))
