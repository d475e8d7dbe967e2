"""Text with entities: HTML, Markdown and MarkdownV2, the way Telegram strips markup from text."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.support.botapi.limits import ApiError, JSONDict, _bad_request

# --------------------------------------------------------------------------------------------------
# Text with entities: HTML, Markdown and MarkdownV2, the way Telegram strips markup from text.
# --------------------------------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _entity_error(detail: str) -> ApiError:
    return _bad_request(f"can't parse entities: {detail}")


class _TextBuilder:
    """Collects plain text and entities whose offsets are counted in UTF-16 code units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _utf16_len(text)

    def add(self, entity_type: str, start: int, **extra: Any) -> None:
        if self.pos > start:  # Telegram drops empty entities
            self.entities.append({"type": entity_type, "offset": start, "length": self.pos - start, **extra})

    def result(self) -> tuple[str, list[JSONDict]]:
        # Entities are collected as they close; reversed, an outer entity precedes an inner one of
        # the same span once sorted by offset.
        return "".join(self.parts), sorted(reversed(self.entities), key=lambda e: (e["offset"], -e["length"]))


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TEXT = re.compile(r"[^&<]+")
_HTML_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_HTML_ATTR = re.compile(r"([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")


def _parse_html(src: str) -> tuple[str, list[JSONDict]]:
    out = _TextBuilder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            m = _HTML_ENTITY.match(src, i)
            if m:
                if m[1]:
                    char = _HTML_NAMED[m[1]]
                else:
                    code_point = int(m[2]) if m[2] else int(m[3], 16)
                    char = chr(code_point) if 0 < code_point <= 0x10FFFF else m[0]
                out.emit(char)
                i = m.end()
                continue
            out.emit("&")
            i += 1
            continue
        if c != "<":
            run = _HTML_TEXT.match(src, i)  # a run of plain text at once: the replies are long, the tags few
            assert run is not None
            out.emit(run[0])
            i = run.end()
            continue
        begin = i
        if src.startswith("</", i):
            end = src.find(">", i)
            if end < 0:
                raise _entity_error(f"Unclosed end tag at byte offset {_byte_offset(src, begin)}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(src, begin)}")
            tag, start, tag_attrs = stack.pop()
            if name and name != tag:
                raise _entity_error(
                    f'Unmatched end tag at byte offset {_byte_offset(src, begin)}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            _close_html_tag(out, tag, start, tag_attrs, stack)
            i = end + 1
            continue
        m = _HTML_START_TAG.match(src, i)
        name = m[1].lower() if m else ""
        if m is None or name not in _HTML_TAGS:
            raise _entity_error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, begin)}')
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise _entity_error(f"Unclosed start tag at byte offset {_byte_offset(src, begin)}")
            if src[j] == ">":
                j += 1
                break
            am = _HTML_ATTR.match(src, j)
            if am is None:
                raise _entity_error(
                    f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(src, j)}'
                )
            value = next((g for g in am.groups()[1:] if g is not None), "")
            attrs[am[1].lower()] = html.unescape(value)
            j = am.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _entity_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(src, begin)}'
            )
        stack.append((name, out.pos, attrs))
        i = j
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _TextBuilder,
    tag: str,
    start: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> None:
    entity_type = _HTML_TAGS[tag]
    extra: JSONDict = {}
    if tag == "a":
        href = attrs.get("href", "")
        if not href:
            return
        mention = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if mention:
            entity_type = "text_mention"
            extra["user"] = {"id": int(mention[1]), "is_bot": False, "first_name": ""}
        else:
            extra["url"] = href
    elif tag == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        css = attrs.get("class", "")
        if css.startswith("language-"):
            stack[-1][2]["\0language"] = css[len("language-") :]
        return
    elif tag == "pre" and attrs.get("\0language"):
        extra["language"] = attrs["\0language"]
    elif tag == "blockquote" and "expandable" in attrs:
        entity_type = "expandable_blockquote"
    elif tag == "tg-emoji":
        extra["custom_emoji_id"] = attrs.get("emoji-id", "")
    out.add(entity_type, start, **extra)


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strip surrounding whitespace like Telegram does and shift the entities accordingly."""
    left = _utf16_len(text[: len(text) - len(text.lstrip())])
    stripped = text.strip()
    size = _utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(int(entity.get("offset", 0)) - left, 0)
        end = min(int(entity.get("offset", 0)) + int(entity.get("length", 0)) - left, size)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, result


def format_text(raw: Any, parse_mode: Any = None, entities: Any = None) -> tuple[str, list[JSONDict]]:
    """Return the plain text and entities Telegram would store for ``raw`` sent with ``parse_mode``."""
    if raw is None:
        return "", []
    source = str(raw)
    mode = str(parse_mode or "").lower()
    if mode == "":
        if entities is not None and not isinstance(entities, list):
            raise _bad_request("can't parse entities JSON object")
        text, found = source, [dict(e) for e in entities or [] if isinstance(e, dict)]
    elif mode == "html":
        text, found = _parse_html(source)
    else:
        raise _bad_request("unsupported parse_mode")
    return _trim(text, found)


_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def _command_entities(text: str) -> list[JSONDict]:
    return [
        {"type": "bot_command", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m[0])}
        for m in _COMMAND_RE.finditer(text)
    ]
