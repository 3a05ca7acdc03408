from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from careerhub.apis import SelectorListApi
from careerhub.fields import StringField
from notifications.models import Device
from notifications.services.devices import device_get, device_list, device_register, device_remove


class DeviceSerializer(serializers.ModelSerializer):
    token_hint = serializers.SerializerMethodField(help_text="The end of the push token, to tell devices apart.")

    class Meta:
        model = Device
        fields = ["id", "platform", "name", "token_hint", "active", "deactivated_reason", "created_at", "last_seen_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_token_hint(self, device: Device) -> str:
        # The token is a credential of the phone: never echoed back, only its last few characters
        # (none of a short one, which a few characters would give away).
        shown = min(6, len(device.token) // 4)
        return device.token[len(device.token) - shown :]


class LengthBeforeTrimCharField(StringField):
    """Trims whitespace, but holds the maximum length to what was sent, as the schema says."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


class DeviceRegisterSerializer(serializers.Serializer):
    token = LengthBeforeTrimCharField(
        min_length=1, max_length=512, help_text="The push token the provider gave the app."
    )
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    name = LengthBeforeTrimCharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text='What the user calls it ("Ada\'s phone").',
    )


@extend_schema(tags=["devices"])
class DeviceListApi(SelectorListApi):
    serializer_class = DeviceSerializer
    ordering = "-id"

    def select(self):
        return device_list(user=self.request.user)

    @extend_schema(summary="Your devices that receive push messages (active or not)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Register this device's push token (201); a token already yours answers its device (200)",
        description=(
            "Registering the same token again refreshes the device and makes it active again. "
            "A token registered by another account moves to yours: the token identifies the phone."
        ),
        request=DeviceRegisterSerializer,
        responses={201: DeviceSerializer, 200: DeviceSerializer},
    )
    def post(self, request):
        serializer = DeviceRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = device_register(user=request.user, **serializer.validated_data)
        return Response(
            DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(tags=["devices"])
class DeviceDetailApi(APIView):
    @extend_schema(
        summary="Forget a device (logging out of the app): it gets no more pushes", request=None, responses={204: None}
    )
    def delete(self, request, device_id: int):
        device_remove(device=device_get(user=request.user, device_id=device_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
