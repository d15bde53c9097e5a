import base64
import hashlib

import pytest

from platforms.errors import PermanentError, RetryLaterError
from platforms.tokens import MemoryTokenStore
from platforms.wecom import WeComClient, WeComRobot, image_message
from tests.platforms.fakes import FakePlatform, json_body, multipart

BASE = "/prefix"
TOKEN_ANSWER = {"errcode": 0, "errmsg": "ok", "access_token": "WT", "expires_in": 7200}


def make(fake: FakePlatform, agent_id: int | None = 1000002) -> tuple[WeComClient, MemoryTokenStore]:
    fake.routes.setdefault(f"{BASE}/cgi-bin/gettoken", TOKEN_ANSWER)
    store = MemoryTokenStore()
    return WeComClient("ww1", "cs", agent_id, store, transport=fake.transport("wecom")), store


def test_fetch_token():
    fake = FakePlatform()
    client, _ = make(fake)
    assert client.fetch_token().access_token == "WT"
    request = fake.last(f"{BASE}/cgi-bin/gettoken")
    assert request.method == "GET" and dict(request.url.params) == {"corpid": "ww1", "corpsecret": "cs"}
    assert client.app_key == "wecom:ww1:1000002"


def test_send_adds_agent_id_and_reports_invalid_recipients():
    fake = FakePlatform(
        {"errcode": 0, "errmsg": "ok", "invaliduser": "ghost", "invalidparty": "", "invalidtag": "", "msgid": "M1"}
    )
    client, store = make(fake)
    payload = {"touser": "zhangsan|ghost", "msgtype": "text", "text": {"content": "hi"}, "safe": 0}
    result = client.messages.send(payload)
    assert result == {"msgid": "M1", "invaliduser": "ghost", "invalidparty": "", "invalidtag": ""}
    request = fake.last(f"{BASE}/cgi-bin/message/send")
    assert request.method == "POST" and request.url.params["access_token"] == "WT"
    assert json_body(request) == {**payload, "agentid": 1000002}
    assert "agentid" not in payload
    assert store.fetch_count == {"wecom:ww1:1000002": 1}


def test_send_keeps_an_explicit_agent_id():
    fake = FakePlatform({"errcode": 0, "msgid": "M"})
    client, _ = make(fake)
    client.messages.send({"touser": "@all", "msgtype": "markdown", "markdown": {"content": "x"}, "agentid": 7})
    assert json_body(fake.last(f"{BASE}/cgi-bin/message/send"))["agentid"] == 7


def test_send_without_agent_id_fails_permanently():
    client, _ = make(FakePlatform(), agent_id=None)
    with pytest.raises(PermanentError, match="agent_id"):
        client.messages.send({"touser": "a", "msgtype": "text", "text": {"content": "x"}})


def test_all_recipients_invalid_is_permanent():
    client, _ = make(FakePlatform({"errcode": 81013, "errmsg": "user & party & tag all invalid"}))
    with pytest.raises(PermanentError) as info:
        client.messages.send({"touser": "ghost", "msgtype": "text", "text": {"content": "x"}})
    assert info.value.errcode == 81013


def test_recall():
    fake = FakePlatform({"errcode": 0, "errmsg": "ok"})
    client, _ = make(fake)
    client.messages.recall("M1")
    assert json_body(fake.last(f"{BASE}/cgi-bin/message/recall")) == {"msgid": "M1"}


def test_media_upload():
    fake = FakePlatform({"errcode": 0, "type": "file", "media_id": "WM", "created_at": "1"})
    client, _ = make(fake)
    assert client.media.upload("file", "r.pdf", b"%PDF", "application/pdf") == "WM"
    request = fake.last(f"{BASE}/cgi-bin/media/upload")
    assert request.url.params["type"] == "file" and request.url.params["access_token"] == "WT"
    assert multipart(request) == {"media": ("r.pdf", b"%PDF", "application/pdf")}


def robot(fake: FakePlatform) -> WeComRobot:
    return WeComRobot("https://api.test/prefix", transport=fake.transport("wecom"))


def test_robot_send_uses_key_and_no_token():
    fake = FakePlatform({"errcode": 0, "errmsg": "ok"})
    body = {"msgtype": "text", "text": {"content": "hi", "mentioned_list": ["@all"]}}
    robot(fake).send("KEY-1", body)
    request = fake.requests[0]
    assert (request.method, request.url.path) == ("POST", f"{BASE}/cgi-bin/webhook/send")
    assert dict(request.url.params) == {"key": "KEY-1"}
    assert json_body(request) == body


def test_robot_upload_media():
    fake = FakePlatform({"errcode": 0, "type": "file", "media_id": "RM"})
    assert robot(fake).upload_media("KEY-1", "log.txt", b"data") == "RM"
    request = fake.requests[0]
    assert request.url.path == f"{BASE}/cgi-bin/webhook/upload_media"
    assert dict(request.url.params) == {"key": "KEY-1", "type": "file"}
    assert multipart(request)["media"][:2] == ("log.txt", b"data")


@pytest.mark.parametrize(("errcode", "cls"), [(45009, RetryLaterError), (93000, PermanentError)])
def test_robot_errors(errcode, cls):
    with pytest.raises(cls):
        robot(FakePlatform({"errcode": errcode, "errmsg": "x"})).send("K", {"msgtype": "text", "text": {}})


def test_image_message_carries_base64_and_md5_of_raw_bytes():
    content = b"\x89PNG fake"
    assert image_message(content) == {
        "msgtype": "image",
        "image": {"base64": base64.b64encode(content).decode(), "md5": hashlib.md5(content).hexdigest()},
    }
