from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jianguan.accounts import services, twofactor
from jianguan.accounts.choices import Role
from jianguan.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    LoginForm,
    OfficerProfileForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserForm,
)
from jianguan.accounts.models import ApiToken, OfficerProfile, User
from jianguan.accounts.permissions import may_use_api_tokens, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.clientip import client_ip
from jianguan.lib.forms import add_service_errors, attempt, paginate
from jianguan.lib.params import choice_param, text_param


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.second_step:
            # The password was right; the sign-in waits for a code (or, where the role requires one and none is
            # set up yet, for the authenticator to be added).
            request.session[PENDING] = {"user": form.user.pk, "at": time.time(), "next": next_url}
            return redirect("accounts:login_verify")
        login(request, form.user)
        return redirect(next_url or "home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("password")
@require_POST
def login_again(request: HttpRequest) -> HttpResponse:
    """The on-site form's session ran out while it held unsent results: the officer types the password in a dialog
    and the queue goes on. Only the account the page belongs to; with a second step it sends them to the login page
    (in a new window, so the form and its queue stay)."""
    form = LoginForm(request, data=request.POST)
    if not form.is_valid():
        message = "；".join(m for errors in form.errors.values() for m in errors)
        return JsonResponse({"status": "invalid", "message": message}, status=400)
    if form.second_step:
        message = _("您的账户登录需要两步验证，请点击“在新窗口登录”完成登录后再回到本页。")
        return JsonResponse({"status": "two_factor", "message": message}, status=403)
    login(request, form.user)
    return JsonResponse({"status": "ok", "csrf": get_token(request)})


PENDING = "jianguan_2fa_pending"
PENDING_SECONDS = 300


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, pending.get("next", "")


SECRET = "jianguan_2fa_secret"


def _pending_secret(request: HttpRequest, *, fresh: bool) -> str:
    """The secret being set up, kept in the (server-side) session until its first code confirms it."""
    if fresh or not request.session.get(SECRET):
        request.session[SECRET] = twofactor.new_secret()
    return request.session[SECRET]


def _qr_data_uri(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@sensitive_post_parameters("code")
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in: the code from the authenticator App, or a recovery code; or, the first time for a
    role that requires it, adding the App (scan, confirm, keep the recovery codes)."""
    user, next_url = _pending_user(request)
    if user is None:
        messages.error(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    enrolling = not twofactor.enabled_for(user)
    if enrolling:
        secret = _pending_secret(request, fresh=request.method == "GET")
        if request.method == "POST" and form.is_valid():
            try:
                codes = twofactor.two_factor_confirm(actor=user, secret=secret, code=form.cleaned_data["code"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                services.login_attempt_record(username=user.username, ip=client_ip(request), user=user)
                request.session.pop(PENDING, None)
                request.session.pop(SECRET, None)
                login(request, user)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url or "/"})
        context = {"form": form, "enrolling": True, "secret": secret,
                   "qr": _qr_data_uri(twofactor.provisioning_uri_for(user, secret))}  # fmt: skip
        return render(request, "accounts/login_verify.html", context)
    if request.method == "POST" and form.is_valid():
        try:
            ok = twofactor.two_factor_verify(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except PermissionDenied as exc:
            request.session.pop(PENDING, None)
            messages.error(request, str(exc))
            return redirect("accounts:login")
        if ok:
            request.session.pop(PENDING, None)
            login(request, user)
            return redirect(next_url or "home")
        form.add_error("code", _("验证码不正确或已用过，请输入验证器中当前显示的 6 位数字。"))
    return render(request, "accounts/login_verify.html", {"form": form, "enrolling": False})


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """One's own two-step sign-in: turn it on (scan, confirm), new recovery codes, or off where the role allows."""
    user = request.user
    enabled = twofactor.enabled_for(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST":
        if action == "confirm" and form.is_valid():
            try:
                codes = twofactor.two_factor_confirm(
                    actor=user, secret=_pending_secret(request, fresh=False), code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session.pop(SECRET, None)
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"})
        elif action == "recovery" and enabled:
            codes = twofactor.two_factor_new_recovery_codes(actor=user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"})
        elif action == "disable":
            attempt(request, lambda: twofactor.two_factor_disable(actor=user, user=user), _("两步验证已关闭。"))
            return redirect("accounts:two_factor")
    secret = "" if enabled else _pending_secret(request, fresh=request.method == "GET")
    context = {
        "enabled": enabled,
        "required": twofactor.required_for(user),
        "form": form,
        "secret": secret,
        "qr": _qr_data_uri(twofactor.provisioning_uri_for(user, secret)) if secret else "",
        "left": len(user.two_factor.recovery_hashes) if enabled else 0,
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_POST
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator resets someone's two-step sign-in (a lost phone); they add the App again at the next sign-in."""
    require(request.user, "users.manage")
    user = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    attempt(request, lambda: twofactor.two_factor_disable(actor=request.user, user=user), _("该账户的两步验证已重置。"))
    return redirect("accounts:user_detail", pk=user.pk)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@login_required
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "users.manage")
    users = User.objects.visible_to(request.user).select_related("department", "institution", "officer_profile")
    users = users.prefetch_related("streets")
    q = text_param(request.GET, "q", max_length=50)
    if q:
        users = users.filter(Q(name__icontains=q) | Q(username__icontains=q))
    role = choice_param(request.GET, "role", Role.values)
    if role:
        users = users.filter(role=role)
    page = paginate(request, users.order_by("role", "id"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "role": role, "roles": Role.choices})


def _user_form_fields(form: UserForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("password", None)
    data["streets"] = list(data.pop("streets", []))
    if form.instance.pk:
        data.pop("username", None)
    return data


@login_required
@sensitive_post_parameters("password")
def user_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "users.manage")
    form = UserForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user, password=form.cleaned_data["password"], **_user_form_fields(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("账户“%(name)s”已创建。") % {"name": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "users.manage")
    user = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **_user_form_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("账户已保存。"))
            return redirect("accounts:user_detail", pk=user.pk)
    profile = OfficerProfile.objects.filter(user=user).first()
    officer_form = OfficerProfileForm(
        initial={
            "certificate_number": profile.certificate_number,
            "certificate_valid_until": profile.certificate_valid_until,
            "issued_by": profile.issued_by,
        }
        if profile
        else None
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "obj": user,
            "form": form,
            "officer_form": officer_form,
            "profile": profile,
            "reset_form": PasswordResetForm(),
        },
    )


@login_required
@require_POST
def user_officer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "users.manage")
    user = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    form = OfficerProfileForm(request.POST)
    if form.is_valid():
        try:
            services.officer_profile_set(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("执法证信息已保存。"))
    else:
        messages.error(request, _("执法证信息填写有误：") + "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
@sensitive_post_parameters("password")
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "users.manage")
    user = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_password_reset(actor=request.user, user=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("密码已重置。"))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if not may_use_api_tokens(request.user):
        raise PermissionDenied(_("本平台未开放机构账户使用 API 令牌。"))
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                read_only=form.cleaned_data["read_only"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.visible_to(request.user)
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_visible_or_404(ApiToken.objects.all(), request.user, pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("accounts:token_list")
