from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import User
from jianguan.accounts.services import LOGIN_INVALID, LOGIN_LOCKED, SecondStep, login_check
from jianguan.lib.clientip import client_ip
from jianguan.lib.forms import HtmlDateInput
from jianguan.lib.validators import PASSWORD_MAX_LENGTH
from jianguan.org.models import Department, Region
from jianguan.org.selectors import streets
from jianguan.registry.models import Institution

LOCKED_MESSAGE = _("登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后再试。")
INVALID_MESSAGE = _("用户名或密码不正确。")


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        self.second_step = False
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        data = super().clean()
        username, password = data.get("username", ""), data.get("password", "")
        if not username or not password:
            return data
        # The lock is checked before the password, so a locked account cannot be probed; the message is the same
        # whether or not the account exists.
        outcome = login_check(request=self.request, username=username, password=password, ip=client_ip(self.request))
        if outcome == LOGIN_LOCKED:
            minutes = int(settings.LOGIN_LOCKOUT_WINDOW.total_seconds() // 60)
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked", params={"minutes": minutes})
        if outcome == LOGIN_INVALID:
            raise forms.ValidationError(INVALID_MESSAGE, code="invalid")
        if isinstance(outcome, SecondStep):
            self.user, self.second_step = outcome.user, True
        else:
            self.user = outcome
        return data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(max_length=PASSWORD_MAX_LENGTH, label=_("原密码"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        label=_("新密码"),
        widget=forms.PasswordInput,
        help_text=_("至少 10 位，不能是常见密码或纯数字。"),
    )
    new_password2 = forms.CharField(max_length=PASSWORD_MAX_LENGTH, label=_("确认新密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class UserForm(forms.ModelForm):
    password = forms.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        label=_("初始密码"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("新建账户时必填。"),
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("负责街道/乡镇"), queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = ["username", "name", "phone", "role", "department", "is_department_head", "institution", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].required = True
        self.fields["role"].choices = Role.choices
        self.fields["streets"].queryset = streets()
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["institution"].queryset = Institution.objects.all()
        if self.instance.pk:
            self.fields["streets"].initial = list(self.instance.streets.values_list("pk", flat=True))
            del self.fields["password"]
            self.fields["username"].disabled = True
        else:
            self.fields["password"].required = True

    def _post_clean(self) -> None:
        # Validation of the model happens in the service, so the same rules apply to the web, the API and commands.
        pass


class OfficerProfileForm(forms.Form):
    certificate_number = forms.CharField(label=_("执法证号"), max_length=30)
    certificate_valid_until = forms.DateField(label=_("有效期至"), widget=HtmlDateInput())
    issued_by = forms.CharField(label=_("发证机关"), max_length=60, required=False)


class PasswordResetForm(forms.Form):
    password = forms.CharField(max_length=PASSWORD_MAX_LENGTH, label=_("新密码"), widget=forms.PasswordInput)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=60, help_text=_("例如：与区数据平台对接。"))
    days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        choices=[(180, _("180 天")), (30, _("30 天")), (90, _("90 天")), (365, _("365 天")), (0, _("不过期"))],
        initial=180,
    )
    read_only = forms.BooleanField(label=_("只读（只能查询，不能提交或修改）"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("验证器 App 中的 6 位数字；手机不在身边时可输入一个恢复码。"),
    )
