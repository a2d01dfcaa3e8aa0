from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.courses import selectors, services
from jianguan.courses.choices import Mode
from jianguan.courses.forms import ClassFilter, ClassForm, CourseForm
from jianguan.courses.models import ClassGroup, Course
from jianguan.lib.conflict import Conflict
from jianguan.lib.forms import VersionForm, add_service_errors, paginate
from jianguan.lib.params import choice_param, id_param, text_param
from jianguan.org.selectors import streets
from jianguan.registry.models import Institution

STATE_LABELS = {"current": gettext_lazy("在开"), "upcoming": gettext_lazy("未开班"), "ended": gettext_lazy("已结课")}


def _rows(classes: Any, today: Any) -> list[tuple[ClassGroup, str, Any]]:
    """Each class with its state (current, upcoming, ended) and the state's label."""
    rows = []
    for c in classes:
        state = selectors.class_state(c, today)
        rows.append((c, state, STATE_LABELS[state]))
    return rows


def _institution(request: HttpRequest, pk: int, permission: str) -> Institution:
    require(request.user, permission)
    return get_visible_or_404(Institution.objects.select_related("street"), request.user, pk=pk)


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    """The district's classes (a street's, an institution's own), with simple filters."""
    require(request.user, "courses.view")
    today = timezone.localdate()
    params = {
        "q": text_param(request.GET, "q"),
        "street": id_param(request.GET, "street"),
        "academic": choice_param(request.GET, "academic", ("0", "1")),
        "mode": choice_param(request.GET, "mode", Mode.values),
        "state": choice_param(request.GET, "state", selectors.CLASS_STATES),
    }
    classes = selectors.filtered_classes(selectors.classes_for(request.user), today, **params)
    page = paginate(request, classes, 50)
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    context = {
        "form": ClassFilter(request.GET or None, streets=streets()), "page": page, "query": query.urlencode(),
        "rows": _rows(page, today),
        "own_institution": user.institution_id if user.role == Role.INSTITUTION else None,
    }  # fmt: skip
    return render(request, "courses/class_list.html", context)


@login_required
def institution_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One institution's courses and classes: its self-service page, and what staff read."""
    institution = _institution(request, pk, "courses.view")
    today = timezone.localdate()
    classes = list(selectors.classes_of(request.user, institution))
    context = {
        "institution": institution, "courses": list(selectors.courses_of(request.user, institution)),
        "rows": _rows(classes, today),
        "can_manage": allowed(request.user, "courses.manage"),
    }  # fmt: skip
    return render(request, "courses/institution.html", context)


def _back(institution_id: int) -> HttpResponse:
    return redirect("courses:institution", pk=institution_id)


@login_required
def course_new(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk, "courses.manage")
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_create(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加课程。"))
            return _back(institution.pk)
    context = {"form": form, "institution": institution, "title": _("添加课程")}
    return render(request, "courses/form.html", context, status=400 if form.errors else 200)


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "courses.manage")
    course = get_visible_or_404(Course.objects.select_related("institution"), request.user, pk=pk)
    initial = {"name": course.name, "subject": course.subject, "academic": course.academic, "mode": course.mode}
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return _back(course.institution_id)
    context = {"form": form, "institution": course.institution, "title": _("修改课程"), "course": course}
    return render(request, "courses/form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def course_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "courses.manage")
    course = get_visible_or_404(Course.objects.select_related("institution"), request.user, pk=pk)
    try:
        services.course_delete(actor=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已删除课程。"))
    return _back(course.institution_id)


def _class_data(form: ClassForm) -> tuple[int | None, dict[str, Any]]:
    data = dict(form.cleaned_data)
    return data.pop("version", None), data


@login_required
def class_new(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk, "courses.manage")
    form = ClassForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        _version, data = _class_data(form)
        try:
            services.class_create(actor=request.user, institution=institution, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已添加班级。"))
            return _back(institution.pk)
    context = {"form": form, "institution": institution, "title": _("添加班级")}
    return render(request, "courses/form.html", context, status=400 if form.errors else 200)


def _class(request: HttpRequest, pk: int) -> ClassGroup:
    require(request.user, "courses.manage")
    return get_visible_or_404(ClassGroup.objects.select_related("institution", "course"), request.user, pk=pk)


@login_required
def class_edit(request: HttpRequest, pk: int) -> HttpResponse:
    class_group = _class(request, pk)
    initial = {
        "version": class_group.version, "course": class_group.course_id, "name": class_group.name,
        "teacher": class_group.teacher_id, "capacity": class_group.capacity, "start_date": class_group.start_date,
        "end_date": class_group.end_date, "weekdays": list(class_group.weekdays),
        "start_time": class_group.start_time, "end_time": class_group.end_time,
    }  # fmt: skip
    form = ClassForm(
        request.POST or None, institution=class_group.institution, initial=initial,
        current_teacher_id=class_group.teacher_id,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        version, data = _class_data(form)
        try:
            services.class_update(actor=request.user, class_group=class_group, version=version, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return _back(class_group.institution_id)
        else:
            messages.success(request, _("已保存。"))
            return _back(class_group.institution_id)
    context = {
        "form": form, "institution": class_group.institution, "title": _("修改班级"), "class_group": class_group,
    }  # fmt: skip
    return render(request, "courses/form.html", context, status=400 if form.errors else 200)


def _class_step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    """A POST button on a class (end it, remove it): a refusal or a stale page comes back as a message."""
    class_group = _class(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        step(actor=request.user, class_group=class_group, version=version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return _back(class_group.institution_id)


@login_required
@require_POST
def class_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _class_step(request, pk, services.class_end, _("班级已结课。"))


@login_required
@require_POST
def class_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _class_step(request, pk, services.class_delete, _("已删除班级。"))
