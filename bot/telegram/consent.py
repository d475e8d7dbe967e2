"""The welcome with the privacy notice and the consent question, asked before the first question."""

from __future__ import annotations

from bot.i18n import Translator
from bot.rendering import HTML
from bot.telegram.keyboards import consent_keyboard
from bot.telegram.send import send_html
from bot.telegram.services import Context
from dialogs.questions import MOST_ASKED
from dialogs.text import msg


def privacy_intro(t: Translator, retention_months: int) -> str:
    return "\n".join(
        [
            HTML.bold(HTML.escape(t(msg("Welcome to the KMU Digital-Berater!")))),
            HTML.escape(
                t(
                    msg(
                        "In up to {count} short questions (about 4 minutes) you learn your company's EU SME "
                        "category and a plan to close its digital gap.",
                        count=MOST_ASKED,
                    )
                )
            ),
            "",
            HTML.escape(
                t(
                    msg(
                        "Privacy: I store your answers under a random number that is linked to your Telegram "
                        "account (pseudonymous), to give you your result and to show you changes later. After "
                        "{months} months without activity the link is deleted.",
                        months=retention_months,
                    )
                )
            ),
            HTML.escape(
                t(
                    msg(
                        "May I also use your answers for statistics? Exports contain only rounded bands, never "
                        "your account. You still get your result if you say no. Details and withdrawal: /privacy"
                    )
                )
            ),
        ]
    )


async def ask_consent(context: Context, chat_id: int, t: Translator, prefix: str = "") -> None:
    text = privacy_intro(t, context.bot_data.config.retention_months)
    await send_html(context, chat_id, f"{prefix}\n\n{text}" if prefix else text, consent_keyboard(t))
