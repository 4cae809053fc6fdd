from django.urls import path

from leifeng.hours import views

app_name = "hours"
urlpatterns = [
    path("me/", views.my_record, name="me"),
    path("me/correction/", views.correction_ask, name="ask"),
    path("corrections/", views.correction_list, name="corrections"),
    path("corrections/<int:pk>/", views.correction_answer, name="answer"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/confirm/", views.claims_confirm, name="claims-confirm"),
    path("claims/<int:pk>/", views.claim_decide, name="decide"),
    path("volunteers/<int:pk>/", views.volunteer_hours, name="volunteer"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="correct"),
]
