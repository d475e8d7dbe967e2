"""The bot's own .po reader gives the translations babel's reader and compiler give (what the bot used before)."""

from __future__ import annotations

import gettext
import io
import struct
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR
from bot.po_catalog import parse_po, read_catalog

TRICKY_PO = r"""# A header, comments, and every kind of entry the format has.
msgid ""
msgstr ""
"Language: de\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"Content-Type: text/plain; charset=utf-8\n"

#: bot/somewhere.py:12
msgid "Plain"
msgstr "Schlicht"

msgid ""
"Split over "
"lines with \"quotes\", a \\ and\n"
"a newline"
msgstr ""
"Über Zeilen verteilt, mit „Anführung“, einem \\ und\n"
"einem Zeilenumbruch"

#, python-format, fuzzy
msgid "Unsure"
msgstr "Unsicher"

msgid "Untranslated"
msgstr ""
msgctxt "button"
msgid "Open"
msgstr "Öffnen"

msgid "{n} day"
msgid_plural "{n} days"
msgstr[0] "{n} Tag"
msgstr[1] ""
"{n} Tage"
#, fuzzy
msgid "Fuzzy next to the last"
msgstr "Unscharf"

#~ msgid "Gone"
#~ msgstr "Weg"
msgid "Last"
msgstr "Zuletzt"
"""


def babels(text: str) -> gettext.GNUTranslations:
    """What the bot did before: babel reads the .po file and compiles it, fuzzy entries left out."""
    buffer = io.BytesIO()
    write_mo(buffer, read_po(io.StringIO(text), locale="de"))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def ours(text: str, tmp_path: Path) -> gettext.GNUTranslations:
    path = tmp_path / "messages.po"
    path.write_text(text, encoding="utf-8")
    return read_catalog(path)


def test_every_kind_of_entry_reads_as_babel_reads_it(tmp_path: Path) -> None:
    mine, theirs = ours(TRICKY_PO, tmp_path), babels(TRICKY_PO)
    cases = [
        ("Plain", "Schlicht"),
        (
            'Split over lines with "quotes", a \\ and\na newline',
            "Über Zeilen verteilt, mit „Anführung“, einem \\ und\neinem Zeilenumbruch",
        ),
        ("Unsure", "Unsure"),  # fuzzy: left out, as msgfmt does
        ("Untranslated", "Untranslated"),
        ("Open", "Open"),  # only in its context
        ("Fuzzy next to the last", "Fuzzy next to the last"),
        ("Gone", "Gone"),  # obsolete
        ("Last", "Zuletzt"),
    ]
    for msgid, expected in cases:
        assert mine.gettext(msgid) == theirs.gettext(msgid) == expected
    assert mine.pgettext("button", "Open") == theirs.pgettext("button", "Open") == "Öffnen"
    for n, expected in ((1, "{n} Tag"), (2, "{n} Tage"), (0, "{n} Tage")):
        assert (
            mine.ngettext("{n} day", "{n} days", n) == theirs.ngettext("{n} day", "{n} days", n) == expected
        )
    assert mine.info()["language"] == "de" and mine.charset() == "utf-8"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bots_catalogs_translate_as_babel_compiles_them(language: str, tmp_path: Path) -> None:
    """Every entry of babel's compiled catalog gives the same text through gettext, plural forms included."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8")
    buffer = io.BytesIO()
    write_mo(buffer, read_po(io.StringIO(text), locale=language))
    entries = mo_entries(buffer.getvalue())
    buffer.seek(0)
    mine, theirs = read_catalog(path), gettext.GNUTranslations(buffer)
    assert len(entries) > 500
    for key in entries:
        context, _, msgid = key.rpartition("\x04")
        singular, _, plural = msgid.partition("\0")
        if plural:
            for n in (0, 1, 2, 5):
                assert mine.ngettext(singular, plural, n) == theirs.ngettext(singular, plural, n), key
        elif context:
            assert mine.pgettext(context, singular) == theirs.pgettext(context, singular), key
        else:
            assert mine.gettext(singular) == theirs.gettext(singular), key
    assert mine.info() == theirs.info()


def test_entries_translated_as_themselves_are_not_kept() -> None:
    kept = parse_po('msgid "Online"\nmsgstr "Online"\n\nmsgid "Yes"\nmsgstr "Ja"\n')
    assert kept == {"Yes": "Ja"}


def mo_entries(mo: bytes) -> dict[str, str]:
    """The entries of a little-endian .mo file, keyed as ``parse_po`` keys them."""
    magic, _revision, count, originals, translations = struct.unpack_from("<5I", mo)
    assert magic == 0x950412DE

    def string(table: int, number: int) -> str:
        length, offset = struct.unpack_from("<2I", mo, table + 8 * number)
        return mo[offset : offset + length].decode()

    return {string(originals, n): string(translations, n) for n in range(count)}


def test_a_line_that_is_no_po_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"not a \.po line"):
        ours('msgid "A"\nmsgstr "B"\nnonsense\n', tmp_path)
