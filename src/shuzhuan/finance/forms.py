from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.forms import BootstrapMixin
from shuzhuan.finance.domain import filing as fd
from shuzhuan.finance.models import BankProfile, Collateral

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0.01")}


class ProductForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("产品名称"), max_length=100)
    summary = forms.CharField(label=_("产品简介"), max_length=300, required=False)
    rate_min = forms.DecimalField(label=_("年利率下限（%）"), **RATE)
    rate_max = forms.DecimalField(label=_("年利率上限（%）"), **RATE)
    term_months_min = forms.IntegerField(label=_("期限下限（月）"), min_value=1, max_value=360)
    term_months_max = forms.IntegerField(label=_("期限上限（月）"), min_value=1, max_value=360)
    amount_min = forms.DecimalField(label=_("额度下限（元）"), min_value=Decimal("0.01"), **MONEY)
    amount_max = forms.DecimalField(label=_("额度上限（元）"), min_value=Decimal("0.01"), **MONEY)
    collateral = forms.ChoiceField(label=_("担保方式"), choices=Collateral.choices)
    target_firms = forms.CharField(label=_("适用企业"), max_length=300, required=False)
    published = forms.BooleanField(label=_("上架（公开展示）"), required=False)


class FilingForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=200)
    approval_number = forms.CharField(label=_("投资项目备案（核准）编号"), max_length=64)
    provider_name = forms.CharField(label=_("实施服务商"), max_length=200)
    contract_amount = forms.DecimalField(label=_("合同金额（元）"), min_value=Decimal("0.01"), **MONEY)
    digital_systems = forms.DecimalField(label=_("其中：数字化系统（元）"), min_value=0, initial=0, **MONEY)
    industrial_software = forms.DecimalField(label=_("其中：工业控制软件（元）"), min_value=0, initial=0, **MONEY)
    production_lines = forms.DecimalField(label=_("其中：生产线（元）"), min_value=0, initial=0, **MONEY)
    supporting_equipment = forms.DecimalField(label=_("其中：配套设备（元）"), min_value=0, initial=0, **MONEY)
    civil_works = forms.DecimalField(label=_("其中：土建工程（元，不予支持）"), min_value=0, initial=0, required=False,
                                     **MONEY)
    loan_demand = forms.DecimalField(label=_("融资需求（元）"), min_value=Decimal("0.01"), **MONEY)
    banks = forms.ModelMultipleChoiceField(label=_("意向银行"), queryset=BankProfile.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["banks"].queryset = BankProfile.objects.select_related("organisation").order_by("organisation__name")
        self.fields["banks"].widget.attrs["class"] = ""

    def items(self) -> dict[str, Decimal]:
        data = self.cleaned_data
        items = {k: data.get(k) or Decimal("0.00") for k in fd.CATEGORIES}
        items[fd.CIVIL_WORKS] = data.get("civil_works") or Decimal("0.00")
        return items


class ReviewForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)
