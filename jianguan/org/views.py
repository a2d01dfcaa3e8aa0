from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.lib.forms import add_service_errors
from jianguan.org import services
from jianguan.org.choices import CheckCategory
from jianguan.org.forms import DepartmentForm, RegionForm, ResponsibilityForm, WorkdayOverrideForm
from jianguan.org.models import Department, Region, WorkdayOverride
from jianguan.org.selectors import responsibility_matrix


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "org.manage")
    return render(request, "org/department_list.html", {"departments": Department.objects.all()})


@login_required
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, "org.manage")
    department = get_object_or_404(Department, pk=pk) if pk else None
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(actor=request.user, department=department, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("部门已保存。"))
            return redirect("org:department_list")
    return render(request, "org/object_form.html", {"form": form, "title": _("部门"), "back": "org:department_list"})


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "org.manage")
    return render(request, "org/region_list.html", {"regions": Region.objects.select_related("parent")})


@login_required
def region_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, "org.manage")
    region = get_object_or_404(Region, pk=pk) if pk else None
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        try:
            services.region_save(actor=request.user, region=region, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("行政区划已保存。"))
            return redirect("org:region_list")
    return render(request, "org/object_form.html", {"form": form, "title": _("行政区划"), "back": "org:region_list"})


@login_required
def responsibility_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "responsibilities.view")
    rows = responsibility_matrix()
    return render(
        request,
        "org/responsibility_list.html",
        {
            "rows": rows,
            "problems": [r for r in rows if r.problem],
            "can_edit": allowed(request.user, "responsibilities.manage"),
        },
    )


@login_required
def responsibility_edit(request: HttpRequest, category: str) -> HttpResponse:
    require(request.user, "responsibilities.manage")
    if category not in CheckCategory.values:
        raise Http404
    row = next(r for r in responsibility_matrix() if r.category == category)
    initial = {"lead": row.leads[0] if len(row.leads) == 1 else None, "supporting": row.supporting}
    form = ResponsibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.responsibility_set(
            actor=request.user,
            category=category,
            lead=form.cleaned_data["lead"],
            supporting=list(form.cleaned_data["supporting"]),
        )
        messages.success(request, _("“%(category)s”的职责分工已保存。") % {"category": row.label})
        return redirect("org:responsibility_list")
    return render(
        request,
        "org/object_form.html",
        {"form": form, "title": _("职责分工：") + row.label, "back": "org:responsibility_list"},
    )


@login_required
def workday_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "calendar.manage")
    form = WorkdayOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.workday_override_set(
                actor=request.user,
                day=form.cleaned_data["date"],
                is_working_day=form.cleaned_data["is_working_day"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("工作日调整已保存。"))
            return redirect("org:workday_list")
    return render(request, "org/workday_list.html", {"form": form, "overrides": WorkdayOverride.objects.all()})


@login_required
@require_POST
def workday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "calendar.manage")
    services.workday_override_delete(actor=request.user, override=get_object_or_404(WorkdayOverride, pk=pk))
    messages.success(request, _("工作日调整已删除。"))
    return redirect("org:workday_list")
