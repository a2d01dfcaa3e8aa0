"""Open data: three LIVES-like CSV files in a zip, public fields only, built once a day, downloadable without login."""

from __future__ import annotations

import csv
import io
import zipfile

from django.core.cache import cache
from django.test import Client

from jianguan.inspections.models import Finding
from jianguan.registry.models import Institution


def _download(settings, tmp_path) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    response = Client().get("/public/open-data/download/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_zip_holds_the_files_joined_by_business_id(district, settings, tmp_path):
    archive = _download(settings, tmp_path)
    assert set(archive.namelist()) == {
        "README.txt", "businesses.csv", "inspections.csv", "violations.csv", "penalties.csv"
    }  # fmt: skip
    assert _rows(archive, "penalties.csv") == []  # no decision is published in the test district
    businesses = _rows(archive, "businesses.csv")
    inspections = _rows(archive, "inspections.csv")
    violations = _rows(archive, "violations.csv")
    ids = {b["business_id"] for b in businesses}
    assert len(businesses) == Institution.objects.count()
    assert inspections and {i["business_id"] for i in inspections} <= ids
    assert violations and {v["business_id"] for v in violations} <= ids
    assert all(len(i["date"]) == 8 and i["date"].isdigit() for i in inspections)
    fire = next(v for v in violations if v["category"] == "消防安全")
    assert fire["description"].startswith("疏散通道") and fire["rectified"] == "0"


def test_no_personal_field_and_no_free_text(district, settings, tmp_path):
    a = district.institutions["a"]
    Institution.objects.filter(pk=a.pk).update(
        contact_phone="13912345678", contact_person="联系人秘密", legal_representative="法人秘密", notes="内部备注秘密"
    )
    Finding.objects.filter(inspection__institution=a).update(description="店长王秘密承认堵塞通道")
    archive = _download(settings, tmp_path)
    text = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    officers = [u.name for u in district.users.values() if u is not None]
    for secret in ("13912345678", "联系人秘密", "法人秘密", "内部备注秘密", "王秘密", *officers):
        assert secret not in text, secret


def test_an_institution_name_cannot_smuggle_a_formula_into_businesses_csv(district, settings, tmp_path):
    a = district.institutions["a"]
    Institution.objects.filter(pk=a.pk).update(name='=1+HYPERLINK("http://evil.example/","核验")')
    businesses = _rows(_download(settings, tmp_path), "businesses.csv")
    names = {b["name"] for b in businesses}
    assert '\'=1+HYPERLINK("http://evil.example/","核验")' in names
    assert not any(n.startswith(("=", "+", "-", "@", "\t", "\r")) for n in names)


def test_built_once_a_day_and_the_page_is_public(district, settings, tmp_path):
    from jianguan.reports.opendata import open_data_zip

    settings.MEDIA_ROOT = tmp_path
    first = open_data_zip()
    stamp = first.stat().st_mtime_ns
    assert open_data_zip() == first and first.stat().st_mtime_ns == stamp
    cache.clear()
    page = Client().get("/public/open-data/")
    assert page.status_code == 200 and "LIVES" in page.content.decode()


def test_while_another_worker_builds_the_file_a_request_waits_for_it(district, settings, tmp_path, monkeypatch):
    """The build lock lives in the shared cache: a second request does not build the file a second time."""
    from django.utils import timezone

    from jianguan.reports import opendata

    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    today = timezone.localdate()
    cache.add(f"opendata:build:{today:%Y%m%d}", 1, timeout=60)  # another worker holds the lock
    built = []
    monkeypatch.setattr(opendata, "write_zip", lambda path, day: built.append(day) or path.write_bytes(b"PK"))
    target = tmp_path / "opendata" / f"jianguan-open-data-{today:%Y%m%d}.zip"

    def other_worker_finishes(seconds: float) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"PK built elsewhere")

    monkeypatch.setattr(opendata.time, "sleep", other_worker_finishes)
    assert opendata.open_data_zip(today).read_bytes() == b"PK built elsewhere"
    assert built == []  # this request built nothing
