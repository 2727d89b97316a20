"""Marketplace pages, by concern: `pool` (providers, admission, offerings, catalogue) and `match`
(needs, recommendations, contact requests, consortia, chain leaders)."""
