"""The guided questions about each related enterprise: a sub-dialogue inside the two ownership questions.

Where the company has partner or linked enterprises (either direction), the ownership question offers to add
them up now, and then asks one question a screen per enterprise: its label, the stake, control by other means,
the investor type, its figures, whether they are consolidated accounts that include the company, and whether
its own links are known. A list ("another one?") and a card per enterprise let the user change any answer.

Pure: the cursor lives inside the ownership answer (``answer["sub"]``), the finished enterprises in
``answer["related"]`` as the one-line shortcut stores them, so the rest of the advisor reads them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.enterprise import (
    DOWN,
    MAX_RELATED,
    RELATED_KEYS,
    UP,
    RelatedEnterprise,
    default_name,
    describe_enterprise,
    enterprise_name,
)
from dialogs.group import parse_related, related_from_answer
from dialogs.relation_fields import FIELD_BY_ID, Draft, applying, as_draft, built, next_open
from dialogs.text import Arg, InvalidAnswer, Text, msg

DIRECTIONS = {"linked": UP, "owns": DOWN}
SEPARATOR = ":"
LIST = "list"
CARD = "card"


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
        draft = as_draft(related[index])
        card_name = enterprise_name(related[index], index + 1, direction)
        choices = [
            SubChoice(f"f_{f.id}", msg("✏️ {field}: {value}", field=f.label, value=f.display(draft)))
            for f in applying(draft, direction)
        ]
        choices += [SubChoice("remove", msg("🗑 Remove this enterprise")), SubChoice(LIST, msg("✅ Done"))]
        return SubScreen(
            screen_id,
            msg("{name}: which answer would you like to change?", name=card_name),
            describe_enterprise(related[index], index + 1, direction),
            tuple(choices),
            False,  # buttons only; a typed label picks its button
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
    draft = as_draft(related[index])
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
        earlier = [f.id for f in applying(draft, direction)]
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
    following = next_open(draft, direction)
    if following is not None:
        return Step(_with(result, related, {**sub, "at": following, "draft": draft}), tuple(notices))
    enterprise = built(draft, direction)
    if editing and index < len(related):
        related[index] = enterprise
        return Step(_with(result, related, {"at": CARD, "index": index}), tuple(notices))
    related.append(enterprise)
    notices.append(msg("Noted: {answer}", answer=describe_enterprise(enterprise, len(related), direction)))
    return Step(_with(result, related, {"at": LIST, "index": 0}), tuple(notices))
