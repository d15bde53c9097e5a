"""Group robots: DingTalk custom robots and WeCom webhook robots, configured by operators.

A robot's credentials (DingTalk ``access_token`` and optional ``SEC...`` sign secret, WeCom webhook ``key``) are
sealed with :class:`~models.secretbox.SecretBox`; only workers open them, right before a send.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.secretbox import SecretBox


class RobotPlatform(enum.StrEnum):
    DINGTALK = "dingtalk"
    WECOM = "wecom"


class Robot(Base):
    __tablename__ = "robots"
    __table_args__ = (UniqueConstraint("platform", "code", name="uq_robots_platform_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    remark: Mapped[str | None] = mapped_column(Text, default=None)
    #: DingTalk access_token or WeCom webhook key, sealed.
    token_sealed: Mapped[str] = mapped_column(Text)
    #: DingTalk sign secret (``SEC...``), sealed; None when the robot is not signed.
    secret_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Robot({self.platform}:{self.code})"


@dataclass(frozen=True)
class RobotCredentials:
    """A robot's opened credentials, for the one send that needs them. The repr hides them."""

    platform: str
    code: str
    token: str
    secret: str | None = None

    def __repr__(self) -> str:
        return f"RobotCredentials({self.platform}:{self.code}, ****)"


def seal_credentials(robot: Robot, box: SecretBox, token: str | None, secret: str | object | None) -> None:
    """Set the sealed columns; ``secret`` may be ``...`` to leave the stored one as it is."""
    if token is not None:
        robot.token_sealed = box.seal(token)
    if secret is not ...:
        robot.secret_sealed = box.seal(secret) if secret else None  # type: ignore[arg-type]


def open_credentials(robot: Robot, box: SecretBox) -> RobotCredentials:
    secret = box.open(robot.secret_sealed) if robot.secret_sealed else None
    return RobotCredentials(robot.platform, robot.code, box.open(robot.token_sealed), secret)


_FIND_ROBOT = select(Robot).where(Robot.platform == bindparam("platform"), Robot.code == bindparam("code"))


def find_robot(session: Session, platform: str, code: str) -> Robot | None:
    # One statement for every call: SQLAlchemy reuses its compiled form instead of building it per request.
    return session.scalars(_FIND_ROBOT, {"platform": platform, "code": code}).one_or_none()
