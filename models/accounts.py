"""Accounts added through the admin API: more Official Accounts, mini-programs, WeCom apps and DingTalk apps.

The config's accounts (``third.*`` and ``third.accounts``) are never stored here; this table holds the others.
An account's secrets (AppSecret, CorpSecret, the callback token and EncodingAESKey) are sealed together with
:class:`~models.secretbox.SecretBox` under their own purpose; the other settings (app id, agent id, API base)
are plain JSON.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.secretbox import SecretBox

#: The purpose account secrets are sealed for (a key of their own, apart from robots').
ACCOUNT_SECRETS = "account-secrets"

#: The settings that are secrets: sealed at rest, never answered back (only whether each is set).
SECRET_FIELDS = ("app_secret", "corp_secret", "token", "encoding_aes_key")


class StoredAccount(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "code", name="uq_accounts_platform_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``wechat``, ``wechat-applet``, ``wecom``, ``ding-talk`` (as ``third.accounts[].platform``).
    platform: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(100), default=None)
    #: The settings that are not secrets, by their snake_case names (``app_id``, ``agent_id``...).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The secrets as one sealed JSON object (only those that are set).
    secrets_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"StoredAccount({self.platform}:{self.code})"

    def open_secrets(self, box: SecretBox) -> dict[str, str]:
        return json.loads(box.open(self.secrets_sealed)) if self.secrets_sealed else {}

    def seal_secrets(self, box: SecretBox, secrets: dict[str, str]) -> None:
        self.secrets_sealed = box.seal(json.dumps({k: v for k, v in secrets.items() if v}))
