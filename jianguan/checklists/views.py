from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import allowed, require
from jianguan.checklists import services
from jianguan.checklists.forms import ChecklistForm, ItemForm
from jianguan.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from jianguan.checklists.selectors import checklists_with_versions, version_items
from jianguan.lib.forms import add_service_errors, attempt


@login_required
def checklist_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "checklists.view")
    context = {"checklists": checklists_with_versions(), "can_manage": allowed(request.user, "checklists.manage")}
    return render(request, "checklists/checklist_list.html", context)


@login_required
def checklist_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "checklists.manage")
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("检查表已创建，请添加检查项后发布。"))
            return redirect("checklists:version_detail", pk=checklist.versions.get().pk)
    return render(request, "checklists/checklist_form.html", {"form": form})


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "checklists.view")
    version = get_object_or_404(ChecklistVersion.objects.select_related("checklist"), pk=pk)
    context = {
        "version": version,
        "rows": version_items(version),
        # Which inspections used which version (a published version never changes; a correction is a new one).
        "versions": version.checklist.versions.annotate(used=Count("inspections")),
        "can_manage": allowed(request.user, "checklists.manage"),
    }
    return render(request, "checklists/version_detail.html", context)


@login_required
def item_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    require(request.user, "checklists.manage")
    version = get_object_or_404(ChecklistVersion.objects.select_related("checklist"), pk=pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, version=version) if item_pk else None
    if not version.is_draft:
        messages.error(request, _("已发布或归档的版本不能修改；请新建草稿版本。"))
        return redirect("checklists:version_detail", pk=version.pk)
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(actor=request.user, version=version, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("检查项已保存。"))
            return redirect("checklists:version_detail", pk=version.pk)
    return render(request, "checklists/item_form.html", {"form": form, "version": version, "item": item})


def _post_action(request: HttpRequest, version: ChecklistVersion, action, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    ok, result = attempt(request, action, done)
    return redirect("checklists:version_detail", pk=getattr(result, "pk", version.pk) if ok else version.pk)


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    version = get_object_or_404(ChecklistVersion, pk=pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, version=version)
    return _post_action(
        request, version, lambda: services.item_delete(actor=request.user, item=item), _("检查项已删除。")
    )


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ChecklistVersion, pk=pk)
    return _post_action(
        request,
        version,
        lambda: services.version_publish(actor=request.user, version=version),
        _("已发布；此版本今后不再改变，上一发布版本已归档。"),
    )


@login_required
@require_POST
def version_archive(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ChecklistVersion, pk=pk)
    return _post_action(
        request, version, lambda: services.version_archive(actor=request.user, version=version), _("已归档。")
    )


@login_required
@require_POST
def version_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = get_object_or_404(Checklist, pk=pk)
    version = checklist.versions.order_by("-number").first()
    return _post_action(
        request,
        version,
        lambda: services.version_draft(actor=request.user, checklist=checklist, note=request.POST.get("note", "")),
        _("已新建草稿版本（复制自最新版本）。"),
    )
