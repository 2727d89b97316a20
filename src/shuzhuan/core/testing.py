"""Test helpers shared by the apps' tests (imported only from tests).

Outcome classes for route walks. A walk over every route (tests/test_scope.py and the apps' scope
tests) cannot name one status per route without restating each view, so it checks the class of
the answer; each class documents what its members mean. A test of one page asserts the one status
it expects (tests/test_test_quality.py flags literal status sets)."""

from __future__ import annotations

# A route naming another side's record, as an outsider: sent to log in (302, the caller checks the
# target), refused by role (403), not found in scope (404) or the method is not allowed (405).
DENIED_PAGE = frozenset({302, 403, 404, 405})
# The same over the API: unauthenticated (401), refused (403), not found (404), wrong method (405),
# or the body is rejected before anything is read (422; the walk posts an empty object).
DENIED_API = frozenset({401, 403, 404, 405, 422})
# The owner's view of its own record: the page (200), a redirect to it (302), or a POST-only route (405).
REACHED_PAGE = frozenset({200, 302, 405})
