"""What the tests share: the bot harness, the Bot API fakes, builders and checks; no test module lives here."""
