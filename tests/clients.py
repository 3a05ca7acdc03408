from rest_framework.test import APIClient


def logged_in(user) -> APIClient:
    """An API client logged in as ``user`` (DRF's forced authentication: no token needed)."""
    client = APIClient()
    client.force_authenticate(user)
    return client
