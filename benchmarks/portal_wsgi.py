"""The WSGI application of the portal throughput cases' server (gunicorn, started by benchmarks/portal_cases.py): the
project's application with benchmarks.portal_cases as ROOT_URLCONF, i.e. the project's URLs plus the public minimal
view. The database (DATABASE_URL) and the raised JIANGUAN_PUBLIC_RATE_LIMIT come from the environment it is given."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "benchmarks.portal_cases"
