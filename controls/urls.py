from django.urls import path

from controls import views

app_name = "controls"

urlpatterns = [
    path("", views.index, name="index"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("requirements/", views.requirement_list, name="requirement-list"),
    path("requirements/<int:pk>/", views.requirement_detail, name="requirement-detail"),
    path("crosswalk/", views.crosswalk_list, name="crosswalk-list"),
    path("crosswalk/export.csv", views.crosswalk_export, name="crosswalk-export"),
    path("implementations/", views.implementation_list, name="implementation-list"),
    path("implementations/new/", views.implementation_create, name="implementation-create"),
    path("implementations/<int:pk>/", views.implementation_detail, name="implementation-detail"),
    path("implementations/<int:pk>/edit/", views.implementation_edit, name="implementation-edit"),
]
