from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.audit.choices import Source


class AuditEventQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        return None if scope.role == Role.ADMIN else Q(pk__in=[])

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("审计记录不可修改。")

    def delete(self):  # type: ignore[no-untyped-def]
        raise PermissionError("审计记录不可删除。")


class AuditEvent(models.Model):
    """One audited change. Each event hashes its content with the previous event's hash, forming a chain."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True, db_index=True)
    object_label = models.CharField(_("对象名称"), max_length=200, blank=True)
    # The institution the event concerns, for the institution's shared timeline (licences, inspections, items …).
    institution_id = models.PositiveBigIntegerField(_("相关机构"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    ip = models.GenericIPAddressField(_("客户端 IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise PermissionError("审计记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("审计记录不可删除。")

    @property
    def action_label(self) -> str:
        from jianguan.audit.labels import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def object_type_label(self) -> str:
        from jianguan.audit.labels import OBJECT_TYPE_LABELS

        return str(OBJECT_TYPE_LABELS.get(self.object_type, self.object_type))


class AuditChainHead(models.Model):
    """The chain's last sequence number and hash; its row lock serialises audit writes and reveals a cut tail."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.last_seq}"
