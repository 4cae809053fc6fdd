from django.urls import path

from leifeng.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("<int:pk>/", views.region_detail, name="detail"),
]
