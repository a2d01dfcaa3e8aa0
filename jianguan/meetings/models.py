"""联席会议: the standing joint meeting of the departments and streets, its sessions (agenda, attendance, the materials
the platform writes, the minutes) and the tasks (督办事项) each session decides, with their progress reports."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.lib.validators import validate_plain_text
from jianguan.meetings.choices import AttendanceStatus, Schedule, SessionKind, SessionStatus, TaskStatus


def member_meetings_q(scope: Scope, prefix: str = "") -> Q | None:
    """The meetings a scope belongs to: the district-wide roles all of them; a department officer those its
    department hosts or is a member of; a street officer those one of its streets is a member of; nobody else any.
    `prefix` is the path from the model to its JointMeeting ("session__meeting__")."""
    if scope.district_wide:
        return None
    if scope.role == Role.DEPARTMENT_OFFICER and scope.department_id:
        ids = JointMeeting.objects.filter(
            Q(department_id=scope.department_id) | Q(departments=scope.department_id)
        ).values("pk")
    elif scope.role == Role.STREET_OFFICER and scope.street_ids:
        ids = JointMeeting.objects.filter(streets__in=scope.street_ids).values("pk")
    else:
        return Q(pk__in=[])
    return Q(**{f"{prefix}in" if prefix else "pk__in": ids})


class MemberScopedQuerySet(ScopedQuerySet):
    """Every member of a meeting reads all of it: its sessions, materials, minutes and every task (a joint meeting
    shares its decisions); the meeting is the only thing scoped."""

    meeting_path = ""

    def scope_q(self, scope: Scope) -> Q | None:
        return member_meetings_q(scope, self.meeting_path)


class JointMeetingQuerySet(MemberScopedQuerySet):
    meeting_path = ""


class JointMeeting(models.Model):
    """The standing joint meeting (联席会议): its host department (whose office issues the minutes under its own
    number), its convener, member departments and streets, and how often it meets."""

    name = models.CharField(_("名称"), max_length=80, unique=True, validators=[validate_plain_text])
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办公室所在部门（纪要制发）"), on_delete=models.PROTECT, related_name="+"
    )
    convener = models.ForeignKey("accounts.User", verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+")
    departments = models.ManyToManyField("org.Department", verbose_name=_("成员部门"), related_name="+")
    streets = models.ManyToManyField("org.Region", verbose_name=_("成员街道/乡镇"), related_name="+", blank=True)
    schedule = models.CharField(_("例会周期"), max_length=12, choices=Schedule.choices, default=Schedule.QUARTERLY)
    duties = models.TextField(_("工作规则"), max_length=2000, blank=True, validators=[validate_plain_text])
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    objects = JointMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")

    def __str__(self) -> str:
        return self.name


class SessionQuerySet(MemberScopedQuerySet):
    meeting_path = "meeting__"


class MeetingSession(models.Model):
    """One session (第N次会议): when and where, the agenda, and — once held — its minutes. The materials are the
    dashboard's figures for the period since the previous session, frozen when generated (`materials`)."""

    meeting = models.ForeignKey(
        JointMeeting, verbose_name=_("联席会议"), on_delete=models.PROTECT, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    kind = models.CharField(_("会议类型"), max_length=10, choices=SessionKind.choices, default=SessionKind.REGULAR)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=80, validators=[validate_plain_text])
    agenda = models.TextField(_("议程"), max_length=2000, validators=[validate_plain_text])
    status = models.CharField(_("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    materials = models.JSONField(_("会议材料"), null=True, blank=True)
    materials_from = models.DateField(_("材料统计起"), null=True, blank=True)
    materials_to = models.DateField(_("材料统计止"), null=True, blank=True)
    minutes = models.TextField(_("会议纪要"), max_length=4000, blank=True, validators=[validate_plain_text])
    # The earlier sessions' open tasks the session reviewed, fixed when its minutes are recorded (before that the
    # agenda lists whatever is open at the time: selectors.carried_tasks).
    carried = models.ManyToManyField(
        "MeetingTask", verbose_name=_("跟踪的督办事项"), related_name="reviewed_at", blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="meeting_session_number")]
        verbose_name = _("联席会议会次")
        verbose_name_plural = _("联席会议会次")

    def __str__(self) -> str:
        return f"{self.meeting.name}第{self.number}次会议"


class AttendanceQuerySet(MemberScopedQuerySet):
    meeting_path = "session__meeting__"


class Attendance(models.Model):
    """Whether one member unit (a department or a street) came to a session, sent a deputy (named), or was absent."""

    session = models.ForeignKey(MeetingSession, on_delete=models.CASCADE, related_name="attendance")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("出席情况"), max_length=10, choices=AttendanceStatus.choices)
    attendee = models.CharField(_("出席人"), max_length=40, blank=True, validators=[validate_plain_text])

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, street__isnull=True)
                | Q(department__isnull=True, street__isnull=False),
                name="attendance_one_unit",
            ),
            models.UniqueConstraint(fields=["session", "department"], name="attendance_department_once"),
            models.UniqueConstraint(fields=["session", "street"], name="attendance_street_once"),
        ]
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")

    def __str__(self) -> str:
        return f"{self.unit}：{self.get_status_display()}"

    @property
    def unit(self) -> models.Model:
        return self.department or self.street  # type: ignore[return-value]


def overdue_q(today: date) -> Q:
    """Overdue (逾期, never stored): open and past its deadline — the one definition the task list, the dashboard, the
    warnings and the reminders use."""
    return Q(status=TaskStatus.OPEN, deadline__lt=today)


class TaskQuerySet(MemberScopedQuerySet):
    meeting_path = "session__meeting__"

    def overdue(self, today: date) -> TaskQuerySet:
        return self.filter(overdue_q(today))


class MeetingTask(models.Model):
    """督办事项: one decision of a session, with the department or street responsible and its deadline. Open until
    the convener closes it; overdue (not stored) while open past its deadline."""

    session = models.ForeignKey(MeetingSession, verbose_name=_("会次"), on_delete=models.PROTECT, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("序号"))
    decision = models.TextField(_("议定事项"), max_length=500, validators=[validate_plain_text])
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "org.Region", verbose_name=_("责任街道/乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("办理时限"))
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("销号人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.CharField(_("办结意见"), max_length=300, blank=True, validators=[validate_plain_text])
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, street__isnull=True)
                | Q(department__isnull=True, street__isnull=False),
                name="meeting_task_one_unit",
            ),
            models.UniqueConstraint(fields=["session", "number"], name="meeting_task_number"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="meeting_task_status_deadline")]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")

    def __str__(self) -> str:
        return self.decision[:40]

    @property
    def unit_name(self) -> str:
        unit = self.department or self.street
        return unit.name if unit is not None else ""

    @property
    def latest_progress(self) -> TaskProgress | None:
        """The last report (from the prefetched reports, in report order: no query per row)."""
        reports = list(self.progress.all())
        return reports[-1] if reports else None

    def is_overdue(self, today: date) -> bool:
        return self.status == TaskStatus.OPEN and self.deadline < today


class ProgressQuerySet(MemberScopedQuerySet):
    meeting_path = "task__session__meeting__"


class TaskProgress(models.Model):
    """A progress report on a task by a user of its responsible unit."""

    task = models.ForeignKey(MeetingTask, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey("accounts.User", verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("办理进展"), max_length=1000, validators=[validate_plain_text])
    done = models.BooleanField(_("已办理完毕，申请销号"), default=False)
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        ordering = ["reported_at", "pk"]
        verbose_name = _("办理进展")
        verbose_name_plural = _("办理进展")

    def __str__(self) -> str:
        return self.text[:40]
