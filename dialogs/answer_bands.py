"""The offered ranges of the number questions (staff, turnover, balance sheet, the budget shares) as data.

They sit below the catalogue (``dialogs.questions``) so that what reads an answer against its band (the rules of
when a question is asked, the figures and ceilings of the classification, the related enterprises' figures)
does not import the catalogue, which names those rules.
"""

from __future__ import annotations

from dialogs.question_model import Choice, band
from dialogs.text import msg

STAFF = (
    band("lt10", msg("fewer than 10"), "5", "0", "9.99"),
    band("10_49", msg("10 to 49"), "25", "10", "49.99"),
    band("50_249", msg("50 to 249"), "120", "50", "249.99"),
    band("250_749", msg("250 to 749"), "400", "250", "749.99"),
    band("750plus", msg("750 or more"), "1000", "750", "10000000"),
)

TURNOVER = (
    band("upto2m", msg("up to €2 million"), "1000000", "0", "2000000"),
    band("2_10m", msg("over €2 to €10 million"), "5000000", "2000000.01", "10000000"),
    band("10_50m", msg("over €10 to €50 million"), "25000000", "10000000.01", "50000000"),
    band("50_150m", msg("over €50 to €150 million"), "100000000", "50000000.01", "150000000"),
    band("over150m", msg("over €150 million"), "300000000", "150000000.01", "1000000000000"),
)

BALANCE_SHEET = (
    band("upto2m", msg("up to €2 million"), "1000000", "0", "2000000"),
    band("2_10m", msg("over €2 to €10 million"), "5000000", "2000000.01", "10000000"),
    band("10_43m", msg("over €10 to €43 million"), "25000000", "10000000.01", "43000000"),
    band("43_129m", msg("over €43 to €129 million"), "80000000", "43000000.01", "129000000"),
    band("over129m", msg("over €129 million"), "250000000", "129000000.01", "1000000000000"),
    Choice("no_balance_sheet", msg("We do not draw up a balance sheet (EÜR)")),
    Choice("unknown", msg("Don't know")),
)

ONLINE_SHARE = (
    band("p0", msg("0 %"), "0", "0", "0"),
    band("p1_10", msg("1 to 10 %"), "5", "0.01", "10"),
    band("p11_25", msg("11 to 25 %"), "18", "10.01", "25"),
    band("p26_50", msg("26 to 50 %"), "38", "25.01", "50"),
    band("p51_100", msg("more than 50 %"), "75", "50.01", "100"),
)

SOCIAL_SHARE = (
    band("p0", msg("0 %"), "0", "0", "0"),
    band("p1_5", msg("1 to 5 %"), "3", "0.01", "5"),
    band("p6_10", msg("6 to 10 %"), "8", "5.01", "10"),
    band("p11_25", msg("11 to 25 %"), "18", "10.01", "25"),
    band("over25", msg("more than 25 %"), "40", "25.01", "100"),
)

CONTROLLING_SHARE = (
    band("p0", msg("0 %"), "0", "0", "0"),
    band("p1_5", msg("1 to 5 %"), "3", "0.01", "5"),
    band("p6_10", msg("6 to 10 %"), "8", "5.01", "10"),
    band("over10", msg("more than 10 %"), "15", "10.01", "100"),
)

# The choices of each number question by question id; the catalogue offers exactly these.
BANDS: dict[str, tuple[Choice, ...]] = {
    "staff": STAFF,
    "turnover": TURNOVER,
    "balance_sheet": BALANCE_SHEET,
    "online_share": ONLINE_SHARE,
    "social_share": SOCIAL_SHARE,
    "controlling_share": CONTROLLING_SHARE,
}
