"""Settings for Jianguan, driven by environment variables with safe defaults (SQLite file, debug off)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jianguan.lib.clientip import parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("JIANGUAN_DEBUG", False)
# Without a configured key a per-checkout key is generated once, so a fresh clone runs; production must set one.
SECRET_KEY = os.environ.get("JIANGUAN_SECRET_KEY", "")
if not SECRET_KEY:
    _key_file = BASE_DIR / "var" / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("JIANGUAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIANGUAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "jianguan.audit",
    "jianguan.org",
    "jianguan.accounts",
    "jianguan.registry",
    "jianguan.documents",
    "jianguan.checklists",
    "jianguan.inspections",
    "jianguan.ledger",
    "jianguan.notifications",
    "jianguan.webhooks",
    "jianguan.portal",
    "jianguan.complaints",
    "jianguan.enforcement",
    "jianguan.transfers",
    "jianguan.meetings",
    "jianguan.planning",
    "jianguan.staff",
    "jianguan.courses",
    "jianguan.fees",
    "jianguan.rules",
    "jianguan.articles",
    "jianguan.risk",
    "django_tasks",
    "django_tasks_db",
    "jianguan.reports",
    "jianguan.alerts",
    "jianguan.demo",
]

MIDDLEWARE = [
    "jianguan.middleware.RequestLogMiddleware",
    "jianguan.middleware.ApiPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "jianguan.middleware.PermissionsPolicyMiddleware",
    "jianguan.middleware.QueryStringLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a user's reads go to the primary for a few seconds after their write.
    "jianguan.lib.dbrouter.ReplicaStickyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After CSRF: a forged post is refused as forged before its fields are looked at.
    "jianguan.middleware.RequestParameterGuard",
    "jianguan.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "jianguan.urls"
WSGI_APPLICATION = "jianguan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jianguan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jianguan.accounts.context_processors.navigation",
                "jianguan.notifications.context_processors.unread",
            ],
            "builtins": ["jianguan.lib.templatetags"],
        },
    },
]

# SQLite file by default; DATABASE_URL=postgres://… for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'jianguan.sqlite3'}",
        conn_max_age=env_int("JIANGUAN_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    (BASE_DIR / "var").mkdir(exist_ok=True)
    if test_file := os.environ.get("JIANGUAN_TEST_SQLITE_FILE"):
        # The browser tests' live server answers from several threads at once (a page and its images): a test
        # database in a file (WAL, busy timeout, as in production) instead of Django's in-memory one, whose shared
        # cache answers concurrent writers with "database table is locked".
        DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / test_file)}
# A streaming replica of the PostgreSQL primary for the heavy reads (dashboard, statistics, exports, open data, API
# lists); writes, transactions and a user's requests just after their own write stay on the primary. Where each read
# goes: jianguan/lib/dbrouter.py.
if replica_url := os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=env_int("JIANGUAN_DB_CONN_MAX_AGE", 60))
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that went away is left out after a few seconds, not waited for (?connect_timeout= to change).
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Tests never create a database on the read-only standby: the alias mirrors the default test database (reads
    # inside a test's transaction go to the primary anyway). The real-replica tests (JIANGUAN_TEST_REPLICA_URL) point
    # it at the standby's copy of the test database, which streaming replication made.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["jianguan.lib.dbrouter.ReplicaRouter"]
# After a user's write, their next requests read from the primary for this long (the replica may not have it yet).
JIANGUAN_REPLICA_STICKY_SECONDS = env_int("JIANGUAN_REPLICA_STICKY_SECONDS", 5)
# /readyz fails when the replica is further behind than this.
JIANGUAN_REPLICA_MAX_LAG_SECONDS = env_int("JIANGUAN_REPLICA_MAX_LAG_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after two idle hours and when the browser closes.
SESSION_COOKIE_AGE = env_int("JIANGUAN_SESSION_IDLE_SECONDS", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Failed-login lockout: this many failures within the window lock the account (or the client IP) for the window.
LOGIN_LOCKOUT_WINDOW = timedelta(minutes=env_int("JIANGUAN_LOCKOUT_MINUTES", 15))
LOGIN_LOCKOUT_USER_FAILURES = env_int("JIANGUAN_LOCKOUT_USER_FAILURES", 5)
LOGIN_LOCKOUT_IP_FAILURES = env_int("JIANGUAN_LOCKOUT_IP_FAILURES", 20)
# Uploads and imports: a file over JIANGUAN_UPLOAD_MAX_MB is refused; a workbook is refused before parsing when its
# parts would unzip beyond JIANGUAN_IMPORT_MAX_UNZIPPED_MB (a zip bomb), and while reading beyond
# JIANGUAN_IMPORT_MAX_ROWS rows. Previews of imports not confirmed are deleted after JIANGUAN_IMPORT_KEEP_HOURS.
JIANGUAN_UPLOAD_MAX_MB = env_int("JIANGUAN_UPLOAD_MAX_MB", 10)
# A photo declaring more pixels than this is refused before it is decoded. Decoding costs about 4 bytes a pixel: a
# 48-megapixel photo (the largest a phone's main camera takes) peaks near 200 MB (benchmarks: photo memory).
JIANGUAN_IMAGE_MAX_PIXELS = env_int("JIANGUAN_IMAGE_MAX_PIXELS", 48_000_000)
JIANGUAN_IMPORT_MAX_UNZIPPED_MB = env_int("JIANGUAN_IMPORT_MAX_UNZIPPED_MB", 60)
JIANGUAN_IMPORT_MAX_ROWS = env_int("JIANGUAN_IMPORT_MAX_ROWS", 20_000)
JIANGUAN_IMPORT_KEEP_HOURS = env_int("JIANGUAN_IMPORT_KEEP_HOURS", 24)
# The longest extension (延期) of a rectification deadline one request may ask for, in working days after the current
# deadline; the supervising officer may grant a shorter one than asked.
JIANGUAN_EXTENSION_MAX_WORKING_DAYS = env_int("JIANGUAN_EXTENSION_MAX_WORKING_DAYS", 15)
# Content-Security-Policy on every response (django-csp): scripts and styles only from the platform's own static
# files, no inline script or style attribute anywhere (pages declare behaviour with data- attributes, js/site.js);
# images may also be data: (Bootstrap's icons) and blob: (a photo's preview). The API's Swagger page, which ships
# its own inline script, is left out. Uploaded PDFs are served as attachments under `sandbox` (lib/storedfiles).
_SELF, _NONE = "'self'", "'none'"
# A page that needs a <style> block of its own (translated words Quill draws with CSS) marks it with the request's
# nonce ({{ request.csp_nonce }}); the nonce is in the header only on those pages.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF, CSP_NONCE],
        "img-src": [_SELF, "data:", "blob:"],
        "font-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    },
}
# Browser features a page may use: the camera (photos on site) and location for the platform itself, nothing else.
PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)
# Longer query strings are answered 414 (JSON on the API). Keep the front proxy's and gunicorn's request-line limits
# above it (gunicorn --limit-request-line 8190), so that the platform, not the proxy, answers.
JIANGUAN_MAX_QUERY_STRING = env_int("JIANGUAN_MAX_QUERY_STRING", 4096)
# Two-step sign-in (a TOTP code after the password) is required of these roles; anyone else may turn it on.
JIANGUAN_2FA_ROLES = [
    r.strip() for r in os.environ.get("JIANGUAN_2FA_ROLES", "platform_admin,lead_coordinator").split(",") if r.strip()
]
JIANGUAN_2FA_ISSUER = os.environ.get("JIANGUAN_2FA_ISSUER", "监管平台")
# A new personal API token lives this many days unless its owner chooses otherwise (30/90/180/365, or never).
JIANGUAN_API_TOKEN_DAYS = env_int("JIANGUAN_API_TOKEN_DAYS", 180)
# The client IP: REMOTE_ADDR, or behind our own reverse proxies the right-most X-Forwarded-For hop that is not one of
# them (a count of proxies, or their addresses/CIDRs). See lib/clientip.py.
if "JIANGUAN_TRUST_X_FORWARDED_FOR" in os.environ:
    raise ImproperlyConfigured(
        "JIANGUAN_TRUST_X_FORWARDED_FOR 已停用（它信任客户端可伪造的最左侧地址）。请改用 JIANGUAN_TRUSTED_PROXIES："
        "反向代理的数量（如 1）或其地址/网段（如 127.0.0.1）。"
    )
JIANGUAN_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("JIANGUAN_TRUSTED_PROXIES", ""))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "jianguan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "jianguan" / "static"]
MEDIA_ROOT = Path(os.environ.get("JIANGUAN_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("JIANGUAN_MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The cache holds what every worker must share: rate-limit and lockout counters, the open-data build lock. With
# several processes (gunicorn workers, several servers) point JIANGUAN_REDIS_URL at Redis; without it each process
# counts on its own, which suits one developer's `make run`.
REDIS_URL = os.environ.get("JIANGUAN_REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("JIANGUAN_CACHE_PREFIX", "jianguan"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions stay in the database (Django's default engine), not in Redis: every app server reads the same rows, a
# sign-out anywhere ends the session everywhere at once, and a Redis restart or eviction signs nobody out. With
# SESSION_SAVE_EVERY_REQUEST each request writes its row anyway, so `cached_db` would only save one primary-key read.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Production hardening, switched on by JIANGUAN_HTTPS=1 behind TLS.
if env_bool("JIANGUAN_HTTPS", False):
    SECURE_SSL_REDIRECT = env_bool("JIANGUAN_SSL_REDIRECT", True)
    # Health checks come from the machine itself or its monitor over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("JIANGUAN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits the whole parent domain to HTTPS: its owner's decision, so it is opt-in.
    SECURE_HSTS_PRELOAD = env_bool("JIANGUAN_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Working-day deadlines: how many working days ahead count as "due soon".
JIANGUAN_DUE_SOON_WORKING_DAYS = env_int("JIANGUAN_DUE_SOON_WORKING_DAYS", 3)
# Background tasks (reminders, risk refresh, rule checks, open data, backups, notifications; lib/tasks.py): on Redis
# through RQ when JIANGUAN_REDIS_URL is set, run by `manage.py rqworker --with-scheduler` (the scheduler moves a
# deferred run, such as tomorrow's reminders or a retry, onto the queue when it falls due); otherwise stored in the
# database and run by `manage.py db_worker`. JIANGUAN_TASKS_BACKEND=db|rq forces one; JIANGUAN_RQ_URL puts the queue
# on another Redis (or database number) than the cache: the queue's Redis must not evict keys (maxmemory-policy
# noeviction), a cache's may.
TASKS_BACKEND = os.environ.get("JIANGUAN_TASKS_BACKEND", "").strip().lower() or ("rq" if REDIS_URL else "db")
if TASKS_BACKEND == "rq":
    RQ_URL = os.environ.get("JIANGUAN_RQ_URL", "").strip() or REDIS_URL
    if not RQ_URL:
        raise ImproperlyConfigured(
            "JIANGUAN_TASKS_BACKEND=rq 需要 Redis：请设置 JIANGUAN_REDIS_URL 或 JIANGUAN_RQ_URL。"
        )
    # django_rq for its worker command (`rqworker`) and RQ_QUEUES; its admin pages and URLs are not mounted.
    INSTALLED_APPS.append("django_rq")
    # A job runs at most this long (a backup of a large district takes minutes). RQ keeps a failed job a year, a
    # finished one's result some minutes. The worker runs django-tasks' job class (`rqworker` needs no --job-class).
    RQ_QUEUES = {"default": {"URL": RQ_URL, "DEFAULT_TIMEOUT": env_int("JIANGUAN_TASK_TIMEOUT_SECONDS", 3600)}}
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ImproperlyConfigured("JIANGUAN_TASKS_BACKEND 只能是 db 或 rq。")
# A task that raises is run again after 1, 4, 16 … times JIANGUAN_TASK_RETRY_SECONDS, JIANGUAN_TASK_MAX_ATTEMPTS
# times in all; the last failure stays on the failed list (后台任务 page, metric jianguan_task_queue{status="failed"}).
JIANGUAN_TASK_MAX_ATTEMPTS = env_int("JIANGUAN_TASK_MAX_ATTEMPTS", 4)
JIANGUAN_TASK_RETRY_SECONDS = env_int("JIANGUAN_TASK_RETRY_SECONDS", 60)
JIANGUAN_REMIND_HOUR = env_int("JIANGUAN_REMIND_HOUR", 8)
# The day's open-data file (reports/opendata.py) is built ahead at this hour, so the first download waits for nothing.
JIANGUAN_OPENDATA_HOUR = env_int("JIANGUAN_OPENDATA_HOUR", 1)
# Daily backups (`backup --schedule`): into a new directory under JIANGUAN_BACKUP_DIR at JIANGUAN_BACKUP_HOUR, the
# newest JIANGUAN_BACKUP_KEEP kept. Empty: no scheduled backups (run `manage.py backup DIR` from cron instead).
JIANGUAN_BACKUP_DIR = os.environ.get("JIANGUAN_BACKUP_DIR", "").strip()
JIANGUAN_BACKUP_HOUR = env_int("JIANGUAN_BACKUP_HOUR", 2)
JIANGUAN_BACKUP_KEEP = env_int("JIANGUAN_BACKUP_KEEP", 7)
# Whether an institution's users may hold personal API tokens (for their own software to read their orders and
# answer them); off by default: staff integrate, institutions use the pages.
JIANGUAN_INSTITUTION_API_TOKENS = env_bool("JIANGUAN_INSTITUTION_API_TOKENS", False)
# Notifications beyond the in-app inbox (see README): e-mail through Django's SMTP backend when a host is set, SMS
# through an HTTP gateway when its URL is set. Each send is a task, retried with growing pauses up to the attempts.
EMAIL_HOST = os.environ.get("JIANGUAN_EMAIL_HOST", "")
EMAIL_PORT = env_int("JIANGUAN_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("JIANGUAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JIANGUAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("JIANGUAN_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("JIANGUAN_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("JIANGUAN_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("JIANGUAN_EMAIL_FROM", "jianguan@localhost")
EMAIL_SUBJECT_PREFIX = "[监管平台] "
# The SMS gateway: a POST of the body template (JSON) with $phone and $text filled in, an optional bearer token.
JIANGUAN_SMS_URL = os.environ.get("JIANGUAN_SMS_URL", "")
JIANGUAN_SMS_TEMPLATE = os.environ.get("JIANGUAN_SMS_TEMPLATE", '{"phone": "$phone", "text": "$text"}')
JIANGUAN_SMS_TOKEN = os.environ.get("JIANGUAN_SMS_TOKEN", "")
JIANGUAN_SMS_SIGNATURE = os.environ.get("JIANGUAN_SMS_SIGNATURE", "【监管平台】")
JIANGUAN_SMS_TIMEOUT = env_int("JIANGUAN_SMS_TIMEOUT", 10)
# The address staff reach the platform at, for the links in e-mails.
JIANGUAN_SITE_URL = os.environ.get("JIANGUAN_SITE_URL", "http://127.0.0.1:8000")
JIANGUAN_NOTIFY_MAX_ATTEMPTS = env_int("JIANGUAN_NOTIFY_MAX_ATTEMPTS", 5)
JIANGUAN_NOTIFY_RETRY_SECONDS = env_int("JIANGUAN_NOTIFY_RETRY_SECONDS", 60)
# Webhooks (事件推送) to other systems: each POST waits at most the timeout (connecting, then reading); a failed one is
# retried after 1, 2, 4 … times the retry pause (at most 6 hours) until the attempts run out. Receivers may be limited
# to the hosts listed (names, addresses, or ".example.gov.cn" for a domain and its subdomains; empty = any host the
# administrator enters).
JIANGUAN_WEBHOOK_TIMEOUT_SECONDS = env_int("JIANGUAN_WEBHOOK_TIMEOUT_SECONDS", 5)
JIANGUAN_WEBHOOK_MAX_ATTEMPTS = env_int("JIANGUAN_WEBHOOK_MAX_ATTEMPTS", 8)
JIANGUAN_WEBHOOK_RETRY_SECONDS = env_int("JIANGUAN_WEBHOOK_RETRY_SECONDS", 60)
JIANGUAN_WEBHOOK_ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("JIANGUAN_WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]
# The public portal: requests per client per minute, and whether the legal representative's name is shown.
JIANGUAN_PUBLIC_RATE_LIMIT = env_int("JIANGUAN_PUBLIC_RATE_LIMIT", 60)
JIANGUAN_PUBLIC_LEGAL_REPRESENTATIVE = env_bool("JIANGUAN_PUBLIC_LEGAL_REPRESENTATIVE", False)
# Seconds the portal keeps search results and institution pages in the cache (0: off); a change clears them at once.
JIANGUAN_PORTAL_CACHE_SECONDS = env_int("JIANGUAN_PORTAL_CACHE_SECONDS", 60)
# The address parents reach the portal at, for the QR codes on door plates (empty: the address of the request).
JIANGUAN_PUBLIC_BASE_URL = os.environ.get("JIANGUAN_PUBLIC_BASE_URL", "")
# Complaints: submissions per client an hour, working days a handler has by default, and the bot trap's shortest
# believable time between showing a public form and posting it.
JIANGUAN_COMPLAINT_RATE_LIMIT = env_int("JIANGUAN_COMPLAINT_RATE_LIMIT", 5)
JIANGUAN_COMPLAINT_WORKING_DAYS = env_int("JIANGUAN_COMPLAINT_WORKING_DAYS", 15)
JIANGUAN_FORM_MIN_SECONDS = env_int("JIANGUAN_FORM_MIN_SECONDS", 3)
# A recheck falls due this many working days after a submission, or after a missed deadline (fire rules: 3).
JIANGUAN_RECHECK_WORKING_DAYS = env_int("JIANGUAN_RECHECK_WORKING_DAYS", 3)
# A licence counts as "expiring" this many days before its valid-until date.
JIANGUAN_LICENCE_EXPIRING_DAYS = env_int("JIANGUAN_LICENCE_EXPIRING_DAYS", 30)
# Risk rating (风险评级, see jianguan/risk/scoring.py and the README): points per counted fact, and the lowest score of
# levels B, C and D (below B is A). JSON in the environment is merged onto these defaults, e.g.
# JIANGUAN_RISK_WEIGHTS='{"complaint": 5}'; `manage.py check` refuses unknown codes and thresholds out of order.
JIANGUAN_RISK_WEIGHTS: dict[str, int] = {
    "licence_missing": 25,  # per required licence kind with no licence at all
    "licence_expired": 20,  # per required licence kind whose licences have all run out
    "open_minor": 2,  # per open ledger item, by the severity of its finding (一般 / 较重 / 严重)
    "open_major": 5,
    "open_severe": 10,
    "overdue_minor": 5,  # per open item past its deadline, on top of the above
    "overdue_major": 10,
    "overdue_severe": 20,
    "recheck_failed": 8,  # per failed recheck in the window
    "complaint": 3,  # per complaint in the window, not refused, not yet found true or untrue
    "complaint_partly": 6,  # … found partly true (部分属实)
    "complaint_substantiated": 10,  # … found true (属实); untrue ones count nothing
    "referral": 30,  # per escalation to penalty (移交处罚) in the window
    "rule_staff": 5,  # per open violation of the sector's rules (check_rules): 从业人员, 培训时间, 预收费
    "rule_classes": 3,
    "rule_fees": 5,
    "rule_high": 40,  # per open high-severity one: a barred person or a criminal record in post, closing with
    # prepaid money owed
    "status_stop_enrolling": 60,  # operating status: each of these alone makes level D
    "status_suspended": 60,
    "status_licence_revoked": 60,
    "status_unregistered": 60,
    "status_banned": 0,  # no longer operating: rated on their records, with a note
    "status_deregistered": 0,
    **json.loads(os.environ.get("JIANGUAN_RISK_WEIGHTS") or "{}"),
}
JIANGUAN_RISK_LEVELS: dict[str, int] = {
    "D": 60,  # D 高 from 60 points
    "C": 30,  # C 较高 from 30
    "B": 10,  # B 中 from 10; below that A 低
    **json.loads(os.environ.get("JIANGUAN_RISK_LEVELS") or "{}"),
}
# Rechecks, complaints and referrals count for this many days back; the daily re-rating runs at this hour.
JIANGUAN_RISK_WINDOW_DAYS = env_int("JIANGUAN_RISK_WINDOW_DAYS", 365)
JIANGUAN_RISK_HOUR = env_int("JIANGUAN_RISK_HOUR", 6)
# Early warnings (同类问题反复出现): problems of one category at one institution in at least JIANGUAN_REPEAT_MIN
# distinct completed inspections within the last JIANGUAN_REPEAT_WINDOW_DAYS days.
JIANGUAN_REPEAT_WINDOW_DAYS = env_int("JIANGUAN_REPEAT_WINDOW_DAYS", 365)
JIANGUAN_REPEAT_MIN = env_int("JIANGUAN_REPEAT_MIN", 2)
# Official documents: the font family (fontconfig name; WeasyPrint embeds the subset used) and kind codes (文种代字).
JIANGUAN_DOCUMENT_FONT = os.environ.get("JIANGUAN_DOCUMENT_FONT", "Noto Serif CJK SC")
JIANGUAN_DOCUMENT_KIND_CODES: dict[str, str] = {}
# 成文日期: "arabic" (2026年11月26日, GB/T 9704-2012) or "hanzi" (二〇二六年十一月二十六日, the 1999 rule many offices keep).
JIANGUAN_DOCUMENT_DATE_STYLE = os.environ.get("JIANGUAN_DOCUMENT_DATE_STYLE", "arabic")
# What every order names as the remedies against it: the 行政复议 body (a department's own setting first; empty: the
# district's people's government, named from the district in the registry) and the court for a lawsuit (empty: the
# district's people's court; set it where lawsuits against the government go to a designated court).
JIANGUAN_REVIEW_BODY = os.environ.get("JIANGUAN_REVIEW_BODY", "")
JIANGUAN_COURT = os.environ.get("JIANGUAN_COURT", "")
# Complaints and reports (投诉, 举报): whether to accept one is decided within this many working days of its receipt.
JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS = env_int("JIANGUAN_COMPLAINT_ACCEPT_WORKING_DAYS", 7)
# Penalty cases (docs/law/penalty-cases.md). 行政处罚法 第五十四条 says only 及时立案; the period from the clue to the
# decision whether to file is the SAMR rule's (市场监督管理行政处罚程序规定 第十八条: 15 working days).
JIANGUAN_CASE_FILING_WORKING_DAYS = env_int("JIANGUAN_CASE_FILING_WORKING_DAYS", 15)
# 第六十条: the decision within 90 days of 立案 (calendar days: 第八十五条 makes only 2/3/5/7-day periods working days);
# an approved extension adds this many days (SAMR rule 第六十四条: 30).
JIANGUAN_CASE_DECISION_DAYS = env_int("JIANGUAN_CASE_DECISION_DAYS", 90)
JIANGUAN_CASE_EXTENSION_DAYS = env_int("JIANGUAN_CASE_EXTENSION_DAYS", 30)
# 较大数额罚款 (第五十八条 法制审核, 第六十三条 听证) is fixed by provincial rules, not by the law: the fine (or
# confiscation) in yuan from which a case needs 法制审核 and the party is told of the right to a hearing.
JIANGUAN_CASE_LARGE_FINE_YUAN = env_int("JIANGUAN_CASE_LARGE_FINE_YUAN", 10000)
# Penalty types (enforcement.choices.PenaltyType) that need 法制审核 besides those 第五十八条 implies, comma-separated.
JIANGUAN_CASE_REVIEW_PENALTIES = [
    p.strip() for p in os.environ.get("JIANGUAN_CASE_REVIEW_PENALTIES", "").split(",") if p.strip()
]
# 行政处罚信息公示: a served decision is published on the portal (warnings only are not); it must be within this many
# working days of the decision (the SAMR rule says 20; the district chose 7). Displayed 3 months when the penalty is
# only 通报批评 or a fine up to JIANGUAN_PENALTY_SMALL_FINE_YUAN (较低数额: a provincial figure), else 3 years; credit
# repair may end the display early once it has been shown JIANGUAN_CREDIT_REPAIR_MIN_DAYS days.
JIANGUAN_PENALTY_PUBLISH_WORKING_DAYS = env_int("JIANGUAN_PENALTY_PUBLISH_WORKING_DAYS", 7)
JIANGUAN_PENALTY_SMALL_FINE_YUAN = env_int("JIANGUAN_PENALTY_SMALL_FINE_YUAN", 10000)
JIANGUAN_CREDIT_REPAIR_MIN_DAYS = env_int("JIANGUAN_CREDIT_REPAIR_MIN_DAYS", 90)
# The 黑名单 procedure (国办发〔2020〕49号): the institution told of a proposed listing may object within this many
# working days (the district's rule; the State Council's opinion requires the notice and the hearing of the party).
JIANGUAN_BLACKLIST_OBJECTION_WORKING_DAYS = env_int("JIANGUAN_BLACKLIST_OBJECTION_WORKING_DAYS", 5)
# A clock is "due soon" this many days before it runs out.
JIANGUAN_CASE_WARN_DAYS = env_int("JIANGUAN_CASE_WARN_DAYS", 5)
# 移送 and 协查 between departments: the receiver accepts or refuses within this many working days.
JIANGUAN_TRANSFER_REPLY_WORKING_DAYS = env_int("JIANGUAN_TRANSFER_REPLY_WORKING_DAYS", 5)
# A joint meeting's task (督办事项) is "due soon" this many days before its deadline.
JIANGUAN_MEETING_TASK_WARN_DAYS = env_int("JIANGUAN_MEETING_TASK_WARN_DAYS", 5)
# 双随机一公开 (国发〔2019〕5号): sampling ratios in per cent by risk level, "A:5,B:10,C:20,D:100" (a level not named
# is drawn at 0); an officer is drawn for at most JIANGUAN_DRAW_MAX_PER_OFFICER targets of one draw; the results are
# published within JIANGUAN_RANDOM_RESULT_WORKING_DAYS working days of each inspection's completion.
JIANGUAN_DRAW_RATIOS = os.environ.get("JIANGUAN_DRAW_RATIOS", "A:5,B:10,C:20,D:100")
JIANGUAN_DRAW_MAX_PER_OFFICER = env_int("JIANGUAN_DRAW_MAX_PER_OFFICER", 10)
JIANGUAN_RANDOM_RESULT_WORKING_DAYS = env_int("JIANGUAN_RANDOM_RESULT_WORKING_DAYS", 20)
# The sector's rules, checked daily by `check_rules` (rules/catalogue.py; the wording read is in
# docs/law/sector-rules.md). Every limit is local and may be changed here:
# offline classes end by 20:30 (国办发〔2018〕80号; 教监管〔2022〕4号), online by 21:00 (双减意见; 教监管〔2022〕4号);
JIANGUAN_RULE_OFFLINE_END = os.environ.get("JIANGUAN_RULE_OFFLINE_END", "20:30")
JIANGUAN_RULE_ONLINE_END = os.environ.get("JIANGUAN_RULE_ONLINE_END", "21:00")
# the criminal-record query (未成年人保护法 第六十二条) is repeated every year: a check this many days old still counts;
JIANGUAN_RULE_RECORD_CHECK_DAYS = env_int("JIANGUAN_RULE_RECORD_CHECK_DAYS", 365)
# one prepaid charge covers at most 3 months or 60 class hours (教监管函〔2021〕2号; 教监管〔2022〕4号) and, for 非学科类,
# at most 5,000 yuan (教监管〔2022〕4号); charges paid within JIANGUAN_RULE_FEE_LOOKBACK_DAYS are checked;
JIANGUAN_RULE_PREPAID_MAX_MONTHS = env_int("JIANGUAN_RULE_PREPAID_MAX_MONTHS", 3)
JIANGUAN_RULE_PREPAID_MAX_HOURS = env_int("JIANGUAN_RULE_PREPAID_MAX_HOURS", 60)
JIANGUAN_RULE_NONACADEMIC_MAX_CHARGE_YUAN = env_int("JIANGUAN_RULE_NONACADEMIC_MAX_CHARGE_YUAN", 5000)
JIANGUAN_RULE_FEE_LOOKBACK_DAYS = env_int("JIANGUAN_RULE_FEE_LOOKBACK_DAYS", 365)
# an institution holding prepaid money shows signs of closing when its status leaves 正常经营 or when this many
# complaints about fees (收费退费) came in within the window (a local choice: no national figure);
JIANGUAN_RULE_REFUND_COMPLAINTS = env_int("JIANGUAN_RULE_REFUND_COMPLAINTS", 3)
JIANGUAN_RULE_REFUND_WINDOW_DAYS = env_int("JIANGUAN_RULE_REFUND_WINDOW_DAYS", 90)
# the daily check runs at this hour (local time) when queued as a task (`check_rules --schedule`).
JIANGUAN_RULES_HOUR = env_int("JIANGUAN_RULES_HOUR", 5)
# the school calendar: each year's vacations (寒暑假, 双减意见), first and last day, as JSON; a year not given is not
# checked for vacations (check_rules says so). The defaults are the demo district's calendar.
JIANGUAN_SCHOOL_VACATIONS: dict[str, list[list[str]]] = json.loads(
    os.environ.get("JIANGUAN_SCHOOL_VACATIONS")
    or '{"2026": [["2026-01-24", "2026-02-28"], ["2026-07-04", "2026-08-31"]],'
    ' "2027": [["2027-01-23", "2027-02-21"], ["2027-07-03", "2027-08-31"]]}'
)
# Personal numbers (ID numbers, bank accounts) are sealed with this key (64 hex digits; lib/protected.py). Empty:
# derived from SECRET_KEY. Set it in production and keep it with the backups.
JIANGUAN_FIELD_KEY = os.environ.get("JIANGUAN_FIELD_KEY", "")
# Evidence photos: the largest accepted upload.
JIANGUAN_PHOTO_MAX_BYTES = env_int("JIANGUAN_PHOTO_MAX_BYTES", 15 * 1024 * 1024)

# Logs go to stdout, one JSON object a line (JIANGUAN_LOG_FORMAT=json, the default): time, level, logger, message,
# and the request id, user id and view of the request being served; "jianguan.request" writes one line per request.
# JIANGUAN_LOG_FORMAT=text for people reading a terminal (`make run`).
LOG_FORMAT = os.environ.get("JIANGUAN_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "jianguan.lib.requestlog.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(view)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s u=%(user_id)s %(view)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("JIANGUAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The platform's own line per request replaces Django's (and runserver's) request logging.
        "django.server": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO; only its warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# /metrics (Prometheus): readable from these addresses/CIDRs, or with Authorization: Bearer JIANGUAN_METRICS_TOKEN.
JIANGUAN_METRICS_ALLOW = os.environ.get("JIANGUAN_METRICS_ALLOW", "127.0.0.1,::1")
JIANGUAN_METRICS_TOKEN = os.environ.get("JIANGUAN_METRICS_TOKEN", "")
