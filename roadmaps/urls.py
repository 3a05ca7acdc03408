from django.urls import path

from roadmaps.apis import catalog as catalog_apis
from roadmaps.apis import learning as learning_apis
from roadmaps.apis import reviews as review_apis

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
    path("roadmaps/<int:roadmap_id>/", learning_apis.RoadmapDetailApi.as_view(), name="roadmap-detail"),
    path("roadmaps/<int:roadmap_id>/upgrade/", learning_apis.RoadmapUpgradeApi.as_view(), name="roadmap-upgrade"),
    path("roadmaps/<int:roadmap_id>/stats/", learning_apis.RoadmapStatsApi.as_view(), name="roadmap-stats"),
    path(
        "roadmaps/<int:roadmap_id>/milestones/",
        learning_apis.RoadmapMilestoneListApi.as_view(),
        name="roadmap-milestone-list",
    ),
    path(
        "roadmaps/<int:roadmap_id>/milestones/order/",
        learning_apis.RoadmapMilestoneOrderApi.as_view(),
        name="roadmap-milestone-order",
    ),
    path("milestones/<int:milestone_id>/", learning_apis.MilestoneDetailApi.as_view(), name="milestone-detail"),
    path("milestones/<int:milestone_id>/skip/", learning_apis.MilestoneSkipApi.as_view(), name="milestone-skip"),
    path("milestones/<int:milestone_id>/unskip/", learning_apis.MilestoneUnskipApi.as_view(), name="milestone-unskip"),
    path("milestones/<int:milestone_id>/note/", learning_apis.MilestoneNoteApi.as_view(), name="milestone-note"),
    path(
        "milestones/<int:milestone_id>/entries/",
        learning_apis.MilestoneEntryListApi.as_view(),
        name="milestone-entry-list",
    ),
    path("stats/", learning_apis.LearnerStatsApi.as_view(), name="learner-stats"),
    # Reviews and mentors
    path("milestones/<int:milestone_id>/submit/", review_apis.MilestoneSubmitApi.as_view(), name="milestone-submit"),
    path(
        "milestones/<int:milestone_id>/reviews/", review_apis.MilestoneReviewListApi.as_view(), name="milestone-reviews"
    ),
    path("reviews/queue/", review_apis.ReviewQueueApi.as_view(), name="review-queue"),
    path("reviews/<int:submission_id>/", review_apis.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<int:submission_id>/approve/", review_apis.ReviewApproveApi.as_view(), name="review-approve"),
    path(
        "reviews/<int:submission_id>/request-changes/",
        review_apis.ReviewRequestChangesApi.as_view(),
        name="review-request-changes",
    ),
    path("reviews/<int:submission_id>/comments/", review_apis.ReviewCommentApi.as_view(), name="review-comments"),
    path("mentor/dashboard/", review_apis.MentorDashboardApi.as_view(), name="mentor-dashboard"),
    path("mentees/<int:learner_id>/roadmaps/", review_apis.MenteeRoadmapListApi.as_view(), name="mentee-roadmap-list"),
]
