from django.urls import path

from leifeng.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("export/", views.org_export, name="export"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/new/", views.org_create, name="create"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/move/", views.org_move, name="move"),
    path("<int:pk>/members/", views.org_members, name="members"),
    path("<int:pk>/audit/", views.org_audit, name="audit"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
]
