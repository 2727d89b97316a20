from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=64, initial="cli")


class BootstrapMixin:
    """Give every widget Bootstrap's classes, and mark invalid ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):  # RadioSelect covers CheckboxSelectMultiple
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
