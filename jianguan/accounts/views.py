from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jianguan.accounts import services
from jianguan.accounts.choices import Role
from jianguan.accounts.forms import (
    ApiTokenForm,
    LoginForm,
    OfficerProfileForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserForm,
)
from jianguan.accounts.models import ApiToken, OfficerProfile, User
from jianguan.accounts.permissions import require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.forms import add_service_errors, paginate
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
        login(request, form.user)
        return redirect(next_url or "home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


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
