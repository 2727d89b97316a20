from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhuan.core.domain import MAX_YUAN
from shuzhuan.core.forms import BootstrapMixin, column_max
from shuzhuan.core.models import Town
from shuzhuan.marketplace.models import ContactStatus, Need

MAX_NEED_CHARS = 2000
MAX_ID = 9223372036854775807  # a BigAutoField
MAX_BUDGET = MAX_YUAN


def scenario_choices() -> list[tuple[str, str]]:
    from shuzhuan.marketplace.services.match import scenario_names

    return [(code, f"{code} {name}") for code, name in scenario_names().items()]


class NeedForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("需求描述"), max_length=MAX_NEED_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("用自己的话写：现在哪里不方便、想解决什么问题。例如：仓库进出货全靠手写单，月底对数总对不上")}),
    )
    scenarios = forms.MultipleChoiceField(
        label=gettext_lazy("业务场景"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("系统会根据描述推荐场景，可自行调整；不选则采用推荐的前两个场景"),
    )
    budget = forms.DecimalField(
        label=gettext_lazy("预算（万元）"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2,
        max_value=column_max(Need, "budget", scale=10000),
        help_text=gettext_lazy("可不填；用于筛选价格合适的产品"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenarios"].choices = scenario_choices()
        self.fields["scenarios"].widget.attrs["class"] = "form-check-input"

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写需求描述"))
        return text

    def budget_yuan(self) -> Decimal | None:
        value = self.cleaned_data.get("budget")
        return None if value is None else (value * 10000).quantize(Decimal("0.01"))


class ContactForm(BootstrapMixin, forms.Form):
    offering = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    need = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID)
    message = forms.CharField(label=gettext_lazy("留言"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ContactUpdateForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("对接进展"), choices=[
        (ContactStatus.CONTACTED, ContactStatus.CONTACTED.label),
        (ContactStatus.SIGNED, ContactStatus.SIGNED.label),
        (ContactStatus.DECLINED, ContactStatus.DECLINED.label),
    ])
    outcome = forms.CharField(label=gettext_lazy("对接结果"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("如：已上门调研，报价 8 万元；或未达成的原因"))

    def __init__(self, *args, allowed: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [(v, lbl) for v, lbl in self.fields["status"].choices if v in allowed]

    def clean(self):
        data = super().clean()
        if data.get("status") in (ContactStatus.SIGNED, ContactStatus.DECLINED) and not (data.get("outcome") or "").strip():
            self.add_error("outcome", _("签约或未达成时请填写对接结果"))
        return data


class NeedFilterForm(BootstrapMixin, forms.Form):
    town = forms.ModelChoiceField(label=gettext_lazy("镇街"), queryset=Town.objects.all(), required=False,
                                  empty_label=gettext_lazy("全部镇街"), to_field_name="short_name")
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    scenario = forms.ChoiceField(label=gettext_lazy("场景"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("来源"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        from shuzhuan.marketplace.models import NeedSource, NeedStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *NeedStatus.choices]
        self.fields["scenario"].choices = [("", _("全部场景")), *scenario_choices()]
        self.fields["source"].choices = [("", _("全部来源")), *NeedSource.choices]
        if user is not None and getattr(user, "role", None) == "town_officer":
            del self.fields["town"]


class ChainUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("上下游名单"),
                           help_text=gettext_lazy("XLSX 或 CSV：统一社会信用代码、企业名称、关系（供应商/客户，可不填，默认供应商）"))
    replace = forms.BooleanField(label=gettext_lazy("以本文件替换现有名单（文件中没有的企业将被移除）"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx 或 .csv 文件；.xls 请先在 Excel 中另存为 .xlsx"))
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的"))
        if upload.size > settings.DOCUMENT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大，上限为 %(mb)d MB") % {"mb": settings.DOCUMENT_MAX_UPLOAD_BYTES // 2**20})
        return upload


class ConsortiumForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=120,
                           widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：照明灯饰产业生态联合体")}))
    sector = forms.CharField(label=gettext_lazy("行业"), max_length=64, help_text=gettext_lazy("细分行业名称，如 照明灯饰"))
    traction_uscc = forms.CharField(label=gettext_lazy("牵引单位（统一社会信用代码）"), max_length=40,
                                    help_text=gettext_lazy("已在平台登记的龙头企业、链主或平台单位"))
    lead_provider = forms.ModelChoiceField(label=gettext_lazy("平台/服务商"), queryset=None, required=False,
                                           empty_label=gettext_lazy("（暂不指定）"),
                                           help_text=gettext_lazy("只能从已入池的服务商中选择"))
    description = forms.CharField(label=gettext_lazy("简介"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from shuzhuan.marketplace.services.consortia import lead_provider_choices

        super().__init__(*args, **kwargs)
        self.fields["lead_provider"].queryset = lead_provider_choices()

    def clean_traction_uscc(self):
        from shuzhuan.core.models import Organisation
        from shuzhuan.registry.domain import UsccError, validate_uscc

        raw = self.cleaned_data["traction_uscc"].strip().upper()
        try:
            code = validate_uscc(raw).code
        except UsccError as exc:
            raise forms.ValidationError(str(exc)) from exc
        org = Organisation.objects.filter(uscc=code).first()
        if org is None:
            raise forms.ValidationError(_("平台上没有统一社会信用代码为 %(code)s 的单位，请先在企业库登记") % {"code": code})
        self.cleaned_data["traction_unit"] = org
        return code

    def values(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"].strip(), "sector": d["sector"].strip(), "traction_unit": d["traction_unit"],
                "lead_provider": d["lead_provider"], "description": d["description"].strip()}


class ConsortiumMembersForm(BootstrapMixin, forms.Form):
    codes = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=20_000,
                            widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("每行一个，或用逗号、空格分隔；可从 Excel 整列复制粘贴")}),
                            help_text=gettext_lazy("成员须已在平台登记（企业库中的企业，或服务商）"),
                            error_messages={"required": gettext_lazy("请至少填写一个统一社会信用代码")})

    def clean_codes(self) -> list[str]:
        from shuzhuan.marketplace.services.consortia import MAX_MEMBERS_PER_PASTE, parse_codes

        codes = parse_codes(self.cleaned_data["codes"])
        if not codes:
            raise forms.ValidationError(_("请至少填写一个统一社会信用代码"))
        if len(codes) > MAX_MEMBERS_PER_PASTE:
            raise forms.ValidationError(_("一次最多添加 %(n)d 家") % {"n": MAX_MEMBERS_PER_PASTE})
        return codes
