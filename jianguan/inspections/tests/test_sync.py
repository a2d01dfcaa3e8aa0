"""What the on-site form's queue relies on: JSON answers, per-item versions (a stale write that would change the
outcome is refused with both values), idempotency keys (a replay records nothing), 401 instead of the login page,
the re-login endpoint, each officer's own note, and the service worker and manifest."""

from __future__ import annotations

import pytest
from django.test import Client

from jianguan.audit.models import AuditEvent
from jianguan.inspections import services
from jianguan.inspections.models import Evidence, ItemNote, SyncKey
from jianguan.inspections.tests.test_inspections import jpeg, upload

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def on_site(district):
    inspection = district.inspections["on_site"]  # institution b, in progress, every item answered "pass"
    return inspection, list(inspection.checklist_version.items.all())


def _post(client, inspection, item, key="", **data):
    headers = {**JSON, **({"HTTP_X_IDEMPOTENCY_KEY": key} if key else {})}
    return client.post(f"/inspections/{inspection.pk}/items/{item.pk}/", data, **headers)


def test_a_stale_write_that_changes_the_outcome_gets_409_with_both_values(on_site, client_for, district):
    inspection, items = on_site
    result = inspection.results.get(item=items[0])
    seen = result.version
    fire = client_for("fire_officer")
    saved = _post(fire, inspection, items[0], outcome="fail", version=seen, note="灭火器过期")
    assert saved.status_code == 200 and saved.json()["result"]["version"] == seen + 1
    stale = _post(client_for("edu_officer"), inspection, items[0], outcome="na", version=seen)
    body = stale.json()
    assert stale.status_code == 409 and body["status"] == "conflict"
    assert body["result"]["outcome"] == "fail" and body["result"]["by"] == district.users["fire_officer"].name
    assert body["mine"]["outcome"] == "na" and "请核对后选择" in body["message"]
    result.refresh_from_db()
    assert result.outcome == "fail"  # nothing overwritten
    # The same outcome from an older page overwrites nothing and is not a conflict (the note is the writer's own).
    same = _post(client_for("edu_officer"), inspection, items[0], outcome="fail", version=seen, note="证照齐全")
    assert same.status_code == 200
    result.refresh_from_db()
    fire_name, edu_name = district.users["fire_officer"].name, district.users["edu_officer"].name
    assert result.note == f"灭火器过期（{fire_name}）；证照齐全（{edu_name}）"
    assert ItemNote.objects.filter(result=result).count() == 2
    # Choosing one's own after seeing the conflict: the current version goes through.
    chosen = _post(client_for("edu_officer"), inspection, items[0], outcome="na", version=result.version)
    assert chosen.status_code == 200 and chosen.json()["result"]["outcome"] == "na"


def test_a_replayed_write_records_nothing(on_site, client_for):
    inspection, items = on_site
    edu = client_for("edu_officer")
    events = AuditEvent.objects.count()
    first = _post(edu, inspection, items[1], key="k-1", outcome="fail", note="后门锁闭")
    again = _post(edu, inspection, items[1], key="k-1", outcome="fail", note="后门锁闭")
    assert first.json()["result"]["version"] == again.json()["result"]["version"]
    assert AuditEvent.objects.count() == events + 1 and SyncKey.objects.filter(key="k-1").count() == 1
    # The key is the writer's: another officer cannot reuse it.
    stolen = _post(client_for("fire_officer"), inspection, items[1], key="k-1", outcome="pass")
    assert stolen.status_code == 400 and "同步编号" in stolen.json()["message"]


def test_a_photo_sent_twice_is_stored_once(on_site, client_for):
    inspection, items = on_site
    edu = client_for("edu_officer")
    url = f"/inspections/{inspection.pk}/photos/"
    for _ in range(2):
        response = edu.post(url, {"item": items[2].pk, "photo": upload(jpeg())}, HTTP_X_IDEMPOTENCY_KEY="p-1", **JSON)
        assert response.status_code == 200 and response.json()["status"] == "saved"
    assert Evidence.objects.filter(inspection=inspection, item_result__item=items[2]).count() == 1


def test_a_photo_for_an_unanswered_item_is_refused_with_a_reason(district, client_for):
    inspection = district.inspections["planned"]
    services.inspection_start(actor=district.users["edu_officer"], inspection=inspection)
    item = inspection.checklist_version.items.first()
    response = client_for("edu_officer").post(
        f"/inspections/{inspection.pk}/photos/", {"item": item.pk, "photo": upload(jpeg())}, **JSON
    )
    assert response.status_code == 400 and "请先填写该检查项的结果" in response.json()["message"]


def test_an_expired_session_gets_401_not_the_login_page(on_site):
    inspection, items = on_site
    response = _post(Client(), inspection, items[0], outcome="pass")
    assert response.status_code == 401 and response.json()["status"] == "signed_out"
    plain = Client().post(f"/inspections/{inspection.pk}/items/{items[0].pk}/", {"outcome": "pass"})
    assert plain.status_code == 302 and "/accounts/login/" in plain["Location"]  # a plain form still goes to login


def test_only_the_team_writes_through_the_queue(on_site, client_for):
    inspection, items = on_site
    for persona in ("street_b", "lead", "institution"):
        response = _post(client_for(persona), inspection, items[0], outcome="fail")
        assert response.status_code in (403, 404), persona
    assert inspection.results.get(item=items[0]).outcome == "pass"


def test_signing_in_again_from_the_on_site_form(district):
    client = Client(enforce_csrf_checks=False)
    wrong = client.post("/accounts/login/again/", {"username": "edu_officer", "password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["status"] == "invalid"
    user = district.users["edu_officer"]
    user.set_password("Jianguan#2026")
    user.save()
    ok = client.post("/accounts/login/again/", {"username": user.username, "password": "Jianguan#2026"})
    assert ok.status_code == 200 and ok.json()["csrf"]
    assert client.get("/").status_code == 200
    assert Client().get("/accounts/login/again/").status_code == 405


def test_two_step_accounts_are_sent_to_the_login_page(district):
    admin = district.users["admin"]
    admin.set_password("Jianguan#2026")
    admin.save()
    response = Client().post("/accounts/login/again/", {"username": admin.username, "password": "Jianguan#2026"})
    assert response.status_code == 403 and response.json()["status"] == "two_factor"
    assert not Client().get("/").wsgi_request.user.is_authenticated


def test_the_service_worker_and_the_manifest(client):
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/" and "no-cache" in sw["Cache-Control"]
    text = sw.content.decode()
    assert "/static/js/onsite.js" in text or "onsite" in text
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["short_name"] == "监管平台" and manifest.json()["icons"][0]["sizes"] == "192x192"
