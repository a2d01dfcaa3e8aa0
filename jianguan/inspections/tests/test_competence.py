"""Issue 15: each department orders what it has the power to order (行政处罚法 第十七条), the orders say what the law
requires of them, the 笔录 tells what happened, a stop is ordered where the law orders a stop, rechecks need two
certified officers, and the matrix behind all this is data with its gaps and overlaps reported."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from jianguan.accounts import services as accounts
from jianguan.accounts.choices import Role
from jianguan.checklists.choices import Remedy
from jianguan.documents.models import Document
from jianguan.inspections import services
from jianguan.inspections.tests.test_inspections import _pdf_text, pdf_pages
from jianguan.ledger import services as ledger
from jianguan.ledger.choices import ItemStatus
from jianguan.ledger.models import LedgerItem, Referral
from jianguan.org import services as org
from jianguan.org.choices import CheckCategory, DepartmentKind
from jianguan.org.selectors import Competence, responsibility_problems
from jianguan.registry import services as registry
from jianguan.registry.choices import InstitutionKind
from tests.support.district import PASSWORD


def _pages(document: Document) -> list[str]:
    with document.pdf.open("rb") as pdf:
        return pdf_pages(pdf.read())


def _market_officer(district):  # type: ignore[no-untyped-def]
    admin = district.users["admin"]
    market = accounts.user_create(
        actor=admin, username="p_market", name="市监甲", role=Role.DEPARTMENT_OFFICER, password=PASSWORD,
        department=district.departments["market"],
    )  # fmt: skip
    accounts.officer_profile_set(
        actor=admin, user=market, certificate_number="MARKET0001", certificate_valid_until=date(2099, 12, 31)
    )
    return market


def _answer(inspection, team, fails: dict[str, str], *, on_the_spot: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Start the inspection and fail the items whose text starts with a key of `fails` (photographed where needed;
    corrected on the spot when asked), passing the others."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.district import tiny_jpeg

    services.inspection_start(actor=team[0], inspection=inspection)
    for item in inspection.checklist_version.items.all():
        note = next((n for prefix, n in fails.items() if item.text.startswith(prefix)), None)
        result = services.result_record(
            actor=team[0], inspection=inspection, item=item, outcome="fail" if note is not None else "pass",
            note=note or "", fixed_on_site=note is not None and on_the_spot,
        )  # fmt: skip
        if note is not None and item.photo_required:
            services.evidence_add(
                actor=team[0], inspection=inspection, result=result,
                upload=SimpleUploadedFile("p.jpg", tiny_jpeg(), "image/jpeg"),
            )  # fmt: skip


def _complete(inspection, team, **complete):  # type: ignore[no-untyped-def]
    arguments = {"certificates_shown": True, "recusal_requested": False, "representative_name": "张校长", **complete}
    return services.inspection_complete(actor=team[0], inspection=inspection, **arguments)


def _inspect(district, institution, fails: dict[str, str], team, **complete):  # type: ignore[no-untyped-def]
    """An inspection of `institution` by `team` failing the items whose text starts with a key of `fails`."""
    inspection = services.inspection_create(
        actor=district.users["lead"], institution=institution, scheduled_at=timezone.now(), officers=team,
        lead_department=district.departments["edu"],
    )  # fmt: skip
    _answer(inspection, team, fails)
    return _complete(inspection, team, **complete)


def _orders(inspection, kind: str = "rectification_notice") -> dict[str, Document]:  # type: ignore[no-untyped-def]
    documents = Document.objects.filter(
        source_type="inspections.inspection", source_id=str(inspection.pk), kind=kind
    ).select_related("department")
    return {d.department.short_name: d for d in documents}


@pytest.fixture
def matrix(district):  # type: ignore[no-untyped-def]
    """The test district's matrix plus the item splits of the default one: price display to market regulation."""
    org.responsibility_set(
        actor=district.users["admin"], category=CheckCategory.FEES, item_code="price_display",
        lead=district.departments["market"], supporting=[district.departments["edu"]],
    )  # fmt: skip
    return district


# ---------------------------------------------------------------------------------------------------- the matrix


def test_the_most_specific_entry_of_the_matrix_names_the_competent_department(matrix):
    d, admin = matrix, matrix.users["admin"]
    org.responsibility_set(
        actor=admin, category=CheckCategory.QUALIFICATION, institution_kind=InstitutionKind.MEAL_CARE,
        lead=d.departments["market"], supporting=[],
    )  # fmt: skip
    competence = Competence()
    assert competence.lead("academic", "fees") == d.departments["edu"]  # the category, every kind
    assert competence.lead("academic", "fees", "price_display") == d.departments["market"]  # the item split off
    assert competence.lead("meal_care", "qualification") == d.departments["market"]  # the kind's own row
    assert competence.lead("academic", "qualification") == d.departments["edu"]
    assert competence.cell("meal_care", "qualification").inherited is False
    assert competence.cell("academic", "qualification").inherited is True


def test_gaps_overlaps_and_a_police_station_as_lead_are_reported_per_pair(matrix, capsys):
    admin = matrix.users["admin"]
    call_command("check_responsibilities")
    assert "每类机构的每个检查类别均有唯一牵头部门" in capsys.readouterr().out
    station = org.department_save(
        actor=admin, name="测试区城东派出所", short_name="测派", kind=DepartmentKind.POLICE_STATION
    )
    org.responsibility_set(
        actor=admin, category=CheckCategory.FIRE_SAFETY, institution_kind=InstitutionKind.AFTER_SCHOOL, lead=station,
        supporting=[],
    )  # fmt: skip
    org.responsibility_set(
        actor=admin, category=CheckCategory.TEACHING, institution_kind=InstitutionKind.OTHER,
        lead=matrix.departments["edu"], supporting=[station],
    )  # fmt: skip
    org.responsibility_set(actor=admin, category=CheckCategory.STAFF, lead=None, supporting=[])  # every kind: a gap
    problems = {
        (row.label, cell.institution_kind): cell.problem for row in responsibility_problems() for cell in row.problems
    }
    assert problems[("消防安全", "after_school")] == "police_station"
    assert problems[("教学内容", "other")] == "police_station"  # a station supports fire checks only
    assert problems[("从业人员", "academic")] == "gap"
    assert ("消防安全", "academic") not in problems
    with pytest.raises(CommandError):
        call_command("check_responsibilities")
    out = capsys.readouterr().out
    assert "从业人员\t学科类培训\t牵头：—\t空白：无牵头部门" in out
    assert "派出所只能配合日常消防监督检查" in out


def test_the_matrix_round_trips_through_excel_and_a_bad_sheet_changes_nothing(matrix, tmp_path):
    from openpyxl import Workbook

    from jianguan.org import matrix_io
    from jianguan.org.models import Responsibility

    d, admin = matrix, matrix.users["admin"]
    before = sorted(
        Responsibility.objects.values_list("institution_kind", "category", "item_code", "department_id", "is_lead")
    )
    path = str(tmp_path / "matrix.xlsx")
    matrix_io.write_export(path)
    read = matrix_io.read_matrix(path)
    assert read.errors == []
    org.responsibility_import(actor=admin, entries=read.entries)
    after = sorted(
        Responsibility.objects.values_list("institution_kind", "category", "item_code", "department_id", "is_lead")
    )
    assert after == before
    # An edited sheet: 小饭桌 as a whole to market regulation, two leads for teaching (an overlap, reported).
    wb = Workbook()
    ws = wb.active
    ws.title = "职责分工"
    ws.append(matrix_io.HEADERS)
    for row in matrix_io.export_rows():
        ws.append(row)
    ws.append(["办学资质", "", "小饭桌", "测试区市场监管局", "测教"])
    ws.append(["教学内容", "", "托管班", "测教、测消", ""])
    wb.save(path)
    read = matrix_io.read_matrix(path)
    assert read.errors == []
    org.responsibility_import(actor=admin, entries=read.entries)
    assert Competence().lead("meal_care", "qualification") == d.departments["market"]
    assert any(c.problem == "overlap" for row in responsibility_problems() for c in row.problems)
    # Unknown names, kinds and categories: every row's reason, nothing imported.
    ws.append(["没有的类别", "", "学科类培训", "测教", ""])
    ws.append(["食品安全", "Bad Code", "外星机构", "不存在的局", ""])
    wb.save(path)
    refused = matrix_io.read_matrix(path)
    assert any("未知的检查类别" in e for e in refused.errors)
    assert any("未知的机构类型" in e and "没有名为“不存在的局”" in e and "检查项代码" in e for e in refused.errors)
    (tmp_path / "junk.xlsx").write_bytes(b"\x00not a zip")
    assert matrix_io.read_matrix(str(tmp_path / "junk.xlsx")).errors == [
        "文件不是有效的 Excel（.xlsx）文件，请用模板另存为 .xlsx 后再导入。"
    ]


def test_the_matrix_page_shows_the_grid_and_only_an_admin_imports(client_for, matrix, tmp_path):
    page = client_for("leader").get("/org/responsibilities/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="responsibility-grid"' in html and "小饭桌" in html and "price_display" in html
    assert "从 Excel 导入" not in html
    assert client_for("leader").get("/org/responsibilities/export/").status_code == 200
    assert client_for("edu_officer").post("/org/responsibilities/import/").status_code == 403
    assert client_for("institution").get("/org/responsibilities/").status_code == 403
    admin = client_for("admin")
    assert "从 Excel 导入" in admin.get("/org/responsibilities/").content.decode()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    with bad.open("rb") as f:
        response = admin.post("/org/responsibilities/import/", {"file": f}, follow=True)
    assert "矩阵未作任何修改" in response.content.decode()
    edit = admin.get("/org/responsibilities/fees/?kind=meal_care&item=price_display")
    assert edit.status_code == 200
    assert admin.get("/org/responsibilities/fees/?kind=martian").status_code == 400


# ---------------------------------------------------------------------------------------------------- orders


def test_a_joint_inspection_orders_each_problem_under_its_competent_department(matrix):
    d = matrix
    market = _market_officer(d)
    team = [d.users["edu_officer"], d.users["fire_officer"], market]
    inspection = _inspect(
        d, d.institutions["a"],
        {"疏散通道": "后门被堵", "收费项目": "未公示", "无超标超前培训": "讲授初中内容"},
        team,
    )  # fmt: skip
    orders = _orders(inspection)
    assert set(orders) == {"测教", "测消", "测市监"}
    year = timezone.localdate().year
    assert orders["测消"].number.startswith(f"测消责改〔{year}〕")
    fire_text = _pdf_text(orders["测消"])
    assert "测试区消防救援大队" in fire_text and "后门被堵" in fire_text
    assert "未公示" not in fire_text and "讲授初中内容" not in fire_text  # not in its powers
    assert "测试区教育局（印章）" not in fire_text  # the team is named; the order is the fire brigade's alone
    assert "《中华人民共和国消防法》第六十条第一款第（三）项" in fire_text  # the 依据 of the order
    assert "测试区市场监管局" in _pdf_text(orders["测市监"]) and "价格法》第四十二条" in _pdf_text(orders["测市监"])
    items = {i.description.split("：")[0]: i for i in LedgerItem.objects.filter(inspection=inspection)}
    assert items["疏散通道、安全出口畅通，未被占用、堵塞、封闭或锁闭"].department == d.departments["fire"]
    assert items["收费项目、标准和退费办法明码标价并公示"].department == d.departments["market"]
    assert items["无超标超前培训，培训内容已备案且与备案一致"].department == d.departments["edu"]


def test_every_order_names_the_review_body_the_court_the_limits_the_officers_and_the_remedy(matrix, settings):
    d = matrix
    d.departments["fire"].review_body = "测试市消防救援支队"  # a department's own setting comes first
    org.department_save(actor=d.users["admin"], department=d.departments["fire"], review_body="测试区应急管理局")
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = _inspect(d, d.institutions["a"], {"疏散通道": "后门被堵", "无超标超前培训": "超前"}, team)
    orders = _orders(inspection)
    fire, edu = _pdf_text(orders["测消"]), _pdf_text(orders["测教"])
    for text in (fire, edu):
        assert "六十日内" in text and "六个月内" in text and "测试区人民法院" in text
        assert "限期改正" in text and "违反的规定" in text and "责令改正的依据" in text
        assert "当事人签收" in text and "张校长" in text
        assert "法律后果" in text
    assert "测试区应急管理局申请行政复议" in fire and "测试区人民政府申请行政复议" in edu
    for text in (fire, edu):  # the joint team that inspected, each with department and certificate
        assert "fire_officer姓名（测试区消防救援大队，执法证号TEST0001）" in text
        assert "edu_officer姓名（测试区教育局，执法证号TEST0000）" in text
    settings.JIANGUAN_COURT = "测试市铁路运输法院"
    services.rectification_notice_issue(actor=d.users["lead"], inspection=inspection)  # regenerated: same numbers
    again = _orders(inspection)
    assert again["测教"].number == orders["测教"].number and "测试市铁路运输法院" in _pdf_text(again["测教"])


def test_a_campaign_may_choose_one_joint_notice_sealed_by_every_issuing_department(matrix):
    d = matrix
    campaign = services.campaign_create(
        actor=d.users["lead"], name="联合通知书行动", starts_on=timezone.localdate() - timedelta(days=1),
        ends_on=timezone.localdate() + timedelta(days=10), lead_department=d.departments["edu"],
        departments=[d.departments["fire"]], joint_notice=True,
    )  # fmt: skip
    services.campaign_set_status(actor=d.users["lead"], campaign=campaign, status="active")
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = services.inspection_create(
        actor=d.users["lead"], institution=d.institutions["a"], scheduled_at=timezone.now(), officers=team,
        campaign=campaign,
    )  # fmt: skip
    _answer(inspection, team, {"疏散通道": "x", "无超标超前培训": "x"})
    _complete(inspection, team)
    orders = _orders(inspection)
    assert set(orders) == {"测教"}  # one notice, numbered by the campaign's lead department
    text = _pdf_text(orders["测教"])
    assert "主管部门" in text
    assert "测试区教育局（印章）" in text and "测试区消防救援大队（印章）" in text


def test_a_problem_of_a_department_without_an_officer_on_the_team_waits_for_that_department(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = _inspect(d, d.institutions["a"], {"收费项目": "未公示", "无超标超前培训": "超前"}, team)
    assert set(_orders(inspection)) == {"测教"}  # market regulation had nobody there: no order in its name
    waiting = [o for o in services.planned_orders(inspection) if not o.officers]
    assert [dep.short_name for o in waiting for dep in o.departments] == ["测市监"]
    assert "测试区市场监管局的执法人员" in services.waiting_message(waiting)
    # The team's page says so; the fire officer may not issue it, a market regulation officer may, from the record.
    from tests.support.district import persona_client

    page = persona_client(d.users["fire_officer"]).get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="orders-waiting"' in page and "由本部门依据笔录制发" not in page
    market = _market_officer(d)
    client = persona_client(market)
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "由本部门依据笔录制发" in page
    assert client.post(f"/inspections/{inspection.pk}/notice/").status_code == 302
    order = _orders(inspection)["测市监"]
    text = _pdf_text(order)
    assert "制发人员：市监甲（测试区市场监管局，执法证号MARKET0001），依据现场检查笔录制发" in text
    assert "未公示" in text and set(_orders(inspection)) == {"测教", "测市监"}
    item = LedgerItem.objects.get(inspection=inspection, department=d.departments["market"])
    assert item.deadline is not None


# ---------------------------------------------------------------------------------------------------- the record


def test_the_record_prints_the_recusal_answer_and_checked_only_when_the_party_signed(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    signed = _inspect(
        d, d.institutions["a"], {}, team, recusal_requested=True, recusal_note="申请检查人员甲回避，经负责人决定不予回避",
        recorder=d.users["fire_officer"],
    )  # fmt: skip
    record = _orders(signed, "inspection_record")["测教"]
    text = _pdf_text(record)
    assert "问：你是否申请执法人员回避？答：申请回避。申请检查人员甲回避" in text
    assert "不申请回避" not in text
    assert "记录人：fire_officer姓名" in text and "已向当事人出示执法证件" in text
    assert "以上笔录经当事人核对无误" in text
    refused = _inspect(
        d, d.institutions["a"], {}, team, representative_name="", signature_refused=True, witness_name="社区网格员乙"
    )
    text = _pdf_text(_orders(refused, "inspection_record")["测教"])
    assert "核对无误" not in text
    assert "当事人拒绝签字，见证人社区网格员乙在场见证" in text
    assert "答：不申请回避。" in text
    # Every page carries the signature lines.
    for page in _pages(_orders(refused, "inspection_record")["测教"]):
        assert "检查人员（签名）" in page and "当事人（签名）" in page


def test_completion_asks_the_recusal_question_and_for_certificates_shown(matrix):
    d = matrix
    inspection = d.inspections["on_site"]
    actor = d.users["edu_officer"]
    with pytest.raises(ValidationError) as refused:
        services.inspection_complete(actor=actor, inspection=inspection, representative_name="张")
    assert set(refused.value.message_dict) >= {"recusal_requested", "certificates_shown"}
    with pytest.raises(ValidationError) as refused:
        services.inspection_complete(
            actor=actor, inspection=inspection, representative_name="张", certificates_shown=True,
            recusal_requested=True,
        )  # fmt: skip
    assert "recusal_note" in refused.value.message_dict
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"  # nothing changed


def test_a_refused_signature_on_an_order_prints_the_service_record(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = _inspect(
        d, d.institutions["a"], {"疏散通道": "堵"}, team, representative_name="", signature_refused=True,
        witness_name="社区网格员乙",
    )  # fmt: skip
    text = _pdf_text(_orders(inspection)["测消"])
    assert "当事人拒绝签收" in text and "留置送达" in text and "社区网格员乙" in text
    assert "核对无误" not in text


# ---------------------------------------------------------------------------------------------------- stops


def _unlicensed_site(district):  # type: ignore[no-untyped-def]
    return registry.institution_create(
        actor=district.users["admin"], name="无证学科培训点", credit_code=None, kind=InstitutionKind.ACADEMIC,
        street=district.streets["a"], address="甲街道 9 号 301 室",
    )  # fmt: skip


def test_an_unlicensed_academic_site_is_ordered_to_stop_and_referred_never_given_a_date_to_get_a_licence(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    site = _unlicensed_site(d)
    with pytest.raises(ValidationError) as refused:
        _inspect(d, site, {"取得教育行政部门颁发的办学许可证": "无许可"}, team)
    assert "fixed_site" in refused.value.message_dict  # the 53号令 elements must be recorded
    inspection = site.inspections.get()
    services.inspection_complete(
        actor=team[0], inspection=inspection, certificates_shown=True, recusal_requested=False,
        representative_name="李某", fixed_site=True, two_or_more_staff=True, organised_teaching=True,
    )  # fmt: skip
    stops = _orders(inspection, "stop_order")
    assert set(stops) == {"测教"}
    text = _pdf_text(stops["测教"])
    assert "责令停止举办通知书" in text and "立即停止" in text and "依法立案查处" in text
    assert "限期改正" not in text
    assert "民办教育促进法》第六十四条" in text
    assert not _orders(inspection)  # no rectification notice with a date for the licence
    item = LedgerItem.objects.get(inspection=inspection)
    assert item.status == ItemStatus.ESCALATED
    assert Referral.objects.filter(item=item).exists()
    assert item.finding.remedy == Remedy.STOP_RUNNING


def test_an_unlicensed_site_without_all_three_elements_is_ordered_to_stop_enrolling(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    site = _unlicensed_site(d)
    inspection = _inspect(
        d, site, {"取得教育行政部门颁发的办学许可证": "一人在家中辅导"}, team, fixed_site=True, two_or_more_staff=False,
        organised_teaching=True,
    )  # fmt: skip
    text = _pdf_text(_orders(inspection, "stop_order")["测教"])
    assert "责令停止招生通知书" in text and "书面报告" in text
    item = LedgerItem.objects.get(inspection=inspection)
    assert item.status == ItemStatus.PENDING and not Referral.objects.filter(item=item).exists()
    inspection.refresh_from_db()
    assert (inspection.fixed_site, inspection.two_or_more_staff, inspection.organised_teaching) == (True, False, True)


def test_an_item_corrected_on_the_spot_gets_its_own_on_the_spot_order(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = services.inspection_create(
        actor=d.users["lead"], institution=d.institutions["a"], scheduled_at=timezone.now(), officers=team,
        lead_department=d.departments["edu"],
    )  # fmt: skip
    _answer(inspection, team, {"疏散通道": "已当场清理"}, on_the_spot=True)
    _complete(inspection, team)
    on_spot = _orders(inspection, "on_spot_order")
    assert set(on_spot) == {"测消"}
    text = _pdf_text(on_spot["测消"])
    assert "当场责令改正通知书" in text and "已当场改正" in text and "六十日内" in text
    assert not _orders(inspection)


# ---------------------------------------------------------------------------------------------------- rechecks


def test_a_one_officer_recheck_is_refused_and_two_certified_officers_are_listed(matrix):
    d = matrix
    item = d.ledger["a"]  # submitted, supervised by the fire department
    with pytest.raises(ValidationError) as refused:
        ledger.recheck(actor=d.users["fire_officer"], item=item, passed=True, note="已清理")
    assert "至少 2 名" in refused.value.messages[0]
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    # A lead coordinator without a certificate does not count as the second.
    with pytest.raises(ValidationError):
        ledger.recheck(actor=d.users["fire_officer"], item=item, passed=True, note="已清理", officers=[d.users["lead"]])
    record = ledger.recheck(
        actor=d.users["fire_officer"], item=item, passed=True, note="已清理", officers=[d.users["edu_officer"]]
    )
    assert {u.pk for u in record.officers.all()} == {d.users["fire_officer"].pk, d.users["edu_officer"].pk}
    opinion = Document.objects.get(source_type="ledger.recheck", source_id=str(record.pk))
    assert opinion.department == d.departments["fire"]  # from the competent department
    text = _pdf_text(opinion)
    assert "TEST0000" in text and "TEST0001" in text


def test_a_recheck_with_an_expired_certificate_is_refused(matrix):
    d = matrix
    accounts.officer_profile_set(
        actor=d.users["admin"], user=d.users["edu_officer"], certificate_number="TEST0000",
        certificate_valid_until=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        ledger.recheck(
            actor=d.users["fire_officer"], item=d.ledger["a"], passed=True, note="x", officers=[d.users["edu_officer"]]
        )


# ---------------------------------------------------------------------------------------------------- layout


def _docx_text(document: Document) -> str:
    import io

    from docx import Document as DocxDocument

    with document.docx.open("rb") as f:
        docx = DocxDocument(io.BytesIO(f.read()))
    parts = [p.text for p in docx.paragraphs]
    parts += [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in docx.sections for p in section.footer.paragraphs]
    return "".join("".join(parts).split())


def test_the_docx_says_what_the_pdf_says(matrix):
    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = _inspect(d, d.institutions["a"], {"疏散通道": "后门被堵"}, team)
    for document in [*_orders(inspection).values(), *_orders(inspection, "inspection_record").values()]:
        pdf, docx = _pdf_text(document), _docx_text(document)
        for phrase in (
            document.number, "测试区", "甲街道培训学校", "后门被堵", "执法证号TEST0001", "（印章）" if "责改" in document.number else "记录人",
        ):  # fmt: skip
            assert phrase in pdf and phrase in docx, (document.number, phrase)
    notice = _docx_text(_orders(inspection)["测消"])
    assert "六十日内" in notice and "第六十条第一款第（三）项" in notice and "限期改正" in notice
    record = _docx_text(_orders(inspection, "inspection_record")["测教"])
    assert "检查人员（签名）" in record and "答：不申请回避。" in record  # the page footer, and the answer


def test_no_page_of_an_order_holds_only_its_closing(matrix):
    """However many problems an order lists, its closing (seals, date, receipt) never sits alone on a last page."""
    from jianguan.documents.rendering import render_pdf
    from jianguan.inspections.documents import notice_content

    d = matrix
    team = [d.users["edu_officer"], d.users["fire_officer"]]
    inspection = _inspect(d, d.institutions["a"], {"疏散通道": "后门被堵"}, team)
    [order] = [o for o in services.planned_orders(inspection) if o.departments[0] == d.departments["fire"]]
    finding = order.findings[0]
    closing = ("测试区消防救援大队（印章）", "年", "月", "日", "当事人签收", "张校长", "签收日期", "—")
    for count in range(1, 9):
        order.findings = [finding] * count
        pdf = render_pdf(notice_content(inspection, order, "测消责改〔2026〕1号", timezone.localdate()))
        for page in pdf_pages(pdf):
            rest = page
            for part in closing:
                rest = rest.replace(part, "")
            assert len(rest.strip("0123456789")) > 10, (count, page)
