"""/api/v1/: each app's `api.py` router assembled here. OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

from shuzhuan.api.auth import enforce_policies
from shuzhuan.assessment.api import router as assessment_router
from shuzhuan.core.api import router as core_router
from shuzhuan.core.api_errors import document_errors, install
from shuzhuan.credit.api import router as credit_router
from shuzhuan.finance.api import router as finance_router
from shuzhuan.marketplace.api import router as marketplace_router
from shuzhuan.policy.api import router as policy_router
from shuzhuan.programs.api import router as programs_router
from shuzhuan.registry.api import router as registry_router


class ShuzhuanAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = ShuzhuanAPI(
    title="数转 shuzhuan API",
    version="1",
    description="城市制造业数字化转型平台接口。认证：`Authorization: Bearer <令牌>`（`shuzhuan issue-token NAME`）或浏览器会话。",
    urls_namespace="api",
)
install(api)
api.add_router("", core_router)  # /me
api.add_router("/enterprises", registry_router)
api.add_router("/assessment", assessment_router)
api.add_router("/marketplace", marketplace_router)
api.add_router("/programs", programs_router)
api.add_router("/policy", policy_router)
api.add_router("/finance", finance_router)
api.add_router("/finance", credit_router)  # consents, portraits, access log: no path shared with finance
enforce_policies(api)
