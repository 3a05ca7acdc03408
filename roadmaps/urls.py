from django.urls import path

import careerhub.converters  # noqa: F401 - registers <id:...>, used below
from roadmaps.apis import catalog as catalog_apis
from roadmaps.apis import learning as learning_apis
from roadmaps.apis import reviews as review_apis
from roadmaps.apis import sync as sync_apis

urlpatterns = [
    # The catalog, public
    path("paths/", catalog_apis.CareerPathListApi.as_view(), name="path-list"),
    path("paths/<slug:slug>/", catalog_apis.CareerPathDetailApi.as_view(), name="path-detail"),
    path("paths/<slug:slug>/skill-gap/", learning_apis.SkillGapApi.as_view(), name="path-skill-gap"),
    path("skills/", catalog_apis.SkillListApi.as_view(), name="skill-list"),
    path("skills/<slug:slug>/", catalog_apis.SkillDetailApi.as_view(), name="skill-detail"),
    path("quiz/", learning_apis.QuizApi.as_view(), name="quiz"),
    # The learner's own
    path("roadmaps/", learning_apis.RoadmapListApi.as_view(), name="roadmap-list"),
    path("roadmaps/<id:roadmap_id>/", learning_apis.RoadmapDetailApi.as_view(), name="roadmap-detail"),
    path("roadmaps/<id:roadmap_id>/upgrade/", learning_apis.RoadmapUpgradeApi.as_view(), name="roadmap-upgrade"),
    path("roadmaps/<id:roadmap_id>/stats/", learning_apis.RoadmapStatsApi.as_view(), name="roadmap-stats"),
    path(
        "roadmaps/<id:roadmap_id>/milestones/",
        learning_apis.RoadmapMilestoneListApi.as_view(),
        name="roadmap-milestone-list",
    ),
    path(
        "roadmaps/<id:roadmap_id>/milestones/order/",
        learning_apis.RoadmapMilestoneOrderApi.as_view(),
        name="roadmap-milestone-order",
    ),
    path("milestones/<id:milestone_id>/", learning_apis.MilestoneDetailApi.as_view(), name="milestone-detail"),
    path("milestones/<id:milestone_id>/skip/", learning_apis.MilestoneSkipApi.as_view(), name="milestone-skip"),
    path("milestones/<id:milestone_id>/unskip/", learning_apis.MilestoneUnskipApi.as_view(), name="milestone-unskip"),
    path("milestones/<id:milestone_id>/note/", learning_apis.MilestoneNoteApi.as_view(), name="milestone-note"),
    path(
        "milestones/<id:milestone_id>/entries/",
        learning_apis.MilestoneEntryListApi.as_view(),
        name="milestone-entry-list",
    ),
    path("stats/", learning_apis.LearnerStatsApi.as_view(), name="learner-stats"),
    path("sync/", sync_apis.SyncApi.as_view(), name="sync"),
    # Reviews and mentors
    path("milestones/<id:milestone_id>/submit/", review_apis.MilestoneSubmitApi.as_view(), name="milestone-submit"),
    path(
        "milestones/<id:milestone_id>/reviews/", review_apis.MilestoneReviewListApi.as_view(), name="milestone-reviews"
    ),
    path("reviews/queue/", review_apis.ReviewQueueApi.as_view(), name="review-queue"),
    path("reviews/<id:submission_id>/", review_apis.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<id:submission_id>/approve/", review_apis.ReviewApproveApi.as_view(), name="review-approve"),
    path(
        "reviews/<id:submission_id>/request-changes/",
        review_apis.ReviewRequestChangesApi.as_view(),
        name="review-request-changes",
    ),
    path("reviews/<id:submission_id>/comments/", review_apis.ReviewCommentApi.as_view(), name="review-comments"),
    path("mentor/dashboard/", review_apis.MentorDashboardApi.as_view(), name="mentor-dashboard"),
    path("mentees/<id:learner_id>/roadmaps/", review_apis.MenteeRoadmapListApi.as_view(), name="mentee-roadmap-list"),
]
