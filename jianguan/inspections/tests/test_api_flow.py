"""An inspection from plan to documents through the API alone, as a mobile app or another system would do it."""

from __future__ import annotations

import hashlib
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.support.district import persona_client, tiny_jpeg


def test_plan_inspect_photograph_complete_and_download(district):
    client = persona_client(district.users["edu_officer"])
    team = [district.users["edu_officer"].pk, district.users["fire_officer"].pk]

    def call(method, path, body=None):  # type: ignore[no-untyped-def]
        if method == "get":
            response = client.get(f"/api/v1{path}")
        else:
            response = getattr(client, method)(
                f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json"
            )
        return response.status_code, response.json()

    status, created = call(
        "post",
        "/inspections",
        {
            "institution_id": district.institutions["a"].pk,
            "scheduled_at": timezone.now().isoformat(),
            "officer_ids": team,
        },
    )
    assert status == 201 and created["status"] == "planned" and len(created["officers"]) == 2
    pk = created["id"]
    status, body = call("post", "/inspections", {"institution_id": district.institutions["a"].pk,
                        "scheduled_at": timezone.now().isoformat(), "officer_ids": team[:1]})  # fmt: skip
    assert status == 400 and "至少需要 2 名" in body["message"] and "officers" in body["errors"]
    assert call("post", f"/inspections/{pk}/start")[0] == 200
    from jianguan.inspections.models import Inspection

    items = list(Inspection.objects.get(pk=pk).checklist_version.items.values_list("pk", flat=True))
    for n, item in enumerate(items):
        status, result = call("put", f"/inspections/{pk}/results/{item}", {"outcome": "fail" if n == 0 else "pass",
                              "note": "无证" if n == 0 else ""})  # fmt: skip
        assert status == 200
    status, body = call("post", f"/inspections/{pk}/complete", {"representative_name": "陈立新"})
    assert status == 400 and "拍照取证" in body["message"]
    photo = tiny_jpeg()
    response = client.post(
        f"/api/v1/inspections/{pk}/photos",
        {"file": SimpleUploadedFile("p.jpg", photo, "image/jpeg"), "result_item_id": items[0]},
    )
    assert response.status_code == 201 and response.json()["sha256"] == hashlib.sha256(photo).hexdigest()
    response = client.post(
        f"/api/v1/inspections/{pk}/photos", {"file": SimpleUploadedFile("p.jpg", b"%PDF-1.4 not a photo", "image/jpeg")}
    )
    assert response.status_code == 400 and "不是有效的照片" in response.json()["message"]
    head = {"representative_name": "陈立新", "certificates_shown": True, "recusal_requested": False}
    status, body = call("post", f"/inspections/{pk}/complete", head)
    assert status == 400 and "教育部令第53号" in str(body)  # no licence: the elements of 擅自举办 are recorded
    elements = {"fixed_site": True, "two_or_more_staff": False, "organised_teaching": True}
    status, done = call("post", f"/inspections/{pk}/complete", {**head, **elements})
    assert status == 200 and done["status"] == "completed"
    assert {d["kind"] for d in done["documents"]} == {"inspection_record", "stop_order"}  # 责令停止招生
    assert done["findings"][0]["remedy"] == "stop_enrolling" and done["findings"][0]["order_basis"]
    assert call("put", f"/inspections/{pk}/results/{items[1]}", {"outcome": "fail"})[0] == 400  # frozen
    notice = next(d for d in done["documents"] if d["kind"] == "stop_order")
    status, document = call("get", f"/documents/{notice['id']}")
    assert status == 200 and document["number"] == notice["number"]
    download = client.get(document["pdf_url"])
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document["pdf_sha256"]
    # The institution sees its completed inspection and the documents about it; another street does not.
    assert persona_client(district.users["institution"]).get(f"/api/v1/inspections/{pk}").status_code == 200
    assert persona_client(district.users["street_b"]).get(f"/api/v1/documents/{notice['id']}").status_code == 404
