"""One error envelope for every 4xx (DESIGN decision 6), shared by every app's `api.py` (hence in core):
{"code": "...", "message": "...", "errors": [{"field": "...", "message": "..."}]}"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors or []


def _field(loc: list | tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "body"


def envelope(api: NinjaAPI, request, status: int, code: str, message: str, errors: list[dict] | None = None):
    return api.create_response(request, {"code": code, "message": message, "errors": errors or []}, status=status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return envelope(api, request, exc.status, exc.code, exc.message, exc.errors)

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        errors = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        return envelope(api, request, 422, "invalid", _("请求参数有误"), errors)

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        return envelope(api, request, 401, "unauthenticated", _("需要登录或提供有效的访问令牌"))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return envelope(api, request, 404, "not_found", _("记录不存在或无权查看"))

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        code, message = http_error(exc.status_code, str(exc))
        if code == "bad_body":  # a body that is not JSON is invalid input: 422 in the envelope (decision 6)
            return envelope(api, request, 422, code, message, [{"field": "body", "message": message}])
        return envelope(api, request, exc.status_code, code, message)


def http_error(status: int, message: str) -> tuple[str, str]:
    """ninja's own HTTP errors (English, code-less) as a meaningful code and a translatable message."""
    from django.utils.translation import gettext

    if message.startswith("Cannot parse request body"):
        return "bad_body", gettext("请求体无法解析：应为 UTF-8 编码的 JSON 对象")
    known = {
        400: ("bad_request", gettext("请求有误")),
        401: ("unauthenticated", gettext("需要登录或提供有效的访问令牌")),
        403: ("forbidden", gettext("无权进行此操作")),
        404: ("not_found", gettext("记录不存在或无权查看")),
        405: ("method_not_allowed", gettext("不支持该请求方法")),
        409: ("conflict", gettext("当前状态不允许此操作")),
        413: ("too_large", gettext("请求内容过大")),
        429: ("too_many_requests", gettext("请求过于频繁，请稍后再试")),
    }
    return known.get(status, ("error", gettext("请求未能完成")))


ENVELOPE_SCHEMA = {
    "title": "ErrorEnvelope",
    "type": "object",
    "required": ["code", "message", "errors"],
    "properties": {
        "code": {"type": "string", "description": "错误代码，如 invalid、refused、not_found、forbidden、bad_body"},
        "message": {"type": "string", "description": "给用户看的说明（按请求语言）"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string", "description": "字段路径，如 items.0.amount"},
                           "message": {"type": "string"}}}},
    },
}
ERROR_RESPONSES = {
    "400": "请求体无法解析（bad_body）或请求有误",
    "401": "未登录或令牌无效（unauthenticated）",
    "403": "无权进行此操作（forbidden）",
    "404": "记录不存在或无权查看（not_found）",
    "409": "当前状态不允许此操作（refused，附原因）",
    "422": "参数校验失败（invalid，逐字段说明）",
}


def document_errors(schema: dict) -> dict:
    """Every operation of the OpenAPI schema answers its 4xx with the one envelope (DESIGN decision 6)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorEnvelope"] = ENVELOPE_SCHEMA
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(status, {"description": description,
                                                           "content": {"application/json": {"schema": ref}}})
    return schema
