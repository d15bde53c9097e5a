"""API clients: the other systems and operators allowed to call ``/api/v1``.

A key is shown once at creation; only its SHA-256 digest is stored. Keys are 256-bit random, so a fast hash is
enough (no password stretching needed), and lookup goes by a short public prefix, then a constant-time compare.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

#: Visible start of every key, so a leaked key is recognisable in a scan.
KEY_PREFIX = "imb_"
#: How stale ``last_used_at`` may get before a request writes it again (keeps writes off the hot path).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Scope(enum.StrEnum):
    NOTIFY = "notify"
    ADMIN = "admin"

    def allows(self, required: Scope) -> bool:
        """``admin`` may do everything ``notify`` may."""
        return self is Scope.ADMIN or self is required


class ApiClient(Base):
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class NameTaken(ValueError):
    """A live key already has this name: a second one would make ``revoke NAME`` take both."""


def create_api_client(session: Session, name: str, scope: Scope) -> tuple[ApiClient, str]:
    """Create a client; returns it with the plaintext key, which is never stored.

    Raises ``NameTaken`` when a live (unrevoked) key has the same name.
    """
    live = select(ApiClient.id).where(ApiClient.name == name, ApiClient.revoked_at.is_(None))
    if session.scalars(live).first() is not None:
        raise NameTaken(f"a live API key is already named {name!r}; revoke it first or choose another name")
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    client = ApiClient(name=name, scope=scope.value, key_id=key_id, key_hash=_digest(key))
    session.add(client)
    session.flush()
    return client, key


def authenticate(session: Session, key: str) -> ApiClient | None:
    """The live client owning ``key``, or None. Touches ``last_used_at`` at most once a minute."""
    if not key.startswith(KEY_PREFIX) or "_" not in key[len(KEY_PREFIX):]:
        return None
    key_id = key[len(KEY_PREFIX):].split("_", 1)[0]
    client = session.scalars(select(ApiClient).where(ApiClient.key_id == key_id)).one_or_none()
    if client is None or not hmac.compare_digest(client.key_hash, _digest(key)) or client.revoked:
        return None
    now = utcnow()
    last = client.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=now.tzinfo)) > LAST_USED_RESOLUTION:
        client.last_used_at = now
    return client


def list_api_clients(session: Session) -> list[ApiClient]:
    """Every client, live and revoked, oldest first."""
    return list(session.scalars(select(ApiClient).order_by(ApiClient.id)))


def revoke_api_client(session: Session, name_or_id: str) -> int:
    """Revoke every live client with that name (or that id); returns how many."""
    query = select(ApiClient).where(ApiClient.revoked_at.is_(None))
    if name_or_id.isdigit():
        query = query.where(ApiClient.id == int(name_or_id))
    else:
        query = query.where(ApiClient.name == name_or_id)
    clients = session.scalars(query).all()
    for client in clients:
        client.revoked_at = utcnow()
    return len(clients)
