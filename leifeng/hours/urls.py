from django.urls import path

from leifeng.hours import views

app_name = "hours"
urlpatterns = [
    path("me/", views.my_record, name="me"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/confirm/", views.claims_confirm, name="claims-confirm"),
    path("claims/<int:pk>/", views.claim_decide, name="decide"),
    path("volunteers/<int:pk>/", views.volunteer_hours, name="volunteer"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="correct"),
]
