"""A short template can ask for a huge text: 5,000 ``$a`` with a 20 KB ``a`` is 100 MB. Rendering refuses a text
over ``notifications.max-template-output-bytes`` (UTF-8) with a 422 that names the limit, before building it,
in a preview and in a notification alike."""

from __future__ import annotations

import pytest

from tests.notifications.conftest import FAST, bearer

ATTACK = {"code": "echo", "name": "Echo", "content": "$a" * 5000}
LIMIT = 1024


@pytest.fixture
def notification_settings():
    return {**FAST, "max_template_output_bytes": LIMIT}


@pytest.fixture
def template(app, keys):
    def create(content: str) -> None:
        created = app.simulate_post("/api/v1/notification-templates", headers=bearer(keys["admin"]),
                                    json={**ATTACK, "content": content})
        assert created.status_code == 201, created.text
    return create


def test_a_preview_of_a_huge_text_is_a_422_naming_the_limit(app, keys, template):
    template(ATTACK["content"])
    answer = app.simulate_post("/api/v1/notification-templates/echo/render", headers=bearer(keys["notify"]),
                               json={"variables": {"a": "x" * 20_000}})
    assert answer.status_code == 422
    assert len(answer.content) < 1000
    message = answer.json["error"]["message"]
    assert "100000000 bytes" in message and "notifications.max-template-output-bytes" in message
    assert answer.json["error"]["details"][0]["type"] == "too_long"


def test_a_notification_rendering_a_huge_text_is_a_422_naming_the_limit(post, robots, template):
    template(ATTACK["content"])
    answer = post({"channel": "dingtalk_robot", "robot": "ding", "message": {"msgtype": "text", "text": {}},
                   "template": {"code": "echo", "variables": {"a": "x" * 20_000}}})
    assert answer.status_code == 422
    [problem] = answer.json["error"]["details"]
    assert problem["field"] == "template.variables" and problem["type"] == "too_long"
    assert f"at most {LIMIT} bytes" in problem["message"] and "100000000 bytes" in problem["message"]


def test_the_limit_counts_utf8_bytes_and_a_text_at_the_limit_is_accepted(post, robots, template):
    template("${a}${a}")

    def send(value: str):
        return post({"channel": "dingtalk_robot", "robot": "ding", "message": {"msgtype": "text", "text": {}},
                     "template": {"code": "echo", "variables": {"a": value}}})

    assert send("é" * 256).status_code == 202  # 512 characters, 1024 bytes: at the limit
    over = send("é" * 256 + "x")
    assert over.status_code == 422 and over.json["error"]["details"][0]["type"] == "too_long"
