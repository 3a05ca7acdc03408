from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from careerhub.conditional import ETAG_HEADER, IF_NONE_MATCH, NOT_MODIFIED, conditional_response
from notifications.calendar import (
    TOKEN,
    calendar_etag,
    calendar_milestones,
    calendar_owner_id,
    calendar_render,
    feed_urls,
)
from notifications.services.devices import calendar_token_regenerate
from notifications.services.reminders import preference_get_or_create

CALENDAR_CONTENT_TYPE = "text/calendar"


class ICalendarRenderer(BaseRenderer):
    media_type = CALENDAR_CONTENT_TYPE
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return b"" if data is None else data  # the view hands over the file (None: a 304)


class CalendarOnly(BaseContentNegotiation):
    """The feed is a calendar whatever ``Accept`` says: calendar apps send all sorts (or none)."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(tags=["calendar"])
class CalendarFeedApi(APIView):
    # The secret token in the URL is the credential: calendar apps send no other.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = CalendarOnly

    @extend_schema(
        operation_id="calendar_feed_retrieve",
        summary="Your target dates as an iCalendar feed (public: the secret token in the URL is the key)",
        description=(
            "One all-day event per milestone with a target date in your roadmaps that are not archived. "
            'Done milestones keep their event, marked "(done)"; skipped ones are cancelled events. '
            "Get the URL from `GET notifications/calendar/`; an unknown or replaced token is a 404."
        ),
        parameters=[
            OpenApiParameter(
                "token",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=f"^{TOKEN.pattern}$",
                description="The secret.",
            ),
            IF_NONE_MATCH,
            ETAG_HEADER,
        ],
        responses={
            (200, CALENDAR_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.STR, description="An RFC 5545 calendar."),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request, token: str):
        milestones = calendar_milestones(user_id=calendar_owner_id(token=token))
        response = conditional_response(request, calendar_etag(milestones), lambda: calendar_render(milestones))
        response["Cache-Control"] = "private, no-cache"  # a personal file: revalidate with the ETag
        return response


class CalendarLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The feed, for calendar apps that take an https URL.")
    webcal_url = serializers.URLField(help_text="The same feed as webcal://, which phones open as a subscription.")


@extend_schema(tags=["calendar"])
class CalendarLinkApi(APIView):
    @extend_schema(summary="The address of your private calendar feed", responses={200: CalendarLinkSerializer})
    def get(self, request):
        return Response(CalendarLinkSerializer(feed_urls(preference_get_or_create(user=request.user))).data)


@extend_schema(tags=["calendar"])
class CalendarRegenerateApi(APIView):
    @extend_schema(
        summary="A new address for your calendar feed; the old one answers 404 from now on",
        request=None,
        responses={200: CalendarLinkSerializer},
    )
    def post(self, request):
        return Response(CalendarLinkSerializer(feed_urls(calendar_token_regenerate(user=request.user))).data)
