from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhuan.core.forms import BootstrapMixin, column_max
from shuzhuan.core.models import Town
from shuzhuan.registry.models import Enterprise, EnterpriseYear, IndustryClass

OFFICER_FIELDS = (
    "legal_representative", "town", "address", "industry", "founded_on", "zjtx_tier", "high_tech",
    "chain_leader", "cultivation_directory", "on_cloud", "contact_name", "contact_phone", "contact_email",
)
# An enterprise keeps its own contact details and address; classification stays with the officers.
ENTERPRISE_FIELDS = ("legal_representative", "address", "contact_name", "contact_phone", "contact_email")


class EnterpriseForm(BootstrapMixin, forms.ModelForm):
    name = forms.CharField(label=_("企业名称"), max_length=200)
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False,
                             help_text=_("记入档案变更历史"))

    class Meta:
        model = Enterprise
        fields = OFFICER_FIELDS
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = self.instance.organisation.name
        self.fields["industry"].queryset = IndustryClass.objects.filter(level="class")
        self.fields["industry"].label_from_instance = lambda obj: f"{obj.code} {obj.name}"
        if user is not None and not user.city_wide:
            if user.role == "town_officer":
                self.fields["town"].queryset = Town.objects.filter(pk=user.town_id)
            else:
                for field in set(OFFICER_FIELDS) - set(ENTERPRISE_FIELDS) | {"name"}:
                    self.fields.pop(field, None)

    def profile_values(self) -> dict:
        return {f: self.cleaned_data[f] for f in OFFICER_FIELDS if f in self.fields}


class YearForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    employees = forms.IntegerField(label=_("从业人数"), min_value=0, max_value=column_max(EnterpriseYear, "employees"),
                                   required=False)
    revenue = forms.DecimalField(label=_("营业收入（元）"), min_value=0, max_digits=16, decimal_places=2, required=False)
    tax = forms.DecimalField(label=_("纳税总额（元）"), min_value=0, max_digits=16, decimal_places=2, required=False)
