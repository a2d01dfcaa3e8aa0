"""Background tasks (django-tasks) on either backend: the database (django-tasks-db, run by `manage.py db_worker`) or
Redis (django-tasks-rq, run by `manage.py rqworker --with-scheduler`; settings.TASKS_BACKEND).

Daily tasks queue their next run for tomorrow at a set hour (`schedule_daily`); where the backend cannot defer, cron
runs the matching management command instead. A task that raises is run again with growing pauses (`retried`) and,
when the attempts run out, stays on the failed list (`failed_tasks`, `queue_counts`: the 后台任务 page and metrics)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import default_task_backend

logger = logging.getLogger("jianguan.tasks")

F = TypeVar("F", bound=Callable[..., Any])


def next_daily_run(hour: int, now: datetime | None = None) -> datetime:
    """Tomorrow at `hour` o'clock, local time."""
    now = timezone.localtime(now)
    tomorrow = now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(hour)))


def schedule_daily(task: Any, hour: int) -> bool:
    """Queue the task's next run for tomorrow at `hour`, unless a run is already waiting (a second `make run` or a
    cron line beside the worker must not start a second chain); False when the backend cannot defer."""
    if not default_task_backend.supports_defer:
        return False
    if not _waiting(task):
        task.using(run_after=next_daily_run(hour)).enqueue()
    return True


def _waiting(task: Any) -> bool:
    """A deferred run of the task is waiting: a row on the database queue, or a job in RQ's scheduled registry
    (other backends: assume not). A retry waiting counts too: when it succeeds it queues tomorrow's run itself."""
    if _on_rq(task):
        return any(job.func_name == task.module_path for job in _rq_jobs(task.queue_name, "scheduled"))
    if not _on_database(task):
        return False
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A run queued "now" is stored with the latest date as its run_after: only a deferred run counts as the chain.
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status="READY", run_after__gt=timezone.now(), run_after__lt=get_date_max()
    )
    return waiting.exists()


def enqueue_atomically(task: Any, *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue a task with the caller's transaction: on the database backend the queue row is written inside it (it
    commits, or vanishes, with the change that asked for it); on any other backend (Redis) it is queued once the
    transaction has committed, so a worker never looks for rows that are not there yet, and a rolled-back change
    queues nothing."""
    task = task.using(run_after=run_after) if run_after is not None else task
    if _on_database(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def _on_database(task: Any) -> bool:
    """The task's backend keeps its queue in this database (django-tasks-db), inside the callers' transactions."""
    return type(task.get_backend()).__module__.startswith("django_tasks_db")


def _on_rq(task: Any) -> bool:
    return type(task.get_backend()).__module__.startswith("django_tasks_rq")


# --- Retries ------------------------------------------------------------------------------------------------------


def retry_pause(attempt: int, base_seconds: int | None = None) -> timedelta:
    """The pause after failed attempt number `attempt` (1, 2 …): 1, 4, 16, 64 … times the base — a mail server back
    in minutes, a database restarted, a gateway down for an hour (the deliveries' own send retries count the same)."""
    base = settings.JIANGUAN_TASK_RETRY_SECONDS if base_seconds is None else base_seconds
    return timedelta(seconds=base * 4 ** (max(attempt, 1) - 1))


def retried(func: F) -> F:
    """Under ``@task()``: a run that raises is queued again after `retry_pause` with ``attempt`` one higher (a keyword
    argument the wrapper adds), up to JIANGUAN_TASK_MAX_ATTEMPTS runs; the last one raises, so the backend records it
    as failed (the failed list, the metrics). An attempt that will be retried is logged with its traceback and ends
    without a value. On a backend that cannot defer (the immediate one in tests) the error is raised at once.

        @task()
        @retried
        def refresh_risk_ratings(reschedule: bool = True) -> int: ...
    """

    @functools.wraps(func)
    def wrapper(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception:
            task = import_string(f"{func.__module__}.{func.__qualname__}")
            backend = task.get_backend()
            if attempt >= settings.JIANGUAN_TASK_MAX_ATTEMPTS or not backend.supports_defer:
                logger.exception("task %s failed for good (attempt %d)", task.module_path, attempt)
                raise
            pause = retry_pause(attempt)
            # Queued at once: the failed attempt's own transactions have ended (rolled back) by now.
            task.using(run_after=timezone.now() + pause).enqueue(*args, attempt=attempt + 1, **kwargs)
            logger.warning(
                "task %s failed (attempt %d of %d), retried in %d s",
                task.module_path, attempt, settings.JIANGUAN_TASK_MAX_ATTEMPTS, pause.total_seconds(), exc_info=True,
            )  # fmt: skip
            return None

    return wrapper  # type: ignore[return-value]


# --- What the queue holds (the 后台任务 page, /metrics) ------------------------------------------------------------


@dataclass
class TaskRecord:
    """A queued, waiting or failed task, the same on either backend."""

    id: str
    path: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    status: str = ""  # ready, scheduled, running, failed
    enqueued_at: datetime | None = None
    run_after: datetime | None = None
    finished_at: datetime | None = None
    error: str = ""  # the last line of the traceback
    traceback: str = ""
    label: str = ""  # what a page calls it (set by the page)

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def attempt(self) -> int:
        return int(self.kwargs.get("attempt", 1))


def backend_name() -> str:
    """ "rq", "db" or the backend's class name, for the page and the logs."""
    module = type(_default_backend()).__module__
    if module.startswith("django_tasks_rq"):
        return "rq"
    if module.startswith("django_tasks_db"):
        return "db"
    return type(_default_backend()).__name__


def _alias() -> str:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS

    return DEFAULT_TASK_BACKEND_ALIAS


def _default_backend() -> Any:
    from django_tasks import task_backends

    return task_backends[_alias()]


def _queue_names() -> list[str]:
    backend = _default_backend()
    return sorted(backend.queues) or ["default"]


def _rq_jobs(queue_name: str, registry: str, limit: int | None = None) -> list[Any]:
    """The jobs of one RQ registry ("scheduled", "failed", "started") or of the queue itself ("queued")."""
    import django_rq
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue(queue_name)
    if registry == "queued":
        ids = queue.get_job_ids(0, -1 if limit is None else limit)
    else:
        kind = {"scheduled": ScheduledJobRegistry, "failed": FailedJobRegistry, "started": StartedJobRegistry}[registry]
        ids = kind(queue=queue).get_job_ids(0, -1 if limit is None else limit - 1)
    return [job for job in queue.job_class.fetch_many(ids, connection=queue.connection) if job is not None]


def queue_counts() -> dict[str, int]:
    """Tasks by status on the configured backend: ready (queued now or deferred: RQ's queued and scheduled), running
    (RQ's started), failed. Raises the backend's error when its store does not answer."""
    if backend_name() == "rq":
        import django_rq
        from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

        counts = {"ready": 0, "running": 0, "failed": 0}
        for name in _queue_names():
            queue = django_rq.get_queue(name)
            counts["ready"] += queue.count + ScheduledJobRegistry(queue=queue).count
            counts["running"] += StartedJobRegistry(queue=queue).count
            counts["failed"] += FailedJobRegistry(queue=queue).count
        return counts
    if backend_name() == "db":
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        found = dict(
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING", "FAILED"])
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        return {"ready": found.get("READY", 0), "running": found.get("RUNNING", 0), "failed": found.get("FAILED", 0)}
    return {}


def _last_line(traceback: str) -> str:
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _from_rq(job: Any, status: str) -> TaskRecord:
    traceback = ""
    if status == "failed":
        result = job.latest_result()
        traceback = (result.exc_string if result is not None else "") or job.exc_info or ""
    run_after = None
    if status == "scheduled":
        from rq.registry import ScheduledJobRegistry

        run_after = _aware(ScheduledJobRegistry(queue=_rq_queue(job.origin)).get_scheduled_time(job))
    return TaskRecord(
        id=job.id, path=job.func_name, args=list(job.args or []), kwargs=dict(job.kwargs or {}), status=status,
        enqueued_at=_aware(job.enqueued_at), run_after=run_after, finished_at=_aware(job.ended_at),
        error=_last_line(traceback), traceback=traceback,
    )  # fmt: skip


def _rq_queue(name: str) -> Any:
    import django_rq

    return django_rq.get_queue(name)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        from datetime import UTC

        return value.replace(tzinfo=UTC)  # RQ keeps UTC times without a zone
    return value


def _from_db(row: Any, status: str) -> TaskRecord:
    from django_tasks_db.models import get_date_max

    traceback = row.traceback or ""
    run_after = row.run_after if row.run_after and row.run_after < get_date_max() else None
    return TaskRecord(
        id=str(row.id), path=row.task_path, args=list(row.args_kwargs.get("args", [])),
        kwargs=dict(row.args_kwargs.get("kwargs", {})), status=status, enqueued_at=row.enqueued_at,
        run_after=run_after, finished_at=row.finished_at, error=_last_line(traceback), traceback=traceback,
    )  # fmt: skip


def failed_tasks(limit: int = 100) -> list[TaskRecord]:
    """Tasks whose last attempt failed, newest first."""
    if backend_name() == "rq":
        found = [_from_rq(job, "failed") for name in _queue_names() for job in _rq_jobs(name, "failed")]
        found.sort(key=lambda r: r.finished_at or timezone.now(), reverse=True)
        return found[:limit]
    if backend_name() == "db":
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.filter(status="FAILED").order_by("-finished_at")[:limit]
        return [_from_db(row, "failed") for row in rows]
    return []


def retries_waiting(limit: int = 100) -> list[TaskRecord]:
    """Retries queued after a failed attempt (attempt 2 and on), soonest first."""
    if backend_name() == "rq":
        found = [
            _from_rq(job, "scheduled")
            for name in _queue_names()
            for job in _rq_jobs(name, "scheduled")
            if (job.kwargs or {}).get("attempt")
        ]
        found.sort(key=lambda r: r.run_after or timezone.now())
        return found[:limit]
    if backend_name() == "db":
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.filter(status="READY", args_kwargs__kwargs__has_key="attempt").order_by(
            "run_after"
        )[:limit]
        return [_from_db(row, "scheduled") for row in rows]
    return []
