"""ledger_remind: the institution hears of items due soon or overdue, the supervising officers of rechecks due; never
twice a day; the inbox and its unread count."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from jianguan.ledger.models import LedgerItem
from jianguan.ledger.reminders import send_reminders
from jianguan.notifications.models import Notification


def test_reminders_reach_the_right_people_once_a_day(district, capsys):
    item = district.ledger["a"]  # submitted: the fire department must recheck it
    users = district.users
    call_command("ledger_remind")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "sent 1"
    officer_note = Notification.objects.get(recipient=users["fire_officer"], reason="ledger.recheck_due")
    assert "已提交整改材料" in officer_note.text
    assert officer_note.url == f"/ledger/{item.pk}/"
    call_command("ledger_remind")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "sent 0"  # never twice a day

    # Back in progress and past its deadline: the institution is told it is overdue; the officer, already told today
    # that this item needs a recheck, is not told again.
    LedgerItem.objects.filter(pk=item.pk).update(
        status="in_progress", deadline=timezone.localdate() - timedelta(days=3)
    )
    assert send_reminders(timezone.localdate()) == 1
    inst_note = Notification.objects.get(recipient=users["institution"], reason__startswith="ledger.overdue")
    assert "已逾期" in inst_note.text
    reminded = Notification.objects.filter(reason__in=("ledger.recheck_due", "ledger.overdue", "ledger.due_soon"))
    assert reminded.filter(recipient=users["fire_officer"]).count() == 1
    assert not reminded.filter(recipient__in=[users["edu_officer"], users["street_a"]]).exists()
    assert send_reminders(timezone.localdate()) == 0


def test_due_soon_reminds_the_institution(district):
    item = district.ledger["a"]
    LedgerItem.objects.filter(pk=item.pk).update(status="pending", deadline=timezone.localdate())
    send_reminders(timezone.localdate())
    assert Notification.objects.get(recipient=district.users["institution"], reason="ledger.due_soon")


def test_the_inbox_shows_unread_and_marks_read(client_for, district):
    send_reminders(timezone.localdate())
    client = client_for("fire_officer")
    html = client.get("/").content.decode()
    assert 'data-testid="unread">1<' in html
    assert "已提交整改材料" in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert 'data-testid="unread"' not in client.get("/").content.decode()
    # Personal: nobody else sees it, not even the administrator.
    assert "已提交整改材料" not in client_for("admin").get("/notifications/").content.decode()


def test_the_background_task_sends_and_queues_the_next_run(district):
    from django_tasks_db.models import DBTaskResult

    from jianguan.ledger.tasks import next_run, send_ledger_reminders

    result = send_ledger_reminders.enqueue()
    assert DBTaskResult.objects.filter(pk=result.id).exists()  # queued for the worker, not run in the request
    assert send_ledger_reminders.call() == 1  # what the worker runs: today's reminders …
    queued = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert queued.run_after == next_run()  # … and tomorrow's run queued behind it
    assert send_ledger_reminders.call(reschedule=False) == 0  # never twice a day


def test_scheduling_again_does_not_start_a_second_daily_chain(district):
    """`make run` schedules the daily runs each time it starts: one waiting run per task, however often."""
    from django_tasks_db.models import DBTaskResult

    from jianguan.ledger.tasks import schedule, send_ledger_reminders

    assert schedule() and schedule()
    assert DBTaskResult.objects.filter(task_path=send_ledger_reminders.module_path).count() == 1
