"""/api/v1/me: who the token (or session) belongs to — for banks and other integrators to check setup.
(No `from __future__ import annotations`: ninja resolves annotations.)"""

from django.http import HttpRequest
from ninja import Router, Schema

from shuzhuan.core.access import api_access

router = Router(tags=["账户"])


class OrganisationOut(Schema):
    uscc: str
    name: str


class MeOut(Schema):
    username: str
    role: str
    organisation: OrganisationOut | None


@router.get("/me", response=MeOut, summary="当前账户：用户名、角色与所属组织")
@api_access()
def me(request: HttpRequest) -> dict:
    user = request.user
    org = user.organisation
    return {"username": user.username, "role": "admin" if user.is_superuser else user.role,
            "organisation": {"uscc": org.uscc, "name": org.name} if org else None}
