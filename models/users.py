"""Users who log in through WeChat, and the third-party accounts bound to them.

A binding ties one platform account (``wechat``: an Official Account openid, from a QR scan; ``wechat_applet``:
a mini-program openid, from ``wx.login``; ``wechat_open``: a website app's openid, from the open platform's
sign-in; ``wecom``: a WeCom userid, from WeCom web login; ``dingtalk``: a DingTalk unionId, from DingTalk's
website sign-in) to one user. An openid belongs to one app, so ``(platform, openid)`` is unique; the unionid,
when WeChat gives one, is the same person across the apps of one open-platform account and lets a mini-program or
website login find a user bound through the Official Account.

An openid is one app's, so a ``wechat`` or ``wechat_applet`` binding says which account (Official Account or
mini-program, ``third.accounts``) it was made for: ``(platform, account, openid)`` is unique, and a follower of
another account with the same openid string is somebody else. The other platforms' bindings are ``default``'s.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

#: The account a binding is for when none is named (``config.settings.DEFAULT_ACCOUNT``).
DEFAULT_ACCOUNT = "default"


class BindingPlatform(enum.StrEnum):
    WECHAT = "wechat"
    WECHAT_APPLET = "wechat_applet"
    #: A website sign-in through WeChat's open platform: the openid of the website app (found by unionid too).
    WECHAT_OPEN = "wechat_open"
    #: A WeCom web login: the member's userid (an openid for someone outside the corp).
    WECOM = "wecom"
    #: A DingTalk website sign-in: the person's unionId (in the openid column; no WeChat unionid to match).
    DINGTALK = "dingtalk"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    #: A disabled user cannot log in, and the tokens it holds stop working.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def public(self) -> dict[str, object]:
        return {"id": self.id, "username": self.username, "displayName": self.display_name,
                "enabled": self.enabled}


class ThirdPartyBinding(Base):
    __tablename__ = "third_party_bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: A :class:`BindingPlatform` value.
    platform: Mapped[str] = mapped_column(String(16))
    openid: Mapped[str] = mapped_column(String(128))
    #: The account (``third.accounts`` code; ``default``: the seed's block) whose app the openid belongs to.
    account: Mapped[str] = mapped_column(String(32), default=DEFAULT_ACCOUNT, server_default=DEFAULT_ACCOUNT)
    unionid: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("platform", "account", "openid", name="uq_third_party_bindings_platform_account"),
        Index("ix_third_party_bindings_user_id", "user_id"),
        Index("ix_third_party_bindings_unionid", "unionid"),
    )

    def public(self) -> dict[str, object]:
        return {"id": self.id, "userId": self.user_id, "platform": self.platform,
                "account": self.account, "openid": self.openid, "unionid": self.unionid}


class BindingConflict(Exception):
    """The account is bound to another user already; ``user_id`` says which."""

    def __init__(self, platform: str, user_id: int) -> None:
        super().__init__(f"this {platform} account is bound to another user")
        self.platform = platform
        self.user_id = user_id


def find_bound_user(session: Session, platform: str, openid: str, unionid: str | None = None,
                    account: str = DEFAULT_ACCOUNT) -> User | None:
    """The user bound to ``(platform, account, openid)``, else to ``unionid`` on any platform and account (one
    person across the apps of one open-platform account), else None."""
    binding = _binding(session, platform, openid, account)
    if binding is None and unionid:
        binding = session.scalars(select(ThirdPartyBinding).where(ThirdPartyBinding.unionid == unionid)
                                  .order_by(ThirdPartyBinding.id).limit(1)).one_or_none()
    return session.get(User, binding.user_id) if binding is not None else None


def bind_account(session: Session, user_id: int, platform: str, openid: str,
                 unionid: str | None = None, account: str = DEFAULT_ACCOUNT) -> tuple[ThirdPartyBinding, bool]:
    """Bind ``(platform, account, openid)`` to the user; returns the binding and whether it is new.

    Binding an account the user holds already is not an error (it fills in a missing unionid).

    :raises BindingConflict: another user holds the account.
    """
    existing = _binding(session, platform, openid, account)
    if existing is None:
        binding = ThirdPartyBinding(user_id=user_id, platform=platform, openid=openid, unionid=unionid,
                                    account=account)
        try:
            with session.begin_nested():
                session.add(binding)
        except IntegrityError:  # bound concurrently: judge the winner like any existing binding
            existing = _binding(session, platform, openid, account)
            if existing is None:
                raise
        else:
            return binding, True
    if existing.user_id != user_id:
        raise BindingConflict(platform, existing.user_id)
    if unionid and not existing.unionid:
        existing.unionid = unionid
    return existing, False


def _binding(session: Session, platform: str, openid: str, account: str) -> ThirdPartyBinding | None:
    return session.scalars(select(ThirdPartyBinding).where(
        ThirdPartyBinding.platform == platform, ThirdPartyBinding.account == account,
        ThirdPartyBinding.openid == openid)).one_or_none()


def ensure_user(session: Session, username: str, display_name: str = "") -> User:
    """The user called ``username``, created (enabled) if there is none."""
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        user = User(username=username, display_name=display_name, enabled=True)
        session.add(user)
        session.flush()
    return user
