"""The reference endpoint: the cheapest authenticated request the API can answer.

``GET ping/`` costs what every authenticated request costs and nothing more: the middleware,
DRF's dispatch, the JWT check and the one indexed query that loads the token's user (by primary
key). ``make bench`` states each endpoint's throughput as a ratio to it, measured in the same
run, which makes the figures comparable across machines. For the app it is a cheap way to
check that the server answers and the access token is still good.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class PingSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The id of the logged-in user.")


@extend_schema(tags=["health"])
class PingApi(APIView):
    @extend_schema(
        summary="Check the server and the access token (the benchmark's reference endpoint)",
        responses=PingSerializer,
    )
    def get(self, request):
        return Response({"user": request.user.pk})
