from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.lib.forms import HtmlDateInput
from jianguan.lib.validators import TEXT_MAX_LENGTH
from jianguan.org.selectors import streets
from jianguan.registry.choices import STATUS_CHANGE_TARGETS, LicenceKind, OperatingStatus
from jianguan.registry.models import Institution, Licence

IMAGE_OR_PDF = ".pdf,.jpg,.jpeg,.png"
MAX_SCAN_BYTES = 10 * 1024 * 1024


class InstitutionForm(forms.ModelForm):
    confirm_duplicate_name = forms.BooleanField(
        label=_("仍然保存（确认与同名机构不是同一家）"), required=False, widget=forms.CheckboxInput
    )

    class Meta:
        model = Institution
        fields = [
            "name", "credit_code", "kind", "sub_kind", "street", "address", "legal_representative",
            "contact_person", "contact_phone", "capacity", "floor_area", "floors", "notes", "latitude", "longitude",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = streets()
        if user is not None and user.scope.street_ids:
            qs = qs.filter(pk__in=user.scope.street_ids)
        self.fields["street"].queryset = qs
        self.fields["credit_code"].validators = []  # the service normalises first (full-width, lowercase, spaces)
        self.fields["credit_code"].max_length = 40
        self.fields["credit_code"].widget.attrs["maxlength"] = 40

    def _post_clean(self) -> None:
        # Validation of the model happens in the service, so the same rules apply to pages, the API and imports.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "confirm_duplicate_name"}
        data["credit_code"] = data.get("credit_code") or None
        return data


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("新状态"), choices=[(s.value, s.label) for s in OperatingStatus if s in STATUS_CHANGE_TARGETS]
    )
    effective_date = forms.DateField(label=_("生效日期"), widget=HtmlDateInput())
    reason = forms.CharField(max_length=TEXT_MAX_LENGTH, label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))
    basis_authority = forms.CharField(
        label=_("作出决定的机关"), max_length=60, required=False,
        help_text=_("停止招生、停业整顿、吊销、取缔须依据已生效的决定（本平台的处罚决定会自动变更状态；"
                    "此处登记其他机关或人民法院的决定）。"),
    )  # fmt: skip
    basis_number = forms.CharField(label=_("决定文号"), max_length=60, required=False)
    basis_date = forms.DateField(label=_("决定日期"), widget=HtmlDateInput(), required=False)


class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["kind", "number", "issuer", "issue_date", "valid_until", "scan"]
        widgets = {
            "issue_date": HtmlDateInput(),
            "valid_until": HtmlDateInput(),
            "scan": forms.ClearableFileInput(attrs={"accept": IMAGE_OR_PDF}),
        }

    def _post_clean(self) -> None:
        pass

    def clean_scan(self) -> Any:
        # What the file is, is decided by its content in the service (lib/images.read_photo_or_pdf); an unchanged
        # field (the stored file) or the clear box pass through.
        scan = self.cleaned_data.get("scan")
        if scan and hasattr(scan, "size") and scan.size > MAX_SCAN_BYTES:
            raise forms.ValidationError(_("扫描件不能超过 10 MB。"))
        return scan


class RequirementForm(forms.Form):
    licence_kinds = forms.MultipleChoiceField(
        label=_("须持证照"), choices=LicenceKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    valid_only = forms.BooleanField(label=_("只导入无误的行（有错误的行跳过）"), required=False)

    def clean_file(self):  # type: ignore[no-untyped-def]
        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = settings.JIANGUAN_UPLOAD_MAX_MB
        if upload.size > limit * 1048576:
            raise forms.ValidationError(
                _("文件大小 %(size).1f MB，超过上限 %(limit)s MB。请只保留需要导入的数据，或分成多个文件。"),
                params={"size": upload.size / 1048576, "limit": limit},
            )
        return upload
