"""The learner's API: roadmaps, milestones, the progress log, stats, the quiz and the skill gap."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, UnsupportedMediaType, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from careerhub.apis import SelectorListApi
from careerhub.conditional import (
    check_if_match,
    conditional_read,
    conditional_response,
    conditional_write,
    if_match_lock,
    make_etag,
    shape_of,
)
from careerhub.exceptions import ApplicationError
from careerhub.fields import StringField
from careerhub.pagination import WindowedRows
from roadmaps.apis.representation import entry_data, milestone_data, roadmap_detail_data
from roadmaps.filters import MilestoneFilter, RoadmapFilter
from roadmaps.models import (
    CareerPath,
    Milestone,
    MilestoneTemplate,
    ProgressEntry,
    Roadmap,
    Skill,
    http_url,
    milestone_date,
)
from roadmaps.quiz import QUESTIONS, QUESTIONS_BY_SLUG, quiz_score
from roadmaps.selectors.catalog import career_path_list
from roadmaps.selectors.learning import (
    milestone_get,
    milestone_list,
    milestone_page_rows,
    progress_entry_list,
    roadmap_detail,
    roadmap_get,
    roadmap_get_versioned,
    roadmap_get_with_log,
    roadmap_list,
    roadmap_version,
    skill_gap,
)
from roadmaps.selectors.stats import EntryLog, learner_stats, learner_today, roadmap_stats
from roadmaps.services.learning import (
    milestone_create_custom,
    milestone_note_set,
    milestone_skip,
    milestone_unskip,
    milestone_update,
    progress_entry_log,
    roadmap_enroll,
    roadmap_reorder,
    roadmap_set_status,
    roadmap_upgrade,
)

# Serializers ----------------------------------------------------------------------------


class PathRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = StringField()
    version = serializers.IntegerField(help_text="The catalog's current version of the path.")


class WeekHoursSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="Monday, in the learner's time zone.")
    hours = serializers.FloatField()


class StatsSerializer(serializers.Serializer):
    milestones_total = serializers.IntegerField(help_text="Milestones on the plan (skipped ones excluded).")
    milestones_done = serializers.IntegerField()
    milestones_skipped = serializers.IntegerField()
    completion_percent = serializers.FloatField(help_text="Done over not skipped.")
    hours_logged = serializers.FloatField()
    hours_estimated = serializers.FloatField(help_text="Estimated hours of the milestones on the plan.")
    hours_remaining = serializers.FloatField(help_text="Estimate left on unfinished milestones, less time logged.")
    weekly_hours = WeekHoursSerializer(many=True, help_text="The last 12 weeks, oldest first.")
    current_streak_days = serializers.IntegerField(help_text="Consecutive local days with an entry, up to today.")
    longest_streak_days = serializers.IntegerField()
    pace_hours_per_week = serializers.FloatField(help_text="Average over the last 4 weeks (or since the start).")
    weekly_hours_goal = serializers.IntegerField(allow_null=True)
    projected_finish_date = serializers.DateField(allow_null=True, help_text="Null when there is no pace yet.")
    overdue_milestones = serializers.IntegerField()
    next_target_date = serializers.DateField(allow_null=True)
    skills_built = serializers.IntegerField(help_text="Distinct skills of done milestones; shared skills count once.")
    status = serializers.ChoiceField(choices=["on_track", "at_risk", "behind"])
    reasons = serializers.ListField(child=StringField(), help_text="Why the status is not on track.")


class MilestoneSerializer(serializers.ModelSerializer):
    roadmap = serializers.IntegerField(source="roadmap_id", read_only=True)
    stage = serializers.SerializerMethodField()
    skills = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    acceptance_criteria = serializers.ListField(child=StringField())
    hours_logged = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "roadmap",
            "slug",
            "position",
            "stage",
            "kind",
            "title",
            "description",
            "estimated_hours",
            "evidence_kind",
            "acceptance_criteria",
            "skills",
            "is_custom",
            "retired_from_catalog",
            "state",
            "skip_reason",
            "target_date",
            "evidence_url",
            "credential_id",
            "credential_date",
            "completed_at",
            "self_attested",
            "hours_logged",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema(
        responses={"type": "object", "properties": {"slug": {"type": "string"}, "title": {"type": "string"}}}
    )
    def get_stage(self, milestone: Milestone) -> dict:
        return {"slug": milestone.stage_slug, "title": milestone.stage_title}

    def get_hours_logged(self, milestone: Milestone) -> float:
        return round(milestone.logged_minutes / 60, 2)


class RoadmapSerializer(serializers.ModelSerializer):
    path = PathRefSerializer()
    upgrade_available = serializers.SerializerMethodField(help_text="The catalog has a newer version of the path.")
    milestones_total = serializers.IntegerField()
    milestones_done = serializers.IntegerField()
    completion_percent = serializers.SerializerMethodField()

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "path",
            "status",
            "catalog_version",
            "upgrade_available",
            "milestones_total",
            "milestones_done",
            "completion_percent",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_upgrade_available(self, roadmap: Roadmap) -> bool:
        return roadmap.catalog_version < roadmap.path.version

    def get_completion_percent(self, roadmap: Roadmap) -> float:
        total = roadmap.milestones_total
        return round(100 * roadmap.milestones_done / total, 1) if total else 0.0


class RoadmapDetailSerializer(RoadmapSerializer):
    milestones = MilestoneSerializer(many=True, source="milestone_rows")
    stats = StatsSerializer()

    class Meta(RoadmapSerializer.Meta):
        fields = [*RoadmapSerializer.Meta.fields, "milestones", "stats"]
        read_only_fields = fields


class ProgressEntrySerializer(serializers.ModelSerializer):
    milestone = serializers.IntegerField(source="milestone_id", read_only=True)

    class Meta:
        model = ProgressEntry
        fields = [
            "id",
            "milestone",
            "minutes",
            "note",
            "evidence_url",
            "state_from",
            "state_to",
            "logged_at",
            "created_at",
        ]
        read_only_fields = fields


def _roadmap_etag(
    roadmap: Roadmap, milestone_count: int, milestones_changed_at, entry_count: int, last_entry_at
) -> str:
    """From the roadmap (its path and learner loaded), its milestones' count and latest change, its
    entries' count and latest write, and the learner's time zone and date, which the stats follow."""
    learner = roadmap.learner
    return make_etag(
        shape_of(RoadmapDetailSerializer),
        roadmap.pk,
        roadmap.status,
        roadmap.catalog_version,
        roadmap.updated_at,
        roadmap.path.slug,
        roadmap.path.title,
        roadmap.path.version,
        learner.time_zone,
        learner_today(learner),
        milestone_count,
        milestones_changed_at,
        entry_count,
        last_entry_at,
    )


def _roadmap_current_etag(roadmap: Roadmap) -> str:
    """Without building the body: one more query (what a 304 costs)."""
    return _roadmap_etag(roadmap, *roadmap_version(roadmap=roadmap))


def _roadmap_detail_body(roadmap: Roadmap, log: EntryLog | None = None) -> tuple[dict, str]:
    """The representation and its ETag, from the same reads."""
    detail = roadmap_detail(roadmap=roadmap, log=log)
    changed_at = max((row["updated_at"] for row in detail.milestones), default=None)
    etag = _roadmap_etag(roadmap, len(detail.milestones), changed_at, detail.log.count, detail.log.last_created_at)
    return roadmap_detail_data(roadmap, detail.milestones, detail.stats), etag


def _roadmap_detail_response(request, roadmap_id: int, *, code: int = status.HTTP_200_OK) -> Response:
    body, etag = _roadmap_detail_body(roadmap_get(user=request.user, roadmap_id=roadmap_id))
    return Response(body, status=code, headers={"ETag": etag})


def _milestone_etag(milestone: Milestone) -> str:
    """All from ``milestone_get``'s row: an upgrade rewrites catalog texts without touching
    ``updated_at`` but raises the roadmap's catalog version; a reorder moves only ``position``."""
    return make_etag(
        shape_of(MilestoneSerializer),
        milestone.pk,
        milestone.roadmap.catalog_version,
        milestone.position,
        milestone.updated_at,
        milestone.logged_minutes,
        [skill.slug for skill in milestone.skills.all()],
    )


# Roadmaps -------------------------------------------------------------------------------


class EnrollInputSerializer(serializers.Serializer):
    path = serializers.SlugField(help_text="Slug of the career path.")


class RoadmapUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Roadmap.Status.choices, required=False)


@extend_schema(tags=["roadmaps"])
class RoadmapListApi(SelectorListApi):
    serializer_class = RoadmapSerializer
    filterset_class = RoadmapFilter
    ordering = "id"

    def select(self):
        return roadmap_list(user=self.request.user)

    @extend_schema(summary="The learner's roadmaps")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Enrol in a career path",
        description="Copies the path's current milestones into a new roadmap (201). Enrolling again in the "
        "same path answers the existing roadmap (200) and makes it active if it was archived.",
        request=EnrollInputSerializer,
        responses={201: RoadmapDetailSerializer, 200: RoadmapDetailSerializer},
    )
    def post(self, request):
        serializer = EnrollInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        path = CareerPath.objects.filter(slug=serializer.validated_data["path"]).first()
        if path is None:
            raise serializers.ValidationError({"path": ["There is no career path with this slug."]})
        roadmap, created = roadmap_enroll(learner=request.user, path=path)
        return _roadmap_detail_response(
            request, roadmap.pk, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(tags=["roadmaps"])
class RoadmapDetailApi(APIView):
    @extend_schema(summary="A roadmap with its milestones and stats", **conditional_read(RoadmapDetailSerializer))
    def get(self, request, roadmap_id: int):
        if request.headers.get("If-None-Match") is None:  # nothing to compare: body and ETag from the same reads
            body, etag = _roadmap_detail_body(*roadmap_get_with_log(user=request.user, roadmap_id=roadmap_id))
            return Response(body, headers={"ETag": etag})
        roadmap, version = roadmap_get_versioned(user=request.user, roadmap_id=roadmap_id)
        return conditional_response(request, _roadmap_etag(roadmap, *version), lambda: _roadmap_detail_body(roadmap)[0])

    @extend_schema(
        summary="Pause, archive or reactivate a roadmap",
        request=RoadmapUpdateSerializer,
        **conditional_write(RoadmapDetailSerializer),
    )
    def patch(self, request, roadmap_id: int):
        with if_match_lock(request, Roadmap, roadmap_id):
            roadmap = roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True)
            serializer = RoadmapUpdateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            check_if_match(request, lambda: _roadmap_current_etag(roadmap))
            if "status" in serializer.validated_data:
                roadmap_set_status(roadmap=roadmap, status=serializer.validated_data["status"])
        return _roadmap_detail_response(request, roadmap_id)


@extend_schema(tags=["roadmaps"])
class RoadmapUpgradeApi(APIView):
    @extend_schema(
        summary="Take the catalog's newer version of the path, keeping all progress",
        request=None,
        responses=RoadmapDetailSerializer,
    )
    def post(self, request, roadmap_id: int):
        roadmap_upgrade(roadmap=roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True))
        return _roadmap_detail_response(request, roadmap_id)


@extend_schema(tags=["stats"])
class RoadmapStatsApi(APIView):
    @extend_schema(summary="Stats of one roadmap", responses=StatsSerializer)
    def get(self, request, roadmap_id: int):
        roadmap = roadmap_get(user=request.user, roadmap_id=roadmap_id)
        return Response(StatsSerializer(roadmap_stats(roadmap=roadmap)).data)


@extend_schema(tags=["stats"])
class LearnerStatsApi(APIView):
    @extend_schema(summary="Stats across all the learner's roadmaps that are not archived", responses=StatsSerializer)
    def get(self, request):
        return Response(StatsSerializer(learner_stats(learner=request.user)).data)


# Milestones -----------------------------------------------------------------------------


def milestone_date_field(**kwargs: Any) -> serializers.DateField:
    """A milestone's date as the API takes it: within ``MILESTONE_DATES``, as the model holds it."""
    return serializers.DateField(validators=milestone_date, **kwargs)


class CustomMilestoneInputSerializer(serializers.Serializer):
    title = StringField(max_length=200)
    description = StringField(required=False, default="", allow_blank=True, max_length=10_000)
    kind = serializers.ChoiceField(choices=MilestoneTemplate.Kind.choices, default=MilestoneTemplate.Kind.PRACTICE)
    estimated_hours = serializers.IntegerField(min_value=1, max_value=1000)
    target_date = milestone_date_field(required=False, allow_null=True, default=None)
    skills = serializers.SlugRelatedField(
        many=True, slug_field="slug", queryset=Skill.objects.all(), required=False, default=list
    )


class MilestoneUpdateSerializer(serializers.Serializer):
    target_date = milestone_date_field(required=False, allow_null=True)
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500, validators=[http_url])
    credential_id = StringField(required=False, allow_blank=True, max_length=200)
    credential_date = milestone_date_field(required=False, allow_null=True)
    title = StringField(required=False, max_length=200, help_text="Own milestones only.")
    description = StringField(required=False, allow_blank=True, max_length=10_000)
    estimated_hours = serializers.IntegerField(required=False, min_value=1, max_value=1000)


class ReorderInputSerializer(serializers.Serializer):
    milestones = serializers.ListField(
        child=serializers.IntegerField(), max_length=1000, help_text="Every milestone id of the roadmap, in order."
    )


class SkipInputSerializer(serializers.Serializer):
    reason = StringField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = StringField(allow_blank=True, max_length=20_000, trim_whitespace=False)


def _milestone_response(request, milestone_id: int, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(MilestoneSerializer(milestone_get(user=request.user, milestone_id=milestone_id)).data, status=code)


@extend_schema(tags=["milestones"])
class RoadmapMilestoneListApi(SelectorListApi):
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering = ("position", "id")

    def select(self):
        return milestone_list(roadmap=roadmap_get(user=self.request.user, roadmap_id=self.kwargs["roadmap_id"]))

    @extend_schema(summary="Milestones of a roadmap, in plan order")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        user, roadmap_id = request.user, self.kwargs["roadmap_id"]
        # Filters go through the filterset (after the access check; a bad value is a 400). Without them,
        # the usual request, the page is read at once: no filterset, and no query before the page's.
        paging = {self.paginator.page_size_query_param, self.paginator.cursor_query_param}
        among = self.filter_queryset(self.get_queryset()) if set(request.query_params) - paging else None
        rows = WindowedRows(
            Milestone,
            self.ordering,
            lambda window: milestone_page_rows(user=user, roadmap_id=roadmap_id, window=window, among=among),
        )
        try:
            page = self.paginate_queryset(rows)
        except (serializers.ValidationError, NotFound, ApplicationError):
            roadmap_get(user=user, roadmap_id=roadmap_id)  # a bad page size or cursor: another's roadmap is a 404
            raise
        # Plain rows rather than model instances, written by hand (the same output as the serializer).
        return self.get_paginated_response([milestone_data(row) for row in page])

    @extend_schema(
        summary="Add an own milestone at the end of the roadmap",
        request=CustomMilestoneInputSerializer,
        responses={201: MilestoneSerializer},
    )
    def post(self, request, roadmap_id: int):
        roadmap = roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True)
        serializer = CustomMilestoneInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = milestone_create_custom(roadmap=roadmap, **serializer.validated_data)
        return _milestone_response(request, milestone.pk, code=status.HTTP_201_CREATED)


@extend_schema(tags=["milestones"])
class RoadmapMilestoneOrderApi(APIView):
    @extend_schema(
        summary="Reorder the roadmap's milestones",
        request=ReorderInputSerializer,
        responses={204: None},
    )
    def put(self, request, roadmap_id: int):
        roadmap = roadmap_get(user=request.user, roadmap_id=roadmap_id, write=True)
        serializer = ReorderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        roadmap_reorder(roadmap=roadmap, milestone_ids=serializer.validated_data["milestones"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["milestones"])
class MilestoneDetailApi(APIView):
    @extend_schema(summary="A milestone", **conditional_read(MilestoneSerializer))
    def get(self, request, milestone_id: int):
        milestone = milestone_get(user=request.user, milestone_id=milestone_id)
        return conditional_response(request, _milestone_etag(milestone), lambda: MilestoneSerializer(milestone).data)

    @extend_schema(
        summary="Set or clear the target date, record evidence, or edit an own milestone",
        request=MilestoneUpdateSerializer,
        **conditional_write(MilestoneSerializer),
    )
    def patch(self, request, milestone_id: int):
        with if_match_lock(request, Milestone, milestone_id):
            milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
            serializer = MilestoneUpdateSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            check_if_match(request, lambda: _milestone_etag(milestone))
            milestone_update(
                milestone=milestone, learner_today=learner_today(request.user), **serializer.validated_data
            )
        milestone = milestone_get(user=request.user, milestone_id=milestone_id)
        return Response(MilestoneSerializer(milestone).data, headers={"ETag": _milestone_etag(milestone)})


@extend_schema(tags=["milestones"])
class MilestoneSkipApi(APIView):
    @extend_schema(
        summary="Skip a milestone; it leaves the completion ratio and the reason is kept",
        request=SkipInputSerializer,
        responses=MilestoneSerializer,
    )
    def post(self, request, milestone_id: int):
        milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
        serializer = SkipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone_skip(milestone=milestone, **serializer.validated_data)
        return _milestone_response(request, milestone_id)


@extend_schema(tags=["milestones"])
class MilestoneUnskipApi(APIView):
    @extend_schema(summary="Put a skipped milestone back on the plan", request=None, responses=MilestoneSerializer)
    def post(self, request, milestone_id: int):
        milestone_unskip(milestone=milestone_get(user=request.user, milestone_id=milestone_id, write=True))
        return _milestone_response(request, milestone_id)


def _note_etag(milestone: Milestone) -> str:
    """The note alone: logging progress on another device does not make a note edit stale."""
    return make_etag(shape_of(NoteSerializer), milestone.pk, milestone.note)


@extend_schema(tags=["milestones"])
class MilestoneNoteApi(APIView):
    @extend_schema(summary="The learner's private note on a milestone", **conditional_read(NoteSerializer))
    def get(self, request, milestone_id: int):
        milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
        return conditional_response(request, _note_etag(milestone), lambda: {"note": milestone.note})

    @extend_schema(summary="Replace the private note", request=NoteSerializer, **conditional_write(NoteSerializer))
    def put(self, request, milestone_id: int):
        with if_match_lock(request, Milestone, milestone_id):
            milestone = milestone_get(user=request.user, milestone_id=milestone_id, write=True)
            serializer = NoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            check_if_match(request, lambda: _note_etag(milestone))
            milestone = milestone_note_set(milestone=milestone, note=serializer.validated_data["note"])
        return Response({"note": milestone.note}, headers={"ETag": _note_etag(milestone)})


# Progress log ---------------------------------------------------------------------------


class ProgressEntryInputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Made by the client; sending the same entry again stores it once.")

    def validate_id(self, value):
        if not isinstance(self.initial_data.get("id"), str):  # DRF would turn 12345 into a UUID
            raise serializers.ValidationError("Send the id as a UUID string.")
        return value

    minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    note = StringField(required=False, default="", allow_blank=True, max_length=10_000)
    evidence_url = serializers.URLField(
        required=False, default="", allow_blank=True, max_length=500, validators=[http_url]
    )
    state = serializers.ChoiceField(
        choices=[Milestone.State.IN_PROGRESS, Milestone.State.DONE],
        required=False,
        allow_null=True,
        default=None,
        help_text="Move the milestone: not started → in progress → done; done → in progress reopens it.",
    )
    logged_at = serializers.DateTimeField(
        required=False, default=None, help_text="When the work happened; now if absent."
    )


@extend_schema(tags=["progress"])
class MilestoneEntryListApi(SelectorListApi):
    serializer_class = ProgressEntrySerializer
    ordering = ("-logged_at", "-created_at")

    def select(self):
        return progress_entry_list(
            milestone=milestone_get(user=self.request.user, milestone_id=self.kwargs["milestone_id"])
        )

    @extend_schema(summary="The milestone's progress log, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Log progress on a milestone",
        description="Entries are never edited; a correction is a new entry. The same id with the same content "
        "answers the stored entry again (201) and writes nothing; the same id with other content answers 409.",
        request=ProgressEntryInputSerializer,
        responses={
            201: ProgressEntrySerializer,
            409: OpenApiResponse(description="Illegal state change, missing evidence or id reuse"),
        },
    )
    def post(self, request, milestone_id: int):
        try:
            serializer = ProgressEntryInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
        except (ParseError, UnsupportedMediaType, ValidationError):
            # The service checks access with its row lock; a body refused before it still answers
            # 404 for another's milestone (403 for a mentee's) as every milestone write does.
            milestone_get(user=request.user, milestone_id=milestone_id, write=True)
            raise
        data = dict(serializer.validated_data)
        entry, _ = progress_entry_log(learner=request.user, milestone_id=milestone_id, entry_id=data.pop("id"), **data)
        return Response(entry_data(entry), status=status.HTTP_201_CREATED)


# Quiz and skill gap ---------------------------------------------------------------------


class QuizOptionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    text = StringField()


class QuizQuestionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    text = StringField()
    options = QuizOptionSerializer(many=True)


class QuizAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.SlugField(), help_text="{question slug: option slug}; at least one question answered."
    )

    def validate_answers(self, answers: dict[str, str]) -> dict[str, str]:
        if not answers:
            raise serializers.ValidationError("Answer at least one question.")
        errors = {}
        for question_slug, option_slug in answers.items():
            question = QUESTIONS_BY_SLUG.get(question_slug)
            if question is None:
                errors[question_slug] = "Unknown question."
            elif option_slug not in {option.slug for option in question.options}:
                errors[question_slug] = f"Unknown option '{option_slug}'."
        if errors:
            raise serializers.ValidationError(errors)
        return answers


class QuizFitSerializer(serializers.Serializer):
    path = PathRefSerializer()
    summary = StringField()
    score = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Score as a share of the best score possible for these answers.")
    reasons = serializers.ListField(child=StringField())


@extend_schema(tags=["quiz"])
class QuizApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(summary="The path-fit questions", responses=QuizQuestionSerializer(many=True))
    def get(self, request):
        return Response(QuizQuestionSerializer(QUESTIONS, many=True).data)

    @extend_schema(
        summary="Rank the career paths for a set of answers (nothing is stored)",
        request=QuizAnswersSerializer,
        responses=QuizFitSerializer(many=True),
    )
    def post(self, request):
        serializer = QuizAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        paths = {path.slug: path for path in career_path_list()}
        fits = [
            {
                "path": paths[fit.path_slug],
                "summary": paths[fit.path_slug].summary,
                "score": fit.score,
                "percent": fit.percent,
                "reasons": fit.reasons,
            }
            for fit in quiz_score(serializer.validated_data["answers"])
            if fit.path_slug in paths
        ]
        return Response(QuizFitSerializer(fits, many=True).data)


class SkillRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = StringField()
    category = StringField()


class EarnedFromSerializer(serializers.Serializer):
    roadmap = serializers.IntegerField(source="roadmap_id")
    path = serializers.SlugField(source="roadmap.path.slug")
    milestone = serializers.IntegerField(source="pk")
    title = StringField()


class BuilderSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = StringField()
    kind = StringField()
    estimated_hours = serializers.IntegerField()


class SkillHaveSerializer(serializers.Serializer):
    skill = SkillRefSerializer()
    group = StringField()
    earned_from = EarnedFromSerializer(many=True, help_text="Done milestones, in any roadmap, that built it.")


class SkillMissingSerializer(serializers.Serializer):
    skill = SkillRefSerializer()
    group = StringField()
    milestones = BuilderSerializer(many=True, help_text="Milestones of this path that build it.")


class SkillGapSerializer(serializers.Serializer):
    path = PathRefSerializer()
    coverage_percent = serializers.FloatField()
    have = SkillHaveSerializer(many=True)
    missing = SkillMissingSerializer(many=True)


@extend_schema(tags=["catalog"])
class SkillGapApi(APIView):
    @extend_schema(
        summary="Which skills of a path the learner has already built, and what remains", responses=SkillGapSerializer
    )
    def get(self, request, slug: str):
        path = get_object_or_404(CareerPath, slug=slug)
        return Response(SkillGapSerializer(skill_gap(user=request.user, path=path)).data)
