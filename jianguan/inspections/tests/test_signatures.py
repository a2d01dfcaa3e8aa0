"""Signatures drawn on the screen are kept as files with their hash and printed on the 现场检查笔录, which ends with
numbered 现场照片 pages; a refused completion comes back with each problem beside its control and item."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import tempfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageDraw

from jianguan.audit.models import AuditEvent
from jianguan.documents.choices import DocumentKind
from jianguan.documents.models import Document
from jianguan.inspections import services
from jianguan.inspections.models import Signature
from jianguan.inspections.tests.test_inspections import jpeg, upload


def drawn(stroke: bool = True) -> bytes:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    if stroke:
        ImageDraw.Draw(image).line([(40, 150), (200, 40), (380, 160), (560, 60)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _record(inspection) -> Document:
    return Document.objects.get(
        source_type="inspections.inspection", source_id=str(inspection.pk), kind=DocumentKind.INSPECTION_RECORD
    )


def _pdf(document) -> tuple[str, str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp, document.pdf.open("rb") as pdf:
        tmp.write(pdf.read())
        tmp.flush()
        text = subprocess.run(["pdftotext", tmp.name, "-"], capture_output=True, text=True, check=True).stdout
        images = subprocess.run(["pdfimages", "-list", tmp.name], capture_output=True, text=True, check=True).stdout
    return "".join(text.split()), images


@pytest.mark.skipif(not shutil.which("pdfimages"), reason="poppler-utils (scripts/bootstrap.sh installs it)")
def test_drawn_signatures_and_photos_are_on_the_record(district):
    inspection = district.inspections["on_site"]
    edu, fire = district.users["edu_officer"], district.users["fire_officer"]
    item = inspection.checklist_version.items.first()
    result = inspection.results.get(item=item)
    photo = services.evidence_add(actor=fire, inspection=inspection, upload=upload(jpeg()), result=result)
    party = drawn()
    done = services.inspection_complete(
        certificates_shown=True, recusal_requested=False,
        actor=edu, inspection=inspection, representative_name="黄志强",
        signatures=[("officer", edu.name, edu, drawn()), ("officer", fire.name, fire, drawn()),
                    ("party", "黄志强", None, party)],
    )  # fmt: skip
    kept = {s.role + ":" + s.name: s for s in Signature.objects.filter(inspection=done)}
    assert set(kept) == {f"officer:{edu.name}", f"officer:{fire.name}", "party:黄志强"}
    assert kept["party:黄志强"].sha256 == hashlib.sha256(party).hexdigest()
    event = AuditEvent.objects.filter(action="inspection.complete").latest("pk")
    assert {s["sha256"] for s in event.after["signatures"]} == {s.sha256 for s in kept.values()}
    text, images = _pdf(_record(done))
    assert "现场照片" in text and "照片1" in text and f"SHA-256{photo.sha256[:12]}" in text
    assert f"证明：检查项{item.order}." in text and "当事人/现场负责人黄志强" in text
    assert len([line for line in images.splitlines()[2:] if line.strip()]) >= 4  # three signatures and a photo


def test_signatures_that_are_not_signatures_are_refused(district):
    inspection = district.inspections["on_site"]
    edu = district.users["edu_officer"]
    with pytest.raises(ValidationError) as blank:
        services.inspection_complete(
        certificates_shown=True, recusal_requested=False,
            actor=edu, inspection=inspection, representative_name="黄志强",
            signatures=[("party", "黄志强", None, drawn(stroke=False))],
        )  # fmt: skip
    assert "签名为空" in blank.value.message_dict["sign_party"][0]
    with pytest.raises(ValidationError) as junk:
        services.inspection_complete(
        certificates_shown=True, recusal_requested=False,
            actor=edu, inspection=inspection, representative_name="黄志强",
            signatures=[("party", "黄志强", None, b"\x89PNG\r\n\x1a\nnot really")],
        )  # fmt: skip
    assert "sign_party" in junk.value.message_dict
    outsider = district.users["street_a"]
    with pytest.raises(Exception, match="检查组成员"):
        services.inspection_complete(
        certificates_shown=True, recusal_requested=False,
            actor=edu, inspection=inspection, representative_name="黄志强",
            signatures=[("officer", outsider.name, outsider, drawn())],
        )  # fmt: skip
    assert not Signature.objects.exists()
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"


def test_a_refused_completion_comes_back_with_each_problem_where_it_is(district, client_for):
    from jianguan.inspections.models import ItemResult

    inspection = district.inspections["on_site"]
    first = inspection.checklist_version.items.first()
    ItemResult.objects.filter(inspection=inspection, item=first).delete()
    signature = "data:image/png;base64," + base64.b64encode(drawn()).decode()
    head = {"certificates_shown": "on", "recusal_requested": "0", "recorder": district.users["edu_officer"].pk}
    response = client_for("edu_officer").post(
        f"/inspections/{inspection.pk}/complete/",
        {"representative_name": "", "sign_party": signature, "summary": "x", **head},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写在场负责人姓名" in page and "未填写结果" in page
    asked = client_for("edu_officer").post(f"/inspections/{inspection.pk}/complete/", {"representative_name": "黄"})
    assert asked.status_code == 400  # the recusal question and the certificates are answered on the form
    assert "你是否申请执法人员回避" in asked.content.decode() and "出示执法证件" in asked.content.decode()
    row = page[page.index(f'id="item-{first.pk}"') :]
    assert row.index("未填写结果") < row.index("</li>")  # the message sits in the item's own row
    assert signature in page  # the drawn signature is kept for the next try
    assert "\nx</textarea>" in page or ">x</textarea>" in page  # what was typed is kept
    bad = client_for("edu_officer").post(
        f"/inspections/{inspection.pk}/complete/",
        {"representative_name": "黄", "sign_party": "data:image/png;base64,!!"},
    )
    assert bad.status_code == 400 and "签名图像已损坏" in bad.content.decode()
