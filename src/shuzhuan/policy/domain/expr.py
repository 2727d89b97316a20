"""The policy expression language: a whitelisted subset of Python expressions, never `eval`.

Source text is parsed with `ast.parse(mode="eval")`; every node must be one of:

- literals: integers, decimals (``0.20`` is read from the source text as ``Decimal("0.20")``, never as
  a binary float), strings, ``True``/``False``, lists/tuples of literals (for membership);
- names: a fact (``approved_amount``), ``year`` (the evaluation date's year, an integer) or ``p``
  (parameters);
- a fact for a period: ``revenue[2024]`` (the period is a constant year);
- parameters: ``p.cap`` and lookups ``p.cap_by_level[level]`` (a lookup of a missing key is an error);
- arithmetic ``+ - *`` and unary ``-`` (no division: it cannot stay exact; write shares as factors,
  ``x * p.share``). An expression whose intermediate values could exceed 64-bit fixed point for facts
  within their limits (money ≤ 10^12 yuan, integers ≤ 10^9, decimals ≤ 10^8) is refused at load
  (`bound`), so the batch engine never overflows where Decimal would not; comparisons ``== != < <= > >=`` (chains allowed), ``in`` / ``not in``;
- ``and`` / ``or`` / ``not``; ``a if cond else b``; ``min(...)`` / ``max(...)`` with ≥ 2 arguments.

Numbers are exact: the single engine computes in `Decimal` with the Inexact trap on; the batch
engine computes in 64-bit fixed point whose scale is known at compile time (a money fact has scale 2,
``0.20`` has scale 2, a product adds scales), so both give the same digits. Scales above
`MAX_SCALE` are refused when a policy is loaded.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

MAX_SCALE = 6
MAX_LITERAL = 10**15
# The batch engine's Int64 must hold every intermediate value: `bound` proves it from the facts'
# limits (money ≤ 10^12 yuan, integers ≤ 10^9, decimals ≤ 10^8) and the parameters' actual values.
INT64_LIMIT = 2**63 - 1
FACT_BOUNDS = {0: 10**9, 2: 10**14, 4: 10**12}  # by scale: integers, money (cents), decimals (×10^4)
FUNCTIONS = ("min", "max")
YEAR = "year"


class ExprError(ValueError):
    """An expression that is not in the language, or that does not type-check."""


class EvaluationError(ValueError):
    """A well-formed expression that cannot be evaluated on these inputs (e.g. a missing lookup key)."""


# --- types -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    scale: int


@dataclass(frozen=True)
class Scalar:
    kind: str  # "bool" | "str"


@dataclass(frozen=True)
class Seq:
    item: Num | Scalar


@dataclass(frozen=True)
class Table:
    key: Num | Scalar
    value: Num | Scalar | Seq


BOOL, STR = Scalar("bool"), Scalar("str")
Type = Num | Scalar | Seq | Table


def type_name(t: Type) -> str:
    if isinstance(t, Num):
        return "数值"
    if isinstance(t, Seq):
        return "列表"
    if isinstance(t, Table):
        return "对照表"
    return {"bool": "是/否", "str": "文本"}[t.kind]


def scale_of(value: Decimal | int) -> int:
    if isinstance(value, int):
        return 0
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def value_type(value: object) -> Type:
    """The type of a parameter value: Decimal/int → Num, bool, str, list → Seq, dict → Table."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, Decimal)):
        return Num(scale_of(value))
    if isinstance(value, str):
        return STR
    if isinstance(value, (list, tuple)):
        if not value:
            return Seq(STR)
        return Seq(_join([value_type(v) for v in value], "列表"))  # type: ignore[arg-type]
    if isinstance(value, Mapping):
        if not value:
            raise ExprError("对照表不能为空")
        keys = _join([value_type(k) for k in value], "对照表的键")
        values = _join([value_type(v) for v in value.values()], "对照表的值")
        return Table(keys, values)  # type: ignore[arg-type]
    raise ExprError(f"不支持的参数值 {value!r}")


def _join(types: list[Type], what: str) -> Type:
    first = types[0]
    if isinstance(first, Num):
        if not all(isinstance(t, Num) for t in types):
            raise ExprError(f"{what}类型不一致")
        return Num(max(t.scale for t in types))  # type: ignore[union-attr]
    if any(t != first for t in types):
        raise ExprError(f"{what}类型不一致")
    return first


# --- the tree ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lit:
    value: Any
    type: Type


@dataclass(frozen=True)
class Fact:
    key: str  # the column: "approved_amount" or "revenue[2024]"
    name: str
    type: Type


@dataclass(frozen=True)
class Param:
    name: str
    key: Node | None
    type: Type


@dataclass(frozen=True)
class Unary:
    op: str  # "neg" | "not"
    operand: Node
    type: Type


@dataclass(frozen=True)
class Bin:
    op: str  # "+" | "-" | "*"
    left: Node
    right: Node
    type: Type


@dataclass(frozen=True)
class Cmp:
    op: str  # "==" "!=" "<" "<=" ">" ">=" "in" "not in"
    left: Node
    right: Node
    type: Type = BOOL


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    items: tuple[Node, ...]
    type: Type = BOOL


@dataclass(frozen=True)
class IfElse:
    test: Node
    then: Node
    other: Node
    type: Type


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple[Node, ...]
    type: Type


Node = Lit | Fact | Param | Unary | Bin | Cmp | Logic | IfElse | Call

_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_CMPOPS: dict[type, str] = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
                            ast.In: "in", ast.NotIn: "not in"}


@dataclass(frozen=True)
class Compiled:
    """A checked expression with what it reads."""

    source: str
    node: Node
    type: Type
    facts: tuple[str, ...]   # fact keys (columns) in first-use order
    params: tuple[str, ...]  # parameter names in first-use order


class _Compiler:
    def __init__(self, source: str, fact_types: Mapping[str, tuple[Type, bool]], params: Mapping[str, object],
                 year: int):
        self.source, self.fact_types, self.params, self.year = source, fact_types, params, year
        self.facts: list[str] = []
        self.used_params: list[str] = []

    def fail(self, node: ast.AST, message: str) -> ExprError:
        return ExprError(f"{message}（位置 {getattr(node, 'col_offset', 0) + 1}）")

    def compile(self, node: ast.AST) -> Node:  # noqa: C901 - one branch per node kind
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.compile(e) for e in node.elts]
            if not all(isinstance(i, Lit) for i in items):
                raise self.fail(node, "列表只能包含常量")
            values = tuple(i.value for i in items)  # type: ignore[union-attr]
            return Lit(values, value_type(list(values)))
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Attribute):
            return self.param(node, None)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if isinstance(node.op, ast.Not):
                self.expect(node, operand, BOOL, "not 的对象")
                return Unary("not", operand, BOOL)
            if isinstance(node.op, ast.USub) and isinstance(operand.type, Num):
                if isinstance(operand, Lit):
                    return Lit(-operand.value, operand.type)
                return Unary("neg", operand, operand.type)
            raise self.fail(node, "不支持的一元运算")
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise self.fail(node, "只支持 + - * 运算（不支持除法：除法无法保持精确，请写成乘以比例）")
            left, right = self.compile(node.left), self.compile(node.right)
            for side in (left, right):
                if not isinstance(side.type, Num):
                    raise self.fail(node, f"算术运算的对象应为数值，实际为{type_name(side.type)}")
            scale = left.type.scale + right.type.scale if op == "*" else max(left.type.scale, right.type.scale)  # type: ignore[union-attr]
            if scale > MAX_SCALE:
                raise self.fail(node, f"小数位数超过 {MAX_SCALE}")
            return Bin(op, left, right, Num(scale))
        if isinstance(node, ast.BoolOp):
            operands = tuple(self.compile(v) for v in node.values)
            for item in operands:
                self.expect(node, item, BOOL, "and/or 的对象")
            return Logic("and" if isinstance(node.op, ast.And) else "or", operands)
        if isinstance(node, ast.Compare):
            parts: list[Node] = []
            left = self.compile(node.left)
            for op_node, right_node in zip(node.ops, node.comparators, strict=True):
                op = _CMPOPS.get(type(op_node))
                if op is None:
                    raise self.fail(node, "不支持的比较")
                right = self.compile(right_node)
                parts.append(self.comparison(node, op, left, right))
                left = right
            return parts[0] if len(parts) == 1 else Logic("and", tuple(parts))
        if isinstance(node, ast.IfExp):
            test, then, other = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
            self.expect(node, test, BOOL, "if 的条件")
            return IfElse(test, then, other, self.same(node, then, other, "if/else 两个分支"))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise self.fail(node, f"只能调用 {', '.join(FUNCTIONS)}")
            if len(node.args) < 2:
                raise self.fail(node, f"{node.func.id} 至少需要两个参数")
            args = tuple(self.compile(a) for a in node.args)
            result = args[0].type
            for arg in args[1:]:
                if not isinstance(arg.type, Num) or not isinstance(result, Num):
                    raise self.fail(node, f"{node.func.id} 的参数应为数值")
                result = Num(max(result.scale, arg.type.scale))
            if not isinstance(result, Num):
                raise self.fail(node, f"{node.func.id} 的参数应为数值")
            return Call(node.func.id, args, result)
        raise self.fail(node, f"表达式中不允许 {type(node).__name__}")

    def constant(self, node: ast.Constant) -> Lit:
        value = node.value
        if isinstance(value, bool):
            return Lit(value, BOOL)
        if isinstance(value, int):
            if abs(value) > MAX_LITERAL:
                raise self.fail(node, f"整数常量过大（上限 {MAX_LITERAL}）")
            return Lit(value, Num(0))
        if isinstance(value, float):
            text = ast.get_source_segment(self.source, node) or repr(value)
            try:
                number = Decimal(text.replace("_", ""))
            except decimal.InvalidOperation:
                raise self.fail(node, f"无法读取小数 {text}") from None
            if (not number.is_finite() or scale_of(number) > MAX_SCALE or "e" in text.lower()
                    or abs(number) > MAX_LITERAL):
                raise self.fail(node, f"小数 {text} 不受支持（最多 {MAX_SCALE} 位小数，不用指数）")
            return Lit(number, Num(scale_of(number)))
        if isinstance(value, str):
            return Lit(value, STR)
        raise self.fail(node, f"不支持的常量 {value!r}")

    def name(self, node: ast.Name) -> Node:
        if node.id == "year":
            return Fact(YEAR, YEAR, Num(0))  # supplied by the engine: the evaluation date's year
        if node.id == "p":
            raise self.fail(node, "参数应写成 p.名称")
        return self.fact(node, node.id, None)

    def fact(self, node: ast.AST, name: str, period: int | None) -> Fact:
        known = self.fact_types.get(name)
        if known is None:
            raise self.fail(node, f"未知的事实 {name}")
        fact_type, periodic = known
        if periodic and period is None:
            raise self.fail(node, f"事实 {name} 按年度取值，应写成 {name}[年度]")
        if not periodic and period is not None:
            raise self.fail(node, f"事实 {name} 不按年度取值")
        key = name if period is None else f"{name}[{period}]"
        if key not in self.facts:
            self.facts.append(key)
        return Fact(key, name, fact_type)

    def param(self, node: ast.Attribute, key: Node | None) -> Param:
        if not isinstance(node.value, ast.Name) or node.value.id != "p":
            raise self.fail(node, "只有参数可以用 . 访问（p.名称）")
        if node.attr not in self.params:
            raise self.fail(node, f"未知的参数 {node.attr}")
        if node.attr not in self.used_params:
            self.used_params.append(node.attr)
        ptype = value_type(self.params[node.attr])
        if key is None:
            return Param(node.attr, None, ptype)
        if not isinstance(ptype, Table):
            raise self.fail(node, f"参数 {node.attr} 不是对照表，不能按键取值")
        if not _comparable(ptype.key, key.type):
            raise self.fail(node, f"参数 {node.attr} 的键应为{type_name(ptype.key)}")
        return Param(node.attr, key, ptype.value)

    def subscript(self, node: ast.Subscript) -> Node:
        if isinstance(node.value, ast.Attribute):
            return self.param(node.value, self.compile(node.slice))
        if isinstance(node.value, ast.Name) and node.value.id not in ("p", "year"):
            index = self.compile(node.slice)
            period = _constant_int(index)
            if period is None:
                raise self.fail(node, "年度应为常量（如 revenue[2024]）")
            return self.fact(node, node.value.id, period)
        raise self.fail(node, "不支持的下标")

    def comparison(self, node: ast.AST, op: str, left: Node, right: Node) -> Cmp:
        if op in ("in", "not in"):
            container = right.type
            if isinstance(container, Seq):
                item = container.item
            elif isinstance(container, Table):
                item = container.key
            else:
                raise self.fail(node, "in 的右边应为列表或对照表")
            if not _comparable(item, left.type):
                raise self.fail(node, f"in 的左边应为{type_name(item)}")
            if not isinstance(right, (Lit, Param)):
                raise self.fail(node, "in 的右边应为常量列表或参数")
            return Cmp(op, left, right)
        self.same(node, left, right, f"比较 {op} 的两边")
        if op not in ("==", "!=") and not isinstance(left.type, Num):
            raise self.fail(node, f"{op} 只能比较数值")
        return Cmp(op, left, right)

    def same(self, node: ast.AST, a: Node, b: Node, what: str) -> Type:
        if isinstance(a.type, Num) and isinstance(b.type, Num):
            return Num(max(a.type.scale, b.type.scale))
        if a.type != b.type:
            raise self.fail(node, f"{what}类型不一致（{type_name(a.type)} 与 {type_name(b.type)}）")
        return a.type

    def expect(self, node: ast.AST, item: Node, wanted: Type, what: str) -> None:
        if item.type != wanted:
            raise self.fail(node, f"{what}应为{type_name(wanted)}，实际为{type_name(item.type)}")


def _scale(t: Type) -> int:
    return t.scale if isinstance(t, Num) else 0


def _values_bound(value: Any, scale: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Mapping, list, tuple)):
        return 0
    if isinstance(value, Mapping):
        return max((_values_bound(v, scale) for v in value.values()), default=0)
    if isinstance(value, (list, tuple)):
        return max((_values_bound(v, scale) for v in value), default=0)
    return abs(int(Decimal(value).scaleb(scale).to_integral_value(rounding=decimal.ROUND_CEILING)))


def bound(node: Node, params: Mapping[str, Any], scale: int | None = None) -> int:
    """The largest magnitude the batch engine's Int64 can see for this node (at `scale`, default its
    own); raises `ExprError` when an intermediate value could overflow."""
    own = _scale(node.type)
    at = own if scale is None else scale
    if at > own:
        result = bound(node, params) * 10 ** (at - own)
    elif isinstance(node, Lit):
        result = _values_bound(node.value, own)
    elif isinstance(node, Fact):
        result = 10**4 if node.key == YEAR else FACT_BOUNDS.get(own, 0)
    elif isinstance(node, Param):
        if node.key is not None:
            bound(node.key, params)
        result = _values_bound(params[node.name], own)
    elif isinstance(node, Unary):
        result = bound(node.operand, params)
    elif isinstance(node, Bin):
        if node.op == "*":
            result = bound(node.left, params) * bound(node.right, params)
        else:
            result = bound(node.left, params, own) + bound(node.right, params, own)
    elif isinstance(node, Cmp):
        if isinstance(node.left.type, Num) and node.op not in ("in", "not in"):
            common = max(_scale(node.left.type), _scale(node.right.type))
            bound(node.left, params, common), bound(node.right, params, common)
        elif isinstance(node.left.type, Num):
            bound(node.left, params)
        result = 0
    elif isinstance(node, Logic):
        for item in node.items:
            bound(item, params)
        result = 0
    elif isinstance(node, IfElse):
        bound(node.test, params)
        result = max(bound(node.then, params, own), bound(node.other, params, own)) if isinstance(node.type, Num) else 0
    elif isinstance(node, Call):
        result = max(bound(a, params, own) for a in node.args)
    else:
        result = 0
    if result > INT64_LIMIT:
        raise ExprError("数值可能超出精确计算范围（64 位定点数）；请检查乘法的两边或参数的量级")
    return int(result)


def _comparable(a: Type, b: Type) -> bool:
    return (isinstance(a, Num) and isinstance(b, Num)) or a == b


def _constant_int(node: Node) -> int | None:
    if isinstance(node, Lit) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, Bin) and node.op in ("+", "-"):
        left, right = _constant_int(node.left), _constant_int(node.right)
        if left is not None and right is not None:
            return left + right if node.op == "+" else left - right
    return None


def compile_expr(source: str, fact_types: Mapping[str, tuple[Type, bool]], params: Mapping[str, object],
                 year: int, want: Type | None = None) -> Compiled:
    """Parse and check `source`. `fact_types` maps a fact name to (type, by-year?)."""
    text = str(source).strip()
    if not text:
        raise ExprError("表达式为空")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"语法错误：{exc.msg}（位置 {exc.offset or 0}）") from None
    compiler = _Compiler(text, fact_types, params, year)
    node = compiler.compile(tree.body)
    bound(node, params)
    if want is not None and not (node.type == want or (isinstance(want, Num) and isinstance(node.type, Num))):
        raise ExprError(f"表达式应得出{type_name(want)}，实际为{type_name(node.type)}")
    return Compiled(text, node, node.type, tuple(compiler.facts), tuple(compiler.used_params))


# --- the single engine: Decimal ----------------------------------------------------------------

EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])


def evaluate(node: Node, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """The value of a checked expression; facts by key, parameters by name. Exact or it raises."""
    with decimal.localcontext(EXACT):
        return _ev(node, facts, params)


def _ev(node: Node, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Any:  # noqa: C901
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Fact):
        return facts[node.key]
    if isinstance(node, Param):
        value = params[node.name]
        if node.key is None:
            return value
        key = _ev(node.key, facts, params)
        if key not in value:
            raise EvaluationError(f"参数 {node.name} 没有 {key} 对应的值")
        return value[key]
    if isinstance(node, Unary):
        operand = _ev(node.operand, facts, params)
        return (not operand) if node.op == "not" else -operand
    if isinstance(node, Bin):
        left, right = _ev(node.left, facts, params), _ev(node.right, facts, params)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        return left * right
    if isinstance(node, Cmp):
        left, right = _ev(node.left, facts, params), _ev(node.right, facts, params)
        return _COMPARE[node.op](left, right)
    if isinstance(node, Logic):
        if node.op == "and":
            return all(_ev(i, facts, params) for i in node.items)
        return any(_ev(i, facts, params) for i in node.items)
    if isinstance(node, IfElse):
        return _ev(node.then if _ev(node.test, facts, params) else node.other, facts, params)
    if isinstance(node, Call):
        values = [_ev(a, facts, params) for a in node.args]
        return min(values) if node.fn == "min" else max(values)
    raise EvaluationError(f"unknown node {node!r}")


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


# --- the batch engine: polars fixed point ------------------------------------------------------

def scaled_int(value: Decimal | int, scale: int) -> int:
    """`value` × 10^scale as an exact integer (the batch engine's representation of a number)."""
    result = Decimal(value).scaleb(scale)
    if result != result.to_integral_value():
        raise ExprError(f"{value} 超出 {scale} 位小数")
    return int(result)


def _align(expr: pl.Expr, node_type: Type, scale: int) -> pl.Expr:
    if isinstance(node_type, Num) and node_type.scale < scale:
        aligned: pl.Expr = expr * (10 ** (scale - node_type.scale))
        return aligned
    return expr


def _lit_values(values: Any, item: Type, scale: int) -> list[Any]:
    if isinstance(item, Num):
        return [scaled_int(v, scale) for v in values]
    return list(values)


def to_polars(node: Node, params: Mapping[str, Any], column: Callable[[str], pl.Expr] = pl.col) -> pl.Expr:
    """The same expression over fact columns: numbers are Int64 scaled by 10^(node's scale);
    a money fact's column holds cents (scale 2), an int fact's the integer."""
    return _pl(node, params, column)


def _pl(node: Node, params: Mapping[str, Any], column: Callable[[str], pl.Expr]) -> pl.Expr:  # noqa: C901
    if isinstance(node, Lit):
        if isinstance(node.type, Num):
            return pl.lit(scaled_int(node.value, node.type.scale), dtype=pl.Int64)
        if isinstance(node.type, Seq):
            raise ExprError("列表只能用在 in 的右边")
        return pl.lit(node.value)
    if isinstance(node, Fact):
        return column(node.key)
    if isinstance(node, Param):
        value = params[node.name]
        if node.key is None:
            if isinstance(node.type, Num):
                return pl.lit(scaled_int(value, node.type.scale), dtype=pl.Int64)
            if isinstance(node.type, (Seq, Table)):
                raise ExprError(f"参数 {node.name} 只能用在 in 的右边或按键取值")
            return pl.lit(value)
        table_type = value_type(value)
        assert isinstance(table_type, Table)
        key_scale = node.key.type.scale if isinstance(node.key.type, Num) else 0
        if isinstance(table_type.key, Num):
            key_scale = max(key_scale, table_type.key.scale)
        keys = _lit_values(value.keys(), table_type.key, key_scale)
        values = _lit_values(value.values(), node.type, node.type.scale if isinstance(node.type, Num) else 0)
        key_expr = _align(_pl(node.key, params, column), node.key.type, key_scale)
        dtype = pl.Int64 if isinstance(node.type, Num) else (pl.Boolean if node.type == BOOL else pl.Utf8)
        return key_expr.replace_strict(keys, values, default=None, return_dtype=dtype)
    if isinstance(node, Unary):
        operand = _pl(node.operand, params, column)
        return ~operand if node.op == "not" else -operand
    if isinstance(node, Bin):
        left, right = _pl(node.left, params, column), _pl(node.right, params, column)
        if node.op == "*":
            return left * right
        scale = node.type.scale  # type: ignore[union-attr]
        left, right = _align(left, node.left.type, scale), _align(right, node.right.type, scale)
        return left + right if node.op == "+" else left - right
    if isinstance(node, Cmp):
        left = _pl(node.left, params, column)
        if node.op in ("in", "not in"):
            container = node.right.value if isinstance(node.right, Lit) else params[node.right.name]  # type: ignore[union-attr]
            ctype = node.right.type
            item = ctype.item if isinstance(ctype, Seq) else ctype.key  # type: ignore[union-attr]
            members = list(container.keys()) if isinstance(container, Mapping) else list(container)
            if isinstance(item, Num):
                scale = max(item.scale, node.left.type.scale)  # type: ignore[union-attr]
                left = _align(left, node.left.type, scale)
                members = [scaled_int(v, scale) for v in members]
                member_series = pl.Series(members, dtype=pl.Int64)
            else:
                member_series = pl.Series(members, dtype=pl.Utf8 if item == STR else pl.Boolean)
            test = left.is_in(member_series.implode())
            return ~test if node.op == "not in" else test
        right = _pl(node.right, params, column)
        if isinstance(node.left.type, Num):
            scale = max(node.left.type.scale, node.right.type.scale)  # type: ignore[union-attr]
            left, right = _align(left, node.left.type, scale), _align(right, node.right.type, scale)
        return {"==": left.__eq__, "!=": left.__ne__, "<": left.__lt__, "<=": left.__le__,
                ">": left.__gt__, ">=": left.__ge__}[node.op](right)
    if isinstance(node, Logic):
        parts = [_pl(i, params, column) for i in node.items]
        result = parts[0]
        for part in parts[1:]:
            result = (result & part) if node.op == "and" else (result | part)
        return result
    if isinstance(node, IfElse):
        then, other = _pl(node.then, params, column), _pl(node.other, params, column)
        if isinstance(node.type, Num):
            then, other = _align(then, node.then.type, node.type.scale), _align(other, node.other.type, node.type.scale)
        return pl.when(_pl(node.test, params, column)).then(then).otherwise(other)
    if isinstance(node, Call):
        scale = node.type.scale  # type: ignore[union-attr]
        args = [_align(_pl(a, params, column), a.type, scale) for a in node.args]
        return pl.min_horizontal(*args) if node.fn == "min" else pl.max_horizontal(*args)
    raise ExprError(f"unknown node {node!r}")


# --- words ------------------------------------------------------------------------------------

_WORDS = {"+": "＋", "-": "－", "*": "×", "==": "等于", "!=": "不等于", "<": "<", "<=": "≤", ">": ">", ">=": "≥",
          "in": "属于", "not in": "不属于"}


def _sum(node: Node) -> bool:
    return isinstance(node, Bin) and node.op in ("+", "-")


def render(node: Node, fact_label: Callable[[Fact], str], param_label: Callable[[str], str],
           literal: Callable[[Lit], str]) -> str:
    """The expression in words, with facts and parameters by their Chinese labels."""
    def go(n: Node, top: bool = False) -> str:
        if isinstance(n, Lit):
            return literal(n)
        if isinstance(n, Fact):
            return fact_label(n)
        if isinstance(n, Param):
            return param_label(n.name) if n.key is None else f"{param_label(n.name)}[{go(n.key)}]"
        if isinstance(n, Unary):
            return f"非（{go(n.operand)}）" if n.op == "not" else f"－{go(n.operand)}"
        if isinstance(n, Bin):
            left = f"（{go(n.left, True)}）" if n.op == "*" and _sum(n.left) else go(n.left)
            right_needs = (n.op == "*" and _sum(n.right)) or (n.op == "-" and _sum(n.right))
            right = f"（{go(n.right, True)}）" if right_needs else go(n.right)
            return f"{left} {_WORDS[n.op]} {right}"
        if isinstance(n, Cmp):
            return f"{go(n.left)} {_WORDS[n.op]} {go(n.right)}"
        if isinstance(n, Logic):
            joined = (" 且 " if n.op == "and" else " 或 ").join(go(i) for i in n.items)
            return joined if top else f"（{joined}）"
        if isinstance(n, IfElse):
            return f"（若 {go(n.test, True)} 则 {go(n.then, True)}，否则 {go(n.other, True)}）"
        if isinstance(n, Call):
            return f"{'较小者' if n.fn == 'min' else '较大者'}（{'，'.join(go(a, True) for a in n.args)}）"
        return "?"

    return go(node, True)
