from django.urls import path

from leifeng.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery-retry"),
]
