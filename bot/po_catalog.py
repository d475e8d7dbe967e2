"""Reads a gettext ``.po`` catalog straight into ``gettext.GNUTranslations``, with no compile step.

babel's reader did this at every start: ~30 ms to import it and ~30 ms per catalog to parse (it keeps
comments, locations and flags the bot never uses), before the first poll. This reader keeps what
``msgfmt`` would compile (translated, non-fuzzy, non-obsolete entries, with their context and plural forms),
less the entries translated as themselves.
"""

from __future__ import annotations

import gettext
import io
import re
import struct
from pathlib import Path

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


def read_catalog(path: Path) -> gettext.GNUTranslations:
    """The translations of the ``.po`` file at ``path`` (UTF-8), as ``msgfmt`` would compile them."""
    return gettext.GNUTranslations(io.BytesIO(_mo_bytes(parse_po(path.read_text(encoding="utf-8")))))


def parse_po(text: str) -> dict[str, str]:
    """The catalog's entries keyed as in a ``.mo`` file: ``msgid``, ``context\\x04msgid`` for a context,
    ``msgid\\x00msgid_plural`` for plural forms, whose translations are joined by ``\\x00``. Fuzzy, obsolete
    (``#~``) and untranslated entries are left out, and so are singular ones translated as their msgid (gettext
    gives the msgid for them all the same); the header (msgid "") is kept."""
    entries: dict[str, str] = {}
    fields: dict[str, str] = {}
    plurals: dict[int, str] = {}
    fuzzy = False
    last: str | None = None  # the field that a following bare string continues

    def finish() -> None:
        nonlocal fuzzy
        if "msgid" in fields and not fuzzy:
            key = fields["msgid"]
            if "msgid_plural" in fields:
                key += "\0" + fields["msgid_plural"]
                translation = "\0".join(plurals[n] for n in sorted(plurals))
                translated = any(plurals.values())
            else:
                translation = fields.get("msgstr", "")
                # gettext answers an entry it lacks with its msgid: one translated as itself (nearly the whole
                # English catalog, whose msgids are English) need not be kept, which saves ~0.7 MB
                translated = bool(translation) and translation != fields["msgid"]
            if "msgctxt" in fields:
                key = fields["msgctxt"] + "\x04" + key
            if translated or key == "":
                entries[key] = translation
        fields.clear()
        plurals.clear()
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if last is not None and last.startswith("msgstr"):
                finish()  # a comment after a translation starts the next entry
                last = None
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue  # obsolete entries (#~) are comments too
        if line.startswith('"'):
            if last is None:
                raise ValueError(f"a string outside any entry: {raw!r}")
            value = _unquote(line)
            if last.startswith("msgstr["):
                index = int(last[7:-1])
                plurals[index] += value
            else:
                fields[last] += value
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"not a .po line: {raw!r}")
        keyword, index_text, quoted = match.groups()
        if keyword in ("msgctxt", "msgid") and last is not None and last.startswith("msgstr"):
            finish()
        value = _unquote(quoted)
        if index_text is not None:
            plurals[int(index_text)] = value
            last = f"msgstr[{index_text}]"
        else:
            fields[keyword] = value
            last = keyword
    finish()
    return entries


def _unquote(quoted: str) -> str:
    text = quoted[1:-1]
    if "\\" in text:
        return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)
    return text


def _mo_bytes(entries: dict[str, str]) -> bytes:
    """A little-endian ``.mo`` file of ``entries``, keys sorted, without a hash table (as ``msgfmt.py``)."""
    keys = sorted(entries)
    originals = [key.encode() for key in keys]
    translations = [entries[key].encode() for key in keys]
    header = 7 * 4
    table = len(keys) * 8
    offset = header + 2 * table  # the strings follow the two tables
    index: list[int] = []
    for data in originals:
        index += [len(data), offset]
        offset += len(data) + 1
    translated: list[int] = []
    for data in translations:
        translated += [len(data), offset]
        offset += len(data) + 1
    head = struct.pack("<7I", 0x950412DE, 0, len(keys), header, header + table, 0, 0)
    tables = struct.pack(f"<{len(index)}I", *index) + struct.pack(f"<{len(translated)}I", *translated)
    strings = b"".join(data + b"\0" for data in originals) + b"".join(data + b"\0" for data in translations)
    return head + tables + strings
