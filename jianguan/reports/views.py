from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.documents.rendering import render_docx, render_pdf
from jianguan.inspections.models import Campaign
from jianguan.inspections.services import CLOSED_STATUSES
from jianguan.lib.dbrouter import replica_reads
from jianguan.lib.excel import temp_xlsx_path, write_table
from jianguan.lib.params import BadParameter, date_param
from jianguan.org.selectors import calendar_gaps
from jianguan.portal.views import too_many
from jianguan.registry.models import Institution
from jianguan.reports import opendata
from jianguan.reports.briefing import briefing_content, narrative
from jianguan.reports.dashboard import dashboard, riskiest
from jianguan.reports.dashboard import section as dashboard_section
from jianguan.reports.forms import DashboardForm
from jianguan.reports.selectors import home_figures, institution_overview
from jianguan.reports.statistics import campaign_statistics
from jianguan.reports.todo import todo


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "figures": home_figures(user),
        "todo": todo(user, timezone.localdate()),
        "institution": user.institution if user.role == Role.INSTITUTION else None,
        "calendar_gaps": calendar_gaps(timezone.localdate()) if allowed(user, "calendar.manage") else [],
    }
    return render(request, "reports/home.html", context)


def _campaign_and_day(request: HttpRequest, pk: int) -> tuple[Campaign, date]:
    require(request.user, "reports.campaign")
    campaign = get_visible_or_404(Campaign.objects.select_related("lead_department"), request.user, pk=pk)
    day = date_param(request.GET, "date") or timezone.localdate()
    if day < campaign.starts_on:
        raise BadParameter(
            _("统计日期 %(day)s 早于专项行动的开始日期 %(start)s。") % {"day": day, "start": campaign.starts_on}
        )
    return campaign, min(day, timezone.localdate())


@login_required
@replica_reads
def campaign_statistics_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, day = _campaign_and_day(request, pk)
    stats = campaign_statistics(campaign, day)
    context = {"campaign": campaign, "stats": stats, "day": day, "narrative": narrative(stats)}
    return render(request, "reports/campaign_statistics.html", context)


@login_required
@replica_reads
def campaign_briefing(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The briefing as PDF or DOCX, rendered on request (it is a snapshot of the records, not a filed document)."""
    if fmt not in ("pdf", "docx"):
        raise Http404
    campaign, day = _campaign_and_day(request, pk)
    content = briefing_content(campaign, day)
    if fmt == "pdf":
        data, mime = render_pdf(content), "application/pdf"
    else:
        data, mime = render_docx(content), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'工作简报-{campaign.name}-{day:%Y%m%d}.{fmt}')}"
    )
    return response


def _dashboard_form(request: HttpRequest) -> DashboardForm:
    require(request.user, "reports.dashboard")
    return DashboardForm(request.GET or None, user=request.user)


def _refused_filters(form: DashboardForm) -> str:
    """What is wrong with the filters (empty when they are usable): figures are never drawn for filters that were
    refused, since they would silently show another selection."""
    if not form.is_bound or form.is_valid():
        return ""
    return "；".join(str(m) for errors in form.errors.values() for m in errors)


@login_required
@replica_reads
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form = _dashboard_form(request)
    if _refused_filters(form):
        context = {"form": form, "headlines": [], "sections": [], "query": "", "riskiest": []}
        return render(request, "reports/dashboard.html", context, status=400)
    headlines, sections = dashboard(request.user, form.filters())
    query = request.GET.urlencode()
    context = {"form": form, "headlines": headlines, "sections": sections, "query": query, "riskiest": []}
    if allowed(request.user, "risk.view"):
        context["riskiest"] = riskiest(request.user, form.filters())
    return render(request, "reports/dashboard.html", context)


@login_required
@replica_reads
def dashboard_export(request: HttpRequest, key: str) -> FileResponse:
    """One chart's table as Excel, with the same filters (numbers only, no links)."""
    form = _dashboard_form(request)
    if problem := _refused_filters(form):
        raise BadParameter(problem)
    section = dashboard_section(request.user, form.filters(), key)
    if section is None:
        raise Http404
    path = temp_xlsx_path()
    name = re.sub(
        r"[\[\]:*?/\\]",
        "",
        section.headers[0] if section.key in ("categories", "streets", "departments") else section.title,
    )
    write_table(
        path, title=name[:31], headers=section.headers, widths=[24] + [14] * (len(section.headers) - 1),
        rows=([c.value for c in row] for row in section.rows),
    )  # fmt: skip
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=f"{name}-{stamp}.xlsx")  # noqa: SIM115
    Path(path).unlink()
    return response


@replica_reads
def open_data_page(request: HttpRequest) -> HttpResponse:
    """Public: what the open data holds and its layout, with the download."""
    if (refused := too_many(request)) is not None:
        return refused
    return render(request, "reports/open_data.html", {"readme": opendata.README.format(day=timezone.localdate())})


@replica_reads
def open_data_download(request: HttpRequest) -> FileResponse | HttpResponse:
    if (refused := too_many(request)) is not None:
        return refused
    path = opendata.open_data_zip()
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)  # noqa: SIM115


@login_required
def institution_overview_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The top of an institution's page (registry:institution_detail loads it): open problems, inspections and
    complaints in the user's scope, with 安排检查 and 投诉核查 for those who plan inspections."""
    if request.user.role == Role.INSTITUTION:  # staff only: an institution has its home page
        raise Http404
    institution = get_visible_or_404(Institution.objects.all(), request.user, pk=pk)
    context = {
        "obj": institution,
        "figures": institution_overview(request.user, institution, timezone.localdate()),
        "can_plan": allowed(request.user, "inspections.plan") and institution.status not in CLOSED_STATUSES,
    }
    return render(request, "reports/partials/institution_overview.html", context)
