from django.urls import path

from leifeng.hours import views

app_name = "hours"
urlpatterns = [
    path("me/", views.my_record, name="me"),
    path("me/correction/", views.correction_ask, name="ask"),
    path("me/certificate/", views.my_certificate, name="certificate"),
    path("me/record.xlsx", views.my_record_xlsx, name="record-xlsx"),
    path("corrections/", views.correction_list, name="corrections"),
    path("corrections/<int:pk>/", views.correction_answer, name="answer"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/confirm/", views.claims_confirm, name="claims-confirm"),
    path("claims/<int:pk>/", views.claim_decide, name="decide"),
    path("late/", views.late_list, name="late"),
    path("late/approve/", views.late_approve, name="late-approve"),
    path("late/<int:pk>/reject/", views.late_reject, name="late-reject"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("volunteers/<int:pk>/", views.volunteer_hours, name="volunteer"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="correct"),
    path("certificates/<str:number>.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/", views.verify, name="verify-number"),
]
