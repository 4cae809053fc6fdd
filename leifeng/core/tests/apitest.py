"""What the API tests of every app share: a Bearer token, calls under the app's base path,
answers read as JSON, and the one error body with its Chinese message."""

import re

from leifeng.accounts.services import token_create

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ERROR_KEYS = {"code", "message", "fields"}


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='app')[1]}"}


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def assert_error(response, status: int, code: str, *fields: str) -> dict:
    """The one error body, in Chinese, naming each of `fields`."""
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code, body
    assert CHINESE.search(body["message"]), f"not in Chinese: {body['message']!r}"
    for name in fields:
        assert name in body["fields"], body["fields"]
        assert CHINESE.search(body["fields"][name]), body["fields"]
    return body


class Api:
    """Calls under one app's base path, e.g. Api("/api/v1/hours").post(client, "/me")."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, client, url: str, params: dict | None = None, **headers):
        return client.get(f"{self.base}{url}", params or {}, **headers)

    def post(self, client, url: str, data: dict | None = None, **headers):
        return client.post(
            f"{self.base}{url}", data or {}, content_type="application/json", **headers
        )

    def put(self, client, url: str, data: dict, **headers):
        return client.put(f"{self.base}{url}", data, content_type="application/json", **headers)
