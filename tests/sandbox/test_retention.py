"""The sandbox's memory of sent messages is bounded: by the platforms' own periods, and by a count."""

from __future__ import annotations

from sandbox.clock import Clock
from sandbox.dingtalk.store import DingTalkStore, NotificationTask
from sandbox.ratelimit import SWEEP_EVERY, SlidingWindowLimiter
from sandbox.wecom.store import WeComStore
from tests.sandbox.conftest import fetch_dingtalk_token
from tests.sandbox.dingtalk_calls import notice, topapi


def test_wecom_forgets_the_oldest_messages_past_its_limit_and_all_after_a_day():
    clock = Clock()
    store = WeComStore(clock, limit=3)
    for n in range(5):
        store.messages[f"m{n}"] = clock.now()
    assert sorted(store.messages) == ["m2", "m3", "m4"]
    clock.advance(86400)
    assert len(store.messages) == 0 and store.messages.get("m4") is None


def test_dingtalk_forgets_old_tasks_and_yesterdays_content(client, settings, state, dingtalk_token):
    sent = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, "alice")).json
    ask = {"agent_id": settings.third.ding_talk.agent_id, "task_id": sent["task_id"]}
    state.clock.advance(86400)
    dingtalk_token = fetch_dingtalk_token(client, settings)  # the first one expired meanwhile
    assert topapi(client, "getsendresult", dingtalk_token, ask).json["errcode"] == 40035
    assert len(state.dingtalk.tasks) == 0
    # The same content the next day is delivered again, and the day before is no longer remembered.
    again = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, "alice")).json
    result = topapi(client, "getsendresult", dingtalk_token,
                    {**ask, "task_id": again["task_id"]}).json["send_result"]
    assert result == {"unread_user_id_list": ["alice"]}
    assert list(state.dingtalk.seen_content) == [int(state.now() // 86400)]


def test_dingtalk_task_limit_keeps_the_newest():
    clock = Clock()
    store = DingTalkStore(clock, limit=2)
    for task_id in (1, 2, 3):
        store.tasks[task_id] = NotificationTask(task_id, clock.now(), clock.now(), {})
    assert sorted(store.tasks) == [2, 3]


def test_rate_limits_forget_keys_with_nothing_left_to_remember():
    limiter = SlidingWindowLimiter()
    for n in range(10 * SWEEP_EVERY):  # a new member every second, each messaged once
        assert limiter.hit(f"member-{n}", float(n), limit=30, window=60)
    assert len(limiter) <= SWEEP_EVERY


def test_rate_limits_keep_keys_with_hits_in_their_window_or_a_penalty_running():
    limiter = SlidingWindowLimiter()
    assert limiter.hit("busy", 0.0, limit=2, window=60) and limiter.hit("busy", 0.0, limit=2, window=60)
    assert limiter.hit("boxed", 0.0, limit=1, window=60, penalty=600)
    assert not limiter.hit("boxed", 1.0, limit=1, window=60, penalty=600)  # 10 minutes in the box
    for n in range(SWEEP_EVERY):  # a sweep passes at t=30: busy's two hits still count
        limiter.hit(f"other-{n}", 30.0, limit=30, window=60)
    assert not limiter.hit("busy", 30.0, limit=2, window=60)
    for n in range(SWEEP_EVERY):  # and another at t=100: the box still holds
        limiter.hit(f"later-{n}", 100.0, limit=30, window=60)
    assert not limiter.hit("boxed", 101.0, limit=1, window=60, penalty=600)
