"""Background tasks on Redis (django-tasks-rq), against the real Redis: every real task runs on an RQ worker, a daily
task keeps one chain, a rolled-back transaction queues nothing, and a failing task is retried with growing pauses and
ends on the failed list (RQ's registry, the metrics, the 后台任务 page). Database 12 of the test Redis; the tests take a
lock there in turn (xdist may run two at once) and clear RQ's keys before and after."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.support.redis import require_redis

pytestmark = pytest.mark.django_db


def _database_12(url: str) -> str:
    """The test Redis's URL with database 12 (this module's)."""
    return re.sub(r"(/\d*)?$", "/12", url.split("?")[0], count=1)


@pytest.fixture
def rq_url() -> Iterator[str]:
    import redis

    url = _database_12(require_redis())
    connection = redis.Redis.from_url(url)
    lock = connection.lock("jianguan-test:rq-lock", timeout=120, blocking_timeout=150)
    assert lock.acquire(), "another test held database 12 for over two minutes"
    try:
        _clear(connection)
        yield url
        _clear(connection)
    finally:
        lock.release()
        connection.close()


def _clear(connection: Any) -> None:
    keys = list(connection.scan_iter("rq:*"))
    if keys:
        connection.delete(*keys)


@pytest.fixture
def rq(settings: Any, rq_url: str) -> str:
    """The RQ backend, as settings.py configures it with JIANGUAN_REDIS_URL (django-tasks resets its backends when
    TASKS changes; django_rq reads RQ_QUEUES at each call)."""
    settings.RQ_QUEUES = {"default": {"URL": rq_url, "DEFAULT_TIMEOUT": 600}}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.JIANGUAN_TASK_MAX_ATTEMPTS = 3
    settings.JIANGUAN_TASK_RETRY_SECONDS = 60
    return rq_url


def _queue() -> Any:
    import django_rq

    return django_rq.get_queue("default")


def work() -> None:
    """What `manage.py rqworker --with-scheduler --burst` does, in this process (inside the test's transaction):
    the due scheduled jobs are moved onto the queue, then every job on it is run."""
    from rq import SimpleWorker

    queue = _queue()
    worker = SimpleWorker([queue], connection=queue.connection, job_class=queue.job_class)
    worker.work(burst=True, with_scheduler=True, logging_level="WARNING")


def scheduled() -> dict[str, Any]:
    """The scheduled jobs: id -> (task path, kwargs, when)."""
    from rq.registry import ScheduledJobRegistry

    queue = _queue()
    registry = ScheduledJobRegistry(queue=queue)
    jobs = queue.job_class.fetch_many(registry.get_job_ids(), connection=queue.connection)
    return {j.id: (j.func_name, j.kwargs, registry.get_scheduled_time(j)) for j in jobs if j is not None}


def make_due() -> None:
    """Time passes: every scheduled job falls due now."""
    from rq.registry import ScheduledJobRegistry

    registry = ScheduledJobRegistry(queue=_queue())
    for job_id in registry.get_job_ids():
        registry.connection.zadd(registry.key, {job_id: 1})


def test_every_real_task_runs_on_the_rq_worker(district: Any, rq: str, settings: Any, tmp_path: Path) -> None:
    from django.db import connection
    from django_tasks import TaskResultStatus

    from jianguan.audit.tasks import backup_daily
    from jianguan.ledger.tasks import send_ledger_reminders
    from jianguan.reports.tasks import build_open_data
    from jianguan.risk.models import RiskRating
    from jianguan.risk.tasks import refresh_risk_ratings
    from jianguan.rules.tasks import check_rules_daily

    settings.JIANGUAN_BACKUP_DIR = str(tmp_path / "backups")
    RiskRating.objects.all().delete()
    tasks = [send_ledger_reminders, refresh_risk_ratings, check_rules_daily, build_open_data]
    if connection.vendor == "postgresql":  # pg_dump copies what is committed; SQLite's online backup of this
        tasks.append(backup_daily)  # connection would wait for the test's own open transaction (test_backup.py)
    results = [t.enqueue(reschedule=False) for t in tasks]
    assert _queue().count == len(tasks)

    work()

    results = [task.get_result(result.id) for task, result in zip(tasks, results, strict=True)]
    for task, result in zip(tasks, results, strict=True):
        assert result.status == TaskResultStatus.SUCCESSFUL, (task.module_path, result.errors)
    assert _queue().count == 0 and not scheduled()  # reschedule=False: no next run
    from jianguan.registry.models import Institution

    assert RiskRating.objects.count() == Institution.objects.count()  # every institution rated again
    assert (Path(settings.MEDIA_ROOT) / "opendata" / results[3].return_value).exists()
    if connection.vendor == "postgresql":
        made = list((tmp_path / "backups").glob("jianguan-*"))
        assert len(made) == 1 and (made[0] / "manifest.json").exists()


def test_a_notification_is_sent_by_the_rq_worker(district: Any, rq: str, settings: Any) -> None:
    """The deliver task, queued once the transaction that created the delivery has committed."""
    from django_tasks import TaskResultStatus

    from jianguan.notifications.models import Delivery, Notification
    from jianguan.notifications.tasks import deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = "mail.example.test"
    user = district.users["fire_officer"]
    notification = Notification.objects.create(
        recipient=user, reason="test", subject="t:1", text="测试通知", url="/", day=timezone.localdate()
    )
    delivery = Delivery.objects.create(notification=notification, channel="email", address="officer@example.test")
    result = deliver.enqueue(delivery.pk)
    work()
    assert deliver.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1


def test_a_daily_task_keeps_one_chain_on_rq(district: Any, rq: str) -> None:
    from jianguan.lib.tasks import _waiting
    from jianguan.rules import tasks as rules_tasks

    assert not _waiting(rules_tasks.check_rules_daily)
    assert rules_tasks.schedule() is True
    assert rules_tasks.schedule() is True  # a second `make run` or a cron line beside the worker
    waiting = scheduled()
    assert len(waiting) == 1
    ((path, _kwargs, when),) = waiting.values()
    assert path == rules_tasks.check_rules_daily.module_path
    assert when == rules_tasks.next_run().astimezone(when.tzinfo)  # tomorrow at JIANGUAN_RULES_HOUR
    assert _waiting(rules_tasks.check_rules_daily)

    make_due()  # tomorrow morning: the scheduler of `rqworker --with-scheduler` queues it, the worker runs it
    work()
    again = scheduled()
    assert len(again) == 1 and set(again) != set(waiting)  # the run queued the next one, and only one


def test_enqueue_waits_for_the_commit(rq: str, django_capture_on_commit_callbacks: Any) -> None:
    from jianguan.lib.tasks import enqueue_atomically
    from jianguan.notifications.tasks import deliver

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        enqueue_atomically(deliver, 999_999)
        raise Rollback
    assert _queue().count == 0  # the change was rolled back: nothing was queued

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_atomically(deliver, 999_999)
        assert _queue().count == 0  # not before the commit
    assert _queue().count == 1


def _metrics(client: Client) -> str:
    return client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1").content.decode()


def test_a_failing_task_is_retried_with_growing_pauses_and_ends_failed_and_visible(
    district: Any, rq: str, settings: Any, tmp_path: Path
) -> None:
    from django_tasks import TaskResultStatus
    from rq.registry import FailedJobRegistry

    from jianguan.audit.tasks import backup_daily

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.JIANGUAN_BACKUP_DIR = str(blocker / "backups")  # every backup fails: its directory cannot be made
    first = backup_daily.enqueue(reschedule=False)

    second = timedelta(seconds=1)  # RQ keeps a scheduled time to the second
    for attempt, pause in ((1, timedelta(seconds=60)), (2, timedelta(seconds=240))):  # 1 × and 4 × 60 s
        before = timezone.now()
        work()
        after = timezone.now()
        retries = scheduled()
        assert len(retries) == 1
        ((path, kwargs, when),) = retries.values()
        assert path == backup_daily.module_path and kwargs == {"reschedule": False, "attempt": attempt + 1}
        assert before + pause - second <= when <= after + pause
        if attempt == 1:
            assert backup_daily.get_result(first.id).status == TaskResultStatus.SUCCESSFUL  # retried, not failed
            page = district_client(district).get(reverse("audit:task_list"))
            assert page.status_code == 200
            assert "定时备份" in _section(page, "waiting-retries") and "没有失败的任务" in page.content.decode()
        make_due()

    work()  # the third and last attempt fails for good
    assert not scheduled()
    failed = FailedJobRegistry(queue=_queue())
    assert failed.count == 1
    (job_id,) = failed.get_job_ids()
    result = backup_daily.get_result(job_id)
    assert result.status == TaskResultStatus.FAILED
    assert "NotADirectoryError" in result.errors[-1].traceback or "FileExistsError" in result.errors[-1].traceback

    text = _metrics(Client())
    assert 'jianguan_task_queue{status="failed"} 1.0' in text
    assert 'jianguan_task_queue{status="ready"} 0.0' in text
    assert "jianguan_task_queue_up 1.0" in text

    page = district_client(district).get(reverse("audit:task_list"))
    assert page.status_code == 200
    failed_rows = _section(page, "failed-tasks")
    assert "定时备份" in failed_rows and backup_daily.module_path in failed_rows
    assert "第 3 次" in failed_rows and "Error" in failed_rows
    assert "Redis（RQ）" in page.content.decode()


def district_client(district: Any) -> Client:
    from tests.support.district import persona_client

    return persona_client(district.users["admin"])


def _section(response: Any, testid: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


def test_the_page_and_metrics_say_so_when_redis_does_not_answer(district: Any, settings: Any) -> None:
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    page = district_client(district).get(reverse("audit:task_list"))
    assert page.status_code == 503 and "无法读取任务队列" in page.content.decode()
    text = _metrics(Client())
    assert "jianguan_task_queue_up 0.0" in text and "jianguan_ledger_overdue_items" in text


def run_worker(limit: int) -> None:
    """What `manage.py db_worker` does with each ready task, inside the test's transaction."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    for _ in range(limit):
        if (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is None:
            break
        result.claim("test")
        worker.run_task(result)


def test_the_database_queue_shows_its_failures_too(district: Any, settings: Any, tmp_path: Path) -> None:
    """Without Redis: the same retries on the database queue, the same page and metrics."""
    from django_tasks_db.models import DBTaskResult

    from jianguan.audit.tasks import backup_daily

    settings.JIANGUAN_TASK_MAX_ATTEMPTS = 2
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.JIANGUAN_BACKUP_DIR = str(blocker / "backups")
    backup_daily.enqueue(reschedule=False)
    before = timezone.now()
    run_worker(limit=1)
    after = timezone.now()
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"] == {"reschedule": False, "attempt": 2}
    assert before + timedelta(seconds=60) <= retry.run_after <= after + timedelta(seconds=60)
    page = district_client(district).get(reverse("audit:task_list"))
    assert "定时备份" in _section(page, "waiting-retries") and "数据库" in page.content.decode()

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    run_worker(limit=1)
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    assert 'jianguan_task_queue{status="failed"} 1.0' in _metrics(Client())
    failed_rows = _section(district_client(district).get(reverse("audit:task_list")), "failed-tasks")
    assert "定时备份" in failed_rows and "第 2 次" in failed_rows
