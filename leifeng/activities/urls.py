from django.urls import path

from leifeng.activities import views

app_name = "activities"
urlpatterns = [
    # Anyone
    path("", views.activity_list, name="list"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("stations/", views.station_list, name="stations"),
    path("stations/<int:pk>/", views.station_detail, name="station"),
    # The volunteer
    path("shifts/<int:pk>/signup/", views.signup, name="signup"),
    path("mine/", views.my_signups, name="mine"),
    path("mine/calendar.ics", views.my_calendar, name="mine-ics"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="cancel"),
    path("checkin/<str:token>/", views.scan, name="scan"),
    # Organisers
    path("manage/", views.manage_list, name="manage"),
    path("manage/new/", views.activity_create, name="create"),
    path("manage/<int:pk>/", views.manage_detail, name="manage-detail"),
    path("manage/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("manage/<int:pk>/publish/", views.activity_publish, name="publish"),
    path("manage/<int:pk>/finish/", views.activity_finish, name="finish"),
    path("manage/<int:pk>/cancel/", views.activity_cancel, name="activity-cancel"),
    path("manage/<int:pk>/photos/", views.photo_add, name="photo-add"),
    path("manage/photos/<int:pk>/", views.photo_file, name="photo"),
    path("manage/photos/<int:pk>/remove/", views.photo_remove, name="photo-remove"),
    path("manage/shifts/<int:pk>/", views.shift_edit, name="shift-edit"),
    path("manage/shifts/<int:pk>/roster/", views.roster, name="roster"),
    path("manage/shifts/<int:pk>/qr/", views.qr_page, name="qr"),
    path("manage/shifts/<int:pk>/qr/code/", views.qr_code, name="qr-code"),
    path("manage/signups/<int:pk>/check/", views.roster_check, name="roster-check"),
    path("manage/signups/<int:pk>/remove/", views.roster_remove, name="roster-remove"),
    path("manage/signups/<int:pk>/correct/", views.attendance_correct, name="correct"),
    path("manage/stations/", views.station_manage, name="station-manage"),
    path("manage/stations/new/", views.station_create, name="station-create"),
    path("manage/stations/<int:pk>/", views.station_edit, name="station-edit"),
    path("manage/patterns/<int:pk>/delete/", views.pattern_delete, name="pattern-delete"),
]
