"""Data clean-up shared by a migration and its test (the loader skips modules starting with `_`)."""

from __future__ import annotations

from decimal import Decimal

MAX_YUAN = Decimal("999999999999.99")  # the largest value of a max_digits=14, decimal_places=2 column


def clear_overflowing_budgets(Need) -> int:  # noqa: N803 (a historical model class)
    """Needs written before the bounds with a budget the column cannot hold (on SQLite it was stored,
    and every page reading it failed): the budget is cleared, as if not given. Returns how many."""
    from django.db import connection

    table = connection.ops.quote_name(Need._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET budget = NULL WHERE budget > %s OR budget < 0", [str(MAX_YUAN)])
        return cursor.rowcount
