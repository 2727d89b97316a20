"""Working days (工作日) for deadlines such as the pool's public notice (公示) period. Pure Python.

The State Council's yearly holiday arrangement comes from `chinesecalendar` (holidays and the weekend
days made into working days, 调休); a city's own overrides are passed in as data. For a year the
package does not cover yet, the calendar falls back to Monday–Friday plus the overrides, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar


@dataclass(frozen=True)
class WorkCalendar:
    """`holidays`: extra days off; `workdays`: extra working days (both override the yearly table)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def with_overrides(cls, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def covered(self, day: dt.date) -> bool:
        """True when the national holiday table covers this day's year."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def period_end(self, start: dt.date, workdays: int) -> dt.date:
        """The exclusive end of a period of `workdays` working days beginning on `start` (counted from
        `start` itself when it is a working day): the day after the last of them."""
        if workdays < 1:
            raise ValueError("a period needs at least one working day")
        day, counted = start, 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted == workdays:
                    return day + dt.timedelta(days=1)
            day += dt.timedelta(days=1)

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open interval [start, end)."""
        n, day = 0, start
        while day < end:
            n += self.is_workday(day)
            day += dt.timedelta(days=1)
        return n

    def uncovered_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years in [start, end) for which the national table is missing (weekdays assumed)."""
        return sorted({y for y in range(start.year, end.year + 1)
                       if not self.covered(dt.date(y, 6, 1)) and dt.date(y, 1, 1) < end})
