"""The accounts: which app of each platform a call, a callback or a record is for, by (platform, code).

Each platform's seed block (``third.wechat``, ``third.wecom``...) is its account ``default``; ``third.accounts``
adds more from the config; the admin API adds more at run time (:class:`models.accounts.StoredAccount`). Every
process sees an API change on its next lookup without a restart: the API bumps a Redis counter after committing
(:meth:`Accounts.changed`), and a registry whose copy of the table was read under another count reads it again.
A lookup of a config account costs nothing; one of an API account costs one Redis GET.

Example::

    account = runtime.accounts.require("wechat", "sales")
    account.settings.app_id
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

import redis
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from config import Settings
from config.settings import (
    ACCOUNT_PLATFORMS,
    DEFAULT_ACCOUNT,
    DingTalkSettings,
    WeChatAppletSettings,
    WeChatSettings,
    WeComSettings,
)
from models.accounts import ACCOUNT_SECRETS, StoredAccount
from models.db import Database
from models.secretbox import SecretBox, SecretKeyMissing, SecretUnreadable

log = logging.getLogger(f"imbridge.{__name__}")

#: The counter the admin API bumps after each change of the accounts table.
VERSION_KEY = "imbridge:accounts:version"

PlatformSettings = WeChatSettings | WeChatAppletSettings | WeComSettings | DingTalkSettings

#: Each account platform's section of ``third`` and its settings model.
SECTIONS: dict[str, tuple[str, type[PlatformSettings]]] = {
    "wechat": ("wechat", WeChatSettings),
    "wechat-applet": ("wechat_applet", WeChatAppletSettings),
    "wecom": ("wecom", WeComSettings),
    "ding-talk": ("ding_talk", DingTalkSettings),
}
assert tuple(SECTIONS) == ACCOUNT_PLATFORMS


@dataclass(frozen=True)
class Account:
    """One app: its platform, its code, its settings (the platform's settings model) and where it comes from."""

    platform: str
    code: str
    settings: PlatformSettings
    source: Literal["config", "api"]
    name: str | None = None

    def __repr__(self) -> str:  # the settings hold secrets
        return f"Account({self.platform}:{self.code}, {self.source})"


class UnknownAccount(LookupError):
    """No account of this platform has this code."""

    def __init__(self, platform: str, code: str) -> None:
        super().__init__(f"no {platform} account has the code '{code}'")
        self.platform = platform
        self.code = code


def config_accounts(settings: Settings) -> dict[tuple[str, str], Account]:
    """The config's accounts: each platform's seed block as ``default`` (configured or not), then ``third.accounts``."""
    third = settings.third
    found = {(platform, DEFAULT_ACCOUNT): Account(platform, DEFAULT_ACCOUNT, getattr(third, section), "config")
             for platform, (section, _) in SECTIONS.items()}
    for entry in third.accounts:
        model = SECTIONS[entry.platform][1]
        own = model.model_validate(entry.model_dump(include=set(model.model_fields)))
        found[(entry.platform, entry.code)] = Account(entry.platform, entry.code, own, "config")
    return found


def stored_settings(row: StoredAccount, box: SecretBox) -> PlatformSettings:
    """A stored account's settings, its secrets opened."""
    model = SECTIONS[row.platform][1]
    return model.model_validate({**row.settings, **row.open_secrets(box)})


class Accounts:
    """The registry of every account, shared by a process's threads.

    :param database: where API accounts are kept; None: the config's accounts only (the sandbox, config check).
    :param redis_client: where the change counter is; None: the table is read once.
    """

    def __init__(self, settings: Settings, database: Database | None = None,
                 redis_client: redis.Redis | None = None) -> None:
        self.settings = settings
        self.database = database
        self.redis = redis_client
        self.configured = config_accounts(settings)
        self._lock = threading.Lock()
        self._stored: dict[tuple[str, str], Account] = {}
        self._version: bytes | Literal[False] | None = False  # False: never read

    def get(self, platform: str, code: str | None = None) -> Account | None:
        """The account, or None; ``code`` None is the default."""
        key = (platform, code or DEFAULT_ACCOUNT)
        found = self.configured.get(key)
        return found if found is not None else self._stored_accounts().get(key)

    def require(self, platform: str, code: str | None = None) -> Account:
        """The account; :class:`UnknownAccount` when there is none."""
        found = self.get(platform, code)
        if found is None:
            raise UnknownAccount(platform, code or DEFAULT_ACCOUNT)
        return found

    def settings_of(self, platform: str, code: str | None = None) -> PlatformSettings | None:
        """The account's settings, or None (what intake checks a request's ``account`` with)."""
        found = self.get(platform, code)
        return found.settings if found is not None else None

    def listed(self, platform: str | None = None) -> list[Account]:
        """Every account (of ``platform``), config first, each in the order defined."""
        every = list(self.configured.values()) + list(self._stored_accounts().values())
        return [a for a in every if platform is None or a.platform == platform]

    def changed(self) -> None:
        """Call after committing a change of the table: every registry reads it again on its next lookup.

        The change is committed already, so a Redis outage is logged rather than raised: this process reads the
        table again at once, the others at the next change that reaches Redis.
        """
        if self.redis is not None:
            try:
                self.redis.incr(VERSION_KEY)
            except redis.RedisError as exc:
                log.warning("an account changed but Redis could not be told (%s): other processes see it at the "
                            "next change", exc)
        with self._lock:
            self._version = False

    def _stored_accounts(self) -> dict[tuple[str, str], Account]:
        if self.database is None:
            return {}
        try:
            version = self.redis.get(VERSION_KEY) if self.redis is not None else None
        except redis.RedisError as exc:  # keep serving what was read; a later lookup looks again
            log.warning("cannot read the accounts' version, using the copy read before: %s", exc)
            return self._stored
        with self._lock:
            if version == self._version:
                return self._stored
            try:
                self._stored = self._read_table()
                self._version = version
            except SQLAlchemyError as exc:
                log.warning("cannot read the accounts table, using the copy read before: %s", exc)
            return self._stored

    def _read_table(self) -> dict[tuple[str, str], Account]:
        assert self.database is not None
        with self.database.session() as session:
            rows = session.scalars(select(StoredAccount).order_by(StoredAccount.id)).all()
            if not rows:
                return {}
            try:
                box = SecretBox(self.settings.security.secret_key, ACCOUNT_SECRETS)
            except SecretKeyMissing:
                log.error("accounts stored through the API are ignored: security.secret-key is not set")
                return {}
            found = {}
            for row in rows:
                if row.platform not in SECTIONS or (row.platform, row.code) in self.configured:
                    continue
                try:
                    settings = stored_settings(row, box)
                except (SecretUnreadable, ValueError) as exc:
                    log.error("%s account %s is ignored: %s", row.platform, row.code, type(exc).__name__)
                    continue
                found[(row.platform, row.code)] = Account(row.platform, row.code, settings, "api", row.name)
            return found
