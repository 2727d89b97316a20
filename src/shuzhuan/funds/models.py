"""Fund sources, budget lines and the double-entry ledger (issue 5)."""
