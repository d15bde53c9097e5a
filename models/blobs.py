"""Media bytes kept for notifications, content-addressed by SHA-256.

Media ids are short-lived (and on DingTalk usable once), so a notification keeps the file's bytes, and the
worker uploads them right before each send that needs them. The same bytes sent a thousand times are stored
once: the id is their digest.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class Blob(Base):
    __tablename__ = "blobs"

    #: Hex SHA-256 of the content.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def blob_id(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def put_blob(session: Session, content: bytes, filename: str, content_type: str) -> Blob:
    """Store ``content`` unless it is stored already; the first filename and type stay."""
    digest = blob_id(content)
    blob = session.get(Blob, digest)
    if blob is not None:
        return blob
    try:
        with session.begin_nested():
            blob = Blob(id=digest, content=content, size=len(content), content_type=content_type,
                        filename=filename)
            session.add(blob)
    except IntegrityError:
        # Someone stored the same bytes a moment ago: theirs is ours.
        blob = session.get(Blob, digest)
        assert blob is not None
    return blob


def get_blob(session: Session, digest: str) -> Blob | None:
    return session.get(Blob, digest)
