import base64
import hashlib
import hmac
import time

import pytest

from platforms.dingtalk import DingTalkClient, DingTalkRobot
from platforms.errors import PermanentError, RetryLaterError
from platforms.tokens import MemoryTokenStore
from tests.platforms.fakes import FakePlatform, json_body, multipart

BASE = "/prefix"
NOTICES = f"{BASE}/topapi/message/corpconversation"
TOKEN_ANSWER = {"errcode": 0, "errmsg": "ok", "access_token": "DT", "expires_in": 7200}
TEXT = {"msgtype": "text", "text": {"content": "hi"}}


def make(fake: FakePlatform, agent_id: int | None = 42) -> tuple[DingTalkClient, MemoryTokenStore]:
    fake.routes.setdefault(f"{BASE}/gettoken", TOKEN_ANSWER)
    store = MemoryTokenStore()
    return DingTalkClient("dk1", "ds", agent_id, store, transport=fake.transport("dingtalk")), store


def test_fetch_token():
    fake = FakePlatform()
    client, _ = make(fake)
    assert client.fetch_token().access_token == "DT"
    request = fake.last(f"{BASE}/gettoken")
    assert request.method == "GET" and dict(request.url.params) == {"appkey": "dk1", "appsecret": "ds"}
    assert client.app_key == "dingtalk:dk1"


def test_work_notice_send_shape():
    fake = FakePlatform({"errcode": 0, "task_id": 256271667526, "request_id": "r"})
    client, _ = make(fake)
    assert client.work_notices.send(TEXT, userid_list=["u1", "u2"], dept_id_list=[1, 2]) == 256271667526
    request = fake.last(f"{NOTICES}/asyncsend_v2")
    assert request.method == "POST" and request.url.params["access_token"] == "DT"
    assert json_body(request) == {"agent_id": 42, "msg": TEXT, "userid_list": "u1,u2", "dept_id_list": "1,2"}


def test_work_notice_to_all():
    fake = FakePlatform({"errcode": 0, "task_id": 1})
    client, _ = make(fake)
    client.work_notices.send(TEXT, to_all_user=True)
    assert json_body(fake.last(f"{NOTICES}/asyncsend_v2")) == {"agent_id": 42, "msg": TEXT, "to_all_user": True}


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"userid_list": [f"u{i}" for i in range(101)]}, {"dept_id_list": list(range(21))}],
    ids=["no-recipient", "too-many-users", "too-many-depts"],
)
def test_work_notice_recipient_limits(kwargs):
    client, _ = make(FakePlatform())
    with pytest.raises(ValueError):
        client.work_notices.send(TEXT, **kwargs)


def test_work_notice_without_agent_id_fails_permanently():
    client, _ = make(FakePlatform(), agent_id=None)
    with pytest.raises(PermanentError, match="agent_id"):
        client.work_notices.send(TEXT, userid_list=["u1"])


def test_progress_result_recall():
    fake = FakePlatform(
        routes={
            f"{NOTICES}/getsendprogress": {"errcode": 0, "progress": {"progress_in_percent": 100, "status": 2}},
            f"{NOTICES}/getsendresult": {"errcode": 0, "send_result": {"invalid_user_id_list": ["x"]}},
            f"{NOTICES}/recall": {"errcode": 0},
        }
    )
    client, _ = make(fake)
    assert client.work_notices.progress(7) == {"progress_in_percent": 100, "status": 2}
    assert json_body(fake.last(f"{NOTICES}/getsendprogress")) == {"agent_id": 42, "task_id": 7}
    assert client.work_notices.result(7) == {"invalid_user_id_list": ["x"]}
    assert json_body(fake.last(f"{NOTICES}/getsendresult")) == {"agent_id": 42, "task_id": 7}
    client.work_notices.recall(7)
    assert json_body(fake.last(f"{NOTICES}/recall")) == {"agent_id": 42, "msg_task_id": 7}


def test_result_with_every_field_missing():
    client, _ = make(FakePlatform({"errcode": 0}))
    assert client.work_notices.result(7) == {}


def test_token_refresh_code_33001_refreshes_once():
    fake = FakePlatform({"errcode": 33001, "errmsg": "invalid session"}, {"errcode": 0, "task_id": 9})
    client, store = make(fake)
    assert client.work_notices.send(TEXT, userid_list="u1") == 9
    assert store.fetch_count == {"dingtalk:dk1": 2}


def test_media_upload():
    fake = FakePlatform({"errcode": 0, "type": "image", "media_id": "@lA", "created_at": 1})
    client, _ = make(fake)
    assert client.media.upload("image", "a.png", b"png", "image/png") == "@lA"
    request = fake.last(f"{BASE}/media/upload")
    assert request.url.params["type"] == "image" and request.url.params["access_token"] == "DT"
    assert multipart(request) == {"media": ("a.png", b"png", "image/png")}


def robot(fake: FakePlatform) -> DingTalkRobot:
    return DingTalkRobot("https://api.test/prefix", transport=fake.transport("dingtalk"))


def test_robot_send_unsigned():
    fake = FakePlatform({"errcode": 0, "errmsg": "ok"})
    robot(fake).send("RT", TEXT)
    request = fake.requests[0]
    assert (request.method, request.url.path) == ("POST", f"{BASE}/robot/send")
    assert dict(request.url.params) == {"access_token": "RT"}
    assert json_body(request) == TEXT


def test_robot_send_signed_by_the_published_algorithm():
    secret = "SECfixed"
    fake = FakePlatform({"errcode": 0, "errmsg": "ok"})
    before = int(time.time() * 1000)
    robot(fake).send("RT", TEXT, secret=secret)
    params = fake.requests[0].url.params
    timestamp = int(params["timestamp"])
    assert before <= timestamp <= int(time.time() * 1000)
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert params["sign"] == base64.b64encode(digest).decode()
    assert "%25" not in str(fake.requests[0].url)  # url-encoded exactly once


@pytest.mark.parametrize(("errcode", "cls"), [(130101, RetryLaterError), (310000, PermanentError)])
def test_robot_errors(errcode, cls):
    with pytest.raises(cls):
        robot(FakePlatform({"errcode": errcode, "errmsg": "x"})).send("RT", TEXT)
