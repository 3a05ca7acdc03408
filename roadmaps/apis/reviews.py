"""Reviews and the mentor's views: submit, decide, comment, the queue and the dashboard."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import UserRefSerializer
from careerhub.apis import SelectorListApi
from careerhub.conditional import conditional_read, conditional_response, make_etag, shape_of
from careerhub.fields import StringField
from roadmaps.apis.learning import RoadmapSerializer, milestone_date_field
from roadmaps.apis.representation import dashboard_row_data
from roadmaps.models import ReviewSubmission, http_url
from roadmaps.selectors.learning import mentee_roadmap_list, milestone_get
from roadmaps.selectors.reviews import mentor_dashboard, milestone_reviews, review_queue, submission_get
from roadmaps.services.reviews import review_comment_add, review_decide, review_submit


class IsMentor(BasePermission):
    message = "Only mentors can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_mentor)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.IntegerField(source="author_id", allow_null=True)
    body = StringField()
    created_at = serializers.DateTimeField()


class SubmissionSerializer(serializers.ModelSerializer):
    milestone = serializers.IntegerField(source="milestone_id")
    milestone_title = StringField(source="milestone.title")
    roadmap = serializers.IntegerField(source="milestone.roadmap_id")
    path = serializers.SlugField(source="milestone.roadmap.path.slug")
    learner = UserRefSerializer()
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    comments = CommentSerializer(many=True)
    waiting_seconds = serializers.SerializerMethodField(help_text="How long it has waited (pending only).")

    class Meta:
        model = ReviewSubmission
        fields = [
            "id",
            "milestone",
            "milestone_title",
            "roadmap",
            "path",
            "learner",
            "evidence_url",
            "credential_id",
            "message",
            "state",
            "created_at",
            "decided_at",
            "decided_by",
            "comments",
            "waiting_seconds",
        ]
        read_only_fields = fields

    def get_waiting_seconds(self, submission: ReviewSubmission) -> int | None:
        if submission.state != ReviewSubmission.State.PENDING:
            return None
        return int((timezone.now() - submission.created_at).total_seconds())


class SubmitInputSerializer(serializers.Serializer):
    message = StringField(required=False, default="", allow_blank=True, max_length=10_000)
    evidence_url = serializers.URLField(
        required=False, default="", allow_blank=True, max_length=500, validators=[http_url]
    )
    credential_id = StringField(required=False, default="", allow_blank=True, max_length=200)
    credential_date = milestone_date_field(required=False, default=None, allow_null=True)


class DecisionInputSerializer(serializers.Serializer):
    comment = StringField(required=False, default="", allow_blank=True, max_length=10_000)


class CommentInputSerializer(serializers.Serializer):
    body = StringField(max_length=10_000)


def _submission_response(request, submission_id: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(
        SubmissionSerializer(submission_get(user=request.user, submission_id=submission_id)).data, status=code
    )


@extend_schema(tags=["reviews"])
class MilestoneReviewListApi(SelectorListApi):
    serializer_class = SubmissionSerializer
    ordering = ("created_at", "id")

    def select(self):
        return milestone_reviews(
            milestone=milestone_get(user=self.request.user, milestone_id=self.kwargs["milestone_id"])
        )

    @extend_schema(summary="The milestone's review history: submissions, decisions, comments")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["reviews"])
class MilestoneSubmitApi(APIView):
    @extend_schema(
        summary="Submit a milestone with its evidence to your mentors (it moves to in review)",
        request=SubmitInputSerializer,
        responses={201: SubmissionSerializer},
    )
    def post(self, request, milestone_id: int):
        milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
        serializer = SubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = review_submit(learner=request.user, milestone=milestone, **serializer.validated_data)
        return _submission_response(request, submission.pk, status.HTTP_201_CREATED)


@extend_schema(tags=["reviews"])
class ReviewQueueApi(SelectorListApi):
    serializer_class = SubmissionSerializer
    permission_classes = [IsMentor]
    ordering = ("created_at", "id")

    def select(self):
        return review_queue(mentor=self.request.user)

    @extend_schema(summary="Pending submissions of your mentees, oldest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _submission_etag(submission: ReviewSubmission) -> str:
    """Weak: ``waiting_seconds`` follows the clock, and a client can count it on from ``created_at``.

    Everything else comes from ``submission_get``'s rows; a submission's evidence and message
    never change, and comments are only ever added.
    """
    return make_etag(
        shape_of(SubmissionSerializer),
        submission.pk,
        submission.state,
        submission.decided_at,
        submission.decided_by_id,
        submission.milestone.title,
        submission.learner.email,
        submission.learner.display_name,
        [(comment.pk, comment.author_id) for comment in submission.comments.all()],
        weak=True,
    )


@extend_schema(tags=["reviews"])
class ReviewDetailApi(APIView):
    @extend_schema(summary="A submission with its decision and comments", **conditional_read(SubmissionSerializer))
    def get(self, request, submission_id: int):
        submission = submission_get(user=request.user, submission_id=submission_id)
        return conditional_response(
            request, _submission_etag(submission), lambda: SubmissionSerializer(submission).data
        )


class _DecisionApi(APIView):
    approve = True

    @extend_schema(request=DecisionInputSerializer, responses=SubmissionSerializer)
    def post(self, request, submission_id: int):
        submission = submission_get(user=request.user, submission_id=submission_id, deciding=True)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_decide(mentor=request.user, submission=submission, approve=self.approve, **serializer.validated_data)
        return _submission_response(request, submission_id)


@extend_schema(tags=["reviews"], summary="Approve: the milestone is done (the first decision wins; 409 after)")
class ReviewApproveApi(_DecisionApi):
    approve = True


@extend_schema(tags=["reviews"], summary="Request changes with a comment (the first decision wins; 409 after)")
class ReviewRequestChangesApi(_DecisionApi):
    approve = False


@extend_schema(tags=["reviews"])
class ReviewCommentApi(APIView):
    @extend_schema(
        summary="Comment on a submission (the learner or their mentors)",
        request=CommentInputSerializer,
        responses={201: SubmissionSerializer},
    )
    def post(self, request, submission_id: int):
        submission = submission_get(user=request.user, submission_id=submission_id)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_comment_add(author=request.user, submission=submission, **serializer.validated_data)
        return _submission_response(request, submission_id, status.HTTP_201_CREATED)


class DashboardRowSerializer(serializers.Serializer):
    learner = UserRefSerializer()
    completion_percent = serializers.FloatField()
    last_activity = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=["on_track", "at_risk", "behind"])
    reasons = serializers.ListField(child=StringField())
    overdue_milestones = serializers.IntegerField()
    pending_reviews = serializers.IntegerField()


@extend_schema(tags=["reviews"])
class MentorDashboardApi(APIView):
    permission_classes = [IsMentor]

    @extend_schema(summary="Each active mentee at a glance", responses=DashboardRowSerializer(many=True))
    def get(self, request):
        return Response([dashboard_row_data(row) for row in mentor_dashboard(mentor=request.user)])


@extend_schema(tags=["reviews"])
class MenteeRoadmapListApi(SelectorListApi):
    serializer_class = RoadmapSerializer
    permission_classes = [IsMentor]
    ordering = "id"

    def select(self):
        return mentee_roadmap_list(mentor=self.request.user, learner_id=self.kwargs["learner_id"])

    @extend_schema(summary="An active mentee's roadmaps (read their details at roadmaps/{id}/)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
