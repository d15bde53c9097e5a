"""The demo's robots: one DingTalk and one WeCom robot, pointing at the sandbox's demo robots.

``imbridge up`` adds them on first start (when the sandbox plays the platforms), so the README's
``imbridge send --robot demo-dingtalk ...`` works out of the box. An operator's own robots are never touched.
"""

from __future__ import annotations

from config import Settings, demo
from models import Database
from models.robots import Robot, find_robot, seal_credentials
from models.secretbox import SecretBox

DINGTALK_CODE = "demo-dingtalk"
WECOM_CODE = "demo-wecom"


def ensure_demo_robots(settings: Settings, database: Database) -> list[str]:
    """Add the demo robots that are missing; returns the codes added."""
    box = SecretBox(settings.security.secret_key)
    wanted = [("dingtalk", DINGTALK_CODE, "Demo DingTalk robot (sandbox)", demo.DINGTALK_ROBOT_TOKEN,
               demo.DINGTALK_ROBOT_SECRET),
              ("wecom", WECOM_CODE, "Demo WeCom robot (sandbox)", demo.WECOM_ROBOT_KEY, None)]
    added = []
    with database.session() as session:
        for platform, code, name, token, secret in wanted:
            if find_robot(session, platform, code) is None:
                robot = Robot(platform=platform, code=code, name=name, remark="created by imbridge up")
                seal_credentials(robot, box, token, secret)
                session.add(robot)
                added.append(code)
    return added
