from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import MentorshipSerializer
from careerhub.fields import StringField
from careerhub.schema import ProblemSerializer
from careerhub.throttling import ScopedThrottle
from roadmaps.apis.learning import MilestoneSerializer, ProgressEntrySerializer, RoadmapSerializer
from roadmaps.apis.reviews import SubmissionSerializer
from roadmaps.selectors.sync import sync_pull


def _changes(item_serializer, name: str):
    return type(
        f"{name}ChangesSerializer",
        (serializers.Serializer,),
        {
            "upserted": item_serializer(many=True, help_text="Created or changed; replace your copy."),
            "deleted": serializers.ListField(
                child=StringField(), help_text="Ids deleted, or no longer visible to you (tombstones)."
            ),
        },
    )


class NoteSyncSerializer(serializers.Serializer):
    milestone = serializers.IntegerField()
    note = StringField(allow_blank=True)


class SyncSerializer(serializers.Serializer):
    cursor = StringField(help_text="Send it back as ?cursor= next time.")
    full = serializers.BooleanField(help_text="True when this is everything (no cursor was sent).")
    roadmaps = _changes(RoadmapSerializer, "Roadmap")()
    milestones = _changes(MilestoneSerializer, "Milestone")()
    entries = _changes(ProgressEntrySerializer, "Entry")()
    notes = _changes(NoteSyncSerializer, "Note")(help_text="Your private notes, keyed by milestone.")
    reviews = _changes(SubmissionSerializer, "Review")()
    mentorships = _changes(MentorshipSerializer, "Mentorship")()


ENTITY_KEYS = {
    "roadmaps": "roadmap",
    "milestones": "milestone",
    "entries": "entry",
    "notes": "note",
    "reviews": "review",
    "mentorships": "mentorship",
}


@extend_schema(tags=["sync"])
class SyncApi(APIView):
    throttle_classes = [ScopedThrottle]
    throttle_scope = "sync"

    @extend_schema(
        summary="Everything that changed since the cursor, with tombstones",
        description="Without a cursor: everything you can see, and a cursor. With one: what was created, "
        "changed or deleted since, including data you lost access to (a mentorship that ended), and the next "
        "cursor. A cursor older than the changes kept answers 410 `resync_required`: sync again without one.",
        parameters=[OpenApiParameter("cursor", str, required=False)],
        responses={
            200: SyncSerializer,
            410: OpenApiResponse(ProblemSerializer, description="The cursor is too old: sync again without one."),
        },
    )
    def get(self, request):
        batch = sync_pull(user=request.user, cursor=request.query_params.get("cursor") or None)
        body = {"cursor": batch.cursor, "full": batch.full}
        for key, entity in ENTITY_KEYS.items():
            body[key] = {"upserted": batch.upserted[entity], "deleted": batch.deleted[entity]}
        return Response(SyncSerializer(body, context={"request": request}).data)
