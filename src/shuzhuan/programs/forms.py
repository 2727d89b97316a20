from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.core.models import Role, User
from shuzhuan.programs.domain import workflow as wf

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE = forms.DateInput(attrs={"type": "date"})


class ProjectCreateForm(BootstrapMixin, forms.Form):
    listing = forms.ModelChoiceField(label=_("试点计划"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("项目名称"), max_length=200)

    def __init__(self, *args, listings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = listings
        self.fields["listing"].label_from_instance = lambda listing: listing.programme.name


class ContractForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    provider = forms.ModelChoiceField(label=_("服务商（供给资源池）"), queryset=None, required=False,
                                      empty_label=_("请选择在池服务商"))
    contract_no = forms.CharField(label=_("合同编号"), max_length=64, required=False)
    contract_amount = forms.DecimalField(label=_("合同金额（元）"), required=False, **MONEY)
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=DATE)
    payee_bank = forms.CharField(label=_("收款开户行"), max_length=100, required=False)
    payee_account = forms.RegexField(label=_("收款账号"), regex=r"^[0-9]{8,34}$", max_length=34, required=False,
                                     error_messages={"invalid": _("收款账号应为 8–34 位数字")},
                                     help_text=_("企业本身的对公账户；补助按拨付清单汇入此账户"))

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class ItemForm(BootstrapMixin, forms.Form):
    category = forms.ChoiceField(label=_("费用类别"))
    amount = forms.DecimalField(label=_("金额（元）"), **MONEY)
    description = forms.CharField(label=_("内容"), max_length=200, required=False)

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list((categories or {}).items())


class MilestoneForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("里程碑"), max_length=200)
    due_on = forms.DateField(label=_("计划日期"), widget=DATE)


class DocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=[(k.code, k.label) for k in wf.DOCUMENT_KINDS])
    file = forms.FileField(label=_("文件"))


class ReasonForm(BootstrapMixin, forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AssignExpertForm(BootstrapMixin, forms.Form):
    expert = forms.ModelChoiceField(label=_("评审专家"), queryset=User.objects.none(), empty_label=_("请选择"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = User.objects.filter(role=Role.EXPERT, is_active=True).order_by("username")


class ExpertOpinionForm(BootstrapMixin, forms.Form):
    score = forms.DecimalField(label=_("评分（0–100）"), min_value=Decimal("0"), max_value=Decimal("100"),
                               max_digits=5, decimal_places=2)
    recommend = forms.TypedChoiceField(label=_("评审结论"), choices=[("1", _("建议通过")), ("0", _("建议不通过"))],
                                       coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    opinion = forms.CharField(label=_("评审意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class SatisfactionForm(BootstrapMixin, forms.Form):
    score = forms.TypedChoiceField(label=_("满意度"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")),
                                            (1, _("1 很不满意"))])
    comment = forms.CharField(label=_("评价"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ApplyForm(BootstrapMixin, forms.Form):
    programme = forms.ModelChoiceField(label=_("试点计划"), queryset=None, empty_label=None)
    note = forms.CharField(label=_("申请说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class BuildBatchForm(BootstrapMixin, forms.Form):
    programme = forms.ModelChoiceField(label=_("试点计划"), queryset=None, empty_label=None)
    month = forms.DateField(label=_("批次月份"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
