"""Document numbers (per department, kind and year; no gaps, no duplicates, also under concurrency on PostgreSQL),
PDF with an embedded CJK font, DOCX, SHA-256, regeneration keeping the number, audit and scope."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import threading
from datetime import date

import pytest
from django.db import connection, transaction
from docx import Document as DocxDocument

from jianguan.audit.models import AuditEvent
from jianguan.documents import services
from jianguan.documents.content import DocumentContent, Section, Table, chinese_date
from jianguan.documents.models import Document, NumberSequence


def _content(number: str) -> DocumentContent:
    return DocumentContent(
        issuer="测试区教育局",
        title="责令整改通知书",
        number=number,
        recipient="新苗培训中心",
        sections=[
            Section(paragraphs=["经查，你单位存在下列问题，现责令限期整改。"]),
            Section(
                heading="问题清单", table=Table(["序号", "问题", "整改期限"], [["1", "消防通道堵塞", "2026年12月3日"]])
            ),
        ],
        seal_text="测试区教育局",
        date=date(2026, 11, 26),
    )


def test_numbers_run_per_department_kind_and_year(district):
    edu, market = district.departments["edu"], district.departments["market"]  # neither issued anything yet
    with transaction.atomic():
        assert services.number_take(department=edu, kind="rectification_notice", year=2026) == (
            1,
            "测教责改〔2026〕1号",
        )
        assert services.number_take(department=edu, kind="rectification_notice", year=2026)[1] == "测教责改〔2026〕2号"
        assert services.number_take(department=edu, kind="inspection_record", year=2026)[1] == "测教检录〔2026〕1号"
        assert (
            services.number_take(department=market, kind="rectification_notice", year=2026)[1]
            == "测市监责改〔2026〕1号"
        )
        assert services.number_take(department=edu, kind="rectification_notice", year=2027)[1] == "测教责改〔2027〕1号"


def test_a_rolled_back_number_is_given_again(district):
    edu = district.departments["edu"]
    with transaction.atomic():
        services.number_take(department=edu, kind="recheck_opinion", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.number_take(department=edu, kind="recheck_opinion", year=2026)
        raise RuntimeError("the document could not be stored")
    with transaction.atomic():
        assert services.number_take(department=edu, kind="recheck_opinion", year=2026)[0] == 2


def test_kind_codes_are_settings(district, settings):
    settings.JIANGUAN_DOCUMENT_KIND_CODES = {"rectification_notice": "责改字"}
    with transaction.atomic():
        assert (
            services.number_take(department=district.departments["edu"], kind="rectification_notice", year=2026)[1]
            == "测教责改字〔2026〕1号"
        )


def test_chinese_dates():
    assert chinese_date(date(2026, 11, 26)) == "2026年11月26日"
    assert chinese_date(date(2026, 11, 26), "hanzi") == "二〇二六年十一月二十六日"
    assert chinese_date(date(2030, 1, 10), "hanzi") == "二〇三〇年一月十日"
    assert chinese_date(date(2026, 10, 1), "hanzi") == "二〇二六年十月一日"


def test_issue_renders_pdf_and_docx_and_regenerating_keeps_the_number(personas, district):
    admin, inst = personas["admin"], district.institutions["a"]
    edu = district.departments["edu"]
    doc = services.document_issue(
        actor=admin, kind="rectification_notice", department=edu, source=inst, institution=inst, build=_content
    )
    assert doc.number.startswith("测教责改〔") and doc.serial == 1
    pdf, docx = doc.pdf.read(), doc.docx.read()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == doc.pdf_sha256
    assert hashlib.sha256(docx).hexdigest() == doc.docx_sha256
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(docx)).paragraphs)
    assert doc.number in text and "新苗培训中心：" in text and "2026年11月26日" in text
    event = AuditEvent.objects.get(action="document.issue", object_id=str(doc.pk))
    assert event.institution_id == inst.pk and event.after["pdf_sha256"] == doc.pdf_sha256

    again = services.document_issue(
        actor=admin,
        kind="rectification_notice",
        department=edu,
        source=inst,
        institution=inst,
        build=lambda number: DocumentContent(issuer="测试区教育局", title="责令整改通知书（更正）", number=number),
    )
    assert again.pk == doc.pk and again.number == doc.number and again.regenerated_at is not None
    assert again.title == "责令整改通知书（更正）" and again.pdf_sha256 != doc.pdf_sha256
    assert again.pdf.name != doc.pdf.name and doc.pdf.storage.exists(doc.pdf.name)  # the first version is kept
    assert Document.objects.filter(kind="rectification_notice", department=edu).count() == 1
    assert NumberSequence.objects.get(department=edu, kind="rectification_notice").last_number == 1
    assert AuditEvent.objects.filter(action="document.regenerate", object_id=str(doc.pk)).count() == 1
    # Another department's order for the same source (a joint inspection) is its own document, in its own sequence.
    fire = services.document_issue(
        actor=admin, kind="rectification_notice", department=district.departments["fire"], source=inst,
        institution=inst, build=_content,
    )  # fmt: skip
    assert fire.pk != doc.pk and fire.number.startswith("测消责改〔")


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (scripts/bootstrap.sh installs it)")
def test_pdf_embeds_a_cjk_font_and_prints_the_number(personas, district, tmp_path):
    inst = district.institutions["a"]
    doc = services.document_issue(
        actor=personas["admin"],
        kind="rectification_notice",
        department=district.departments["edu"],
        source=inst,
        institution=inst,
        build=_content,
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(doc.pdf.read())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # embedded (emb = yes)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert doc.number in text and "责令整改通知书" in text and "消防通道堵塞" in text
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in pages


def test_a_document_of_a_source_no_app_registered_is_seen_only_district_wide(personas, district):
    inst_a, inst_b = district.institutions["a"], district.institutions["b"]
    for inst in (inst_a, inst_b):
        services.document_issue(
            actor=personas["admin"],
            kind="recheck_opinion",
            department=district.departments["edu"],
            source=inst,
            institution=inst,
            build=_content,
        )
    records = Document.objects.filter(kind="recheck_opinion")
    assert records.visible_to(personas["lead"]).count() == records.visible_to(personas["leader"]).count() == 2
    # Access follows the source; for a source nobody registered, nobody below the district sees it (fail closed).
    for name in ("street_a", "institution", "edu_officer", "fire_officer"):
        assert not records.visible_to(personas[name]).exists(), name
    assert not Document.objects.visible_to(personas["anonymous"]).exists()


def _in_thread(fn) -> list:  # type: ignore[no-untyped-def]
    """Run fn on its own thread, hence its own database connection, outside the test's transaction."""
    out: list = []

    def run() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # noqa: BLE001 — handed back to the test
            out.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL")
def test_parallel_requests_get_consecutive_numbers(district):
    """Eight threads, each with its own connection, take 10 numbers each, one transaction per number, all at once.
    They work outside the test's transaction on the district's committed department, in year 2099 (which no other
    test uses) and clean up after themselves."""
    department = district.departments["edu"]
    numbers: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    serial, _n = services.number_take(department=department, kind="rectification_notice", year=2099)
                    numbers.append(serial)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _in_thread(lambda: NumberSequence.objects.filter(year=2099).delete())
    assert not errors
    assert sorted(numbers) == list(range(1, 81))


def test_number_take_outside_a_transaction_is_refused(district):
    [result] = _in_thread(
        lambda: services.number_take(department=district.departments["edu"], kind="inspection_record", year=2098)
    )
    assert isinstance(result, RuntimeError)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_download_names_the_file_by_its_number_and_sends_its_hash(district, fmt):
    from tests.support.district import persona_client

    doc = district.documents["a"]
    response = persona_client(district.users["institution"]).get(f"/documents/{doc.pk}/{fmt}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == response["X-Content-SHA256"] == getattr(doc, f"{fmt}_sha256")
    assert "filename*=utf-8''" in response["Content-Disposition"] and response["Content-Disposition"].endswith(fmt)
    assert persona_client(district.users["admin"]).get(f"/documents/{doc.pk}/exe/").status_code == 404


def test_the_document_list_takes_only_known_kinds(client_for, district):
    client = client_for("admin")
    assert client.get("/api/v1/documents?kind=inspection_record").json()["count"] >= 1
    for bad in ("nonsense", "责改"):
        response = client.get("/api/v1/documents", {"kind": bad})  # refused, not ignored: the filter is an enum
        assert response.status_code == 422 and response.json()["code"] == "validation_error"
    nul = client.get("/api/v1/documents", {"kind": "\x00"})  # refused before any view: PostgreSQL cannot hold it
    assert nul.status_code == 400 and "控制字符" in nul.json()["message"]


def test_the_date_under_the_seal_follows_the_setting(settings):
    content = DocumentContent(issuer="甲", title="乙", number="1", date=date(2026, 11, 26))
    assert content.date_text == "2026年11月26日"
    settings.JIANGUAN_DOCUMENT_DATE_STYLE = "hanzi"
    assert content.date_text == "二〇二六年十一月二十六日"
    html = __import__("jianguan.documents.rendering", fromlist=["render_html"]).render_html(content)
    assert "二〇二六年十一月二十六日" in html


def test_a_document_is_seen_by_whoever_may_open_its_source_not_everyone_who_sees_the_institution(district):
    """A department officer sees every institution of the district, but a 笔录 only of an inspection they may open
    (the probe: police1 downloaded the record of an inspection it could not see)."""
    from django.utils import timezone

    from jianguan.accounts import services as accounts
    from jianguan.accounts.choices import Role
    from jianguan.documents.models import Document
    from jianguan.inspections import services as inspections
    from tests.support.district import PASSWORD, persona_client

    admin, edu = district.users["admin"], district.users["edu_officer"]
    market = accounts.user_create(
        actor=admin, username="p_market", name="市监甲", role=Role.DEPARTMENT_OFFICER, password=PASSWORD,
        department=district.departments["market"],
    )  # fmt: skip
    accounts.officer_profile_set(
        actor=admin, user=market, certificate_number="TEST0099", certificate_valid_until=date(2099, 12, 31)
    )
    inspection = inspections.inspection_create(
        actor=district.users["lead"], institution=district.institutions["a"], scheduled_at=timezone.now(),
        officers=[edu, market], lead_department=district.departments["edu"],
    )  # fmt: skip
    inspections.inspection_start(actor=edu, inspection=inspection)
    for item in inspection.checklist_version.items.all():
        inspections.result_record(actor=edu, inspection=inspection, item=item, outcome="pass")
    inspections.inspection_complete(
        certificates_shown=True, recusal_requested=False, actor=edu, inspection=inspection, representative_name="张校长"
    )
    record = Document.objects.get(source_type="inspections.inspection", source_id=str(inspection.pk))
    fire = persona_client(district.users["fire_officer"])  # not on the team, not the lead department
    assert fire.get(f"/documents/{record.pk}/pdf/").status_code == 404
    assert fire.get(f"/api/v1/documents/{record.pk}").status_code == 404
    assert record.pk not in {d["id"] for d in fire.get("/api/v1/documents").json()["items"]}
    for name in ("edu_officer", "lead", "street_a", "institution"):
        assert persona_client(district.users[name]).get(f"/documents/{record.pk}/pdf/").status_code == 200, name
    assert persona_client(market).get(f"/documents/{record.pk}/pdf/").status_code == 200
    assert persona_client(district.users["street_b"]).get(f"/documents/{record.pk}/pdf/").status_code == 404


def test_a_recheck_opinion_follows_its_ledger_item(district):
    from jianguan.documents.models import Document
    from jianguan.ledger import services as ledger
    from tests.support.district import persona_client

    record = ledger.recheck(
        officers=[district.users["edu_officer"], district.users["fire_officer"]],
        actor=district.users["lead"],
        item=district.ledger["a"],
        passed=True,
        note="通道已畅通。",
    )
    opinion = Document.objects.get(kind="recheck_opinion", source_type="ledger.recheck", source_id=str(record.pk))
    for name in ("institution", "street_a", "lead", "fire_officer"):
        assert persona_client(district.users[name]).get(f"/documents/{opinion.pk}/pdf/").status_code == 200, name
    assert persona_client(district.users["street_b"]).get(f"/documents/{opinion.pk}/pdf/").status_code == 404
