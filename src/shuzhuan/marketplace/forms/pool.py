"""Forms of the supply resource pool: provider profile, application, review, decisions, sanctions,
offerings and the public catalogue's filters. Errors are inline, in Chinese."""

from __future__ import annotations

from functools import cache

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shuzhuan.assessment import indicator_sets
from shuzhuan.core.domain import max_yuan
from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Town
from shuzhuan.marketplace.models import (
    Deployment,
    NoticeObjection,
    Offering,
    OfferingKind,
    ProductType,
    ProviderProfile,
    SanctionKind,
    SolutionCategory,
)
from shuzhuan.marketplace.services.pool import pool_rules
from shuzhuan.registry.models import IndustryClass

LEVEL_CHOICES = [(0, _("未评测/零级")), (1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))]
PRICE_CAP = max_yuan(12)  # the price columns: DecimalField(max_digits=12, decimal_places=2)
CHOICES_CSS = "sz-choices"  # radio and checkbox groups: laid out by marketplace/pool_choices_style.html


@cache
def scenario_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} {s.name}") for s in indicator_sets.load().scenarios]


def scenario_names() -> dict[str, str]:
    return {s.code: s.name for s in indicator_sets.load().scenarios}


def industry_choices() -> list[tuple[str, str]]:
    """Manufacturing divisions (GB/T 4754 大类, section C: 13–43)."""
    return [(c, f"{c} {n}") for c, n in IndustryClass.objects.filter(level="division", code__gte="13", code__lte="43")
            .order_by("code").values_list("code", "name")]


class ProviderProfileForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProviderProfile
        fields = ["town", "address", "introduction", "qualifications", "staff_count", "engineer_count",
                  "contact_name", "contact_phone"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4}), "qualifications": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.objects.filter(active=True)
        self.fields["town"].empty_label = _("（请选择所在镇街）")
        for name in ("town", "introduction", "contact_name", "contact_phone"):
            self.fields[name].required = True
        self.fields["staff_count"].validators.append(MaxValueValidator(1_000_000))

    def clean(self):
        data = super().clean()
        staff, engineers = data.get("staff_count"), data.get("engineer_count")
        if staff is not None and engineers is not None and engineers > staff:
            self.add_error("engineer_count", _("技术人员不能多于员工人数。"))
        phone = (data.get("contact_phone") or "").strip()
        if phone and not all(ch.isdigit() or ch in "-+ " for ch in phone):
            self.add_error("contact_phone", _("联系电话只能包含数字、空格、+ 和 -。"))
        return data


class ApplicationForm(BootstrapMixin, forms.Form):
    qualifications = forms.CharField(label=_("资质情况"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                     help_text=_("如：高新技术企业、软件企业、ISO 9001 / 27001、两化融合贯标咨询资质等"))
    cases = forms.CharField(label=_("典型案例"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("近三年为制造业中小企业实施的数字化改造案例：客户行业、内容、成效"))
    staff = forms.CharField(label=_("团队情况"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("本地服务团队人数、实施工程师、驻场能力"))


class DocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"))
    file = forms.FileField(label=_("文件"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = pool_rules()
        self.fields["kind"].choices = [("", _("（请选择）"))] + list(rules.document_kinds.items())
        self.fields["file"].help_text = _("支持 %(ext)s，单个文件不超过 %(mb)d MB；材料仅供市工信局和评审专家查看。") % {
            "ext": "、".join(rules.document_extensions), "mb": rules.max_document_bytes // 1048576}
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{e}" for e in rules.document_extensions)

    def clean_file(self):
        from shuzhuan.marketplace.services.pool import document_problem

        upload = self.cleaned_data["file"]
        problem = document_problem(upload.name, upload.size)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.username


class AssignForm(BootstrapMixin, forms.Form):
    experts = ExpertChoiceField(label=_("评审专家"), queryset=None, widget=forms.CheckboxSelectMultiple,
                                error_messages={"required": _("请至少选择一位评审专家。")})

    def __init__(self, *args, **kwargs):
        from shuzhuan.marketplace.services.pool import experts

        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts()
        self.fields["experts"].widget.attrs["class"] = CHOICES_CSS


class ReviewForm(BootstrapMixin, forms.Form):
    score = forms.DecimalField(label=_("评分（0–100）"), max_digits=5, decimal_places=2,
                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    opinion = forms.CharField(label=_("评审意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


DECISIONS = [("notice", _("通过评审，进入公示")), ("reject", _("不予入池（驳回）"))]


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("驳回时必填"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = CHOICES_CSS

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("驳回须填写理由。"))
        return data


class ObjectionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = NoticeObjection
        fields = ["text", "contact"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"contact": _("必填：联系电话或电子邮箱，便于核实情况时联系您（不公开）")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].required = True

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) > 4000:
            raise forms.ValidationError(_("异议内容不超过 4000 字。"))
        return text


class ResolveForm(BootstrapMixin, forms.Form):
    upheld = forms.TypedChoiceField(label=_("结论"), choices=[("0", _("异议不成立")), ("1", _("异议成立"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    resolution = forms.CharField(label=_("处理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upheld"].widget.attrs["class"] = CHOICES_CSS


class SanctionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("处理类型"), choices=SanctionKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["kind"].choices = [(k, SanctionKind(k).label) for k in allowed]


class OfferingForm(BootstrapMixin, forms.ModelForm):
    scenarios = forms.MultipleChoiceField(label=_("适用场景"), required=True, widget=forms.CheckboxSelectMultiple,
                                          error_messages={"required": _("请至少选择一个适用场景。")})
    industries = forms.MultipleChoiceField(label=_("适用行业"), required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
                                           help_text=_("不选表示通用（适用所有制造业行业）；按住 Ctrl 可多选"))

    class Meta:
        model = Offering
        fields = ["kind", "category", "product_type", "name", "summary", "description", "price_min", "price_max",
                  "pilot_discount", "deployment", "deployment_days", "scenarios", "industries", "min_level", "max_level",
                  "case_references"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "case_references": forms.Textarea(attrs={"rows": 3}),
                   "min_level": forms.Select(choices=LEVEL_CHOICES), "max_level": forms.Select(choices=LEVEL_CHOICES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenarios"].choices = scenario_choices()
        self.fields["industries"].choices = industry_choices()
        self.fields["category"].queryset = SolutionCategory.objects.all()
        self.fields["category"].empty_label = _("（解决方案必选）")
        self.fields["category"].help_text = _("仅解决方案填写")
        self.fields["product_type"].choices = [("", _("（产品/服务必选）"))] + list(ProductType.choices)
        self.fields["product_type"].help_text = _("仅产品/服务填写：管理/制造/服务/销售/设计/安全")
        self.fields["scenarios"].widget.attrs["class"] = CHOICES_CSS
        for name in ("price_min", "price_max"):
            self.fields[name].validators += [MinValueValidator(0), MaxValueValidator(PRICE_CAP)]
        self.fields["pilot_discount"].validators += [MinValueValidator(0), MaxValueValidator(100)]
        self.fields["deployment_days"].validators.append(MaxValueValidator(3650))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == OfferingKind.SOLUTION and not data.get("category"):
            self.add_error("category", _("解决方案须选择类别。"))
        if kind == OfferingKind.PRODUCT and not data.get("product_type"):
            self.add_error("product_type", _("产品/服务须选择类型。"))
        lo, hi = data.get("price_min"), data.get("price_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("price_max", _("价格上限不能低于下限。"))
        low, high = data.get("min_level"), data.get("max_level")
        if low is not None and high is not None and low > high:
            self.add_error("max_level", _("适用等级上限不能低于下限。"))
        return data


class OfferingReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("approve", _("通过并发布")), ("return", _("退回修改"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("审核意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("退回时必填"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = CHOICES_CSS

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", _("退回须填写审核意见。"))
        return data


# --- public catalogue filters ---------------------------------------------------------------------------

OFFERING_SORTS = {
    "name": ("name", "pk"), "-name": ("-name", "-pk"),
    "price": (F("price_min").asc(nulls_last=True), "pk"), "-price": (F("price_min").desc(nulls_last=True), "-pk"),
    "days": (F("deployment_days").asc(nulls_last=True), "pk"), "-days": (F("deployment_days").desc(nulls_last=True), "-pk"),
    "provider": ("provider__organisation__name", "pk"), "-provider": ("-provider__organisation__name", "-pk"),
    "new": ("-created_at", "-pk"), "-new": ("created_at", "pk"),
}


class CatalogueFilterForm(forms.Form):
    """Search and filters for the solutions and products lists; never fails on odd input."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("名称、简介、服务商或业务（如 库存）"), "type": "search"}))
    scenario = forms.ChoiceField(label=_("业务场景"), required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    deployment = forms.ChoiceField(label=_("部署方式"), required=False, choices=[("", _("全部"))] + list(Deployment.choices))
    price_from = forms.DecimalField(label=_("价格从（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    price_to = forms.DecimalField(label=_("价格至（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in OFFERING_SORTS])

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["scenario"].choices = [("", _("全部场景"))] + scenario_choices()
        self.fields["industry"].choices = [("", _("全部行业"))] + industry_choices()
        if kind == OfferingKind.SOLUTION:
            self.fields["category"].choices = [("", _("全部类别"))] + [(str(c.pk), c.name) for c in SolutionCategory.objects.all()]
        else:
            self.fields["category"].label = _("类型")
            self.fields["category"].choices = [("", _("全部类型"))] + list(ProductType.choices)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def apply(self, queryset):
        """Filters that validated are applied; one bad field never breaks the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        q = (data.get("q") or "").strip()
        if q:
            from shuzhuan.marketplace.needs import scenarios_for_query

            words = Q(name__icontains=q) | Q(summary__icontains=q) | Q(provider__organisation__name__icontains=q)
            for code in scenarios_for_query(q):  # 库存 / 仓库 find the warehouse products by their scenario
                words |= Q(scenarios__icontains=f'"{code}"')
            queryset = queryset.filter(words)
        if data.get("scenario"):
            queryset = queryset.filter(scenarios__icontains=f'"{data["scenario"]}"')
        if data.get("industry"):
            # an offering listing no industry is for every industry (通用)
            queryset = queryset.filter(Q(industries__icontains=f'"{data["industry"]}') | Q(industries=[]))
        if data.get("category"):
            if self.kind == OfferingKind.SOLUTION:
                queryset = queryset.filter(category_id=data["category"])
            else:
                queryset = queryset.filter(product_type=data["category"])
        if data.get("deployment"):
            queryset = queryset.filter(deployment=data["deployment"])
        if data.get("price_from") is not None:
            queryset = queryset.filter(Q(price_max__gte=data["price_from"]) | Q(price_max__isnull=True, price_min__gte=data["price_from"]))
        if data.get("price_to") is not None:
            queryset = queryset.filter(price_min__lte=data["price_to"])
        return queryset.order_by(*OFFERING_SORTS.get(data.get("sort") or "", ("name", "pk")))


PROVIDER_SORTS = {
    "name": ("organisation__name", "pk"), "-name": ("-organisation__name", "-pk"),
    "offerings": ("n_offerings", "pk"), "-offerings": ("-n_offerings", "-pk"),
    "admitted": (F("admitted_on").asc(nulls_last=True), "pk"), "-admitted": (F("admitted_on").desc(nulls_last=True), "-pk"),
    "stars": (F("stars").asc(nulls_first=True), "pk"), "-stars": (F("stars").desc(nulls_last=True), "pk"),
}


class ProviderFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("服务商名称或简介"), "type": "search"}))
    scenario = forms.ChoiceField(label=_("业务场景"), required=False)
    town = forms.ModelChoiceField(label=_("所在镇街"), required=False, queryset=Town.objects.filter(active=True),
                                  empty_label=_("全部镇街"))
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in PROVIDER_SORTS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [("", _("全部场景"))] + scenario_choices()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
