from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("leifeng.core.urls")),
    path("accounts/", include("leifeng.accounts.urls")),
    path("orgs/", include("leifeng.orgs.urls")),
    path("regions/", include("leifeng.regions.urls")),
    path("notifications/", include("leifeng.notify.urls")),
    path("jobs/", include("leifeng.jobs.urls")),
    path("volunteers/", include("leifeng.volunteers.urls")),
    path("activities/", include("leifeng.activities.urls")),
    path("hours/", include("leifeng.hours.urls")),
    path("demands/", include("leifeng.demands.urls")),
    path("reports/", include("leifeng.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "leifeng.core.views.error_403"
handler404 = "leifeng.core.views.error_404"
handler500 = "leifeng.core.views.error_500"
