"""The tip catalogue: localized content under ``locales/<language>/tips.toml``, each tip suited to size classes."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.i18n import LOCALES_DIR, Translator
from bot.rendering import HTML
from dialogs.ceilings import SIZE_ORDER
from dialogs.text import Text, msg

TOPICS = ("website", "social_media_strategy", "referral_marketing", "monitoring", "budget", "support")
SIZE_CLASSES = tuple(size.value for size in SIZE_ORDER)


@dataclass(frozen=True)
class Tip:
    """One concrete thing to do this week, why, and how to measure it."""

    id: str
    topic: str
    sizes: tuple[str, ...]
    title: str
    do: str
    why: str
    measure: str


class CatalogueError(ValueError):
    """The tip catalogue of a language is malformed."""


@cache
def load_catalogue(language: str) -> tuple[Tip, ...]:
    """The tips of ``language`` in delivery order (topics interleaved), read from its tips.toml."""
    path = LOCALES_DIR / language / "tips.toml"
    with path.open("rb") as toml_file:
        data = tomllib.load(toml_file)
    tips: list[Tip] = []
    for entry in data.get("tip", []):
        try:
            tip = Tip(
                id=str(entry["id"]),
                topic=str(entry["topic"]),
                sizes=tuple(entry.get("sizes", ())),
                title=str(entry["title"]).strip(),
                do=str(entry["do"]).strip(),
                why=str(entry["why"]).strip(),
                measure=str(entry["measure"]).strip(),
            )
        except KeyError as error:
            raise CatalogueError(f"{path}: a tip lacks {error}") from error
        if tip.topic not in TOPICS or not set(tip.sizes) <= set(SIZE_CLASSES):
            raise CatalogueError(f"{path}: tip {tip.id!r} has an unknown topic or size class")
        tips.append(tip)
    if len({tip.id for tip in tips}) != len(tips):
        raise CatalogueError(f"{path}: tip ids are not unique")
    return interleave_topics(tips)


def interleave_topics(tips: Sequence[Tip]) -> tuple[Tip, ...]:
    """Order tips round-robin over topics, so that two tips in a row are rarely about the same thing."""
    by_topic = {topic: [tip for tip in tips if tip.topic == topic] for topic in TOPICS}
    ordered: list[Tip] = []
    while any(by_topic.values()):
        for topic in TOPICS:
            if by_topic[topic]:
                ordered.append(by_topic[topic].pop(0))
    return tuple(ordered)


def tip_by_id(language: str, tip_id: str) -> Tip | None:
    return next((tip for tip in load_catalogue(language) if tip.id == tip_id), None)


def next_tip(tips: Sequence[Tip], seen: set[str], size_class: str | None) -> tuple[Tip, bool]:
    """The first tip not yet seen that suits the size class; ``True`` when a new round has to begin."""
    suitable = [tip for tip in tips if size_class is None or not tip.sizes or size_class in tip.sizes]
    for tip in suitable:
        if tip.id not in seen:
            return tip, False
    return suitable[0], True


def render_tip(tip: Tip, language: str, *, footer: Text | None) -> str:
    """A tip as one HTML message."""
    t = Translator(language)
    lines = [
        "💡 " + HTML.bold(HTML.escape(tip.title)),
        "",
        HTML.bold(HTML.escape(t(msg("This week:")))) + " " + HTML.escape(tip.do),
        "",
        HTML.bold(HTML.escape(t(msg("Why:")))) + " " + HTML.escape(tip.why),
        "",
        HTML.bold(HTML.escape(t(msg("How to measure it:")))) + " " + HTML.escape(tip.measure),
    ]
    if footer is not None:
        lines += ["", f"<i>{HTML.escape(t(footer))}</i>"]
    return "\n".join(lines)


def footer_for(chat_id: int, kind: str | None) -> Text | None:
    if chat_id > 0:
        return msg("/tips off stops these tips.")
    if kind == "channel":
        return None
    return msg("Group administrators can stop these tips with /unsubscribe.")
