from django.urls import path

from leifeng.volunteers import views

app_name = "volunteers"
urlpatterns = [
    # Anyone
    path("register/", views.register, name="register"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("recover/", views.recover, name="recover"),
    path("recover/code/", views.recover_finish, name="recover-finish"),
    # The volunteer
    path("me/", views.me, name="me"),
    path("me/edit/", views.me_edit, name="me-edit"),
    path("me/download/", views.me_download, name="me-download"),
    path("me/close/", views.me_close, name="me-close"),
    path("teams/", views.teams_browse, name="teams"),
    path("teams/<int:pk>/apply/", views.team_apply, name="apply"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("memberships/<int:pk>/leave/", views.team_leave, name="leave"),
    # Staff
    path("", views.volunteer_list, name="list"),
    path("export/", views.volunteer_export, name="export"),
    path("<int:pk>/", views.volunteer_detail, name="detail"),
    path("teams/<int:pk>/members/", views.team_detail, name="team"),
    path("applications/<int:pk>/decide/", views.application_decide, name="decide"),
    path("memberships/<int:pk>/remove/", views.member_remove, name="remove"),
    path("imports/template/", views.import_template, name="import-template"),
    path("imports/org/<int:pk>/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/start/", views.import_start, name="import-start"),
]
