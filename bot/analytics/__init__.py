"""Aggregate figures from consenting respondents' answers: /stats, its chart, and the peer benchmark."""
