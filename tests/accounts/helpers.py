import re

from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"  # the factory's
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"


def log_in(email: str, password: str = PASSWORD, *, ip: str = "198.51.100.20", agent: str = "") -> dict[str, str]:
    response = APIClient().post(
        TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


def link_token(body: str) -> str:
    """The token of the one link in a mail's text."""
    return re.search(r"\?token=(\S+)", body).group(1)
