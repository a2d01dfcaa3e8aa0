"""Official documents (执法文书): numbered per department, kind and year, stored as PDF and DOCX with SHA-256."""

from __future__ import annotations

from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scoping import Scope, ScopedQuerySet
from jianguan.documents.choices import DocumentKind


class NumberSequence(models.Model):
    """The last number given for one department, document kind and year. Its row is locked while a number is
    taken, in the transaction that creates the document, so numbers have neither gaps nor duplicates."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("文书种类"), max_length=30, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    last_number = models.PositiveIntegerField(_("已用到"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "kind", "year"], name="document_sequence_unique"),
        ]
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")

    def __str__(self) -> str:
        return f"{self.department} {self.get_kind_display()} {self.year}: {self.last_number}"


# source type ("inspections.inspection") → the source's model; each app that issues documents registers its own
# (apps.py), so a document is seen by exactly those who may see what it was issued for.
SOURCES: dict[str, type[models.Model]] = {}


def register_source(model: type[models.Model]) -> None:
    """Documents issued for rows of ``model`` are visible to whoever may see that row (its ``visible_to``)."""
    SOURCES[model._meta.label_lower] = model


class DocumentQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> Q | None:
        """Whoever may see a document's source (the inspection for its 笔录 and 通知书, the ledger item's recheck for
        its 复查意见书): not everyone who may see the institution."""
        if scope.district_wide:
            return None
        q = Q(pk__in=[])
        for source_type, model in SOURCES.items():
            source_q = model.objects.scope_q(scope)  # type: ignore[attr-defined]
            visible = model.objects.all() if source_q is None else model.objects.filter(source_q)  # type: ignore[attr-defined]
            q |= Q(source_type=source_type, source_id__in=visible.values(source_key=Cast("pk", CharField())))
        return q


def document_upload_to(instance: Document, filename: str) -> str:
    return f"documents/{instance.year}/{instance.kind}/{filename}"


class Document(models.Model):
    """One issued document. Regenerating it (a corrected record, a new layout) replaces its files but never its
    number; each version's hashes are in the audit trail."""

    kind = models.CharField(_("文书种类"), max_length=30, choices=DocumentKind.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("制发部门"), on_delete=models.PROTECT, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    institution = models.ForeignKey(
        "registry.Institution",
        verbose_name=_("机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    # What the document was issued for (an inspection, a recheck …) as app_label.model + pk: one document of a kind
    # per source and issuing department (a joint inspection's orders, one per competent department), which is how
    # regenerating finds the document and keeps its number.
    source_type = models.CharField(_("来源类型"), max_length=60)
    source_id = models.CharField(_("来源编号"), max_length=40)
    pdf = models.FileField(_("PDF"), upload_to=document_upload_to)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    docx = models.FileField(_("DOCX"), upload_to=document_upload_to)
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64)
    issued_at = models.DateTimeField(_("制发时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name=_("制发人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    regenerated_at = models.DateTimeField(_("最近重新生成"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "kind", "year", "serial"], name="document_serial_unique"),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "kind", "department"], name="document_per_source_unique"
            ),
        ]
        verbose_name = _("执法文书")
        verbose_name_plural = _("执法文书")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
