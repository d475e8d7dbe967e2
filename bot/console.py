"""The terminal channel: the same advisor on stdin/stdout, for trying it without a bot token.

Works interactively and with piped input (one answer per line); ``--json`` ends with the result as JSON.
"""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from bot.advisor import Advisor
from bot.i18n import Translator
from bot.outcome import AdvisorEvent, Begin, Outcome, Pressed, Respondent, Typed
from bot.reading import BACK_WORDS
from bot.rendering import (
    render_changes,
    render_question,
    render_result,
    render_summary,
)
from bot.storage import Storage
from dialogs.events import Back, Choose, Confirm, Edit, Event, Restart, SwitchLanguage
from dialogs.screens import QuestionScreen, Result, ResultScreen, SummaryScreen
from dialogs.session import RESULT
from dialogs.text import msg

CHANNEL = "console"
RESTART_WORDS = {"restart", "neustart", "neu", "von vorn"}
QUIT_WORDS = {"quit", "exit", "ende", "beenden"}
HELP_WORDS = {"help", "hilfe", "?"}
LANGUAGE_WORDS = {"lang", "language", "sprache"}
CONFIRM_WORDS = {"ok", "ja", "yes", "weiter", "next", "ergebnis", "result"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class ConsoleAdvisor:
    """One terminal conversation; ``run`` returns the process exit status."""

    storage: Storage
    language: str
    out: TextIO = sys.stdout
    json_output: bool = False
    resume: bool = False
    echo: bool = False
    pdf_path: str | None = None
    declaration_path: str | None = None
    advisor: Advisor = field(init=False)
    respondent: Respondent = field(init=False)
    outcome: Outcome = field(init=False)

    def __post_init__(self) -> None:
        self.advisor = Advisor(self.storage)
        # The chosen language counts for a new session; a resumed one keeps its own.
        self.respondent = Respondent(CHANNEL, getpass.getuser(), self.language)
        if not self.resume:
            self.advisor.start_afresh(self.respondent)

    @property
    def t(self) -> Translator:
        outcome = getattr(self, "outcome", None)
        return Translator(outcome.language if outcome is not None else self.language)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def run(self, lines: TextIO) -> int:
        t = self.t
        self.say(
            t(
                msg(
                    "KMU Digital-Berater: in about 4 minutes you learn your EU SME category and a plan to close your digital gap."
                )
            )
        )
        self.say(t(msg("Commands: back, restart, lang de|en, help, quit.")))
        self.outcome = self.advisor.handle(self.respondent, Begin())
        if self.outcome.note is not None:
            self.say(self.t(self.outcome.note))
        self.show(self.outcome)
        while True:
            if not self.echo:  # interactive: a prompt shows where to type
                self.out.write("> ")
                self.out.flush()
            line = lines.readline()
            if not line:
                break
            text = line.strip()
            if self.echo:
                self.say(f"> {text}")
            if text.casefold() in QUIT_WORDS:
                break
            if text.casefold() in HELP_WORDS:
                self.say(
                    self.t(
                        msg(
                            "Type your answer, or the number or letter of an offered choice. Commands: back, restart, lang de|en, quit."
                        )
                    )
                )
                continue
            event = self.event_for(text, self.outcome)
            if event is None:
                self.say(self.t(msg("Please type an answer, or “help” for the commands.")))
                self.show(self.outcome, notices=False)
                continue
            self.outcome = self.advisor.handle(self.respondent, event)
            self.show(self.outcome)
        self.say(self.t(msg("Your answers are saved. Goodbye!")))
        status = self.write_report(self.pdf_path) if self.pdf_path else 0
        if self.declaration_path:
            status = self.write_report(self.declaration_path, declaration=True) or status
        if self.json_output:
            print(json.dumps(self.result_json(), ensure_ascii=False), file=self.out, flush=True)
        return status

    def write_report(self, path: str, *, declaration: bool = False) -> int:
        """Write the result on screen as a PDF report (or the SME declaration worksheet) to ``path``; 1 when
        there is no result yet."""
        t = self.t
        result = self.outcome.result if self.outcome.state == RESULT else None
        if result is None:
            self.say(t(msg("There is no result yet, so no report was written.")))
            return 1
        from bot.report import build_report  # imported lazily: fpdf2 and matplotlib cost time at start

        if declaration:
            from bot.report.declaration import build_declaration

            pdf = build_declaration(result, self.outcome.language, date.today())
        else:
            pdf = build_report(result, self.outcome.language, date.today())
        try:
            Path(path).write_bytes(pdf)
        except OSError as error:
            self.say(
                t(
                    msg(
                        "The report could not be written to {path}: {reason}",
                        path=path,
                        reason=error.strerror or "",
                    )
                )
            )
            return 1
        if declaration:
            self.say(t(msg("Your SME declaration worksheet is saved as {path}.", path=path)))
        else:
            self.say(t(msg("Your report is saved as {path}.", path=path)))
        return 0

    def event_for(self, text: str, outcome: Outcome) -> AdvisorEvent | None:
        """The console's commands and numbered or lettered choices as pressed buttons; any other text as typed.

        The advisor reads typed text for both channels, so the console hands it over as ``Typed``.
        """
        words = text.casefold().split()
        if not words:
            return None
        shortcut = self._shortcut(text, words, outcome)
        if shortcut is not None:
            return Pressed(shortcut, offered_in=outcome.state)
        return Typed(text)

    def _shortcut(self, text: str, words: list[str], outcome: Outcome) -> Event | None:
        """The engine event a command or an offered number or letter stands for, as a button would send it."""
        if text.casefold() in RESTART_WORDS:
            return Restart()
        if words[0] in LANGUAGE_WORDS:
            wanted = words[1] if len(words) > 1 else ("en" if outcome.language == "de" else "de")
            return SwitchLanguage(wanted)
        screen = outcome.screen
        if isinstance(screen, QuestionScreen) and screen.choices:
            index = _choice_index(text, screen)
            if index is not None:
                return Choose(screen.question_id, screen.choices[index].key)
        if isinstance(screen, SummaryScreen):
            if text.casefold() in CONFIRM_WORDS:
                return Confirm()
            if text.isdigit() and 1 <= int(text) <= len(screen.items):
                return Edit(screen.items[int(text) - 1].question_id)
        if text.casefold() in BACK_WORDS and outcome.state == RESULT:
            return Back()  # the result screen reads no text; "back" still leads to the summary
        return None

    def show(self, outcome: Outcome, *, notices: bool = True) -> None:
        t = self.t
        if notices:
            for notice in outcome.notices:
                self.say(("✗ " if outcome.rejected else "✓ ") + t(notice))
            for warning in outcome.warnings:
                self.say("⚠️ " + t(warning))
        self.say()
        screen = outcome.screen
        if isinstance(screen, QuestionScreen):
            self.say(render_question(screen, t))
            for index, choice in enumerate(screen.choices):
                self.say(f"  {_marker(screen, index)}) {t(choice.label)}")
            if screen.accepts_text and screen.choices:
                self.say(t(msg("Type your answer as shown above, or choose one with its letter.")))
        elif isinstance(screen, SummaryScreen):
            text = render_summary(screen, t).splitlines()
            self.say(text[0])
            for index, item in enumerate(screen.items, 1):
                self.say(f"  {index}) {t(item.label)}: {t(item.value)}")
            self.say(t(msg("Type “ok” to see your result, or the number of an answer to change it.")))
        elif isinstance(screen, ResultScreen):
            blocks = render_result(screen.result, t)
            if outcome.peer is not None:
                blocks[1] = blocks[1] + "\n\n" + t(outcome.peer)
            if outcome.changes is not None:
                blocks[0] = blocks[0] + "\n\n" + render_changes(outcome.changes, t)
            for block in blocks:
                self.say(block)
                self.say()
            self.say(t(msg("Type “restart” to start again or “back” to change your answers.")))
            if not self.declaration_path:
                self.say(
                    t(
                        msg(
                            "For a worksheet of your SME declaration, run the check with"
                            " “console --declaration FILE”."
                        )
                    )
                )
        self.say()

    def result_json(self) -> dict[str, Any]:
        result: Result | None = self.outcome.result if self.outcome.state == RESULT else None
        if result is None:
            return {"completed": False, "state": self.outcome.state, "language": self.outcome.language}
        t = self.t
        c, advice = result.classification, result.advice
        return {
            "completed": True,
            "language": self.outcome.language,
            # held by public bodies: not an SME whatever its figures; the figures' class is given beside it
            "category": "not_sme" if c.public_control else c.category.value,
            "category_by_figures": c.category.value,
            "category_name": t(c.name),
            "duties": [
                {
                    "id": v.duty_id,
                    "title": t(v.title),
                    "status": v.status.value,
                    "starts_on": None if v.starts_on is None else v.starts_on.isoformat(),
                    "depends_on": None if v.depends_on is None else t(v.depends_on),
                    "verdict": t(v.verdict),
                }
                for v in advice.duties
            ],
            "headline": t(c.headline),
            "provisional": c.provisional,
            "is_sme": c.is_sme,
            "reasons": [t(r) for r in c.reasons],
            "caveats": [t(r) for r in c.caveats],
            "score": advice.score,
            "score_parts": {p.id: {"points": p.points, "maximum": p.maximum} for p in advice.score_parts},
            "steps": [
                {
                    "id": s.id,
                    "priority": s.priority,
                    "title": t(s.title),
                    "why": t(s.why),
                    "action": t(s.action),
                    "timing": s.horizon.value,
                    "effort": t(s.effort),
                    "cost": t(s.cost),
                    "metric": t(s.metric),
                }
                for s in advice.steps
            ],
            "comparisons": [
                {"id": cmp.id, "basis": cmp.basis, "text": t(cmp.text)} for cmp in advice.comparisons
            ],
        }


def _marker(screen: QuestionScreen, index: int) -> str:
    """How a choice is typed: a letter where numbers are answers, else its number (however many there are)."""
    return LETTERS[index] if screen.accepts_text else str(index + 1)


def _choice_index(text: str, screen: QuestionScreen) -> int | None:
    """The offered choice a typed letter or number stands for, if any."""
    typed = text.casefold().rstrip(").")
    for index in range(len(screen.choices)):
        if typed == _marker(screen, index):
            return index
    return None


def run_console(
    storage: Storage,
    *,
    language: str,
    json_output: bool,
    resume: bool | None,
    pdf_path: str | None = None,
    declaration_path: str | None = None,
) -> int:
    """Run the advisor in the terminal until the end of input."""
    interactive = sys.stdin.isatty()
    advisor = ConsoleAdvisor(
        storage,
        language=language,
        json_output=json_output,
        resume=interactive if resume is None else resume,
        pdf_path=pdf_path,
        declaration_path=declaration_path,
        echo=not interactive,
    )
    try:
        return advisor.run(sys.stdin)
    except KeyboardInterrupt:
        advisor.say()
        advisor.say(advisor.t(msg("Your answers are saved. Goodbye!")))
        return 130
