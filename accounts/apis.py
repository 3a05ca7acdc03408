from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import user_register, user_update
from accounts.validators import validate_time_zone


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "time_zone", "weekly_hours_goal", "is_mentor", "date_joined"]
        read_only_fields = fields


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC", validators=[validate_time_zone])


class RegisterOutputSerializer(serializers.Serializer):
    user = UserSerializer()
    tokens = TokenPairSerializer()


def _tokens_for(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@extend_schema(tags=["auth"])
class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Create an account; answers with the user and a token pair",
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer},
    )
    def post(self, request):
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        body = {"user": UserSerializer(user).data, "tokens": _tokens_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"], summary="Log in with email and password; answers an access and a refresh token")
class TokenObtainApi(jwt_views.TokenObtainPairView):
    pass


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except User.DoesNotExist:  # the account was deleted after the token was issued
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from None


@extend_schema(tags=["auth"], summary="Trade a refresh token for a new pair; the old refresh token stops working")
class TokenRefreshApi(jwt_views.TokenRefreshView):
    serializer_class = TokenRefreshSerializer


@extend_schema(tags=["auth"])
class LogoutApi(jwt_views.TokenBlacklistView):
    @extend_schema(
        summary="Log out: the refresh token is revoked",
        request=jwt_serializers.TokenBlacklistSerializer,
        responses={204: None},
    )
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)  # answers 401 token_not_valid for an unusable token
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False, validators=[validate_time_zone])
    weekly_hours_goal = serializers.IntegerField(min_value=1, max_value=80, required=False)


@extend_schema(tags=["auth"])
class MeApi(APIView):
    @extend_schema(summary="The logged-in user", responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        summary="Change display name, time zone or weekly goal", request=MeUpdateSerializer, responses=UserSerializer
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)
