"""The shared handles a process works with: settings, Redis, the database, and (built on first use) the platform
clients and the outbound HTTP for webhooks.

Built once per process and handed over: ``create_app`` and the scheduler take theirs as an argument; a worker's is
built when the worker boots (:mod:`workers.boot`) and reaches its actors through their context. No module keeps
one in a global.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import redis

from config import Settings
from core.accounts import Accounts
from core.clients import PlatformClients
from core.egress import DestinationPolicy, Egress
from models import Database


class RuntimeConfigError(Exception):
    """The runtime cannot be built from these settings (for example: no Redis URL)."""


@dataclass
class Runtime:
    settings: Settings
    redis: redis.Redis
    database: Database

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        if not settings.redis.url:
            raise RuntimeConfigError(
                "redis.url is not set: `imbridge up` starts an embedded server, a single part needs "
                "IMBRIDGE_REDIS__URL (or redis.url in the config file)"
            )
        client = redis.Redis.from_url(settings.redis.url, health_check_interval=30)
        return cls(settings=settings, redis=client, database=Database.from_settings(settings))

    @cached_property
    def clients(self) -> PlatformClients:
        """Platform API clients sharing this process's Redis token store."""
        return PlatformClients(self.settings, self.redis, self.settings.tokens.margin_seconds, self.accounts)

    @cached_property
    def accounts(self) -> Accounts:
        """Every account of every platform: the config's, and those added through the admin API."""
        return Accounts(self.settings, self.database, self.redis)

    @cached_property
    def egress(self) -> Egress:
        """Outbound HTTP to URLs other people chose (webhook subscribers), under ``webhooks.allow-networks``."""
        return Egress(DestinationPolicy(self.settings.webhooks.allow_networks))

    def close(self) -> None:
        if "clients" in self.__dict__:
            self.clients.close()
        if "egress" in self.__dict__:
            self.egress.close()
        self.redis.close()
        self.database.dispose()

