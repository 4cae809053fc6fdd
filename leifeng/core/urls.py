from django.urls import path

from leifeng.core import views

urlpatterns = [path("", views.home, name="home")]
