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


def column_max(model, name: str, scale: int = 1):
    """The largest value a model's numeric column holds, divided by `scale` (10000 for a 万元 input
    of a yuan column): a form field's `max_value`, so an input the column cannot store is a form
    error rather than a database error (issue 10 item 5)."""
    from decimal import ROUND_DOWN, Decimal

    from django.core.validators import MaxValueValidator
    from django.db import models as m

    field = model._meta.get_field(name)
    if isinstance(field, m.DecimalField):
        places = field.decimal_places
        largest = Decimal("9" * (field.max_digits - places) + ("." + "9" * places if places else ""))
        return (largest / scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    if not limits:
        raise ValueError(f"{model.__name__}.{name} has no upper bound")
    return min(limits) // scale
