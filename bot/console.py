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

from bot.analytics import PeerBenchmark
from bot.i18n import Translator
from bot.rendering import BACK_WORDS, event_for_text, render_question, render_result, render_summary
from bot.storage import Storage
from dialogs.engine import (
    Back,
    Choose,
    Confirm,
    Edit,
    Event,
    QuestionScreen,
    Reply,
    Restart,
    Result,
    ResultScreen,
    Session,
    Show,
    SummaryScreen,
    SwitchLanguage,
    handle,
    restore,
)
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
    session: Session = field(init=False)
    respondent_id: str = field(init=False)
    last_result: Result | None = field(init=False, default=None)
    peers: PeerBenchmark = field(init=False)

    def __post_init__(self) -> None:
        self.peers = PeerBenchmark(self.storage)
        user = getpass.getuser()
        if self.resume:
            self.respondent_id = self.storage.respondent_for(CHANNEL, user)
        else:
            self.respondent_id = self.storage.new_respondent_for(CHANNEL, user)
        stored = self.storage.load_session(self.respondent_id)
        self.session, self.restore_notices = restore(stored, self.language)
        if stored is None:
            self.session.language = self.language

    @property
    def t(self) -> Translator:
        return Translator(self.session.language)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def run(self, lines: TextIO) -> int:
        t = self.t
        self.say(
            t(
                msg(
                    "KMU Digital-Berater: in about 3 minutes you learn your EU SME category and concrete steps to close your digital gap."
                )
            )
        )
        self.say(t(msg("Commands: back, restart, lang de|en, help, quit.")))
        if self.session.answers and self.session.state != "result":
            self.say(t(msg("Welcome back! We continue where you left off.")))
        _, reply = handle(self.session, Show())
        reply = Reply(self.restore_notices + reply.notices, reply.screen)
        self.show(reply)
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
            event = self.event_for(text, reply)
            if event is None:
                self.say(self.t(msg("Please type an answer, or “help” for the commands.")))
                self.show(reply, notices=False)
                continue
            self.session, reply = handle(self.session, event)
            self.storage.save_session(self.respondent_id, self.session.to_dict(), finished=reply.completed)
            if reply.completed and isinstance(reply.screen, ResultScreen):
                self.record(reply.screen.result)
            self.show(reply)
        self.say(self.t(msg("Your answers are saved. Goodbye!")))
        status = self.write_report(self.pdf_path) if self.pdf_path else 0
        if self.json_output:
            print(json.dumps(self.result_json(), ensure_ascii=False), file=self.out, flush=True)
        return status

    def write_report(self, path: str) -> int:
        """Write the result as a PDF report to ``path``; 1 when there is no result yet."""
        from dialogs.engine import evaluate, is_complete

        t = self.t
        if self.session.state != "result" or not is_complete(self.session.answers):
            self.say(t(msg("There is no result yet, so no report was written.")))
            return 1
        from bot.report import build_report

        pdf = build_report(evaluate(self.session.answers), self.session.language, date.today())
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
        self.say(t(msg("Your report is saved as {path}.", path=path)))
        return 0

    def event_for(self, text: str, reply: Reply) -> Event | None:
        words = text.casefold().split()
        if not words:
            return None
        if text.casefold() in BACK_WORDS:
            return Back()
        if text.casefold() in RESTART_WORDS:
            return Restart()
        if words[0] in LANGUAGE_WORDS:
            wanted = words[1] if len(words) > 1 else ("en" if self.session.language == "de" else "de")
            return SwitchLanguage(wanted)
        screen = reply.screen
        if isinstance(screen, QuestionScreen) and screen.choices:
            marker = LETTERS if screen.accepts_text else "123456789"
            low = text.casefold().rstrip(").")
            if len(low) == 1 and low in marker[: len(screen.choices)]:
                return Choose(screen.question_id, screen.choices[marker.index(low)].key)
        if isinstance(screen, SummaryScreen):
            if text.casefold() in CONFIRM_WORDS:
                return Confirm()
            if text.isdigit() and 1 <= int(text) <= len(screen.items):
                return Edit(screen.items[int(text) - 1].question_id)
        return event_for_text(text, screen, self.t)

    def show(self, reply: Reply, *, notices: bool = True) -> None:
        t = self.t
        if notices:
            for notice in reply.notices:
                self.say(("✗ " if reply.rejected else "✓ ") + t(notice))
        self.say()
        screen = reply.screen
        if isinstance(screen, QuestionScreen):
            self.say(render_question(screen, t))
            marker = LETTERS if screen.accepts_text else "123456789"
            for index, choice in enumerate(screen.choices):
                self.say(f"  {marker[index]}) {t(choice.label)}")
            if screen.accepts_text and screen.choices:
                self.say(t(msg("Type a number, or choose a range with its letter.")))
        elif isinstance(screen, SummaryScreen):
            text = render_summary(screen, t).splitlines()
            self.say(text[0])
            for index, item in enumerate(screen.items, 1):
                self.say(f"  {index}) {t(item.label)}: {t(item.value)}")
            self.say(t(msg("Type “ok” to see your result, or the number of an answer to change it.")))
        elif isinstance(screen, ResultScreen):
            blocks = render_result(screen.result, t)
            # --- peer benchmark (issue 5): only when at least k consenting companies of the class compare ---
            peer = self.peers.line(screen.result.classification.category.value)
            if peer is not None:
                blocks[1] = blocks[1] + "\n\n" + t(peer)
            # --- end peer benchmark ---
            for block in blocks:
                self.say(block)
                self.say()
            self.say(t(msg("Type “restart” to start again or “back” to change your answers.")))
        self.say()

    def record(self, result: Result) -> None:
        self.last_result = result
        self.storage.save_result(
            self.respondent_id,
            category=result.classification.category.value,
            score=result.advice.score,
            answers=self.session.answers,
            step_ids=[step.id for step in result.advice.steps],
        )

    def result_json(self) -> dict[str, Any]:
        result = self.last_result
        if result is None or self.session.state != "result":
            from dialogs.engine import evaluate, is_complete

            if self.session.state == "result" and is_complete(self.session.answers):
                result = evaluate(self.session.answers)
            else:
                return {"completed": False, "state": self.session.state, "language": self.session.language}
        t = self.t
        c, advice = result.classification, result.advice
        return {
            "completed": True,
            "language": self.session.language,
            "category": c.category.value,
            "category_name": t(c.name),
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
                }
                for s in advice.steps
            ],
            "comparisons": [{"id": cmp.id, "text": t(cmp.text)} for cmp in advice.comparisons],
        }


def run_console(
    storage: Storage, *, language: str, json_output: bool, resume: bool | None, pdf_path: str | None = None
) -> int:
    """Run the advisor in the terminal until the end of input."""
    interactive = sys.stdin.isatty()
    advisor = ConsoleAdvisor(
        storage,
        language=language,
        json_output=json_output,
        resume=interactive if resume is None else resume,
        pdf_path=pdf_path,
        echo=not interactive,
    )
    try:
        return advisor.run(sys.stdin)
    except KeyboardInterrupt:
        advisor.say()
        advisor.say(advisor.t(msg("Your answers are saved. Goodbye!")))
        return 130
