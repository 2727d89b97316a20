from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=64, initial="cli")
