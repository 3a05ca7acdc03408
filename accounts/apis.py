from django.conf import settings
from django.contrib.auth.models import update_last_login
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts.lockout import client_ip, lock_remaining
from accounts.models import Mentorship, User
from accounts.selectors import mentorship_get, mentorship_get_by_code, mentorship_list
from accounts.services import (
    login_session_end,
    login_session_refresh,
    mentorship_accept,
    mentorship_create_active,
    mentorship_decline,
    mentorship_end,
    mentorship_invite,
    refresh_token_reuse_check,
    user_login,
    user_register,
    user_update,
)
from accounts.validators import validate_time_zone
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
from careerhub.fields import StringField
from careerhub.throttling import ScopedThrottle, WriteThrottle


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "time_zone",
            "weekly_hours_goal",
            "is_mentor",
            "date_joined",
            "email_verified_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"email_verified_at": {"help_text": "When the address was confirmed; null: no email reminders."}}


class TokenPairSerializer(serializers.Serializer):
    access = StringField()
    refresh = StringField()


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StringField(write_only=True, max_length=128, style={"input_type": "password"})
    display_name = StringField(max_length=150, required=False, default="", allow_blank=True)
    time_zone = StringField(max_length=64, required=False, default="UTC", validators=[validate_time_zone])


class DetailSerializer(serializers.Serializer):
    detail = StringField()


REGISTERED = (
    "If the address can be used, the account is ready: log in with it. We have sent a message to the address "
    "(a link to confirm it, or a note if it already has an account)."
)


def tokens_for_request(user: User, request) -> dict[str, str]:
    """A new session (device) for ``user``, named by the request's user agent."""
    return user_login(user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""), ip=client_ip(request))


@extend_schema(tags=["auth"])
class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"  # per client IP: nobody is logged in here

    @extend_schema(
        summary="Create an account; the same answer whether or not the address already has one",
        description=(
            "A new address gets an account that can log in at once (`auth/token/`) and a link to confirm the "
            "address; until it is confirmed, no reminders are sent by email. An address that already has an "
            "account gets a note by email instead, and the answer is the same, so nobody learns who is registered."
        ),
        request=RegisterInputSerializer,
        responses={202: DetailSerializer},
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_register(**serializer.validated_data)
        return Response({"detail": REGISTERED}, status=status.HTTP_202_ACCEPTED)


class TokenObtainSerializer(jwt_serializers.TokenObtainSerializer):
    """Email and password."""

    def validate(self, attrs):
        request = self.context["request"]
        wait = lock_remaining(email=attrs.get(self.username_field), ip=client_ip(request))
        if wait:
            raise Throttled(wait=wait, detail="Too many failed logins; try again later.", code="login_locked")
        super().validate(attrs)
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, self.user)
        return tokens_for_request(self.user, request)


@extend_schema(
    tags=["auth"],
    summary="Log in with email and password; answers an access and a refresh token",
    description=(
        "Each log-in is a session (device, see `auth/sessions/`). After repeated failures for one account or "
        "from one address, logging in is refused for a while with 429 `login_locked` and `Retry-After`, "
        "whatever the password."
    ),
)
class TokenObtainApi(jwt_views.TokenObtainPairView):
    serializer_class = TokenObtainSerializer
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenObtainSerializer, responses={200: TokenPairSerializer})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    def validate(self, attrs):
        try:
            token = self.token_class(attrs["refresh"])
        except TokenError:
            refresh_token_reuse_check(raw=attrs["refresh"])
            raise
        session_id, user_id = token.get("sid"), token.get(jwt_settings.USER_ID_CLAIM)
        if session_id is not None and not login_session_refresh(session_id=session_id, user_id=user_id):
            if not User.objects.filter(pk=user_id).exists():
                raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
            raise InvalidToken("The session of this token was ended.")
        try:
            return super().validate(attrs)
        except User.DoesNotExist:  # the account was deleted after the token was issued
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None


@extend_schema(tags=["auth"], summary="Trade a refresh token for a new pair; the old refresh token stops working")
class TokenRefreshApi(jwt_views.TokenRefreshView):
    serializer_class = TokenRefreshSerializer
    throttle_classes = [ScopedThrottle]
    throttle_scope = "refresh"


class LogoutSerializer(jwt_serializers.TokenBlacklistSerializer):
    def validate(self, attrs):
        token = self.token_class(attrs["refresh"])
        token.blacklist()
        session_id = token.get("sid")
        if session_id is not None:
            login_session_end(session_id=session_id)
        return {}


@extend_schema(tags=["auth"])
class LogoutApi(jwt_views.TokenBlacklistView):
    serializer_class = LogoutSerializer

    @extend_schema(
        summary="Log out: the refresh token and its session are revoked",
        request=jwt_serializers.TokenBlacklistSerializer,
        responses={204: None},
    )
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)  # answers 401 token_not_valid for an unusable token
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeUpdateSerializer(serializers.Serializer):
    display_name = StringField(max_length=150, required=False, allow_blank=True)
    time_zone = StringField(max_length=64, required=False, validators=[validate_time_zone])
    weekly_hours_goal = serializers.IntegerField(min_value=1, max_value=80, required=False)


def _user_etag(user: User) -> str:
    return make_etag(
        shape_of(UserSerializer),
        user.pk,
        user.email,
        user.display_name,
        user.time_zone,
        user.weekly_hours_goal,
        user.is_mentor,
        user.date_joined,
        user.email_verified_at,
    )


def _reloaded(user: User) -> User:
    user.refresh_from_db()
    return user


@extend_schema(tags=["auth"])
class MeApi(APIView):
    @extend_schema(summary="The logged-in user", **conditional_read(UserSerializer))
    def get(self, request):
        return conditional_response(request, _user_etag(request.user), lambda: UserSerializer(request.user).data)

    @extend_schema(
        summary="Change display name, time zone or weekly goal",
        request=MeUpdateSerializer,
        **conditional_write(UserSerializer),
    )
    def patch(self, request):
        with if_match_lock(request, User, request.user.pk):
            serializer = MeUpdateSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            # The user was read before the lock was taken: compare what is stored now.
            check_if_match(request, lambda: _user_etag(_reloaded(request.user)))
            user = user_update(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data, headers={"ETag": _user_etag(user)})


# Mentorships ----------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = StringField()


class MentorshipSerializer(serializers.ModelSerializer):
    """A link or an invitation. An open invitation's code lets anyone who holds it accept: only
    whoever made the invitation sees it; staff do not."""

    mentor = UserRefSerializer(allow_null=True)
    learner = UserRefSerializer(allow_null=True)
    invited_by = serializers.IntegerField(source="invited_by_id", allow_null=True)
    code = serializers.SerializerMethodField(help_text="Your open invitation's code, to share; null otherwise.")
    code_expires_at = serializers.SerializerMethodField(
        help_text="When the code stops being redeemable; null without one."
    )

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "mentor",
            "learner",
            "invited_by",
            "invitee_email",
            "code",
            "code_expires_at",
            "state",
            "created_at",
            "responded_at",
            "ended_at",
        ]
        read_only_fields = fields

    def _shown_code(self, mentorship: Mentorship) -> str | None:
        request = self.context.get("request")
        return mentorship.code if request is not None and request.user.pk == mentorship.invited_by_id else None

    def get_code(self, mentorship: Mentorship) -> str | None:
        return self._shown_code(mentorship)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_code_expires_at(self, mentorship: Mentorship) -> str | None:
        if self._shown_code(mentorship) is None:
            return None
        return serializers.DateTimeField().to_representation(mentorship.created_at + settings.MENTORSHIP_CODE_MAX_AGE)


def _mentorship_data(mentorship: Mentorship, request) -> dict:
    return MentorshipSerializer(mentorship, context={"request": request}).data


class InviteInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=["mentor", "learner"], help_text="Your side of the link: a mentor invites a learner, and back."
    )
    email = serializers.EmailField(
        required=False, allow_blank=True, default="", help_text="The other side; without it, a code to share."
    )


class RedeemInputSerializer(serializers.Serializer):
    code = StringField(max_length=12)


class StaffLinkInputSerializer(serializers.Serializer):
    mentor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    learner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


@extend_schema(tags=["mentorships"])
class MentorshipListApi(SelectorListApi):
    serializer_class = MentorshipSerializer
    ordering = "-id"

    def select(self):
        return mentorship_list(user=self.request.user)

    @extend_schema(summary="Your mentorships and the invitations addressed to you")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Invite a learner (as a mentor) or a mentor (as a learner), by email or by code",
        request=InviteInputSerializer,
        responses={201: MentorshipSerializer},
    )
    def post(self, request):
        serializer = InviteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mentorship = mentorship_invite(
            inviter=request.user,
            inviter_role=serializer.validated_data["role"],
            email=serializer.validated_data["email"],
        )
        return Response(_mentorship_data(mentorship, request), status=status.HTTP_201_CREATED)


def _mentorship_etag(mentorship: Mentorship) -> str:
    """From ``mentorship_get``'s row with both sides loaded; a mentorship has no ``updated_at``."""

    def side(user: User | None) -> tuple | None:
        return (user.pk, user.email, user.display_name) if user else None

    return make_etag(
        shape_of(MentorshipSerializer),
        mentorship.pk,
        mentorship.state,
        mentorship.code,
        mentorship.invitee_email,
        mentorship.invited_by_id,
        mentorship.responded_at,
        mentorship.ended_at,
        side(mentorship.mentor),
        side(mentorship.learner),
    )


@extend_schema(tags=["mentorships"])
class MentorshipDetailApi(APIView):
    @extend_schema(summary="A mentorship", **conditional_read(MentorshipSerializer))
    def get(self, request, mentorship_id: int):
        mentorship = mentorship_get(user=request.user, mentorship_id=mentorship_id)
        return conditional_response(
            request,
            _mentorship_etag(mentorship),
            lambda: _mentorship_data(mentorship, request),
        )


class _MentorshipActionApi(APIView):
    action_service = None

    @extend_schema(request=None, responses=MentorshipSerializer)
    def post(self, request, mentorship_id: int):
        mentorship = mentorship_get(user=request.user, mentorship_id=mentorship_id)
        mentorship = type(self).action_service(mentorship=mentorship, user=request.user)
        return Response(_mentorship_data(mentorship, request))


@extend_schema(tags=["mentorships"], summary="Accept an invitation addressed to you")
class MentorshipAcceptApi(_MentorshipActionApi):
    action_service = staticmethod(mentorship_accept)


@extend_schema(tags=["mentorships"], summary="Decline an invitation addressed to you")
class MentorshipDeclineApi(_MentorshipActionApi):
    action_service = staticmethod(mentorship_decline)


@extend_schema(tags=["mentorships"], summary="End a mentorship (either side, or staff); access ends at once")
class MentorshipEndApi(_MentorshipActionApi):
    action_service = staticmethod(mentorship_end)


@extend_schema(tags=["mentorships"])
class MentorshipRedeemApi(APIView):
    # Codes are 8 characters: each user may try a few an hour, on top of the limit on writes.
    throttle_classes = [WriteThrottle, ScopedThrottle]
    throttle_scope = "redeem"

    @extend_schema(
        summary="Accept an invitation by its code",
        request=RedeemInputSerializer,
        responses={200: MentorshipSerializer, 404: OpenApiResponse(description="No open invitation has this code.")},
    )
    def post(self, request):
        serializer = RedeemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mentorship = mentorship_get_by_code(code=serializer.validated_data["code"])
        accepted = mentorship_accept(mentorship=mentorship, user=request.user, by_code=True)
        return Response(_mentorship_data(accepted, request))


@extend_schema(tags=["mentorships"])
class StaffMentorshipApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        summary="Staff: link a mentor and a learner directly",
        request=StaffLinkInputSerializer,
        responses={201: MentorshipSerializer},
    )
    def post(self, request):
        serializer = StaffLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mentorship = mentorship_create_active(**serializer.validated_data, by=request.user)
        return Response(_mentorship_data(mentorship, request), status=status.HTTP_201_CREATED)
