"""The marketing shares as SQL reads them from a result's answers, for the statistics and the export alike."""

from __future__ import annotations

SHARES = ("online_share", "social_share", "controlling_share")


def share_sql(name: str, answers: str = "answers") -> str:
    """SQL for one share of the JSON ``answers`` column: the stored value, null when it was not answered.

    Without an online budget the advisor skips the social-media and controlling questions and assumes 0, so
    those two shares are 0 whenever the online share is 0, whatever is stored for them.
    """
    if name not in SHARES:
        raise ValueError(f"not a share: {name!r}")
    value = f"json_extract({answers}, '$.{name}.value')"
    if name == "online_share":
        return value
    online = f"cast({share_sql('online_share', answers)} as real)"
    return f"case when {online} = 0 then 0 else {value} end"
