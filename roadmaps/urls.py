from django.urls import path

from roadmaps.apis import catalog as catalog_apis

urlpatterns = [
    path("paths/", catalog_apis.CareerPathListApi.as_view(), name="path-list"),
    path("paths/<slug:slug>/", catalog_apis.CareerPathDetailApi.as_view(), name="path-detail"),
    path("skills/", catalog_apis.SkillListApi.as_view(), name="skill-list"),
    path("skills/<slug:slug>/", catalog_apis.SkillDetailApi.as_view(), name="skill-detail"),
]
