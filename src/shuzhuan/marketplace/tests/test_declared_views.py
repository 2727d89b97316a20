"""Consortia and needs by declaration (core.testing.ModelViewTestCase): list, detail, create, edit and
scoping, each change audited."""

from __future__ import annotations

import pytest

from shuzhuan.core.models import Organisation
from shuzhuan.core.testing import ModelViewTestCase
from shuzhuan.marketplace.models import Consortium, Need

pytestmark = pytest.mark.django_db


class TestConsortiumViews(ModelViewTestCase):
    model = Consortium
    owner = "city"
    outsiders = {"town_b": 200, "ent_b": 200}
    list_url = "/market/consortia/"
    detail_url = "/market/consortia/{pk}/"
    create_url = "/market/consortia/new/"
    edit_url = "/market/consortia/{pk}/edit/"
    audit_actions = {"create": "consortium.create", "edit": "consortium.update"}

    def make(self, world):
        a = Organisation.objects.get(pk=world.enterprises["a"].pk)
        c = Consortium.objects.create(name="照明灯饰产业生态联合体", sector="照明灯饰", traction_unit=a)
        c.members.add(a)
        return c

    def label(self, obj):
        return obj.name

    def create_data(self, world):
        return {"name": "五金制品产业生态联合体", "sector": "五金制品", "traction_uscc": world.enterprises["a"].uscc}

    def edit_data(self, world, obj):
        return {"name": obj.name, "sector": "灯饰照明", "traction_uscc": world.enterprises["a"].uscc}

    def edited(self, obj):
        return obj.sector == "灯饰照明"


class TestNeedViews(ModelViewTestCase):
    model = Need
    owner = "ent_a"
    outsiders = {"ent_b": 200, "town_b": 200}
    list_url = "/market/needs/"
    detail_url = "/market/needs/{pk}/"
    create_url = "/market/needs/new/"
    audit_actions = {"create": "need_create"}

    def make(self, world):
        return Need.objects.create(enterprise=world.enterprises["a"], text="品质问题追不到源头，返工多", scenarios=["S07"])

    def label(self, obj):
        return obj.text

    def create_data(self, world):
        return {"text": "仓库进出货全靠手写单，月底对数总对不上", "scenarios": ["S08"], "action": "publish"}
