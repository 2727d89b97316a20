"""The marketplace's part of the demo city: `pool` (providers, solutions, products) and `match`
(needs, contact requests, consortia, chain leaders)."""
