from django.urls import path

from leifeng.demands import views

app_name = "demands"
urlpatterns = [
    # Residents (no account)
    path("", views.menu, name="menu"),
    path("order/", views.order_new, name="new"),
    path("order/<str:number>/sent/", views.order_sent, name="sent"),
    path("rate/<str:number>/<str:token>/", views.rate, name="rate"),
    # Staff
    path("board/", views.board, name="board"),
    path("board/new/", views.order_record, name="record"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<slug:action>/", views.order_act, name="act"),
    path("menu/", views.menu_manage, name="menu-manage"),
    path("menu/<int:pk>/", views.menu_item_edit, name="menu-edit"),
    path("register/", views.register, name="register"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    # Volunteers
    path("mine/", views.my_orders, name="mine"),
]
