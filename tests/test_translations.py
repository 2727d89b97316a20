"""Errors in every language: a user-facing error raised with a Chinese message is marked for
translation (`_()` / `gettext` / `gettext_lazy`), and an English user reads English.

The scan reads every `raise X(...)` in src/shuzhuan and fails on a Chinese string literal among its
arguments that is not inside a translation call (the values interpolated into a translated message,
`_("…%(x)s…") % {"x": …}`, are data, not messages). The places below are exempt, each for a reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

SRC = Path(__file__).resolve().parent.parent / "src" / "shuzhuan"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
TRANSLATE = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}

EXEMPT = {
    # pure modules (no Django): their messages are Chinese data for the layer above
    "/domain/": "pure domain code",
    "/domain.py": "pure domain code",
    "core/money.py": "pure domain code (money parsing without Django, shared by every layer)",
    "core/uscc.py": "pure domain code (the USCC rules, moved out of registry.domain)",
    # the row validators of the bulk imports, being rewritten for the PostgreSQL bulk path (issue 9)
    "registry/imports/": "bulk import rewrite",
    "assessment/imports.py": "bulk import rewrite",
    # command-line messages for the operator, and the demo generator
    "/management/commands/": "operator CLI",
    "demo.py": "demo generator",
    "/demo/": "demo generator",
    # programme data files' validation, read by the people who write those files
    "programs/programmes.py": "data-file authors",
    "policy/library.py": "data-file authors",
}


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        f = node.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    return ""


def _covered(tree: ast.AST) -> set[int]:
    """ids of nodes inside a translation call, or in the values of `_(…) % {…}`."""
    ok: set[int] = set()
    for node in ast.walk(tree):
        if _call_name(node) in TRANSLATE or (
                isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _call_name(node.left) in TRANSLATE):
            ok.update(id(n) for n in ast.walk(node))
    return ok


def untranslated(source: str, filename: str = "<src>") -> list[str]:
    tree = ast.parse(source, filename)
    ok = _covered(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        for arg in [*node.exc.args, *(k.value for k in node.exc.keywords)]:
            hit = next((n for n in ast.walk(arg) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                        and CJK.search(n.value) and id(n) not in ok), None)
            if hit is not None:
                found.append(f"{filename}:{node.lineno}: {hit.value[:40]!r} is not marked for translation")
                break
    return found


def _exempt(relative: str) -> bool:
    return any(key in "/" + relative for key in EXEMPT)


def test_every_user_facing_error_is_translatable() -> None:
    files = [p for p in SRC.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    checked = [p for p in files if not _exempt(str(p.relative_to(SRC)))]
    assert len(checked) > 80
    problems = [f for p in checked for f in untranslated(p.read_text(encoding="utf-8"), str(p.relative_to(SRC)))]
    assert problems == []


def test_the_scan_catches_an_untranslated_message() -> None:
    source = '''
from django.utils.translation import gettext as _
def f(x):
    if x == 1:
        raise ValueError("金额应大于 0")
    if x == 2:
        raise ValueError(f"未知的用途 {x!r}")
    if x == 3:
        raise ValueError(_("金额应大于 0"))
    if x == 4:
        raise ValueError(_("可用：%(items)s") % {"items": "、".join(["a", "b"])})
    raise ValueError("code", "请求参数有误")
'''
    found = untranslated(source, "synthetic.py")
    assert sorted(int(line.split(":")[1]) for line in found) == [5, 7, 12]


@pytest.mark.django_db
def test_an_english_user_reads_english_errors(world, login) -> None:
    """A sample across apps: the ledger, the pool, matching, the API envelope."""
    from decimal import Decimal

    from shuzhuan.funds import services as funds
    from shuzhuan.marketplace.services import pool as services_pool

    with translation.override("en"):
        with pytest.raises(funds.LedgerError) as ledger:
            funds.allocate("demo-pilot", "central", "direct_sme", Decimal("0.00"), None)
        assert str(ledger.value) == "The amount must be greater than 0"
        with pytest.raises(funds.LedgerError) as release:
            funds.release("project:1", None, "")
        assert str(release.value) == "Releasing money needs a reason"
        with pytest.raises(services_pool.PoolError) as pool:
            services_pool.create_profile(world.users["ent_a"], {})
        assert str(pool.value) == "Only a provider organisation can create a provider profile."
    with translation.override("zh-hans"):
        with pytest.raises(funds.LedgerError) as chinese:
            funds.allocate("demo-pilot", "central", "direct_sme", Decimal("0.00"), None)
        assert str(chinese.value) == "金额应大于 0"

    from django.conf import settings

    c = login(world.users["city"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language the user chose
    body = c.post("/api/v1/programs/subsidy-quote", "not json", content_type="application/json").json()
    assert body["code"] == "bad_body"
    assert body["message"] == "The request body cannot be parsed: send a UTF-8 JSON object"


TEMPLATE_TOKEN = re.compile(r"(\{% *blocktrans(?:late)?\b.*?\{% *endblocktrans(?:late)? *%\}|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\})",
                            re.S)


def chinese_outside_tags(text: str) -> list[str]:
    """Chinese words or full-width punctuation in a template's text, outside translate tags."""
    parts = TEMPLATE_TOKEN.split(text)
    return [m.group(0) for part in parts[::2] for m in re.finditer(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+", part)]


def test_templates_have_no_chinese_outside_translation_tags() -> None:
    found = {str(p.relative_to(SRC)): chinese_outside_tags(p.read_text(encoding="utf-8")) for p in SRC.rglob("*.html")}
    assert len(found) > 90
    assert {k: v for k, v in found.items() if v} == {}
    assert chinese_outside_tags("<b>{% translate '联系人' %}：{{ x }}</b>{# 注释 #}") == ["："]  # the scan can fail
