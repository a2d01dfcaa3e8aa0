"""Writes for campaigns and inspections: plan, team, on-site results, findings, photos, complete, cancel, amend.

Who may do what:
- campaigns: the lead coordinator (and the admin) create, edit the target list, start, finish and copy them;
- inspections: the lead coordinator plans any; a department officer plans one only with themselves on the team;
- on site (start, results, findings, photos, complete): members of the inspection's team only;
- cancel: the team or the lead coordinator; amend a completed inspection: the team or the lead coordinator.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.accounts.choices import Role
from jianguan.accounts.models import OfficerProfile, User
from jianguan.accounts.permissions import allowed, require
from jianguan.audit.services import audit_record, changed, snapshot
from jianguan.checklists.choices import REFERRED_REMEDIES, STOP_REMEDIES, Remedy, VersionStatus
from jianguan.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from jianguan.documents.choices import DocumentKind
from jianguan.documents.models import Document
from jianguan.documents.services import document_issue
from jianguan.inspections import signals
from jianguan.inspections.choices import (
    CampaignMethod,
    CampaignStatus,
    InspectionKind,
    InspectionStatus,
    Outcome,
    SignerRole,
)
from jianguan.inspections.documents import notice_content, on_spot_content, record_content
from jianguan.inspections.models import (
    Amendment,
    Campaign,
    CampaignTarget,
    Evidence,
    Finding,
    Inspection,
    InspectionOfficer,
    ItemNote,
    ItemResult,
    Signature,
    SyncKey,
)
from jianguan.inspections.selectors import certified_officers
from jianguan.lib.images import read_photo, thumbnail
from jianguan.lib.workdays import UnknownCalendarYear, add_working_days
from jianguan.notifications.services import Message, notify_many
from jianguan.org.models import Department, Region
from jianguan.org.selectors import Competence
from jianguan.registry.choices import InstitutionKind, OperatingStatus
from jianguan.registry.models import Institution
from jianguan.registry.services import SANCTION_RANK, status_by_decision

MIN_TEAM = 2  # 行政处罚法 第42条: at least two officers with enforcement certificates
# Institutions no longer operating are left out of a campaign's generated target list.
CLOSED_STATUSES = (OperatingStatus.BANNED, OperatingStatus.DEREGISTERED)
AMENDABLE_FIELDS = ("place", "summary", "representative_name", "signature_refused", "witness_name")


# ---------------------------------------------------------------------------------------------------- campaigns


def campaign_scope(campaign: Campaign) -> QuerySet[Institution]:
    """The operating institutions of a campaign's streets and kinds: a full campaign's generated target list, and the
    检查对象名录库 a 双随机 campaign draws from (planning)."""
    qs = Institution.objects.exclude(status__in=CLOSED_STATUSES)
    street_ids = list(campaign.streets.values_list("pk", flat=True))
    if street_ids:
        qs = qs.filter(street_id__in=street_ids)
    if campaign.institution_kinds:
        qs = qs.filter(kind__in=campaign.institution_kinds)
    return qs


def _check_campaign(campaign: Campaign, checklists: Iterable[Checklist], kinds: list[str]) -> None:
    errors: dict[str, str] = {}
    if campaign.ends_on and campaign.starts_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    unknown = set(kinds) - set(InstitutionKind.values)
    if unknown:
        errors["institution_kinds"] = _("未知的机构类型。")
    unpublished = [c.name for c in checklists if not c.versions.filter(status=VersionStatus.PUBLISHED).exists()]
    if unpublished:
        errors["checklists"] = _("检查表“%(names)s”没有已发布的版本。") % {"names": "、".join(unpublished)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    lead_department: Department,
    departments: Iterable[Department] = (),
    streets: Iterable[Region] = (),
    institution_kinds: Iterable[str] = (),
    checklists: Iterable[Checklist] = (),
    description: str = "",
    previous: Campaign | None = None,
    institutions: Iterable[Institution] | None = None,
    joint_notice: bool = False,
    method: str = CampaignMethod.FULL,
) -> Campaign:
    """Create a campaign and generate its target list from the scope (every operating institution of the chosen
    streets and kinds), or take the given institutions of that scope (a list drawn up beforehand); the list can be
    edited afterwards. A 双随机 campaign starts with no targets: its draw (planning) names them, and they are not
    edited by hand."""
    require(actor, "campaigns.manage")
    departments, streets, checklists = list(departments), list(streets), list(checklists)
    kinds = sorted(set(institution_kinds))
    campaign = Campaign(
        name=(name or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        lead_department=lead_department,
        institution_kinds=kinds,
        description=(description or "").strip(),
        previous=previous,
        round=previous.round + 1 if previous else 1,
        joint_notice=bool(joint_notice),
        method=method,
        created_by=actor,
    )
    campaign.full_clean(exclude=["previous", "created_by", "lead_department"])
    _check_campaign(campaign, checklists, kinds)
    campaign.save()
    campaign.departments.set({lead_department, *departments})
    campaign.streets.set(streets)
    campaign.checklists.set(checklists)
    targets = [] if method == CampaignMethod.RANDOM else list(campaign_scope(campaign).order_by("street_id", "name"))
    if institutions is not None and method == CampaignMethod.RANDOM:
        raise ValidationError(_("双随机抽查的检查对象由抽签产生，不能事先指定。"))
    if institutions is not None:
        in_scope = {i.pk for i in targets}
        chosen = list(institutions)
        outside = [i.name for i in chosen if i.pk not in in_scope]
        if outside:
            raise ValidationError(_("这些机构不在行动范围内：%(names)s") % {"names": "、".join(outside)})
        targets = chosen
    CampaignTarget.objects.bulk_create(CampaignTarget(campaign=campaign, institution=i) for i in targets)
    audit_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        after={**snapshot(campaign), "targets": len(targets), "previous": previous.pk if previous else None},
    )
    return campaign


@transaction.atomic
def campaign_copy(*, actor: Any, campaign: Campaign, starts_on: date, ends_on: date) -> Campaign:
    """The next round of a finished campaign: the same scope, departments and checklists, new dates, and a target
    list generated again from today's registry (常态化)."""
    require(actor, "campaigns.manage")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.FINISHED:
        raise ValidationError(_("专项行动结束后才能复制为下一轮。"))
    return campaign_create(
        actor=actor,
        name=campaign.name,
        starts_on=starts_on,
        ends_on=ends_on,
        lead_department=campaign.lead_department,
        departments=campaign.departments.all(),
        streets=campaign.streets.all(),
        institution_kinds=campaign.institution_kinds,
        checklists=campaign.checklists.all(),
        description=campaign.description,
        previous=campaign,
        joint_notice=campaign.joint_notice,
        method=campaign.method,
    )


CAMPAIGN_TRANSITIONS = {
    CampaignStatus.PLANNED: {CampaignStatus.ACTIVE},
    CampaignStatus.ACTIVE: {CampaignStatus.FINISHED},
    CampaignStatus.FINISHED: set(),
}


@transaction.atomic
def campaign_set_status(*, actor: Any, campaign: Campaign, status: str) -> Campaign:
    """筹备中 → 进行中 → 已结束. Finishing leaves open inspections as they are (they can still be completed)."""
    require(actor, "campaigns.manage")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if status not in CAMPAIGN_TRANSITIONS[CampaignStatus(campaign.status)]:
        raise ValidationError(
            _("专项行动不能从“%(from)s”变为“%(to)s”。")
            % {"from": campaign.get_status_display(), "to": dict(CampaignStatus.choices).get(status, status)}
        )
    before = campaign.status
    campaign.status = status
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor, action="campaign.status", obj=campaign, before={"status": before}, after={"status": status}
    )
    return campaign


@transaction.atomic
def campaign_target_add(*, actor: Any, campaign: Campaign, institution: Institution) -> CampaignTarget:
    require(actor, "campaigns.manage")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.FINISHED:
        raise ValidationError(_("专项行动已结束，不能再调整检查对象。"))
    if campaign.method == CampaignMethod.RANDOM:
        raise ValidationError(_("双随机抽查的检查对象由抽签产生，不能手工调整。"))
    if CampaignTarget.objects.filter(campaign=campaign, institution=institution).exists():
        raise ValidationError(_("“%(name)s”已在检查对象名单中。") % {"name": institution.name})
    target = CampaignTarget.objects.create(campaign=campaign, institution=institution)
    audit_record(
        actor=actor, action="campaign.target_add", obj=campaign, after={"institution": institution.pk},
        institution=institution,
    )  # fmt: skip
    return target


@transaction.atomic
def campaign_target_remove(*, actor: Any, campaign: Campaign, institution: Institution) -> None:
    require(actor, "campaigns.manage")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.FINISHED:
        raise ValidationError(_("专项行动已结束，不能再调整检查对象。"))
    if campaign.method == CampaignMethod.RANDOM:
        raise ValidationError(_("双随机抽查的检查对象由抽签产生，不能手工调整。"))
    if campaign.inspections.filter(institution=institution).exclude(status=InspectionStatus.CANCELLED).exists():
        raise ValidationError(_("已安排或完成对“%(name)s”的检查，不能移出名单。") % {"name": institution.name})
    deleted, _rows = CampaignTarget.objects.filter(campaign=campaign, institution=institution).delete()
    if not deleted:
        raise ValidationError(_("“%(name)s”不在检查对象名单中。") % {"name": institution.name})
    audit_record(
        actor=actor, action="campaign.target_remove", obj=campaign, before={"institution": institution.pk},
        institution=institution,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------- inspections


def _published_version(checklist: Checklist | None) -> ChecklistVersion | None:
    if checklist is None:
        return None
    return checklist.versions.filter(status=VersionStatus.PUBLISHED).first()


def checklist_version_for(institution: Institution, campaign: Campaign | None) -> ChecklistVersion:
    """The campaign's checklist for the institution's kind (else its checklist for every kind), else the default
    checklist for the kind: its published version."""
    candidates = Checklist.objects.filter(institution_kind__in=[institution.kind, ""])
    if campaign is not None and campaign.checklists.exists():
        candidates = candidates.filter(pk__in=campaign.checklists.values("pk"))
    # A checklist for the kind wins over one for every kind.
    for checklist in sorted(candidates, key=lambda c: (c.institution_kind == "", c.pk)):
        version = _published_version(checklist)
        if version is not None:
            return version
    raise ValidationError(
        _("没有适用于“%(kind)s”的已发布检查表，请先在“检查表”中发布。") % {"kind": institution.get_kind_display()}
    )


def _check_team(officers: list[User], on: date, campaign: Campaign | None) -> list[tuple[User, OfficerProfile]]:
    """At least two distinct officers, each with an enforcement certificate valid on the day, and (in a campaign)
    from its participating departments. Returns them with their certificates."""
    unique = list({u.pk: u for u in officers}.values())
    if len(unique) < MIN_TEAM:
        raise ValidationError(
            {
                "officers": _("检查组至少需要 %(n)s 名持有效执法证的执法人员（《行政处罚法》第四十二条）。")
                % {"n": MIN_TEAM}
            }
        )
    profiles = {p.user_id: p for p in OfficerProfile.objects.filter(user__in=unique)}
    allowed_departments = set(campaign.departments.values_list("pk", flat=True)) if campaign else None
    problems = []
    team = []
    for user in unique:
        profile = profiles.get(user.pk)
        if profile is None or not user.is_active:
            problems.append(_("%(name)s 没有执法证，不能参加检查") % {"name": user.name or user.username})
        elif not profile.certificate_valid_on(on):
            problems.append(
                _("%(name)s 的执法证（%(number)s）有效期至 %(until)s，检查当天已过期")
                % {"name": user.name, "number": profile.certificate_number, "until": profile.certificate_valid_until}
            )
        elif user.department_id is None:
            problems.append(_("%(name)s 没有所属部门") % {"name": user.name})
        elif allowed_departments is not None and user.department_id not in allowed_departments:
            problems.append(_("%(name)s 所在部门未参加本次专项行动") % {"name": user.name})
        else:
            team.append((user, profile))
    if problems:
        raise ValidationError({"officers": "；".join(problems) + "。"})
    return team


def _require_team_member(actor: Any, inspection: Inspection) -> None:
    if not inspection.officers.filter(user_id=getattr(actor, "pk", None)).exists():
        raise PermissionDenied(_("只有本次检查的检查组成员可以记录检查内容。"))


def _require_status(inspection: Inspection, *statuses: str) -> None:
    if inspection.status not in statuses:
        raise ValidationError(
            _("检查当前为“%(status)s”，不能进行此操作。") % {"status": inspection.get_status_display()}
        )


def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


# Rules on a campaign inspection's team that apps above this one add (planning: a 双随机 campaign's team is the one
# drawn). Each is called with (campaign, institution, officers) and raises ValidationError to refuse.
TEAM_RULES: list[Callable[[Campaign, Institution, list[User]], None]] = []

# How long after its planned time an inspection may still be planned without being marked 补录: the team entering the
# inspection it is starting (or held this morning) on arrival.
PLAN_GRACE = timedelta(hours=12)


@transaction.atomic
def inspection_create(
    *,
    actor: Any,
    institution: Institution,
    scheduled_at: datetime,
    officers: Iterable[User],
    lead_department: Department | None = None,
    campaign: Campaign | None = None,
    kind: str | None = None,
    place: str = "",
    backfill: bool = False,
) -> Inspection:
    """Plan an inspection with its team. In a campaign the institution must be on the target list. A time that has
    passed (more than PLAN_GRACE ago) is refused unless the inspection is entered afterwards (补录, `backfill`). The
    same institution, time and team planned again (a second click, a retried request) returns the first plan."""
    require(actor, "inspections.plan")
    officers = list(officers)
    if not Institution.objects.visible_to(actor).filter(pk=institution.pk).exists():
        raise PermissionDenied(_("该机构不在您的权限范围内。"))
    now = timezone.now()
    if backfill and scheduled_at > now:
        raise ValidationError({"scheduled_at": _("补录的检查，检查时间须早于现在。")})
    if not backfill and scheduled_at < now - PLAN_GRACE:
        raise ValidationError({"scheduled_at": _("计划检查时间已经过去。如是补录已进行的检查，请勾选“补录”。")})
    # One plan at a time per institution: the row lock makes a double submission wait and then find the first.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    same = (
        Inspection.objects.filter(institution=institution, scheduled_at=scheduled_at, campaign=campaign)
        .exclude(status=InspectionStatus.CANCELLED)
        .prefetch_related("officers")
    )
    wanted = {u.pk for u in officers}
    for existing in same:
        if {o.user_id for o in existing.officers.all()} == wanted:
            return existing
    if actor.role == Role.DEPARTMENT_OFFICER and actor.pk not in {u.pk for u in officers}:
        raise PermissionDenied(_("部门执法人员只能安排自己参加的检查。"))
    kind = kind or (InspectionKind.CAMPAIGN if campaign else InspectionKind.ROUTINE)
    if campaign is not None:
        if campaign.status == CampaignStatus.FINISHED:
            raise ValidationError(_("专项行动已结束，不能再安排检查。"))
        if not campaign.targets.filter(institution=institution).exists():
            raise ValidationError(_("“%(name)s”不在本次专项行动的检查对象名单中。") % {"name": institution.name})
        for rule in TEAM_RULES:
            rule(campaign, institution, officers)
        kind = InspectionKind.CAMPAIGN
    elif kind == InspectionKind.CAMPAIGN:
        raise ValidationError({"kind": _("专项检查须属于一个专项行动。")})
    if institution.status in CLOSED_STATUSES:
        raise ValidationError(
            _("“%(name)s”已%(status)s，不能安排检查。")
            % {"name": institution.name, "status": institution.get_status_display()}
        )
    team = _check_team(officers, timezone.localtime(scheduled_at).date(), campaign)
    if lead_department is None:
        # A campaign's lead department issues its documents; otherwise the planning officer's department, or (when
        # the lead coordinator plans) the first officer's.
        own = actor.department if actor.role == Role.DEPARTMENT_OFFICER else None
        lead_department = campaign.lead_department if campaign else (own or team[0][0].department)
    inspection = Inspection(
        campaign=campaign,
        institution=institution,
        kind=kind,
        scheduled_at=scheduled_at,
        lead_department=lead_department,
        checklist_version=checklist_version_for(institution, campaign),
        place=(place or institution.address)[:200],
        backfilled=backfill,
        created_by=actor,
    )
    inspection.full_clean(exclude=["campaign", "institution", "checklist_version", "lead_department", "created_by"])
    inspection.save()
    InspectionOfficer.objects.bulk_create(
        InspectionOfficer(
            inspection=inspection, user=u, department_id=u.department_id, certificate_number=p.certificate_number
        )
        for u, p in team
    )
    audit_record(
        actor=actor,
        action="inspection.create",
        obj=inspection,
        after={**snapshot(inspection), "officers": [u.pk for u, _p in team]},
        institution=institution,
    )
    _tell_team(actor, inspection, [u for u, _p in team])
    return inspection


def _tell_team(actor: Any, inspection: Inspection, officers: list[User]) -> None:
    """Each officer put on the team (other than the one planning it) is told where and when."""
    when = timezone.localtime(inspection.scheduled_at)
    text = _("您被安排参加检查：%(name)s，%(when)s，%(place)s。") % {
        "name": inspection.institution.name, "when": f"{when:%Y-%m-%d %H:%M}", "place": inspection.place
    }  # fmt: skip
    url = reverse("inspections:inspection_detail", args=[inspection.pk])
    subject = f"inspections.inspection:{inspection.pk}"
    notify_many(Message(u.pk, "inspection.team", subject, text, url) for u in officers if u.pk != actor.pk)


def _on_site_time(at: datetime | None, not_before: datetime | None = None) -> datetime:
    """The time something happened on site: now, or an earlier time for a record entered afterwards (补录) from a
    paper form; never in the future."""
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ValidationError(_("现场时间不能晚于当前时间。"))
    if not_before is not None and at < not_before:
        raise ValidationError(_("完成时间不能早于开始时间。"))
    return at


@transaction.atomic
def inspection_start(*, actor: Any, inspection: Inspection, at: datetime | None = None) -> Inspection:
    """Arrival on site: 已计划 → 检查中. The team's certificates must be valid that day. `at` is the arrival time when
    the record is entered afterwards (补录)."""
    inspection = _locked(inspection)
    _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.PLANNED)
    started = _on_site_time(at)
    users = [o.user for o in inspection.officers.select_related("user")]
    _check_team(users, timezone.localtime(started).date(), None)
    inspection.status, inspection.started_at = InspectionStatus.IN_PROGRESS, started
    inspection.save(update_fields=["status", "started_at"])
    audit_record(
        actor=actor, action="inspection.start", obj=inspection, after={"started_at": inspection.started_at},
        institution=inspection.institution_id,
    )  # fmt: skip
    return inspection


class StaleResult(Exception):
    """The write saw an older version of the item's result and would change what another officer recorded since
    (HTTP 409): nothing is written; `current` is what stands now, for the officer to choose."""

    def __init__(self, current: ItemResult) -> None:
        super().__init__(_("该检查项已由%(name)s在您之后修改，请核对后选择保留哪一个结果。") % {
            "name": (current.recorded_by.name or current.recorded_by.username) if current.recorded_by else _("他人")
        })  # fmt: skip
        self.current = current


def _replayed(actor: Any, inspection: Inspection, key: str, kind: str) -> int | None:
    """The object a write with this idempotency key recorded already, or None when the key is new."""
    if not key:
        return None
    if len(key) > 64:
        raise ValidationError(_("同步编号过长。"))
    done = SyncKey.objects.filter(key=key).first()
    if done is None:
        return None
    if done.actor_id != actor.pk or done.inspection_id != inspection.pk or done.kind != kind:
        raise ValidationError(_("同步编号已被另一条记录使用。"))
    return done.object_id


def _remember(actor: Any, inspection: Inspection, key: str, kind: str, object_id: int) -> None:
    if key:
        SyncKey.objects.create(key=key, inspection=inspection, actor=actor, kind=kind, object_id=object_id)


def note_summary(notes: list[ItemNote]) -> str:
    """The notes as the record prints them: one wording as written; several, each with its authors."""
    authors: dict[str, list[str]] = {}
    for n in notes:
        authors.setdefault(n.text, []).append(n.author.name or n.author.username)
    if len(authors) == 1:
        return next(iter(authors))
    return "；".join(f"{text}（{'、'.join(names)}）" for text, names in authors.items())


@transaction.atomic
def result_record(
    *,
    actor: Any,
    inspection: Inspection,
    item: ChecklistItem,
    outcome: str,
    note: str = "",
    fixed_on_site: bool = False,
    version: int | None = None,
    key: str = "",
) -> ItemResult:
    """Record (or correct, while on site) one checklist item's result, and the actor's own note on it.

    `version` is the version the officer's page showed (0: no result yet): a write that would change an outcome
    recorded since is refused with StaleResult. `key` is the write's idempotency key: sent again, it records
    nothing and answers with the result as it stands."""
    inspection = _locked(inspection)
    _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.IN_PROGRESS)
    if item.version_id != inspection.checklist_version_id:
        raise ValidationError(_("该检查项不属于本次检查使用的检查表版本。"))
    if (done := _replayed(actor, inspection, key, "result")) is not None:
        return ItemResult.objects.select_related("recorded_by").get(pk=done)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("结果应为合格、不合格或不适用。")})
    if fixed_on_site and outcome != Outcome.FAIL:
        raise ValidationError({"fixed_on_site": _("只有不合格的检查项才能标记为当场整改。")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("说明不能超过 500 个字。")})
    result = ItemResult.objects.select_related("recorded_by").filter(inspection=inspection, item=item).first()
    stale = version is not None and result is not None and version != result.version
    if stale and (result.outcome, result.fixed_on_site) != (outcome, bool(fixed_on_site)):  # type: ignore[union-attr]
        raise StaleResult(result)  # type: ignore[arg-type]
    before = snapshot(result, fields=["outcome", "note", "fixed_on_site"]) if result else {}
    result = result or ItemResult(inspection=inspection, item=item, version=0)
    result.outcome, result.fixed_on_site = outcome, bool(fixed_on_site)
    result.recorded_by, result.recorded_at = actor, timezone.now()
    result.version += 1
    result.full_clean(exclude=["inspection", "item", "recorded_by", "note"])
    result.save()
    mine = ItemNote.objects.filter(result=result, author=actor).first()
    if note and mine is None:
        ItemNote.objects.create(result=result, author=actor, text=note)
    elif note and mine.text != note:
        mine.text, mine.written_at = note, timezone.now()
        mine.full_clean(exclude=["result", "author"])
        mine.save(update_fields=["text", "written_at"])
    elif not note and mine is not None:
        mine.delete()
    result.note = note_summary(list(result.notes.select_related("author")))
    result.save(update_fields=["note"])
    old, new = changed(before, snapshot(result, fields=["outcome", "note", "fixed_on_site"]))
    if new:
        audit_record(
            actor=actor, action="inspection.result", obj=inspection, before=old or None,
            after={"item": item.order, **new}, institution=inspection.institution_id,
        )  # fmt: skip
    _remember(actor, inspection, key, "result", result.pk)
    return result


@transaction.atomic
def finding_add(
    *,
    actor: Any,
    inspection: Inspection,
    category: str,
    description: str,
    severity: str,
    legal_basis: str = "",
    department: Department | None = None,
    period_days: int = 10,
    fixed_on_site: bool = False,
    deadline: date | None = None,
    remedy: str = Remedy.DEADLINE,
    order_basis: str = "",
    requirement: str = "",
    penalty_basis: str = "",
) -> Finding:
    """A problem that is not on the checklist (ad hoc), recorded on site with its order terms, under the department
    given or the one the matrix makes competent for the institution's kind and the category. Its deadline is the
    order's date plus `period_days` working days, unless a date is chosen here."""
    inspection = _locked(inspection)
    _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.IN_PROGRESS)
    department = department or Competence().lead(inspection.institution.kind, category)
    if department is None:
        raise ValidationError({"department": _("该类别在职责分工中没有牵头部门，请指定监管部门。")})
    finding = Finding(
        inspection=inspection,
        category=category,
        description=(description or "").strip(),
        severity=severity,
        legal_basis=(legal_basis or "").strip(),
        remedy=remedy,
        order_basis=(order_basis or "").strip(),
        requirement=(requirement or "").strip(),
        penalty_basis=(penalty_basis or "").strip(),
        department=department,
        period_days=period_days,
        fixed_on_site=fixed_on_site and remedy not in STOP_REMEDIES,
        deadline=deadline,
    )
    if deadline is not None and deadline < timezone.localtime(inspection.started_at).date():
        raise ValidationError({"deadline": _("整改期限不能早于检查日期。")})
    finding.full_clean(exclude=["inspection", "item", "department"])
    finding.save()
    audit_record(
        actor=actor, action="finding.create", obj=finding, after=snapshot(finding),
        institution=inspection.institution_id,
    )  # fmt: skip
    return finding


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    inspection: Inspection,
    upload: Any,
    result: ItemResult | None = None,
    finding: Finding | None = None,
    caption: str = "",
    key: str = "",
) -> Evidence:
    """A photo from the camera, for an item result or a finding of this inspection (or the inspection itself).
    `key` is the upload's idempotency key (the on-site form's queue may send it again)."""
    inspection = _locked(inspection)
    _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.IN_PROGRESS)
    if (done := _replayed(actor, inspection, key, "evidence")) is not None:
        return Evidence.objects.get(pk=done)
    if result is not None and result.inspection_id != inspection.pk:
        raise ValidationError(_("该检查项结果不属于本次检查。"))
    if finding is not None and finding.inspection_id != inspection.pk:
        raise ValidationError(_("该问题不属于本次检查。"))
    photo = read_photo(upload)
    evidence = Evidence(
        inspection=inspection,
        item_result=result,
        finding=finding,
        width=photo.width,
        height=photo.height,
        uploaded_by=actor,
        caption=(caption or "").strip(),
    )
    evidence.store(photo)
    evidence.full_clean(exclude=["inspection", "item_result", "finding", "file", "thumbnail", "uploaded_by"])
    evidence.thumbnail.save(f"{photo.sha256}-thumb.jpg", ContentFile(thumbnail(photo.data)), save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action="evidence.add",
        obj=evidence,
        after={
            "sha256": photo.sha256,
            "taken_at": photo.taken_at,
            "item": result.item.order if result else None,
            "finding": finding.pk if finding else None,
        },
        institution=inspection.institution_id,
    )
    _remember(actor, inspection, key, "evidence", evidence.pk)
    return evidence


@transaction.atomic
def inspection_complete(
    *,
    actor: Any,
    inspection: Inspection,
    representative_name: str = "",
    signature_refused: bool = False,
    witness_name: str = "",
    summary: str = "",
    at: datetime | None = None,
    signatures: Iterable[tuple[str, str, Any, bytes]] = (),
    certificates_shown: bool | None = None,
    recusal_requested: bool | None = None,
    recusal_note: str = "",
    recorder: User | None = None,
    fixed_site: bool | None = None,
    two_or_more_staff: bool | None = None,
    organised_teaching: bool | None = None,
) -> Inspection:
    """Close the on-site record: every item answered, photos where a failed item needs one, the signature block,
    and the head as it happened — certificates shown (须出示), the party's answer to the recusal question, the
    recorder (a team member; the actor by default). A failed licence item whose remedy is a stop needs the three
    elements of 教育部令第53号 (a fixed site, two or more staff, organised teaching) answered: all three make it
    擅自举办 (责令停止举办 and a referral), fewer make it 变相 training or a small unlicensed site (责令停止招生). Failed items become findings, each under the
    department the responsibility matrix makes competent for the institution's kind and the item. The inspection is
    then frozen: later corrections are amendments. `signatures` are those drawn on the screen — (role, name, user,
    PNG) for officers of the team, the party (unless refused) or the witness (when refused) — kept and printed on
    the record; without them the printed record is signed by hand."""
    inspection = _locked(inspection)
    _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.IN_PROGRESS)
    completed = _on_site_time(at, not_before=inspection.started_at)
    representative_name, witness_name = (representative_name or "").strip(), (witness_name or "").strip()
    errors: dict[str, list[str]] = {}
    if signature_refused and not witness_name:
        errors.setdefault("witness_name", []).append(_("当事人拒绝签字的，须记录见证人。"))
    if not signature_refused and not representative_name:
        errors.setdefault("representative_name", []).append(_("请填写在场负责人姓名，或勾选“拒绝签字”并记录见证人。"))
    items = list(inspection.checklist_version.items.all())
    results = {r.item_id: r for r in inspection.results.prefetch_related("evidence")}
    problems = completion_problems(items, results)
    missing = [str(i.order) for i in items if problems.get(i.pk) == MISSING]
    if missing:
        errors.setdefault("__all__", []).append(
            _("还有 %(n)s 个检查项未填写结果（序号 %(orders)s）。") % {"n": len(missing), "orders": "、".join(missing)}
        )
    no_photo = [str(i.order) for i in items if problems.get(i.pk) == NO_PHOTO]
    if no_photo:
        errors.setdefault("__all__", []).append(
            _("不合格的检查项须拍照取证（序号 %(orders)s）。") % {"orders": "、".join(no_photo)}
        )
    drawn = _check_signatures(inspection, list(signatures), bool(signature_refused), errors)
    if not certificates_shown:
        errors.setdefault("certificates_shown", []).append(
            _("执法人员须向当事人出示执法证件（《行政处罚法》第五十五条），出示后勾选。")
        )
    recusal_note = (recusal_note or "").strip()
    if recusal_requested is None:
        errors.setdefault("recusal_requested", []).append(_("请记录当事人是否申请回避。"))
    elif recusal_requested and not recusal_note:
        errors.setdefault("recusal_note", []).append(_("当事人申请回避的，须记录申请的对象、理由和处理结果。"))
    team = {o.user_id for o in inspection.officers.all()}
    recorder = recorder or actor
    if getattr(recorder, "pk", None) not in team:
        errors.setdefault("recorder", []).append(_("记录人须是检查组成员。"))
    stops = [
        i
        for i in items
        if i.pk in results and results[i.pk].outcome == Outcome.FAIL and i.remedy == Remedy.STOP_RUNNING
    ]
    elements = {
        "fixed_site": fixed_site,
        "two_or_more_staff": two_or_more_staff,
        "organised_teaching": organised_teaching,
    }
    if stops and any(v is None for v in elements.values()):
        for name, value in elements.items():
            if value is None:
                errors.setdefault(name, []).append(
                    _("未取得办学许可的，须记录是否有固定场所、两名以上培训人员、有组织地开展培训（教育部令第53号）。")
                )
    if errors:
        raise ValidationError(errors)
    unlicensed_school = all(elements.values())  # 擅自举办; otherwise 变相 training
    competence = Competence()
    kind = inspection.institution.kind
    created = []
    for item in items:
        result = results[item.pk]
        if result.outcome != Outcome.FAIL:
            continue
        department = competence.lead(kind, item.category, item.code) or inspection.lead_department
        description = item.text if not result.note else f"{item.text}：{result.note}"
        remedy = item.remedy
        if remedy == Remedy.STOP_RUNNING and not unlicensed_school:
            remedy = Remedy.STOP_ENROLLING  # 变相 training, or too small to be 擅自举办: stop enrolling and correct
        finding = Finding.objects.create(
            inspection=inspection,
            item=item,
            category=item.category,
            description=description,
            severity=item.severity,
            legal_basis=item.legal_basis,
            order_basis=item.order_basis,
            remedy=remedy,
            requirement=item.requirement,
            penalty_basis=item.penalty_basis,
            department=department,
            period_days=item.period_days,
            fixed_on_site=result.fixed_on_site and remedy not in STOP_REMEDIES,
        )
        Evidence.objects.filter(item_result=result).update(finding=finding)
        created.append(finding.pk)
    inspection.representative_name = representative_name
    inspection.signature_refused = bool(signature_refused)
    inspection.witness_name = witness_name
    inspection.summary = (summary or "").strip()
    inspection.certificates_shown, inspection.recusal_requested = True, bool(recusal_requested)
    inspection.recusal_note, inspection.recorder = recusal_note, recorder
    for name, value in elements.items():
        setattr(inspection, name, value if stops else None)
    inspection.status, inspection.completed_at = InspectionStatus.COMPLETED, completed
    inspection.full_clean(exclude=["campaign", "institution", "checklist_version", "lead_department", "created_by"])
    inspection.save()
    for signature in drawn:
        signature.signed_at = completed
        signature.save()
    _issue_record(actor, inspection)
    _issue_on_spot_orders(actor, inspection)
    signals.inspection_completed.send(sender=Inspection, inspection=inspection, actor=actor)
    notice_problem = ""
    if inspection.findings.filter(fixed_on_site=False).exists():
        try:
            with transaction.atomic():
                # Handed over on the spot: dated the day of the inspection.
                rectification_notice_issue(actor=actor, inspection=inspection, issued_at=completed)
        except UnknownCalendarYear as exc:
            # The inspection is complete; the order waits until the year's working-day calendar is entered.
            notice_problem = str(exc)
        except ValidationError as exc:
            notice_problem = "；".join(exc.messages)
        waiting = [o for o in planned_orders(inspection) if not o.ready]
        if waiting and not notice_problem:
            # No officer of a competent department was on the team: its order waits (shown on the page).
            notice_problem = waiting_message(waiting)
    audit_record(
        actor=actor,
        action="inspection.complete",
        obj=inspection,
        after={
            "findings": inspection.findings.count(),
            "from_items": created,
            "signature_refused": inspection.signature_refused,
            "signatures": [{"role": d.role, "name": d.name, "sha256": d.sha256} for d in drawn] or None,
            "notice_pending": notice_problem or None,
        },
        institution=inspection.institution_id,
    )
    return inspection


MISSING, NO_PHOTO = "missing", "no_photo"


def completion_problems(items: list[ChecklistItem], results: dict[int, ItemResult]) -> dict[int, str]:
    """What keeps each item from being closed: no result yet, or failed without the photo it needs (item id → code).
    The completion refuses with them, and the page marks the items."""
    problems = {}
    for item in items:
        result = results.get(item.pk)
        if result is None:
            problems[item.pk] = MISSING
        elif item.photo_required and result.outcome == Outcome.FAIL and not result.evidence.all():
            problems[item.pk] = NO_PHOTO
    return problems


def _check_signatures(
    inspection: Inspection, signatures: list[tuple[str, str, Any, bytes]], refused: bool, errors: dict
) -> list[Signature]:
    """The drawn signatures as rows to save: each a real, non-empty PNG, from a team member, the party (unless they
    refused) or the witness (when they did)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    team = {o.user_id for o in inspection.officers.all()}
    kept = []
    for role, name, user, data in signatures:
        field = {"officer": f"sign_officer_{getattr(user, 'pk', '')}", "party": "sign_party"}.get(role, "sign_witness")
        if role not in SignerRole.values or (role == "officer" and getattr(user, "pk", None) not in team):
            raise PermissionDenied(_("只有检查组成员、当事人或见证人可以签名。"))
        if (role == "party" and refused) or (role == "witness" and not refused):
            continue  # the other box of the pair: the party signs, or the witness does when the party refuses
        try:
            photo = read_photo(SimpleUploadedFile("signature.png", data, "image/png"))
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
            continue
        with Image.open(io.BytesIO(photo.data)) as image:
            blank = image.convert("RGBA").getchannel("A").getbbox() is None
        if photo.content_type != "image/png" or blank:
            errors.setdefault(field, []).append(_("签名为空或不是手写签名图像，请重新签名。"))
            continue
        if role != "officer" and not (name or "").strip():
            errors.setdefault(field, []).append(_("请填写签名人的姓名。"))
            continue
        signature = Signature(inspection=inspection, role=role, name=(name or "").strip()[:50], user=user)
        signature.store(photo)
        kept.append(signature)
    return kept


def _issue_record(actor: Any, inspection: Inspection) -> Document:
    return document_issue(
        actor=actor,
        kind=DocumentKind.INSPECTION_RECORD,
        department=inspection.lead_department,
        source=inspection,
        institution=inspection.institution,
        build=lambda number: record_content(inspection, number),
        issued_at=inspection.completed_at,
    )


@dataclass
class Order:
    """One order to issue for an inspection: the issuing departments (one; several for a joint notice, the first
    numbering it), the kind (责令整改 or 责令停止), the problems, and the team's officers of those departments. With
    none of them on the team (and no `issuer` from the department), the order cannot go out yet."""

    kind: str
    departments: list[Department]
    findings: list[Finding]
    officers: list[InspectionOfficer]
    # An officer of the competent department who was not on the team and issues its order afterwards, from the
    # record (services.rectification_notice_issue); printed beside the team.
    issuer: User | None = None

    @property
    def ready(self) -> bool:
        return bool(self.officers or self.issuer)


def competent_issuer(actor: Any, orders: list[Order]) -> list[Order]:
    """The waiting orders `actor` may issue: an active officer, certificate valid today, of one of their departments."""
    department = getattr(actor, "department_id", None)
    if getattr(actor, "role", None) != Role.DEPARTMENT_OFFICER or department is None:
        return []
    if not certified_officers().filter(pk=actor.pk).exists():
        return []
    return [o for o in orders if not o.officers and department in {d.pk for d in o.departments}]


def planned_orders(inspection: Inspection) -> list[Order]:
    """The orders the inspection's problems (not fixed on the spot) call for: per competent department, or one joint
    notice when the campaign says so; stops in their own 责令停止 notice."""
    findings = list(inspection.findings.filter(fixed_on_site=False).select_related("department").order_by("pk"))
    officers = list(inspection.officers.select_related("user", "department"))
    joint = bool(inspection.campaign_id and inspection.campaign.joint_notice)
    groups: dict[tuple[str, int], list[Finding]] = {}
    for f in findings:
        kind = DocumentKind.STOP_ORDER if f.remedy in STOP_REMEDIES else DocumentKind.RECTIFICATION_NOTICE
        groups.setdefault((kind, 0 if joint else f.department_id), []).append(f)
    orders = []
    for (kind, _key), group in groups.items():
        departments = list({f.department_id: f.department for f in group}.values())
        # A joint notice is numbered by the planning department when it is one of the competent ones, else by the
        # first competent department; only competent departments sign and seal it.
        departments.sort(key=lambda d: d.pk != inspection.lead_department_id)
        ids = {d.pk for d in departments}
        orders.append(Order(kind, departments, group, [o for o in officers if o.department_id in ids]))
    return orders


@transaction.atomic
def rectification_notice_issue(
    *, actor: Any, inspection: Inspection, issued_at: datetime | None = None
) -> list[Document]:
    """The orders for a completed inspection's problems not fixed on the spot (planned_orders): each numbered in its
    department's sequence and sealed with its name (a joint notice: numbered by the first, sealed by all). Dated
    today: each problem's deadline is today plus its period in working days (限期改正: to correct by; 立即改正 and
    stops: to report the correction by), except a stop referred to a penalty case (due today). Issuing again (after an amendment) keeps the numbers and the deadlines already set. Raises
    UnknownCalendarYear when a deadline falls in a year whose holidays are not known yet. An order whose departments
    had no officer on the team waits (the others go out; ValidationError when none could) until a certified officer
    of its department issues it from the record."""
    inspection = _locked(inspection)
    _require_status(inspection, InspectionStatus.COMPLETED)
    orders = planned_orders(inspection)
    for order in competent_issuer(actor, orders):
        order.issuer = actor
    if not allowed(actor, "campaigns.manage") and not any(o.issuer for o in orders):
        _require_team_member(actor, inspection)
    if not orders:
        raise ValidationError(_("本次检查没有需要责令改正的问题。"))
    existing = (
        Document.objects.filter(
            source_type=inspection._meta.label_lower,
            source_id=str(inspection.pk),
            kind__in=[DocumentKind.RECTIFICATION_NOTICE, DocumentKind.STOP_ORDER],
        )
        .order_by("issued_at")
        .first()
    )
    issued_at = existing.issued_at if existing else (issued_at or timezone.now())
    issued_on = timezone.localtime(issued_at).date()
    documents, waiting = [], []
    for order in orders:
        if not order.ready:
            waiting.append(order)
            continue
        for finding in order.findings:
            if finding.deadline is None:
                # 限期改正: the date to correct by; 立即改正 and stops: the date to report the correction by; a
                # stop referred to a penalty case is due the day it is ordered.
                referred = finding.remedy in REFERRED_REMEDIES
                finding.deadline = issued_on if referred else add_working_days(issued_on, finding.period_days)
                finding.save(update_fields=["deadline"])
        document = document_issue(
            actor=actor,
            kind=order.kind,
            department=order.departments[0],
            source=inspection,
            institution=inspection.institution,
            build=lambda number, order=order: notice_content(inspection, order, number, issued_on),
            issued_at=issued_at,
        )
        signals.notice_issued.send(
            sender=Inspection, inspection=inspection, findings=order.findings, issued_at=issued_at, actor=actor,
            number=document.number,
        )  # fmt: skip
        _stop_status(actor, inspection, order, document, issued_on)
        documents.append(document)
    if not documents and waiting:
        raise ValidationError(waiting_message(waiting))
    return documents


# The operating status a 责令停止 order puts the institution under, from its effective day.
STOP_STATUS = {
    Remedy.STOP_ENROLLING: OperatingStatus.STOP_ENROLLING,
    Remedy.STOP_ACTIVITY: OperatingStatus.SUSPENDED,
    Remedy.STOP_RUNNING: OperatingStatus.BANNED,
}


def _stop_status(actor: Any, inspection: Inspection, order: Any, document: Any, issued_on: date) -> None:
    """A 责令停止 order changes the institution's operating status itself, with the order as its basis (the heaviest
    stop it orders; never lighter than a sanction already in force)."""
    stops = [STOP_STATUS[f.remedy] for f in order.findings if f.remedy in STOP_STATUS]
    if not stops:
        return
    target = max(stops, key=lambda s: SANCTION_RANK[s])
    reasons = "；".join(f.description for f in order.findings if f.remedy in STOP_STATUS)
    status_by_decision(
        actor=actor, institution=inspection.institution, to_status=target, document=document,
        reason=f"{document.title}：{reasons}", effective_date=issued_on,
    )  # fmt: skip


def waiting_message(waiting: list[Order]) -> str:
    names = "、".join(d.name for order in waiting for d in order.departments)
    return _("检查组中没有%(departments)s的执法人员，其职权内问题的通知书须由该部门执法人员制发。") % {
        "departments": names
    }


def _issue_on_spot_orders(actor: Any, inspection: Inspection) -> None:
    """当场责令改正: for each competent department with problems corrected during the inspection, a notice that
    records the order given on the spot and the correction seen (signed by its officers on the team)."""
    fixed = list(inspection.findings.filter(fixed_on_site=True).select_related("department").order_by("pk"))
    officers = list(inspection.officers.select_related("user", "department"))
    by_department: dict[int, list[Finding]] = {}
    for f in fixed:
        by_department.setdefault(f.department_id, []).append(f)
    for group in by_department.values():
        department = group[0].department
        signers = [o for o in officers if o.department_id == department.pk]
        if not signers:
            continue  # recorded in the 笔录; no officer of that department to sign the order
        order = Order(DocumentKind.ON_SPOT_ORDER, [department], group, signers)
        document_issue(
            actor=actor,
            kind=DocumentKind.ON_SPOT_ORDER,
            department=department,
            source=inspection,
            institution=inspection.institution,
            build=lambda number, order=order: on_spot_content(inspection, order, number),
            issued_at=inspection.completed_at,
        )


@transaction.atomic
def inspection_cancel(*, actor: Any, inspection: Inspection, reason: str) -> Inspection:
    inspection = _locked(inspection)
    if not allowed(actor, "campaigns.manage"):
        _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("取消检查须填写原因。")})
    before = inspection.status
    inspection.status, inspection.cancel_reason = InspectionStatus.CANCELLED, reason[:200]
    inspection.save(update_fields=["status", "cancel_reason"])
    audit_record(
        actor=actor, action="inspection.cancel", obj=inspection, before={"status": before},
        after={"status": inspection.status, "reason": reason}, institution=inspection.institution_id,
    )  # fmt: skip
    return inspection


@transaction.atomic
def inspection_amend(*, actor: Any, inspection: Inspection, reason: str, **changes: Any) -> Amendment:
    """Correct a completed inspection's record (place, summary, signature block) with a reason; the amendment keeps
    what was there before."""
    inspection = _locked(inspection)
    if not allowed(actor, "campaigns.manage"):
        _require_team_member(actor, inspection)
    _require_status(inspection, InspectionStatus.COMPLETED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正须填写原因。")})
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不能更正这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    before = snapshot(inspection, fields=list(AMENDABLE_FIELDS))
    for name, value in changes.items():
        setattr(inspection, name, value.strip() if isinstance(value, str) else value)
    if inspection.signature_refused and not inspection.witness_name:
        raise ValidationError({"witness_name": _("当事人拒绝签字的，须记录见证人。")})
    inspection.full_clean(exclude=["campaign", "institution", "checklist_version", "lead_department", "created_by"])
    old, new = changed(before, snapshot(inspection, fields=list(AMENDABLE_FIELDS)))
    if not new:
        raise ValidationError(_("没有需要更正的内容。"))
    inspection.save(update_fields=list(new))
    amendment = Amendment.objects.create(
        inspection=inspection, reason=reason, changes={"before": old, "after": new}, actor=actor
    )
    _issue_record(actor, inspection)  # the record is regenerated under its number; the earlier file is kept
    audit_record(
        actor=actor, action="inspection.amend", obj=inspection, before=old, after={**new, "reason": reason},
        institution=inspection.institution_id,
    )  # fmt: skip
    return amendment
