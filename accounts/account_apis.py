"""The account's lifecycle: email verification, passwords, sessions (devices), data export, deletion."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import DetailSerializer, TokenPairSerializer, tokens_for_request
from accounts.exports import (
    data_export_download_check,
    data_export_download_token,
    data_export_downloaded,
    data_export_request,
)
from accounts.models import DataExport, LoginSession
from accounts.selectors import data_export_get, login_session_get, login_session_list
from accounts.services import (
    email_verification_resend,
    login_session_revoke,
    password_reset_confirm,
    password_reset_request,
    user_delete,
    user_email_change_confirm,
    user_email_change_request,
    user_email_verify,
    user_logout_everywhere,
    user_password_change,
)
from careerhub.apis import SelectorListApi
from careerhub.fields import StringField
from careerhub.throttling import ScopedThrottle

EMAIL_CHANGE_REQUESTED = (
    "A link to confirm the new address is on its way to it; your address changes when it is opened."
)
RESET_REQUESTED = "If an account has this address, a link to choose a new password is on its way."


class TokenInputSerializer(serializers.Serializer):
    token = StringField(max_length=500, help_text="From the link in the email.")


class PasswordChangeInputSerializer(serializers.Serializer):
    current_password = StringField(max_length=128, style={"input_type": "password"})
    new_password = StringField(max_length=128, style={"input_type": "password"})


class PasswordResetInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    token = StringField(max_length=500, help_text="From the link in the email.")
    new_password = StringField(max_length=128, style={"input_type": "password"})


class PasswordInputSerializer(serializers.Serializer):
    password = StringField(max_length=128, style={"input_type": "password"})


class _AnonymousApi(APIView):
    """Reached from a link in an email, logged in or not; limited per client IP like the login."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"


# Email verification -----------------------------------------------------------------------


@extend_schema(tags=["auth"])
class EmailVerifyApi(_AnonymousApi):
    @extend_schema(
        summary="Confirm the email address with the token of the verification link",
        request=TokenInputSerializer,
        responses={204: None},
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_email_verify(token=serializer.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class EmailVerifyResendApi(APIView):
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"

    @extend_schema(
        summary="Send the verification link again (nothing is sent once the address is confirmed)",
        request=None,
        responses={202: DetailSerializer},
    )
    def post(self, request):
        email_verification_resend(user=request.user)
        return Response({"detail": "A new link is on its way, unless the address is confirmed."}, status=202)


class EmailChangeInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The new address.")
    password = StringField(max_length=128, style={"input_type": "password"})


@extend_schema(tags=["auth"])
class EmailChangeApi(APIView):
    @extend_schema(
        summary="Change the email address: a link goes to the new address, which takes effect when it is opened",
        description="The same answer whether or not the new address has an account (its owner gets a note instead).",
        request=EmailChangeInputSerializer,
        responses={202: DetailSerializer},
    )
    def post(self, request):
        serializer = EmailChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_email_change_request(user=request.user, **serializer.validated_data)
        return Response({"detail": EMAIL_CHANGE_REQUESTED}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["auth"])
class EmailChangeConfirmApi(_AnonymousApi):
    @extend_schema(
        summary="Confirm a new email address with the token of the link sent to it; the old address is told",
        request=TokenInputSerializer,
        responses={204: None},
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_email_change_confirm(token=serializer.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# Passwords ----------------------------------------------------------------------------------


@extend_schema(tags=["auth"])
class PasswordChangeApi(APIView):
    @extend_schema(
        summary="Change the password; every session is logged out, and this device gets a new token pair",
        request=PasswordChangeInputSerializer,
        responses={200: TokenPairSerializer},
    )
    def post(self, request):
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(
            user=request.user,
            current_password=serializer.validated_data["current_password"],
            password=serializer.validated_data["new_password"],
        )
        return Response(tokens_for_request(request.user, request))


@extend_schema(tags=["auth"])
class PasswordResetApi(_AnonymousApi):
    @extend_schema(
        summary="Ask for a password reset link by email; the same answer whether or not the address has an account",
        request=PasswordResetInputSerializer,
        responses={202: DetailSerializer},
    )
    def post(self, request):
        serializer = PasswordResetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(email=serializer.validated_data["email"])
        return Response({"detail": RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["auth"])
class PasswordResetConfirmApi(_AnonymousApi):
    @extend_schema(
        summary="Choose a new password with the reset link's token; it works once, and every session is logged out",
        request=PasswordResetConfirmInputSerializer,
        responses={204: None},
    )
    def post(self, request):
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(
            token=serializer.validated_data["token"], password=serializer.validated_data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# Sessions (devices) ---------------------------------------------------------------------------


class LoginSessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The session of the token making this request.")

    class Meta:
        model = LoginSession
        fields = ["id", "user_agent", "ip", "created_at", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, session: LoginSession) -> bool:
        token = getattr(self.context.get("request"), "auth", None)
        return bool(token is not None and hasattr(token, "get") and token.get("sid") == session.pk)


@extend_schema(tags=["auth"])
class LoginSessionListApi(SelectorListApi):
    serializer_class = LoginSessionSerializer
    ordering = "-id"

    def select(self):
        return login_session_list(user=self.request.user)

    @extend_schema(summary="Your sessions (devices) that are logged in, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["auth"])
class LoginSessionDetailApi(APIView):
    @extend_schema(
        summary="Log a session (device) out: its refresh token stops working", request=None, responses={204: None}
    )
    def delete(self, request, session_id: int):
        session = login_session_get(user=request.user, session_id=session_id)
        login_session_revoke(user=request.user, session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class LogoutEverywhereApi(APIView):
    @extend_schema(
        summary="Log out everywhere: every session and refresh token of the user stops working",
        request=None,
        responses={204: None},
    )
    def post(self, request):
        user_logout_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Data export ---------------------------------------------------------------------------------


class DataExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Once ready: a link for the logged-in user, valid for an hour (ask again for a fresh one)."
    )

    class Meta:
        model = DataExport
        fields = ["id", "state", "size", "created_at", "finished_at", "expires_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, export: DataExport) -> str | None:
        if export.state != DataExport.State.READY:
            return None
        url = reverse("v1:data-export-download", kwargs={"export_id": export.pk})
        return self.context["request"].build_absolute_uri(f"{url}?token={data_export_download_token(export=export)}")


@extend_schema(tags=["privacy"])
class DataExportListApi(APIView):
    @extend_schema(
        summary="Ask for all your data as a JSON file; it is built in the background",
        description="Answers the export's status (`pending`, then `ready` with a `download_url`).",
        request=None,
        responses={202: DataExportSerializer},
    )
    def post(self, request):
        export = data_export_request(user=request.user)
        body = DataExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["privacy"])
class DataExportDetailApi(APIView):
    @extend_schema(
        summary="An export's status, with a fresh download link once it is ready", responses=DataExportSerializer
    )
    def get(self, request, export_id: int):
        export = data_export_get(user=request.user, export_id=export_id)
        return Response(DataExportSerializer(export, context={"request": request}).data)


@extend_schema(tags=["privacy"])
class DataExportDownloadApi(APIView):
    @extend_schema(
        summary="Download an export (logged in, with the link's token)",
        parameters=[OpenApiParameter("token", str, required=True, description="From `download_url`.")],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY, description="The export file."),
            404: OpenApiResponse(description="No such export, or the link expired."),
        },
    )
    def get(self, request, export_id: int):
        export = data_export_get(user=request.user, export_id=export_id)
        if not data_export_download_check(export=export, token=request.query_params.get("token", "")):
            raise NotFound()
        data_export_downloaded(export=export, user=request.user)
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"careerhub-export-{export.pk}.json",
            content_type="application/json",
        )


# Deletion -------------------------------------------------------------------------------------


@extend_schema(tags=["privacy"])
class AccountDeleteApi(APIView):
    @extend_schema(
        summary="Delete your account and all your data, confirming with your password",
        description=(
            "Everything is deleted at once: roadmaps, progress, notes, reviews, mentorships (mentors lose access "
            "immediately), sessions and exports. The address can register again."
        ),
        request=PasswordInputSerializer,
        responses={204: None},
    )
    def post(self, request):
        serializer = PasswordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_delete(user=request.user, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
