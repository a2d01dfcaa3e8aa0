from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import allowed, require
from jianguan.accounts.scoping import get_visible_or_404
from jianguan.fees import selectors, services
from jianguan.fees.forms import AccountForm, RecordFilter, RecordForm
from jianguan.fees.models import FeeRecord
from jianguan.lib.conflict import Conflict
from jianguan.lib.forms import add_service_errors, paginate
from jianguan.lib.params import choice_param, date_param, id_param, text_param
from jianguan.org.selectors import streets
from jianguan.registry.models import Institution


def _institution(request: HttpRequest, pk: int, permission: str) -> Institution:
    require(request.user, permission)
    return get_visible_or_404(Institution.objects.select_related("street"), request.user, pk=pk)


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    """The district's prepaid charges (a street's, an institution's own), with simple filters and the totals."""
    require(request.user, "fees.view")
    params = {
        "q": text_param(request.GET, "q"),
        "street": id_param(request.GET, "street"),
        "academic": choice_param(request.GET, "academic", ("0", "1")),
        "into_account": choice_param(request.GET, "into_account", ("0", "1")),
        "paid_from": date_param(request.GET, "paid_from"),
        "paid_to": date_param(request.GET, "paid_to"),
    }
    records = selectors.filtered_records(selectors.records_for(request.user), **params)
    page = paginate(request, records, 50)
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    context = {
        "form": RecordFilter(request.GET or None, streets=streets()), "page": page, "query": query.urlencode(),
        "totals": selectors.totals(records),
        "own_institution": user.institution_id if user.role == Role.INSTITUTION else None,
    }  # fmt: skip
    return render(request, "fees/record_list.html", context)


def _page(request: HttpRequest, institution: Institution, form: RecordForm | None = None) -> HttpResponse:
    can_manage = allowed(request.user, "fees.manage")
    records = selectors.records_of(request.user, institution)
    page = paginate(request, records, 50)
    if can_manage and form is None:
        form = RecordForm(institution=institution, initial={"into_supervised_account": True})
    context = {
        "institution": institution, "account": selectors.account_of(request.user, institution), "page": page,
        "totals": selectors.totals(records), "can_manage": can_manage, "form": form,
    }  # fmt: skip
    return render(request, "fees/institution.html", context, status=400 if form is not None and form.errors else 200)


@login_required
def institution_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One institution's account and charges, with the add form for those who keep them."""
    return _page(request, _institution(request, pk, "fees.view"))


@login_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk, "fees.manage")
    account = selectors.account_of(request.user, institution)
    initial: dict[str, Any] = {"version": account.version if account else 0}
    if account is not None:
        initial.update(kind=account.kind, bank=account.bank, agreement_date=account.agreement_date,
                       deposit_amount=account.deposit_amount)  # fmt: skip
    masked = account.account_masked if account else ""
    form = AccountForm(request.POST or None, initial=initial, masked=masked)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.fee_account_set(actor=request.user, institution=institution, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("fees:institution", pk=institution.pk)
        else:
            messages.success(request, _("已保存监管账户信息。"))
            return redirect("fees:institution", pk=institution.pk)
    if form.is_bound:
        # A refused form never sends the typed account number back to the page.
        form.data = form.data.copy()
        form.data["account_number"] = ""
    context = {"form": form, "institution": institution, "account": account}
    return render(request, "fees/account_form.html", context, status=400 if form.errors else 200)


@login_required
def record_new(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk, "fees.manage")
    if request.method != "POST":
        return redirect("fees:institution", pk=institution.pk)
    form = RecordForm(request.POST, institution=institution)
    if form.is_valid():
        try:
            services.fee_record_create(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记。"))
            return redirect("fees:institution", pk=institution.pk)
    return _page(request, institution, form)


def _record(request: HttpRequest, pk: int) -> FeeRecord:
    require(request.user, "fees.manage")
    return get_visible_or_404(FeeRecord.objects.select_related("institution", "course"), request.user, pk=pk)


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    initial = {
        "course": record.course_id, "course_name": record.course_name, "academic": record.academic,
        "contract_number": record.contract_number, "hours": record.hours, "amount": record.amount,
        "period_start": record.period_start, "period_end": record.period_end, "paid_on": record.paid_on,
        "into_supervised_account": record.into_supervised_account, "version": record.version,
    }  # fmt: skip
    form = RecordForm(request.POST or None, institution=record.institution, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.fee_record_update(actor=request.user, record=record, version=version, **data)
        except services.RecordConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("fees:institution", pk=record.institution_id)
    context = {"form": form, "institution": record.institution, "record": record}
    return render(request, "fees/record_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    services.fee_record_delete(actor=request.user, record=record)
    messages.success(request, _("已删除。"))
    return redirect("fees:institution", pk=record.institution_id)
