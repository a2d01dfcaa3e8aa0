from django.urls import include, path
from django.views.i18n import set_language

from jianguan.api import api
from jianguan.metrics import metrics_view
from jianguan.reports.views import home
from jianguan.views import healthz, readyz, service_worker, web_manifest

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("jianguan.accounts.urls")),
    path("org/", include("jianguan.org.urls")),
    path("institutions/", include("jianguan.registry.urls")),
    path("audit/", include("jianguan.audit.urls")),
    path("documents/", include("jianguan.documents.urls")),
    path("checklists/", include("jianguan.checklists.urls")),
    path("inspections/", include("jianguan.inspections.urls")),
    path("ledger/", include("jianguan.ledger.urls")),
    path("cases/", include("jianguan.enforcement.urls")),
    path("transfers/", include("jianguan.transfers.urls")),
    path("meetings/", include("jianguan.meetings.urls")),
    path("plans/", include("jianguan.planning.urls")),
    path("staff/", include("jianguan.staff.urls")),
    path("courses/", include("jianguan.courses.urls")),
    path("fees/", include("jianguan.fees.urls")),
    path("rules/", include("jianguan.rules.urls")),
    path("notifications/", include("jianguan.notifications.urls")),
    path("webhooks/", include("jianguan.webhooks.urls")),
    path("alerts/", include("jianguan.alerts.urls")),
    path("reports/", include("jianguan.reports.urls")),
    path("articles/", include("jianguan.articles.urls")),
    path("public/articles/", include("jianguan.articles.public_urls")),
    path("public/complaints/", include("jianguan.complaints.public_urls")),
    path("public/open-data/", include("jianguan.reports.public_urls")),
    path("public/penalties/", include("jianguan.enforcement.public_urls")),
    path("public/plans/", include("jianguan.planning.public_urls")),
    path("complaints/", include("jianguan.complaints.urls")),
    path("risk/", include("jianguan.risk.urls")),
    path("public/", include("jianguan.portal.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", web_manifest, name="web_manifest"),
]

handler400 = "jianguan.views.bad_request"
handler403 = "jianguan.views.permission_denied"
handler404 = "jianguan.views.page_not_found"
handler500 = "jianguan.views.server_error"
