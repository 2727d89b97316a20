"""No test that cannot fail: an AST scan of every test file for the patterns that always pass or
accept any answer.

- `… or True` anywhere in a test (the expression is always true);
- `assert <constant>` (`assert True`, `assert 1`, `assert "text"`), including `assert (x, "msg")`;
- `assert response.status_code in (200, 302, 403)`: a set of HTTP statuses accepted at once. A
  test states the one answer it expects (a matrix per role if the answers differ). Route walks
  over every route compare with the documented outcome classes in `shuzhuan.core.testing`.

The positive controls below feed a synthetic test through the same scanner, so the scan itself
can fail."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_DIRS = [ROOT / "src", ROOT / "tests", ROOT / "bench"]


def _is_status(node: ast.AST) -> bool:
    """An expression naming an HTTP status: `…status_code`, `…status`, or a name with 'status'."""
    if isinstance(node, ast.Attribute):
        return "status" in node.attr
    if isinstance(node, ast.Name):
        return "status" in node.id
    if isinstance(node, ast.Call):
        return _is_status(node.func)
    return False


def _status_set(node: ast.AST) -> bool:
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or len(node.elts) < 2:
        return False
    return all(isinstance(e, ast.Constant) and isinstance(e.value, int) and 100 <= e.value <= 599 for e in node.elts)


def findings(source: str, filename: str = "<test>") -> list[str]:
    """Every cannot-fail or accept-anything pattern in one test module, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            if any(isinstance(v, ast.Constant) and v.value is True for v in node.values):
                out.append(f"{filename}:{node.lineno}: `or True` makes the expression always true")
        if isinstance(node, ast.Assert):
            test = node.test
            if isinstance(test, ast.Constant) or (isinstance(test, ast.Tuple) and test.elts):
                out.append(f"{filename}:{node.lineno}: assert on a constant (or a tuple) always passes")
        if isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In) and _status_set(right) and _is_status(node.left):
                    out.append(f"{filename}:{node.lineno}: accepts several HTTP statuses at once; assert the one expected")
    return sorted(out, key=lambda f: int(f.split(":")[1]))


def _test_files() -> list[Path]:
    files: list[Path] = []
    for base in TEST_DIRS:
        files.extend(p for p in base.rglob("test_*.py") if ".venv" not in p.parts and "node_modules" not in p.parts)
    return sorted(files)


def test_no_test_cannot_fail() -> None:
    files = _test_files()
    assert len(files) > 50  # the scan really reads the suite
    problems = [f for path in files for f in findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert problems == []


SYNTHETIC = '''
def test_bad(client):
    assert client.get("/").status_code == 404 or True
    assert True
    assert (client.get("/").status_code == 200, "message")
    response = client.get("/x/")
    assert response.status_code in (200, 302, 403)
    assert client.get("/y/").status_code in [400, 422]

def test_good(client):
    assert client.get("/").status_code == 200
    assert "a" in ("a", "b")
    assert 3 in (1, 2, 3)
    assert x or y
'''


def test_the_scan_catches_a_synthetic_example() -> None:
    found = findings(SYNTHETIC, "synthetic.py")
    assert [line.split(":")[1] for line in found] == ["3", "4", "5", "7", "8"]
    assert "or True" in found[0] and "constant" in found[1] and "HTTP statuses" in found[3]
