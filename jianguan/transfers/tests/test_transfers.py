"""移送 / 协查 through the services: deadlines in working days, the numbered letter, competence, who may act, the
state machine, the thread, and the warnings when a reply is late."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.transfers import services
from jianguan.transfers.choices import TransferStatus
from jianguan.transfers.models import TransferStep
from jianguan.transfers.workflow import Conflict

from .conftest import send


def test_reply_deadline_counts_working_days_across_national_day(district):
    from jianguan.lib.workdays import is_working_day

    # 2026: 国庆 1–7 October off, Saturday 10 October worked. Checked here, so the test says what it relies on.
    assert not any(is_working_day(date(2026, 10, d)) for d in range(1, 8)) and is_working_day(date(2026, 10, 10))
    with time_machine.travel("2026-09-30 10:00 +0800", tick=False):
        transfer = send(district)
    # 5 working days after 30 September: 8, 9, 10 (Saturday worked), 12, 13 October.
    assert transfer.reply_due == date(2026, 10, 13)


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (scripts/bootstrap.sh installs it)")
def test_letter_is_numbered_under_the_sender_and_embeds_a_cjk_font(district, tmp_path):
    from jianguan.documents.models import Document

    transfer = send(district)
    document = Document.objects.get(source_type="transfers.transfer", source_id=str(transfer.pk))
    year = timezone.localdate().year
    assert document.kind == "transfer_letter" and document.department == district.departments["edu"]
    assert transfer.letter_number == document.number == f"测教移〔{year}〕1号"
    path = tmp_path / "letter.pdf"
    path.write_bytes(document.pdf.read())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.replace(
        "\n", ""
    )
    assert document.number in text and "案件移送函" in text and "测试区市场监管局" in text
    assert "第十七条" in text and "乙街道小饭桌" in text
    # The second letter of the year follows without a gap; a 协查 has its own sequence.
    assert send(district).letter_number == f"测教移〔{year}〕2号"
    assist = send(district, kind="assistance", request="请协助核实该小饭桌的食品经营许可情况。")
    assert assist.letter_number == f"测教协查〔{year}〕1号"


def test_letters_cite_the_provision_of_their_kind(district):
    from jianguan.transfers.documents import assistance_letter, legal_basis, transfer_letter

    transfer = send(district)
    assert "第十七条" in legal_basis(transfer) and "第二十六条" not in legal_basis(transfer)
    assist = send(district, kind="assistance", request="请协助核实许可情况。")
    content = assistance_letter(assist, "X")
    assert "第二十六条" in content.sections[0].paragraphs[1]
    assert content.recipient == "测试区市场监管局" and content.seal_text == "测试区教育局"
    assert "须于" not in transfer_letter(transfer, "X").sections[0].paragraphs[0]


def test_a_transfer_to_ones_own_department_is_refused(district):
    with pytest.raises(ValidationError, match="本单位"):
        send(district, receiver_department=district.departments["edu"], category="")


def test_a_transfer_goes_to_the_competent_department(district):
    # Food at a 小饭桌 is the market regulator's (the matrix): the fire brigade is named wrong, and told who is right.
    with pytest.raises(ValidationError, match="测试区市场监管局"):
        send(district, receiver_department=district.departments["fire"])
    # A 协查 is not a handover of competence: any unit may be asked.
    assert send(district, kind="assistance", receiver_department=district.departments["fire"], request="请协助。")


def test_a_street_may_ask_for_assistance_but_transfers_only_to_departments(district):
    street_a = district.users["street_a"]
    with pytest.raises(ValidationError, match="只能移送有管辖权的部门"):
        send(district, street_a, receiver_department=None, receiver_street=district.streets["b"],
             institution=district.institutions["a"], category="")  # fmt: skip
    transfer = send(district, street_a, kind="assistance", receiver_department=None,
                    receiver_street=district.streets["b"], institution=district.institutions["a"], category="",
                    request="请协助核实该机构在贵街道的办学点。")  # fmt: skip
    assert transfer.sender_street == district.streets["a"] and transfer.letter_number == ""  # no 执法文书 of a street


def test_a_suspected_crime_goes_to_the_police_and_only_from_a_head(district):
    police = district.departments["police"]
    with pytest.raises(ValidationError, match="公安机关"):
        send(district, suspected_crime=True)
    with pytest.raises(ValidationError, match="负责人"):
        send(district, receiver_department=police, suspected_crime=True, category="")
    from jianguan.accounts.services import user_update

    head = user_update(actor=district.users["admin"], user=district.users["edu_officer"], is_department_head=True)
    transfer = send(district, head, receiver_department=police, suspected_crime=True, category="")
    from jianguan.transfers.documents import transfer_letter

    body = "".join(transfer_letter(transfer, "X").sections[0].paragraphs)
    assert "第二十七条" in body and "行政执法机关移送涉嫌犯罪案件的规定" in body


def test_refusing_needs_a_reason(district, market_officer):
    transfer = send(district)
    with pytest.raises(ValidationError):
        services.transfer_refuse(actor=market_officer, transfer=transfer, reason="  ")
    transfer = services.transfer_refuse(actor=market_officer, transfer=transfer, reason="该问题已由我局立案查处。")
    assert transfer.status == TransferStatus.REFUSED and transfer.refusal_reason


@pytest.mark.parametrize("who", ["edu_officer", "lead", "fire_officer", "admin", "leader", "street_b"])
def test_only_the_receiving_unit_accepts(district, who):
    transfer = send(district)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=district.users[who], transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT


def test_the_receiver_accepts_and_reports_and_the_sender_may_not(district, market_officer):
    transfer = send(district)
    transfer = services.transfer_accept(actor=market_officer, transfer=transfer, version=transfer.version)
    assert transfer.status == TransferStatus.ACCEPTED and transfer.replied_on == timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.transfer_report(actor=district.users["edu_officer"], transfer=transfer, result="已处理")
    transfer = services.transfer_report(actor=market_officer, transfer=transfer, result="已立案查处，责令改正。")
    assert transfer.status == TransferStatus.CLOSED and transfer.closed_on is not None


def test_impossible_steps_are_conflicts(district, market_officer):
    transfer = send(district)
    with pytest.raises(Conflict):
        services.transfer_report(actor=market_officer, transfer=transfer, result="处理完毕")
    services.transfer_accept(actor=market_officer, transfer=transfer)
    with pytest.raises(Conflict):
        services.transfer_accept(actor=market_officer, transfer=transfer)
    with pytest.raises(Conflict):
        services.transfer_withdraw(actor=district.users["edu_officer"], transfer=transfer, reason="发错了")


def test_a_stale_page_is_a_conflict(district, market_officer):
    transfer = send(district)
    services.transfer_comment(actor=district.users["edu_officer"], transfer=transfer, text="材料已另行送达。")
    # A message does not stale the other side's page; a step does.
    services.transfer_accept(actor=market_officer, transfer=transfer, version=1)
    with pytest.raises(Conflict, match="刷新"):
        services.transfer_refuse(actor=market_officer, transfer=transfer, reason="不属于我局", version=1)


def test_the_sender_withdraws_before_an_answer(district, market_officer):
    transfer = send(district)
    with pytest.raises(PermissionDenied):
        services.transfer_withdraw(actor=market_officer, transfer=transfer, reason="x")
    transfer = services.transfer_withdraw(actor=district.users["lead"], transfer=transfer, reason="重复发送")
    assert transfer.status == TransferStatus.WITHDRAWN


def test_both_sides_see_the_thread_in_order_and_are_told(district, market_officer):
    from jianguan.notifications.models import Notification

    transfer = send(district)
    assert Notification.objects.filter(recipient=market_officer, reason="transfer.received").exists()
    services.transfer_comment(actor=market_officer, transfer=transfer, text="请补充现场照片。")
    services.transfer_comment(actor=district.users["edu_officer"], transfer=transfer, text="照片已上传。")
    services.transfer_accept(actor=market_officer, transfer=transfer)
    for user in (market_officer, district.users["edu_officer"], district.users["leader"]):
        steps = list(TransferStep.objects.visible_to(user).filter(transfer=transfer))
        assert [s.action for s in steps] == ["send", "comment", "comment", "accept"]
    assert not TransferStep.objects.visible_to(district.users["fire_officer"]).filter(transfer=transfer).exists()
    told = set(Notification.objects.filter(reason__startswith="transfer.").values_list("recipient_id", "reason"))
    edu = district.users["edu_officer"].pk
    assert {(edu, "transfer.comment"), (edu, "transfer.accept"), (market_officer.pk, "transfer.comment")} <= told


def test_an_unanswered_transfer_is_warned(district, market_officer):
    from jianguan.alerts.choices import AlertKind
    from jianguan.alerts.selectors import alert_by_key, alerts_for
    from jianguan.notifications.reminders import gather

    transfer = send(district)
    due = transfer.reply_due
    assert not [m for m in gather(due - timedelta(days=1)) if m.subject == f"transfers.transfer:{transfer.pk}"]
    on_due = [m for m in gather(due) if m.subject == f"transfers.transfer:{transfer.pk}"]
    assert {(m.recipient_id, m.reason) for m in on_due} == {(market_officer.pk, "transfer.reply_due")}
    late = due + timedelta(days=1)
    reminded = {(m.recipient_id, m.reason) for m in gather(late) if m.subject == f"transfers.transfer:{transfer.pk}"}
    assert (market_officer.pk, "transfer.reply_overdue") in reminded
    assert (district.users["edu_officer"].pk, "transfer.reply_overdue_sent") in reminded

    def warned(name_or_user):
        user = district.users[name_or_user] if isinstance(name_or_user, str) else name_or_user
        return [a for a in alerts_for(user, kinds=[AlertKind.TRANSFER_OVERDUE], today=late)]

    [alert] = warned(market_officer)
    assert alert.object_id == transfer.pk and alert.kind_label == "移送协查逾期未答复"
    assert alert_by_key(market_officer, alert.key, today=late) is not None
    assert warned("edu_officer") and warned("lead") and warned("leader")
    assert not warned("fire_officer") and not warned("street_b") and not warned("institution")
    services.transfer_accept(actor=market_officer, transfer=transfer)
    assert not warned(market_officer) and not [
        m for m in gather(late) if m.subject == f"transfers.transfer:{transfer.pk}"
    ]


def test_linked_records_must_be_visible_to_the_sender(district):
    # street_a cannot see institution b (street b): it cannot name it in a transfer.
    with pytest.raises(ValidationError):
        send(district, district.users["street_a"], kind="assistance", receiver_department=district.departments["fire"],
             category="", request="请协助。")  # fmt: skip
