"""Quota alerts: a platform said the account's API quota for the day or month is spent.

WeChat's 45009 (daily quota), WeCom's 45009 on app messages (the app's daily send cap) and DingTalk's 90020
(monthly quota) fail every call until the window turns, and nothing retries its way out of them, so an operator
must hear of it. The alert lives in Redis until the window ends (midnight, or the first of the month, China time:
the platforms count in it), which is what the System screen's banner and the ``/metrics`` gauge read; the first
alert of a window is also announced to webhook subscribers (:mod:`workers.alerts`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import redis

KEY = "imbridge:alert:quota:{}"
#: China Standard Time (no daylight saving): when the platforms' days and months begin.
CHINA = timezone(timedelta(hours=8), "CST")

#: What the banner says, in both languages the project ships (filled in by :meth:`QuotaAlert.view`).
MESSAGES = {
    "zh-CN": "{platform_zh}的 API 调用额度已用完 ({window_zh}额度, 错误码 {errcode}): "
             "在 {until} 前发往该平台的通知都会失败。",
    "en": "The {platform} API quota is spent (its {window_en} quota, errcode {errcode}): notifications to it fail "
          "until {until}.",
}
WINDOW_NAMES_EN = {"day": "daily", "month": "monthly"}
PLATFORM_NAMES_ZH = {"wechat": "微信公众号", "wecom": "企业微信", "dingtalk": "钉钉"}
PLATFORM_NAMES_EN = {"wechat": "WeChat Official Account", "wecom": "WeCom", "dingtalk": "DingTalk"}
WINDOW_NAMES_ZH = {"day": "每日", "month": "每月"}


@dataclass(frozen=True)
class QuotaAlert:
    platform: str
    errcode: int | None
    errmsg: str
    window: str
    since: str
    until: str

    def view(self) -> dict[str, Any]:
        """The JSON the System status shows: the alert and its message in 简体中文 and English."""
        until = datetime.fromisoformat(self.until).astimezone(CHINA).strftime("%Y-%m-%d %H:%M %Z")
        values = {"platform": PLATFORM_NAMES_EN.get(self.platform, self.platform),
                  "platform_zh": PLATFORM_NAMES_ZH.get(self.platform, self.platform),
                  "window_en": WINDOW_NAMES_EN.get(self.window, self.window),
                  "window_zh": WINDOW_NAMES_ZH.get(self.window, self.window),
                  "errcode": self.errcode, "until": until}
        return {**asdict(self), "kind": "quota_exhausted",
                "message": {lang: text.format(**values) for lang, text in MESSAGES.items()}}


def window_end(window: str, now: datetime) -> datetime:
    """When a ``day`` or ``month`` quota counted in China time is given back, after ``now``."""
    local = now.astimezone(CHINA)
    if window == "month":
        first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return (first + timedelta(days=32)).replace(day=1)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def raise_quota_alert(client: redis.Redis, platform: str, errcode: int | None, errmsg: str, window: str,
                      now: datetime) -> QuotaAlert | None:
    """Record the alert until its window ends; the alert when it is new (the first of its window), else None."""
    until = window_end(window, now)
    alert = QuotaAlert(platform, errcode, errmsg[:300], window, now.isoformat(), until.isoformat())
    expires_at = int(until.timestamp())
    created = client.set(KEY.format(platform), json.dumps(asdict(alert), ensure_ascii=False), nx=True,
                         exat=expires_at)
    return alert if created else None


def active_quota_alerts(client: redis.Redis) -> list[QuotaAlert]:
    """The alerts whose window has not ended, by platform."""
    alerts = []
    for key in sorted(client.scan_iter(KEY.format("*"))):
        raw = client.get(key)
        if raw is None:
            continue
        try:
            alerts.append(QuotaAlert(**json.loads(raw)))
        except (TypeError, ValueError):
            continue
    return alerts

