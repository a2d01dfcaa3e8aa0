"""The public side: the form (picked or typed institution, photos, anonymous), the bot trap, rate limits, the
tracking code and page, the public API."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jianguan.complaints.models import Complaint
from jianguan.lib.bottrap import stamp
from tests.support.district import REPORTER_NAME, REPORTER_PHONE, tiny_jpeg


def _form(**extra):  # type: ignore[no-untyped-def]
    data = {
        "started": stamp(), "website": "", "kind": "report", "category": "fire",
        "content": "安全出口被杂物堵住，晚上还有学生上课。",
        "reporter_name": "张三丰", "reporter_phone": "13811112222",
    }  # fmt: skip
    data.update(extra)
    return data


def _submit(client: Client, **extra):  # type: ignore[no-untyped-def]
    return client.post("/public/complaints/", _form(**extra), follow=True)


def test_a_parent_files_about_a_registry_institution_and_tracks_it(district):
    client = Client()
    inst = district.institutions["a"]
    page = client.get("/public/complaints/", {"institution": inst.pk}).content.decode()
    assert inst.name in page and 'name="website"' in page
    response = _submit(
        client, institution=str(inst.pk), photos=[SimpleUploadedFile("a.jpg", tiny_jpeg(), "image/jpeg")]
    )
    html = response.content.decode()
    code = re.search(r'data-testid="tracking-code">([A-Z0-9-]+)<', html).group(1)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    complaint = Complaint.objects.latest("pk")
    assert complaint.institution_id == inst.pk and complaint.street_id == inst.street_id
    assert complaint.photos.count() == 1 and code not in str(Complaint.objects.values().get(pk=complaint.pk))
    # The code is shown once: the done page does not show it again.
    assert code not in client.get("/public/complaints/done/", follow=True).content.decode()
    tracked = client.post("/public/complaints/track/", {"code": code.lower().replace("-", " ")}).content.decode()
    assert "已收到，等待受理" in tracked and complaint.number in tracked
    assert "查询码不正确" in client.post("/public/complaints/track/", {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()


def test_a_typed_site_needs_name_and_address_and_a_named_reporter_needs_a_phone(district):
    client = Client()
    html = _submit(client, reporter_phone="", typed_name="").content.decode()
    assert "请从机构库中选择机构，或填写机构名称和地址" in html and "实名投诉请填写姓名和联系电话" in html
    assert (
        "请填写 11 位手机号码"
        in _submit(client, reporter_phone="12345", typed_name="x", typed_address="y").content.decode()
    )
    assert not Complaint.objects.exclude(pk=district.complaints["a"].pk).exists()
    _submit(
        client,
        typed_name="小区家庭托管",
        typed_address="阳光花园 3 幢",
        anonymous="on",
        reporter_name="",
        reporter_phone="",
    )
    complaint = Complaint.objects.latest("pk")
    assert complaint.institution is None and complaint.anonymous and complaint.reporter_name == ""


def test_anonymous_drops_whatever_name_was_typed(district):
    _submit(Client(), typed_name="某机构", typed_address="某路 1 号", anonymous="on")
    complaint = Complaint.objects.latest("pk")
    assert complaint.anonymous and complaint.reporter_name == "" and complaint.reporter_phone == ""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"website": "http://spam.example"}, "提交未通过校验"),
        ({"started": ""}, "页面已过期"),
        ({"started": "forged:1"}, "页面已过期"),
    ],
)
def test_the_bot_trap_refuses_and_saves_nothing(district, extra, message):
    before = Complaint.objects.count()
    html = _submit(Client(), typed_name="x", typed_address="y", **extra).content.decode()
    assert message in html and Complaint.objects.count() == before


def test_the_bot_trap_stamp_is_spent_by_the_first_post_that_passes(district):
    from django.core.cache import cache

    cache.clear()
    form = _form(typed_name="某无证托管班", typed_address="乙街道 3 号")
    first = Client().post("/public/complaints/", form, follow=True)
    assert first.status_code == 200 and Complaint.objects.filter(typed_name="某无证托管班").count() == 1
    replay = Client().post("/public/complaints/", form, follow=True).content.decode()
    assert "该表单已经提交过" in replay
    assert Complaint.objects.filter(typed_name="某无证托管班").count() == 1


def test_a_form_refused_for_its_content_keeps_a_usable_stamp(district):
    from django.core.cache import cache

    cache.clear()
    html = Client().post("/public/complaints/", _form(content=""), follow=True).content.decode()
    fresh = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert Client().post("/public/complaints/", _form(started=fresh, typed_name="甲", typed_address="乙"), follow=True)
    assert Complaint.objects.filter(typed_name="甲").exists()


def test_the_bot_trap_refuses_a_post_faster_than_a_person(district, settings):
    settings.JIANGUAN_FORM_MIN_SECONDS = 3
    html = _submit(Client(), typed_name="x", typed_address="y").content.decode()
    assert "提交过快" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really a photo", "不是有效的照片"),
        (tiny_jpeg()[:-40], "不是有效的照片"),  # cut short
    ],
)
def test_fake_or_broken_photos_are_refused(district, data, message):
    before = Complaint.objects.count()
    html = _submit(
        Client(), typed_name="x", typed_address="y", photos=[SimpleUploadedFile("a.jpg", data, "image/jpeg")]
    ).content.decode()
    assert message in html and Complaint.objects.count() == before


def test_too_many_or_too_big_photos_are_refused(district, settings):
    photos = [SimpleUploadedFile(f"{i}.jpg", tiny_jpeg(), "image/jpeg") for i in range(6)]
    assert "最多上传 5 张照片" in _submit(Client(), typed_name="x", typed_address="y", photos=photos).content.decode()
    settings.JIANGUAN_PHOTO_MAX_BYTES = 100
    big = SimpleUploadedFile("big.jpg", tiny_jpeg(), "image/jpeg")
    assert "照片不能超过" in _submit(Client(), typed_name="x", typed_address="y", photos=[big]).content.decode()


def test_submissions_are_rate_limited_per_client(district, settings):
    settings.JIANGUAN_COMPLAINT_RATE_LIMIT = 2
    client = Client()
    codes = [client.post("/public/complaints/", _form(typed_name="x", typed_address="y")).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    response = client.post("/public/complaints/", _form(typed_name="x", typed_address="y"))
    assert "提交过于频繁" in response.content.decode() and 1 <= int(response["Retry-After"]) <= 3600
    assert client.get("/public/complaints/").status_code == 200  # reading the form is not a submission


def test_the_form_is_csrf_protected(district):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/public/complaints/", _form(typed_name="x", typed_address="y")).status_code == 403


def test_picking_lists_registry_matches(district):
    html = Client().get("/public/complaints/pick/", {"q": "甲街道"}).content.decode()
    assert "甲街道培训学校" in html and f"?institution={district.institutions['a'].pk}" in html
    assert "没有找到" in Client().get("/public/complaints/pick/", {"q": "无此机构名"}).content.decode()
    # Without JavaScript the form page lists the same matches.
    assert "甲街道培训学校" in Client().get("/public/complaints/", {"q": "甲街道"}).content.decode()


def test_tracking_shows_status_and_public_reply_only(district):
    from jianguan.complaints import services

    complaint, code = services.complaint_submit(
        institution=district.institutions["b"], category="food", content="饭菜不新鲜，孩子吃了肚子疼。",
        reporter_name=REPORTER_NAME, reporter_phone=REPORTER_PHONE,
    )  # fmt: skip
    lead, edu = district.users["lead"], district.users["edu_officer"]
    complaint = services.complaint_assign(
        actor=lead, complaint=complaint, department=district.departments["edu"], handler=edu, note="请核实"
    )
    services.complaint_note(actor=edu, complaint=complaint, note="内部记录：电话联系负责人秘密")
    client = Client()
    html = client.post("/public/complaints/track/", {"code": code}).content.decode()
    assert "已受理，正在办理" in html
    for hidden in ("内部记录", "请核实", edu.name, district.departments["edu"].name, REPORTER_NAME, REPORTER_PHONE):
        assert hidden not in html, hidden
    services.complaint_reply(actor=edu, complaint=complaint, reply="经核查属实，已责令整改。")
    html = client.post("/public/complaints/track/", {"code": code}).content.decode()
    assert "已答复" in html and "经核查属实，已责令整改。" in html and "内部记录" not in html


def test_public_api_submits_and_tracks(district):
    import json

    client = Client()
    response = client.post(
        "/api/v1/public/complaints",
        json.dumps({"name": "阳光花园家庭托管", "address": "阳光花园 3 幢", "category": "unlicensed",
                    "content": "住宅里办班，每天二十多个孩子。", "anonymous": True}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("TS") and len(body["tracking_code"]) == 19
    tracked = client.post(
        "/api/v1/public/complaints/track", json.dumps({"code": body["tracking_code"]}), content_type="application/json"
    )
    assert tracked.status_code == 200 and set(tracked.json()) == {
        "number", "received_at", "category", "status", "status_label", "public_reply", "replied_at",
        "case_filed_on",  # a named 举报 that led to a case: the day it was filed (立案)
    }  # fmt: skip
    missing = client.post("/api/v1/public/complaints/track", json.dumps({"code": "X"}), content_type="application/json")
    assert missing.status_code == 404
    bad = client.post(
        "/api/v1/public/complaints",
        json.dumps({"category": "fees", "content": "太短"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    refused = client.post(
        "/api/v1/public/complaints",
        json.dumps({"category": "fees", "content": "预收了一年学费，不给退。", "reporter_name": "张三"}),
        content_type="application/json",
    )
    assert refused.status_code == 400 and "实名投诉请填写姓名和联系电话" in refused.json()["message"]


def test_public_api_submission_is_rate_limited(district, settings):
    import json

    settings.JIANGUAN_COMPLAINT_RATE_LIMIT = 1
    body = json.dumps(
        {
            "name": "x",
            "address": "y",
            "category": "other",
            "content": "十个字以上的投诉内容写在这里。",
            "anonymous": True,
        }
    )
    client = Client()
    codes = [
        client.post("/api/v1/public/complaints", body, content_type="application/json").status_code for _ in range(2)
    ]
    assert codes == [201, 429]


def test_a_huge_upload_is_refused_before_it_is_read(district, settings):
    settings.JIANGUAN_PHOTO_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * 5000, "image/jpeg")
    html = _submit(Client(), typed_name="x", typed_address="y", photos=[big]).content.decode()
    assert "照片不能超过" in html
    assert io is not None


def test_what_the_public_types_comes_out_escaped(district, client_for):
    from jianguan.complaints import services

    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    complaint, code = services.complaint_submit(
        typed_name=attack[:90], typed_address="某路", category="other", content=f"内容{attack}", anonymous=True
    )
    services.complaint_assign(
        actor=district.users["lead"], complaint=complaint, department=district.departments["edu"],
        handler=district.users["edu_officer"],
    )  # fmt: skip
    services.complaint_reply(actor=district.users["edu_officer"], complaint=complaint, reply=f"答复{attack}")
    pages = [
        client_for("lead").get(f"/complaints/{complaint.pk}/").content.decode(),
        client_for("lead").get("/complaints/").content.decode(),
        Client().post("/public/complaints/track/", {"code": code}).content.decode(),
    ]
    for html in pages:
        assert "<script>alert(1)" not in html and 'onerror="alert(2)"' not in html
        assert "&lt;script&gt;" in html


def test_a_complaint_and_a_report_are_told_apart_and_a_complaint_is_made_in_ones_own_name(district):
    """Issue 16: 投诉 (one's own dispute, in one's own name) and 举报 (a violation, may be anonymous)."""
    client = Client()
    data = {k: v for k, v in _form(content="没有选择投诉还是举报的一条内容。").items() if k != "kind"}
    missing = client.post("/public/complaints/", data)
    assert missing.status_code == 200 and not Complaint.objects.filter(content__startswith="没有选择投诉").exists()
    refused = _submit(client, kind="complaint", anonymous="on", reporter_name="", reporter_phone="")
    assert "须实名" in refused.content.decode()
    _submit(
        client, kind="complaint", content="预收了一年学费，现在不给退，合同也没写退费办法。", typed_name="某培训班",
        typed_address="乙街道 5 号",
    )  # fmt: skip
    assert Complaint.objects.get(content__startswith="预收了一年学费").kind == "complaint"
    response = client.post(
        "/api/v1/public/complaints",
        json.dumps({"name": "某托管", "address": "甲街道 3 号", "category": "unlicensed", "content": "无证办学，晚上还上课。",
                    "anonymous": True}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    assert Complaint.objects.get(content="无证办学，晚上还上课。").kind == "report"  # the API's default
