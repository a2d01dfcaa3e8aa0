"""Pages for 从业人员: the institution's own (self-service, phone-first), the staff-side lists and export, and the
district's 限制从业 list. ID numbers are full only where staff.selectors says the reader has the need."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.forms import add_service_errors, paginate
from jianguan.registry.models import Institution
from jianguan.rules import limits
from jianguan.staff import exports, services
from jianguan.staff.choices import StaffRole
from jianguan.staff.filters import StaffFilter
from jianguan.staff.forms import BarredForm, HealthCertForm, LeaveForm, LiftForm, RecordCheckForm, StaffForm
from jianguan.staff.models import BarredPerson, StaffMember
from jianguan.staff.selectors import (
    barred_visible,
    id_number_shown,
    institution_staff,
    may_see_id_numbers,
    may_see_id_numbers_in_lists,
    restrict_cases,
    staff_visible,
)

# A record check older than this is due again (未成年人保护法 第六十二条: every year); shown as a hint only, the
# rule itself is checked in jianguan/rules.


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The menu entry: an institution user's own staff page, the district list for everyone else."""
    user: Any = request.user
    if user.role == Role.INSTITUTION and user.institution_id:
        return redirect("staff:institution_staff", pk=user.institution_id)
    return redirect("staff:staff_list")


def _filtered(request: HttpRequest) -> tuple[StaffFilter, Any]:
    # The district list is for the supervisors; an institution has its own page.
    require(request.user, "institutions.view")
    form = StaffFilter(request.GET or None)
    form.is_valid()
    return form, form.apply(staff_visible(request.user))


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = paginate(request, qs, per_page=50)
    full = may_see_id_numbers_in_lists(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(m, id_number_shown(m, full)) for m in page.object_list],
        "query": query.urlencode(),
        "may_see_barred": allowed(request.user, "barred.view"),
    }
    return render(request, "staff/staff_list.html", context)


@login_required
def staff_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _form, qs = _filtered(request)
    full = may_see_id_numbers_in_lists(request.user)
    if full:
        services.id_numbers_exported(actor=request.user, rows=qs.count(), filters=request.GET.urlencode(), fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.staff_csv(qs, full_ids=full), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="staff-{stamp}.csv"'
        return response
    path = exports.staff_xlsx(qs, full_ids=full)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"从业人员-{stamp}.xlsx")  # noqa: SIM115
    Path(path).unlink()  # the open handle keeps the data until the response is sent
    return response


def _hints(member: StaffMember, today: Any) -> list[str]:
    """What the institution should see at a glance on its own list, at once after a change (the same limits as the
    daily check, rules/limits.py; the warnings themselves are the check's)."""
    hints = []
    if member.end_date is None or member.end_date >= today:
        if member.record_check_date is None:
            hints.append(_("未登记违法犯罪记录查询"))
        elif not limits.record_check_ok(member.record_check_date, today):
            hints.append(_("违法犯罪记录查询已超过一年"))
        food = member.handles_food or member.role == StaffRole.COOK
        if food and (member.health_cert_valid_until is None or member.health_cert_valid_until < today):
            hints.append(_("健康证明缺失或已过期"))
        if member.teaches_academic and not member.teacher_cert_number:
            hints.append(_("学科类培训未登记教师资格证"))
    return hints


@login_required
def institution_staff_page(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "staff.view")
    institution = get_visible_or_404(Institution.objects.select_related("street"), request.user, pk=pk)
    full = may_see_id_numbers(request.user, institution)
    today = timezone.localdate()
    current, left = [], []
    for member in institution_staff(request.user, institution):
        row = (member, id_number_shown(member, full), _hints(member, today))
        (left if member.end_date is not None and member.end_date < today else current).append(row)
    context = {
        "obj": institution,
        "current": current,
        "left": left,
        "can_manage": allowed(request.user, "staff.manage"),
        "is_own": request.user.role == Role.INSTITUTION,
        "today": today,
    }
    return render(request, "staff/institution_staff.html", context)


def _back(member_or_institution: StaffMember | Institution) -> str:
    pk = (
        member_or_institution.institution_id
        if isinstance(member_or_institution, StaffMember)
        else member_or_institution.pk
    )
    return reverse("staff:institution_staff", kwargs={"pk": pk})


def _member(request: HttpRequest, pk: int) -> StaffMember:
    member = get_visible_or_404(StaffMember.objects.select_related("institution"), request.user, pk=pk)
    require(request.user, "staff.manage")
    return member


@login_required
def staff_create(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    require(request.user, "staff.manage")
    form = StaffForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_create(actor=request.user, institution=institution, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记从业人员 %(name)s。") % {"name": form.cleaned_data["name"]})
            return redirect(_back(institution))
    return render(request, "staff/staff_form.html", {"obj": institution, "form": form, "member": None})


@login_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    initial = {name: getattr(member, name) for name in services.STAFF_FIELDS if name != "end_date"}
    initial["version"] = member.version
    form = StaffForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(
                actor=request.user, member=member, version=form.cleaned_data["version"], **form.service_fields()
            )
        except services.StaffConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_back(member))
    context = {"obj": member.institution, "form": form, "member": member, "leave_form": LeaveForm()}
    return render(request, "staff/staff_form.html", context)


@login_required
@require_POST
def staff_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写离职日期。"))
        return redirect(_back(member))
    try:
        services.staff_leave(
            actor=request.user, member=member, end_date=form.cleaned_data["end_date"],
            version=form.cleaned_data["version"],
        )  # fmt: skip
    except (services.StaffConflict, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("已登记 %(name)s 离职。") % {"name": member.name})
    return redirect(_back(member))


def _small_form(
    request: HttpRequest, pk: int, form_class: type, title: str, save: Callable[[StaffMember, dict], Any]
) -> HttpResponse:
    member = _member(request, pk)
    initial = {name: getattr(member, name, None) for name in form_class.base_fields if name != "version"}
    initial["version"] = member.version
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(member, form.cleaned_data)
        except services.StaffConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_back(member))
    return render(request, "staff/member_action.html", {"member": member, "form": form, "title": title})


@login_required
def staff_check(request: HttpRequest, pk: int) -> HttpResponse:
    def save(member: StaffMember, data: dict) -> Any:
        return services.staff_record_check(
            actor=request.user, member=member, check_date=data["record_check_date"],
            result=data["record_check_result"], version=data["version"],
        )  # fmt: skip

    return _small_form(request, pk, RecordCheckForm, _("登记违法犯罪记录查询"), save)


@login_required
def staff_health(request: HttpRequest, pk: int) -> HttpResponse:
    def save(member: StaffMember, data: dict) -> Any:
        return services.staff_health_cert(
            actor=request.user, member=member, number=data["health_cert_number"],
            valid_until=data["health_cert_valid_until"], version=data["version"],
        )  # fmt: skip

    return _small_form(request, pk, HealthCertForm, _("登记健康证明"), save)


# ------------------------------------------------------------------------------------------------- barred list


@login_required
def barred_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "barred.view")
    full = allowed(request.user, "staff.id_numbers")
    qs = barred_visible(request.user)
    show = request.GET.get("show", "")
    if show == "lifted":
        qs = qs.filter(lifted_at__isnull=False)
    elif show != "all":
        qs = qs.filter(lifted_at__isnull=True)
    page = paginate(request, qs, per_page=50)
    context = {
        "page": page,
        "rows": [(p, id_number_shown(p, full)) for p in page.object_list],
        "show": show if show in ("lifted", "all") else "",
        "can_manage": allowed(request.user, "barred.manage"),
        "today": timezone.localdate(),
    }
    return render(request, "staff/barred_list.html", context)


@login_required
def barred_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "barred.manage")
    cases = restrict_cases(request.user)
    form = BarredForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        case_id = data.pop("case")
        case = form.cases.get(case_id) if case_id else None
        try:
            services.barred_add(actor=request.user, case=case, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已列入限制从业人员名单。"))
            return redirect("staff:barred_list")
    return render(request, "staff/barred_form.html", {"form": form})


@login_required
def barred_lift(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "barred.manage")
    person = get_visible_or_404(BarredPerson.objects.all(), request.user, pk=pk)
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.barred_lift(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        except services.StaffConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已撤销 %(name)s 的限制从业。") % {"name": person.name})
            return redirect("staff:barred_list")
    full = allowed(request.user, "staff.id_numbers")
    context = {"person": person, "id_shown": id_number_shown(person, full), "form": form}
    return render(request, "staff/barred_lift.html", context)
