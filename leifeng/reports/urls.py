from django.urls import path

from leifeng.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    # The public figures (no log-in)
    path("figures/", views.public_figures, name="figures"),
    # Periods (the office that receives the reports)
    path("periods/", views.period_list, name="periods"),
    path("periods/new/", views.period_new, name="period_new"),
    path("periods/year/", views.year_new, name="year_new"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/obligations/", views.obligations, name="obligations"),
    path("periods/<int:pk>/summary.docx", views.period_docx, name="period_docx"),
    path("periods/<int:pk>/figures.xlsx", views.period_xlsx, name="period_xlsx"),
    # One report
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/save/", views.report_save, name="report_save"),
    path("<int:pk>/figure/", views.figure_set, name="figure_set"),
    path("<int:pk>/figure/reset/", views.figure_reset, name="figure_reset"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/pick/", views.attachment_pick, name="attachment_pick"),
    path("<int:pk>/photos/<int:photo>/", views.pickable_photo, name="pickable_photo"),
    path(
        "<int:pk>/activity-photos/<int:photo>/",
        views.pickable_activity_photo,
        name="pickable_activity_photo",
    ),
    path("<int:pk>/act/<slug:action>/", views.report_act, name="act"),
    path("<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("<int:pk>/figures.xlsx", views.report_xlsx, name="report_xlsx"),
    path("attachments/<int:pk>/", views.attachment_update, name="attachment_update"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("attachments/<int:pk>/file/", views.attachment_file, name="attachment_file"),
    path("attachments/<int:pk>/thumb.jpg", views.attachment_thumb, name="attachment_thumb"),
    # The dashboard
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/chart/<slug:name>.png", views.dashboard_chart, name="dashboard_chart"),
]
