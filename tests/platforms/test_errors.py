import pickle

import pytest

from platforms.errors import (
    Outcome,
    PermanentError,
    PlatformError,
    PlatformUnreachable,
    RetryLaterError,
    TokenExpiredError,
    UnexpectedAnswer,
    classify_errcode,
    error_for,
)

OK, REFRESH, RETRY, PERMANENT = Outcome.OK, Outcome.REFRESH_TOKEN, Outcome.RETRY_LATER, Outcome.PERMANENT

# The table of PLATFORMS.md, "What a client does with an errcode", plus the codes named in each section.
CASES = [
    ("wechat", 0, OK),
    *[("wechat", c, REFRESH) for c in (40001, 40014, 42001)],
    *[("wechat", c, RETRY) for c in (-1, 45011)],
    *[("wechat", c, PERMANENT) for c in (40164, 40013, 40125, 43004, 40037, 47003, 45009, 40029, 40226)],
    ("wecom", 0, OK),
    *[("wecom", c, REFRESH) for c in (40001, 40014, 42001)],
    *[("wecom", c, RETRY) for c in (-1, 45009, 45033)],
    *[("wecom", c, PERMANENT) for c in (60020, 40056, 81013, 82001, 93000)],
    ("dingtalk", 0, OK),
    *[("dingtalk", c, REFRESH) for c in (40014, 42001, 40001, 33001)],
    *[("dingtalk", c, RETRY) for c in (-1, 90002, 90019, 130101, 143103, 143104)],
    *[("dingtalk", c, PERMANENT) for c in (310000, 300001, 300005, 460101, 90020)],
]


@pytest.mark.parametrize(("platform", "errcode", "outcome"), CASES)
def test_classifies_documented_codes(platform, errcode, outcome):
    assert classify_errcode(platform, errcode) is outcome


@pytest.mark.parametrize("platform", ["wechat", "wecom", "dingtalk"])
def test_unknown_code_is_permanent(platform):
    assert classify_errcode(platform, 99999999) is PERMANENT


def test_unknown_platform_is_a_programming_error():
    with pytest.raises(ValueError):
        classify_errcode("telegram", 0)


@pytest.mark.parametrize(
    ("platform", "errcode", "cls"),
    [
        ("wechat", 42001, TokenExpiredError),
        ("wechat", -1, RetryLaterError),
        ("wechat", 43004, PermanentError),
        ("dingtalk", 33001, TokenExpiredError),
        ("wecom", 81013, PermanentError),
        ("wecom", 12345, PermanentError),
    ],
)
def test_error_for_picks_the_class_of_the_outcome(platform, errcode, cls):
    error = error_for(platform, errcode, "msg")
    assert type(error) is cls
    assert (error.platform, error.errcode, error.errmsg) == (platform, errcode, "msg")
    assert error.outcome is classify_errcode(platform, errcode)


def test_rate_limit_codes_carry_retry_after():
    assert error_for("dingtalk", 130101, "send too fast").retry_after >= 60
    assert error_for("wechat", -1, "system busy").retry_after is None
    assert error_for("dingtalk", -1, "busy").retry_after is None


def test_work_notification_limits_back_off_for_a_minute():
    for code in (143103, 143104):
        error = error_for("dingtalk", code, "calling too fast, retry later", "/topapi/message/corpconversation/x")
        assert isinstance(error, RetryLaterError) and error.retry_after == 60


def test_wecom_45009_is_a_minute_for_the_robot_and_a_long_cap_for_the_app():
    robot = error_for("wecom", 45009, "api freq out of limit", "/cgi-bin/webhook/send")
    app = error_for("wecom", 45009, "api freq out of limit", "/cgi-bin/message/send")
    assert isinstance(robot, RetryLaterError) and robot.retry_after == 60 and robot.quota is None
    assert isinstance(app, RetryLaterError) and app.retry_after >= 3600 and app.quota == "day"


@pytest.mark.parametrize(("platform", "errcode", "window", "cls"), [
    ("wechat", 45009, "day", PermanentError),
    ("dingtalk", 90020, "month", PermanentError),
])
def test_spent_quotas_fail_and_name_their_window(platform, errcode, window, cls):
    error = error_for(platform, errcode, "quota", "/p")
    assert type(error) is cls and error.quota == window


def test_other_codes_name_no_quota():
    assert error_for("wechat", 45011, "too fast").quota is None
    assert error_for("dingtalk", 130101, "too fast").quota is None


def test_error_for_refuses_success():
    with pytest.raises(ValueError):
        error_for("wechat", 0, "ok")


def test_transport_error_is_a_retry_without_errcode():
    error = PlatformUnreachable("wecom", None, "timed out")
    assert isinstance(error, RetryLaterError) and isinstance(error, PlatformError)
    assert error.errcode is None and error.outcome is RETRY


def test_errors_survive_pickling():
    # Dramatiq middlewares and result backends may serialise exceptions across processes.
    for error in (error_for("dingtalk", 130101, "too fast"), PlatformUnreachable("wechat", None, "HTTP 502"),
                  error_for("dingtalk", 90020, "monthly quota"), UnexpectedAnswer("dingtalk", None, "1111", 5.0)):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert ((copy.errcode, copy.errmsg, copy.retry_after, copy.quota)
                == (error.errcode, error.errmsg, error.retry_after, error.quota))


def test_message_names_platform_and_code():
    assert str(error_for("wechat", 40164, "invalid ip")) == "wechat errcode 40164: invalid ip"
