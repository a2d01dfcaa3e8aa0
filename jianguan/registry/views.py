from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.lib.dbrouter import replica_reads
from jianguan.lib.forms import add_service_errors, paginate
from jianguan.lib.params import text_param
from jianguan.lib.storedfiles import verified_response
from jianguan.lib.textnorm import clean_text
from jianguan.registry import exports, importer, services
from jianguan.registry.choices import InstitutionKind
from jianguan.registry.filters import InstitutionFilter
from jianguan.registry.forms import ImportForm, InstitutionForm, LicenceForm, RequirementForm, StatusChangeForm
from jianguan.registry.models import Institution, Licence
from jianguan.registry.search import similar, text_q
from jianguan.registry.selectors import (
    annotate_licence_state,
    institution_timeline,
    licence_requirements,
    licence_summary,
)
from jianguan.risk.selectors import rating_for


def _filtered(request: HttpRequest) -> tuple[InstitutionFilter, object]:
    form = InstitutionFilter(request.GET or None)
    form.is_valid()
    qs = form.apply(Institution.objects.visible_to(request.user).select_related("street"))
    return form, qs


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = paginate(request, annotate_licence_state(qs, timezone.localdate()), per_page=30)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_manage": allowed(request.user, "institutions.manage"),
        "suggestions": [],
    }
    text = clean_text((getattr(form, "cleaned_data", None) or {}).get("q") or "")
    if text and not page.object_list:
        # Nothing matches what was typed: the closest names within the other filters and the user's scope.
        unfiltered = InstitutionFilter({**request.GET.dict(), "q": ""})
        unfiltered.is_valid()
        context["suggestions"] = similar(
            unfiltered.apply(Institution.objects.visible_to(request.user).select_related("street")), text
        )
    template = "registry/partials/institution_table.html" if request.htmx else "registry/institution_list.html"
    return render(request, template, context)


@login_required
@replica_reads
def institution_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _form, qs = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    qs = annotate_licence_state(qs, timezone.localdate())
    if fmt == "csv":
        response = StreamingHttpResponse(exports.institutions_csv(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="institutions-{stamp}.csv"'
        return response
    path = exports.institutions_xlsx(qs)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"机构名录-{stamp}.xlsx")  # noqa: SIM115
    Path(path).unlink()  # the open handle keeps the data until the response is sent
    return response


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_visible_or_404(Institution.objects.select_related("street"), request.user, pk=pk)
    licences = list(institution.licences.all())
    today = timezone.localdate()
    context = {
        "obj": institution,
        "licences": [(lic, lic.status_on(today)) for lic in licences],
        "summary": licence_summary(institution, licences, today),
        "status_changes": institution.status_changes.select_related("actor"),
        "timeline": paginate(request, institution_timeline(institution), per_page=20),
        "can_manage": allowed(request.user, "institutions.manage")
        and (not request.user.scope.street_ids or institution.street_id in request.user.scope.street_ids),
        "can_change_status": allowed(request.user, "institutions.status"),
        "can_open_case": allowed(request.user, "cases.open"),
        "can_transfer": allowed(request.user, "transfers.send"),
        "status_form": StatusChangeForm(initial={"effective_date": today}),
        # The risk rating and its factors, for staff only (institutions do not see their own: permissions.py).
        "show_risk": allowed(request.user, "risk.view"),
        # Staff see what is open about the institution first (reports:institution_overview); the institution's own
        # users have their home page for that.
        "show_overview": request.user.role != Role.INSTITUTION,
    }
    if context["show_risk"]:
        context["risk_rating"] = rating_for(institution)
    return render(request, "registry/institution_detail.html", context)


def _institution_form(request: HttpRequest, institution: Institution | None) -> HttpResponse:
    require(request.user, "institutions.manage")
    form = InstitutionForm(request.POST or None, instance=institution, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if institution is None:
                institution = services.institution_create(
                    actor=request.user,
                    confirm_duplicate_name=form.cleaned_data["confirm_duplicate_name"],
                    **form.service_fields(),
                )
            else:
                services.institution_update(
                    actor=request.user,
                    institution=institution,
                    confirm_duplicate_name=form.cleaned_data["confirm_duplicate_name"],
                    **form.service_fields(),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("机构“%(name)s”已保存。") % {"name": institution.name})
            return redirect("registry:institution_detail", pk=institution.pk)
    return render(request, "registry/institution_form.html", {"form": form, "obj": institution})


@login_required
def institution_create(request: HttpRequest) -> HttpResponse:
    return _institution_form(request, None)


@login_required
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    return _institution_form(request, institution)


@login_required
@require_POST
def institution_status(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    require(request.user, "institutions.status")
    form = StatusChangeForm(request.POST)
    if form.is_valid():
        try:
            services.institution_status_change(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("经营状态已变更为“%(s)s”。") % {"s": institution.get_status_display()})
    else:
        messages.error(request, _("请填写新状态、生效日期和原因。"))
    return redirect("registry:institution_detail", pk=institution.pk)


@login_required
def licence_edit(request: HttpRequest, pk: int, licence_pk: int | None = None) -> HttpResponse:
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    require(request.user, "institutions.manage")
    licence = (
        get_visible_or_404(Licence.objects.filter(institution=institution), request.user, pk=licence_pk)
        if licence_pk
        else None
    )
    form = LicenceForm(request.POST or None, request.FILES or None, instance=licence)
    if request.method == "POST" and form.is_valid():
        try:
            services.licence_save(actor=request.user, institution=institution, licence=licence, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("证照已保存。"))
            return redirect("registry:institution_detail", pk=institution.pk)
    return render(request, "registry/licence_form.html", {"form": form, "obj": institution, "licence": licence})


@login_required
def licence_scan(request: HttpRequest, pk: int, licence_pk: int) -> HttpResponse:
    """A licence's scan, to whoever may see its institution; checked against its SHA-256 before it is sent."""
    require(request.user, "institutions.view")
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    licence = get_object_or_404(Licence.objects.filter(institution=institution).exclude(scan=""), pk=licence_pk)
    name = f"{licence.get_kind_display()}-{licence.number}.{licence.scan.name.rsplit('.', 1)[-1]}"
    return verified_response(licence.scan, licence.scan_sha256, content_type=licence.scan_content_type, filename=name)


@login_required
@require_POST
def licence_delete(request: HttpRequest, pk: int, licence_pk: int) -> HttpResponse:
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    licence = get_visible_or_404(Licence.objects.filter(institution=institution), request.user, pk=licence_pk)
    services.licence_delete(actor=request.user, licence=licence)
    messages.success(request, _("证照已删除。"))
    return redirect("registry:institution_detail", pk=institution.pk)


@login_required
def requirement_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "registry.configure")
    required = licence_requirements()
    forms_by_kind = []
    for kind, label in InstitutionKind.choices:
        prefix = f"k-{kind}"
        form = RequirementForm(request.POST or None, prefix=prefix, initial={"licence_kinds": required[kind]})
        forms_by_kind.append((kind, label, form))
    if request.method == "POST" and all(f.is_valid() for _k, _l, f in forms_by_kind):
        for kind, _label, form in forms_by_kind:
            if sorted(form.cleaned_data["licence_kinds"]) != sorted(required[kind]):
                services.licence_requirements_set(
                    actor=request.user, institution_kind=kind, licence_kinds=form.cleaned_data["licence_kinds"]
                )
        messages.success(request, _("证照要求已保存。"))
        return redirect("registry:requirement_list")
    return render(request, "registry/requirement_list.html", {"forms": forms_by_kind})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    require(request.user, "institutions.manage")
    path = importer.write_template_tmp()
    response = FileResponse(open(path, "rb"), as_attachment=True, filename="机构名录导入模板.xlsx")  # noqa: SIM115
    Path(path).unlink()
    return response


def _import_dir() -> Path:
    """Where uploaded sheets wait between preview and confirmation; those left longer than
    JIANGUAN_IMPORT_KEEP_HOURS (previews nobody confirmed) are removed on every use."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    # "Now" by the storage's own clock (a marker touched here), not this server's: on shared storage the two differ.
    marker = folder / ".now"
    marker.touch()
    cutoff = marker.stat().st_mtime - settings.JIANGUAN_IMPORT_KEEP_HOURS * 3600
    for old in folder.glob("*.xlsx"):
        with contextlib.suppress(FileNotFoundError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return folder


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload → a dry run shown as a preview → confirm, which imports the same stored file."""
    require(request.user, "institutions.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    token = ""
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        stored = request.session.get("registry_import", {})
        if not token or stored.get("token") != token:
            messages.error(request, _("导入文件已失效，请重新上传。"))
            return redirect("registry:import_upload")
        path = _import_dir() / f"{token}.xlsx"
        try:
            report = importer.import_file(
                path, actor=request.user, dry_run=False, valid_only=stored.get("valid_only", False)
            )
        finally:
            path.unlink(missing_ok=True)
            request.session.pop("registry_import", None)
        if report.committed:
            messages.success(request, report.summary)
            return redirect("registry:institution_list")
        messages.error(request, _("导入未执行：") + report.summary)
    elif request.method == "POST" and form.is_valid():
        token = uuid.uuid4().hex
        path = _import_dir() / f"{token}.xlsx"
        with path.open("wb") as out:
            for chunk in form.cleaned_data["file"].chunks():
                out.write(chunk)
        valid_only = form.cleaned_data["valid_only"]
        try:
            report = importer.import_file(path, actor=request.user, dry_run=True, valid_only=valid_only)
        except BaseException:
            path.unlink(missing_ok=True)  # a failed request leaves nothing behind
            raise
        if report.fatal or (report.errors and not valid_only):
            # Nothing could be imported from this file as it is: no confirm button, no stored copy.
            path.unlink(missing_ok=True)
            token = ""
        else:
            request.session["registry_import"] = {"token": token, "valid_only": valid_only}
    return render(request, "registry/import.html", {"form": form, "report": report, "token": token})


@login_required
def institution_lookup(request: HttpRequest) -> HttpResponse:
    """Autocomplete for an institution field (the planning form): up to ten institutions the user may see whose name,
    pinyin initials or credit code match what was typed — or, when none does, the closest names — as <option>s of a
    datalist (the value is the credit code, or the name of an institution without one)."""
    text = clean_text(text_param(request.GET, "institution", max_length=100))
    found: list[Institution] = []
    if text:
        visible = Institution.objects.visible_to(request.user).only("pk", "name", "credit_code", "address")
        found = list(visible.filter(text_q(text)).order_by("name", "pk")[:10]) or similar(visible, text, limit=10)
    return render(request, "registry/partials/lookup_options.html", {"institutions": found})
