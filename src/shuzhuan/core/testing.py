"""Test helpers shared by the apps' tests (imported only from tests).

Outcome classes for route walks. A walk over every route (tests/test_scope.py and the apps' scope
tests) cannot name one status per route without restating each view, so it checks the class of
the answer; each class documents what its members mean. A test of one page asserts the one status
it expects (tests/test_test_quality.py flags literal status sets)."""

from __future__ import annotations

from typing import Any

# A route naming another side's record, as an outsider: sent to log in (302, the caller checks the
# target), refused by role (403), not found in scope (404) or the method is not allowed (405).
DENIED_PAGE = frozenset({302, 403, 404, 405})
# The same over the API: unauthenticated (401), refused (403), not found (404), wrong method (405),
# or the body is rejected before anything is read (422; the walk posts an empty object).
DENIED_API = frozenset({401, 403, 404, 405, 422})
# The owner's view of its own record: the page (200), a redirect to it (302), or a POST-only route (405).
REACHED_PAGE = frozenset({200, 302, 405})


# --- Tests by declaration (DESIGN "Tests by declaration"), as NetBox's ViewTestCases -------------------

class ModelViewTestCase:
    """Declare a model's pages in a few fields; the base class tests list, detail, create, edit,
    delete, import, export and scoping for whichever of them the model has.

    A subclass (named `Test…`, so pytest collects it) sets:
    - `model`; `make(world)` → an instance belonging to side a (enterprise a, town a);
    - `label(obj)` → text that identifies the instance on its pages;
    - `list_url`, `detail_url` ("{pk}" / "{uscc}" filled from the instance), and optionally
      `create_url` + `create_data(world)`, `edit_url` + `edit_data(world, obj)` + `edited(obj)`
      (a check of the saved change), `delete_url`, `export_url`, `do_import(client, world)` (returns
      how many records the import added);
    - `owner` (the world user who manages the model) and `outsiders` ({user: the status their list
      answers}: users who must not see an instance of side a — not in the list, a 404 on its pages).
    A view the model does not have is skipped, by name; every declared one is asserted.
    Each create, edit and delete must leave an audit entry (`audit_actions`)."""

    model: Any = None
    owner = "city"
    outsiders: dict[str, int] = {"town_b": 200}  # who must not see side a's instance → what their list answers
    list_url: str | None = None
    detail_url: str | None = None
    create_url: str | None = None
    edit_url: str | None = None
    delete_url: str | None = None
    export_url: str | None = None
    audit_actions: dict[str, str] = {}
    success_status = 302  # after a create, edit or delete
    invalid_status = 200  # an empty create form comes back with its errors

    # hooks a subclass fills in
    def make(self, world: Any) -> Any:
        raise NotImplementedError

    def label(self, obj: Any) -> str:
        return str(obj)

    def create_data(self, world: Any) -> dict[str, Any]:
        raise NotImplementedError

    def edit_data(self, world: Any, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def edited(self, obj: Any) -> bool:
        raise NotImplementedError

    do_import: Any = None

    # helpers
    @staticmethod
    def fill(url: str, obj: Any) -> str:
        return url.format(pk=obj.pk, uscc=getattr(obj, "uscc", ""))

    def _audited(self, kind: str, before: int) -> None:
        from shuzhuan.core.models import AuditEntry

        action = self.audit_actions.get(kind)
        if action:
            assert AuditEntry.objects.filter(action=action).count() == before + 1, f"{kind}: no audit entry {action}"

    def _audit_count(self, kind: str) -> int:
        from shuzhuan.core.models import AuditEntry

        action = self.audit_actions.get(kind)
        return AuditEntry.objects.filter(action=action).count() if action else 0

    def _need(self, attr: str) -> Any:
        import pytest

        value = getattr(self, attr)
        if value is None:
            pytest.skip(f"{type(self).__name__}: no {attr}")
        return value

    # the tests
    def test_list(self, world: Any, login: Any) -> None:
        url = self._need("list_url")
        obj = self.make(world)
        response = login(world.users[self.owner]).get(url)
        assert response.status_code == 200
        assert self.label(obj) in response.content.decode()

    def test_detail(self, world: Any, login: Any) -> None:
        url = self._need("detail_url")
        obj = self.make(world)
        response = login(world.users[self.owner]).get(self.fill(url, obj))
        assert response.status_code == 200
        assert self.label(obj) in response.content.decode()

    def test_create(self, world: Any, login: Any) -> None:
        url = self._need("create_url")
        client = login(world.users[self.owner])
        assert client.get(url).status_code == 200
        count, audits = self.model.objects.count(), self._audit_count("create")
        response = client.post(url, self.create_data(world))
        assert response.status_code == self.success_status, response.content.decode()[:2000]
        assert self.model.objects.count() == count + 1
        self._audited("create", audits)

    def test_create_refuses_bad_input(self, world: Any, login: Any) -> None:
        url = self._need("create_url")
        count = self.model.objects.count()
        response = login(world.users[self.owner]).post(url, {})
        assert response.status_code == self.invalid_status, response.status_code
        assert self.model.objects.count() == count

    def test_edit(self, world: Any, login: Any) -> None:
        url = self._need("edit_url")
        obj = self.make(world)
        client = login(world.users[self.owner])
        assert client.get(self.fill(url, obj)).status_code == 200
        audits = self._audit_count("edit")
        response = client.post(self.fill(url, obj), self.edit_data(world, obj))
        assert response.status_code == self.success_status, response.content.decode()[:2000]
        obj.refresh_from_db()
        assert self.edited(obj)
        self._audited("edit", audits)

    def test_delete(self, world: Any, login: Any) -> None:
        url = self._need("delete_url")
        obj = self.make(world)
        audits = self._audit_count("delete")
        response = login(world.users[self.owner]).post(self.fill(url, obj))
        assert response.status_code == self.success_status
        assert not self.model.objects.filter(pk=obj.pk).exists()
        self._audited("delete", audits)

    def test_import(self, world: Any, login: Any) -> None:
        importer = self._need("do_import")
        count = self.model.objects.count()
        added = importer(login(world.users[self.owner]), world)
        assert added > 0 and self.model.objects.count() == count + added

    def test_export(self, world: Any, login: Any) -> None:
        url = self._need("export_url")
        obj = self.make(world)
        response = login(world.users[self.owner]).get(url)
        assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
        assert self.label(obj) in self.xlsx_cells(response)

    @staticmethod
    def xlsx_cells(response: Any) -> set[str]:
        import io

        from openpyxl import load_workbook

        content = b"".join(response.streaming_content) if response.streaming else response.content
        book = load_workbook(io.BytesIO(content), read_only=True)
        return {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}

    def test_scoping(self, world: Any, login: Any) -> None:
        obj = self.make(world)
        label = self.label(obj)
        checked = 0
        for who, list_status in self.outsiders.items():
            client = login(world.users[who])
            if self.list_url:
                response = client.get(self.list_url)
                assert response.status_code == list_status, who
                assert label not in response.content.decode(), f"{who} sees {label} in the list"
                checked += 1
            for attr in ("detail_url", "edit_url"):
                url = getattr(self, attr)
                if url:
                    # a role the page admits gets a 404 (out of scope), any other role a 403
                    from django.urls import resolve

                    view = resolve(self.fill(url, obj).split("?")[0]).func
                    expected = 404 if view.access.allows(world.users[who]) else 403
                    assert client.get(self.fill(url, obj)).status_code == expected, f"{who}: {attr}"
                    checked += 1
            if self.export_url:
                response = client.get(self.export_url)
                if response.status_code == 200:
                    assert label not in self.xlsx_cells(response), f"{who} exports {label}"
                checked += 1
        assert checked, "declare outsiders and at least one URL"
