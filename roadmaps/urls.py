from django.urls import path

from roadmaps import apis

urlpatterns = [
    path("paths/", apis.CareerPathListApi.as_view(), name="path-list"),
    path("paths/<slug:slug>/", apis.CareerPathDetailApi.as_view(), name="path-detail"),
    path("skills/", apis.SkillListApi.as_view(), name="skill-list"),
    path("skills/<slug:slug>/", apis.SkillDetailApi.as_view(), name="skill-detail"),
]
