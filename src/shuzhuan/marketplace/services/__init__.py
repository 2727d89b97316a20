"""Marketplace use cases, by concern: `pool` (admission, offerings, ratings), `match` (needs,
recommendations, contact requests, chain leaders) and `consortia`."""
