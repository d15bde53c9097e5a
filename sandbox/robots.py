"""Group robots: DingTalk custom robots (access token + optional ``SEC`` secret) and WeCom webhook robots (key).

Robots are created in each platform's group-chat UI, not through an API; the sandbox's stand-in for that UI is
``POST /_sandbox/robots``. The demo robots of :mod:`config.demo` exist from the start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from config import demo


@dataclass(frozen=True)
class Robot:
    """One robot.

    :param platform: ``dingtalk`` or ``wecom``.
    :param token: the DingTalk ``access_token`` or the WeCom webhook ``key``.
    :param secret: DingTalk signing secret (``SEC...``); when set, every send must be signed.
    :param keywords: DingTalk "custom keywords" security: a message must contain one of them.
    """

    platform: str
    token: str
    secret: str | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    name: str | None = None

    def describe(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = list(self.keywords)
        return data


def demo_robots() -> list[Robot]:
    return [
        Robot("dingtalk", demo.DINGTALK_ROBOT_TOKEN, demo.DINGTALK_ROBOT_SECRET, name="demo"),
        Robot("wecom", demo.WECOM_ROBOT_KEY, name="demo"),
    ]


class RobotRegistry:
    """Robots by (platform, token). Callers hold the state lock."""

    def __init__(self) -> None:
        self._robots: dict[tuple[str, str], Robot] = {}
        for robot in demo_robots():
            self.add(robot)

    def add(self, robot: Robot) -> Robot:
        if robot.platform not in ("dingtalk", "wecom"):
            raise ValueError("platform must be dingtalk or wecom")
        if not robot.token:
            raise ValueError("a robot needs its token (DingTalk) or key (WeCom)")
        if robot.platform == "wecom" and robot.secret:
            raise ValueError("WeCom robots have no secret")
        self._robots[(robot.platform, robot.token)] = robot
        return robot

    def get(self, platform: str, token: str | None) -> Robot | None:
        return self._robots.get((platform, token or ""))

    def remove(self, platform: str, token: str) -> bool:
        return self._robots.pop((platform, token), None) is not None

    def all(self) -> list[Robot]:
        return list(self._robots.values())
