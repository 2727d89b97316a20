"""Marketplace forms, by concern: `pool` and `match`."""
