from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.lib import workdays
from jianguan.lib.excel import temp_xlsx_path
from jianguan.lib.forms import add_service_errors
from jianguan.lib.params import choice_param
from jianguan.org import matrix_io, services
from jianguan.org.choices import CheckCategory
from jianguan.org.forms import (
    CalendarYearForm,
    DepartmentForm,
    HolidayNoticeForm,
    MatrixImportForm,
    RegionForm,
    ResponsibilityForm,
    WorkdayOverrideForm,
)
from jianguan.org.models import Department, Region, WorkdayOverride
from jianguan.org.selectors import Competence, calendar_years, month_grids, responsibility_matrix
from jianguan.registry.choices import InstitutionKind

WEEKDAY_NAMES = [_lazy("一"), _lazy("二"), _lazy("三"), _lazy("四"), _lazy("五"), _lazy("六"), _lazy("日")]


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
            "kinds": InstitutionKind.choices,
            "problems": [(row, cell) for row in rows for cell in row.problems],
            "can_edit": allowed(request.user, "responsibilities.manage"),
            "import_form": MatrixImportForm(),
        },
    )


@login_required
def responsibility_edit(request: HttpRequest, category: str) -> HttpResponse:
    """One entry of the matrix: the category (or an item code of it) for one kind or for every kind (?kind=&item=)."""
    require(request.user, "responsibilities.manage")
    if category not in CheckCategory.values:
        raise Http404
    kind = choice_param(request.GET, "kind", InstitutionKind.values) or ""
    code = request.GET.get("item", "")[:40]
    leads, supporting = Competence().entry(kind, category, code)
    initial = {
        "institution_kind": kind, "item_code": code, "lead": leads[0] if len(leads) == 1 else None,
        "supporting": supporting,
    }  # fmt: skip
    form = ResponsibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.responsibility_set(
                actor=request.user,
                category=category,
                institution_kind=data["institution_kind"],
                item_code=data["item_code"],
                lead=data["lead"],
                supporting=list(data["supporting"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("“%(category)s”的职责分工已保存。") % {"category": CheckCategory(category).label}
            )
            return redirect("org:responsibility_list")
    return render(
        request,
        "org/object_form.html",
        {
            "form": form,
            "title": _("职责分工：") + str(CheckCategory(category).label),
            "back": "org:responsibility_list",
        },
    )


@login_required
def responsibility_export(request: HttpRequest) -> FileResponse:
    require(request.user, "responsibilities.view")
    path = temp_xlsx_path()
    matrix_io.write_export(path)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename="职责分工.xlsx")  # noqa: SIM115
    Path(path).unlink()
    return response


@login_required
@require_POST
def responsibility_import(request: HttpRequest) -> HttpResponse:
    """The whole matrix from an edited export: replaced only when every row is understood; otherwise each row's
    problem is shown and nothing changes."""
    require(request.user, "responsibilities.manage")
    form = MatrixImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("org:responsibility_list")
    path = temp_xlsx_path()
    try:
        with open(path, "wb") as out:
            for chunk in form.cleaned_data["file"].chunks():
                out.write(chunk)
        read = matrix_io.read_matrix(path)
    finally:
        Path(path).unlink(missing_ok=True)
    if read.errors:
        messages.error(request, _("职责分工表未导入，矩阵未作任何修改：") + " ".join(read.errors[:20]))
        return redirect("org:responsibility_list")
    count = services.responsibility_import(actor=request.user, entries=read.entries)
    messages.success(request, _("已导入职责分工 %(n)s 条，原有矩阵已替换。") % {"n": count})
    return redirect("org:responsibility_list")


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
    today = timezone.localdate()
    shown = CalendarYearForm(request.GET)
    year = (shown.cleaned_data["year"] if shown.is_valid() else None) or today.year
    context = {
        "form": form,
        "overrides": WorkdayOverride.objects.filter(notice=None),
        "years": calendar_years(today),
        "year": year,
        "months": month_grids(year, workdays.is_working_day) if workdays.year_is_known(year) else [],
        "weekday_names": WEEKDAY_NAMES,
    }
    return render(request, "org/workday_list.html", context)


@login_required
def holiday_notice(request: HttpRequest) -> HttpResponse:
    """Paste the State Council's notice, see the year it makes, then import it (two steps, nothing stored before)."""
    require(request.user, "calendar.manage")
    form = HolidayNoticeForm(request.POST or None)
    parsed = None
    if request.method == "POST" and form.is_valid():
        text, year = form.cleaned_data["text"], form.cleaned_data["year"]
        try:
            if "import" in request.POST:
                notice = services.holiday_notice_import(actor=request.user, text=text, year=year)
                messages.success(request, _("%(year)s年节假日安排已导入，期限将按其计算。") % {"year": notice.year})
                return redirect(f"{reverse('org:workday_list')}?year={notice.year}")
            parsed = services.holiday_notice_read(text, year=year)
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {
        "form": form,
        "parsed": parsed,
        "months": month_grids(parsed.year, parsed.is_working_day) if parsed else [],
        "weekday_names": WEEKDAY_NAMES,
    }
    return render(request, "org/holiday_notice.html", context)


@login_required
@require_POST
def workday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "calendar.manage")
    services.workday_override_delete(actor=request.user, override=get_object_or_404(WorkdayOverride, pk=pk))
    messages.success(request, _("工作日调整已删除。"))
    return redirect("org:workday_list")
