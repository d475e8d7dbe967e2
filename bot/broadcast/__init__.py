"""Broadcasts without a channel: the pace that keeps sends within Telegram's limits, and the lease on a run."""
