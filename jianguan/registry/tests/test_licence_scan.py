"""A licence scan: checked by content, stored under a name the server chooses, served through a scoped view."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jianguan.registry.services import licence_save
from tests.support.district import tiny_jpeg


def _scan(district, data: bytes, name: str):  # type: ignore[no-untyped-def]
    licence = district.licences["a"]
    return licence_save(
        actor=district.users["admin"], institution=licence.institution, licence=licence,
        scan=SimpleUploadedFile(name, data, "application/octet-stream"),
    )  # fmt: skip


def test_a_scan_is_named_by_its_hash_typed_by_its_content_and_served_to_those_who_may_see(district, client_for):
    data = tiny_jpeg()
    licence = _scan(district, data, "../../etc/passwd.pdf")  # the uploader's name and extension mean nothing
    digest = hashlib.sha256(data).hexdigest()
    assert licence.scan_sha256 == digest and licence.scan_content_type == "image/jpeg"
    stored = Path(licence.scan.name).name  # the storage adds a suffix when the same content was stored before
    assert stored.startswith(digest) and stored.endswith(".jpg") and ".." not in licence.scan.name
    url = reverse("registry:licence_scan", kwargs={"pk": licence.institution_id, "licence_pk": licence.pk})
    response = client_for("street_a").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == data
    assert client_for("street_b").get(url).status_code == 404
    page = client_for("lead").get(reverse("registry:institution_detail", kwargs={"pk": licence.institution_id}))
    assert url in page.content.decode() and "/media/" not in page.content.decode()


def test_a_file_that_is_no_scan_is_refused_and_nothing_is_stored(district):
    with pytest.raises(ValidationError) as caught:
        _scan(district, b"<html><script>alert(1)</script></html>", "scan.jpg")
    assert "scan" in caught.value.message_dict
    district.licences["a"].refresh_from_db()
    assert not district.licences["a"].scan


def test_a_changed_scan_is_refused(district, client_for):
    licence = _scan(district, tiny_jpeg(), "a.jpg")
    Path(licence.scan.path).write_bytes(b"something else")
    url = reverse("registry:licence_scan", kwargs={"pk": licence.institution_id, "licence_pk": licence.pk})
    assert client_for("lead").get(url).status_code == 409
