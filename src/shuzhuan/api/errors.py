"""One error envelope for every 4xx (DESIGN decision 6):
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
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # ninja's body parser gives a bare 400; a body that is not JSON is invalid input (decision 6: 422)
            return envelope(api, request, 422, "invalid", _("请求体不是有效的 JSON"),
                            [{"field": "body", "message": _("请求体不是有效的 JSON")}])
        return envelope(api, request, exc.status_code, "error", str(exc))
