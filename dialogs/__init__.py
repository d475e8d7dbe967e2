"""The advisor itself: questions, parsing, SME classification, advice and the dialogue state machine.

Plain Python: nothing in this package talks to Telegram, SQLite or the terminal.
"""
