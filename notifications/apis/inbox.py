"""The inbox the app reads, the user's reminder preferences, one-click unsubscribe, and the
staff list of reviews left waiting too long."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import UserRefSerializer
from careerhub.apis import SelectorListApi
from careerhub.fields import StringField
from careerhub.parsers import JSONParser
from notifications.filters import NotificationFilter
from notifications.models import Kind, Notification
from notifications.selectors import (
    inbox,
    notification_get,
    preferences_data,
    reviews_waiting_too_long,
    unread_count,
)
from notifications.services.reminders import (
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
    unsubscribe,
)
from roadmaps.models import ReviewSubmission


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read", "read_at"]

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


@extend_schema(tags=["notifications"], summary="The inbox, newest first (filters: unread, kind)")
class NotificationListApi(SelectorListApi):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering = ("-created_at", "-id")

    def select(self):
        return inbox(user=self.request.user)


@extend_schema(
    tags=["notifications"],
    summary="How many inbox entries are unread (for the badge)",
    responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}),
)
class UnreadCountApi(APIView):
    def get(self, request):
        return Response({"unread": unread_count(user=request.user)})


@extend_schema(tags=["notifications"])
class NotificationReadApi(APIView):
    @extend_schema(summary="Mark one inbox entry read", request=None, responses=NotificationSerializer)
    def post(self, request, notification_id: int):
        notification = notification_get(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(notification_mark_read(notification=notification)).data)


@extend_schema(tags=["notifications"])
class NotificationReadAllApi(APIView):
    @extend_schema(
        summary="Mark every inbox entry read",
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)})


class QuietHoursSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, max_value=23, help_text="Local hour they begin.")
    end = serializers.IntegerField(min_value=0, max_value=23, help_text="Local hour they end (may be next day).")

    def validate(self, attrs):
        # A PATCH makes nested fields optional too; quiet hours need both ends.
        if missing := [end for end in ("start", "end") if end not in attrs]:
            raise serializers.ValidationError({end: ["This field is required."] for end in missing})
        if attrs["start"] == attrs["end"]:
            raise serializers.ValidationError("Start and end must differ; send null for no quiet hours.")
        return attrs


class ChannelsSerializer(serializers.Serializer):
    inbox = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    push = serializers.BooleanField(required=False)


class _KnownKeysSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict) and (unknown := sorted(set(data) - set(self.fields))):
            raise serializers.ValidationError({key: ["Not a kind of reminder."] for key in unknown})
        return super().to_internal_value(data)


ChannelsByKindSerializer = type(
    "ChannelsByKindSerializer",
    (_KnownKeysSerializer,),
    {kind: ChannelsSerializer(required=False) for kind in Kind.values},
)


class PreferencesSerializer(serializers.Serializer):
    time_zone = StringField(read_only=True, help_text="The user's; change it with PATCH me/.")
    preferred_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    digest_weekday = serializers.IntegerField(
        min_value=0, max_value=6, required=False, help_text="0 = Monday ... 6 = Sunday."
    )
    quiet_hours = QuietHoursSerializer(allow_null=True, required=False, help_text="null: no quiet hours.")
    daily_cap = serializers.IntegerField(min_value=1, max_value=50, required=False)
    channels = ChannelsByKindSerializer(required=False, help_text="Per kind and channel, on or off.")

    def to_representation(self, user):
        return {"time_zone": user.time_zone, **preferences_data(user=user)}


@extend_schema(tags=["notifications"])
class PreferencesApi(APIView):
    @extend_schema(summary="The user's reminder preferences, defaults filled in", responses=PreferencesSerializer)
    def get(self, request):
        return Response(PreferencesSerializer(request.user).data)

    @extend_schema(
        summary="Change reminder preferences (only the fields sent)",
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
    )
    def patch(self, request):
        serializer = PreferencesSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "quiet_hours" in fields:
            quiet = fields.pop("quiet_hours")
            fields["quiet_start"], fields["quiet_end"] = (quiet["start"], quiet["end"]) if quiet else (None, None)
        preferences_update(user=request.user, **fields)
        return Response(PreferencesSerializer(request.user).data)


class UnsubscribedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    email = serializers.BooleanField(help_text="Always false: this kind's emails are off.")
    message = StringField()


@extend_schema(tags=["notifications"], auth=[])
class UnsubscribeApi(APIView):
    """The link in every reminder email: works without logging in (the token is signed)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    # Mail clients send RFC 8058 one-click unsubscribes as a form post.
    parser_classes = [JSONParser, FormParser]
    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]
    template_name = "notifications/unsubscribed.html"

    def _answer(self, token: str) -> Response:
        kind = unsubscribe(token=token)
        label = Kind(kind).label.lower()
        return Response(
            {"kind": kind, "email": False, "message": f"You will get no more {label} emails."},
            status=status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Open the unsubscribe link: this kind's emails stop (an HTML page for browsers)",
        responses={200: UnsubscribedSerializer, 404: OpenApiResponse(description="Not a valid link.")},
    )
    def get(self, request, token: str):
        return self._answer(token)

    @extend_schema(
        summary="One-click unsubscribe (RFC 8058 List-Unsubscribe-Post)",
        request=None,
        responses={200: UnsubscribedSerializer},
    )
    def post(self, request, token: str):
        return self._answer(token)


class WaitingReviewSerializer(serializers.ModelSerializer):
    milestone_title = StringField(source="milestone.title")
    path = serializers.SlugField(source="milestone.roadmap.path.slug")
    learner = UserRefSerializer()
    mentors = serializers.SerializerMethodField()
    waiting_seconds = serializers.SerializerMethodField()

    class Meta:
        model = ReviewSubmission
        fields = ["id", "milestone", "milestone_title", "path", "learner", "mentors", "created_at", "waiting_seconds"]

    def get_mentors(self, submission) -> list[int]:
        return [link.mentor_id for link in submission.learner.active_mentor_links]

    def get_waiting_seconds(self, submission) -> int:
        return int((timezone.now() - submission.created_at).total_seconds())


@extend_schema(tags=["staff"], summary="Reviews left waiting past REVIEW_ESCALATION_DAYS, oldest first")
class WaitingReviewListApi(SelectorListApi):
    serializer_class = WaitingReviewSerializer
    permission_classes = [IsAdminUser]
    ordering = ("created_at", "id")

    def select(self):
        return reviews_waiting_too_long()
