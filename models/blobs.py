"""Media bytes kept for notifications, content-addressed by SHA-256, and whose upload each one is.

Media ids are short-lived (and on DingTalk usable once), so a notification keeps the file's bytes, and the
worker uploads them right before each send that needs them. The same bytes sent a thousand times are stored
once: the id is their digest.

The bytes may be shared; what a client said about them may not. Each API client's upload is a
:class:`BlobUpload` of its own (its filename, type and time), so two clients storing the same file share one
:class:`Blob` but see only their own names, and a client that learns another's blob id (a digest) still finds
nothing under it. An upload without an owner (stored before uploads had one, or by a broker producer or
``imbridge send``, which act for no API client) is the admin keys'.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, LargeBinary, Select, String, UniqueConstraint, case, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.api_clients import ApiClient, Scope
from models.base import Base, utcnow


class Blob(Base):
    """Stored bytes. ``filename`` and ``content_type`` are those they were first stored with: the workers'
    fallback for a reference that names none, never shown to an API client (its upload says its own)."""

    __tablename__ = "blobs"

    #: Hex SHA-256 of the content.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobUpload(Base):
    """One owner's stored file: the name and type it gave, over bytes it may share with other owners."""

    __tablename__ = "blob_uploads"
    __table_args__ = (UniqueConstraint("client_id", "blob_id", name="uq_blob_uploads_client_id_blob_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blob_id: Mapped[str] = mapped_column(ForeignKey("blobs.id", ondelete="CASCADE"), index=True)
    #: The API client that stored it; None: nobody's (admin keys see these).
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), default=None)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    blob: Mapped[Blob] = relationship(lazy="joined")


@dataclass(frozen=True)
class Viewer:
    """Whose uploads a caller may see and use: an API client its own, an admin key the owner-less ones too.

    ``client_id`` None is no API client at all: a broker producer or ``imbridge send``, trusted as the operator
    is (whoever may write to the broker may send anything); it sees every upload.
    """

    client_id: int | None
    admin: bool = False

    @classmethod
    def of(cls, session: Session, client_id: int | None) -> Viewer:
        """The viewer for ``client_id``, its scope read from the database."""
        if client_id is None:
            return cls(None)
        scope = session.scalar(select(ApiClient.scope).where(ApiClient.id == client_id))
        return cls(client_id, admin=scope == Scope.ADMIN)

    def sees(self) -> ColumnElement[bool]:
        if self.client_id is None:
            return true()
        own = BlobUpload.client_id == self.client_id
        return (own | BlobUpload.client_id.is_(None)) if self.admin else own

    def uploads(self) -> Select[tuple[BlobUpload]]:
        """The uploads this viewer sees, its own before the owner-less ones (then by age)."""
        mine = case((BlobUpload.client_id == self.client_id, 0), (BlobUpload.client_id.is_(None), 1), else_=2)
        return select(BlobUpload).where(self.sees()).order_by(mine, BlobUpload.id)


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


def put_upload(session: Session, content: bytes, filename: str, content_type: str, owner: int | None
               ) -> BlobUpload:
    """``owner``'s upload of ``content`` (stored once, whoever stores it); its first filename and type stay."""
    blob = put_blob(session, content, filename, content_type)
    owned = BlobUpload.client_id.is_(None) if owner is None else BlobUpload.client_id == owner
    mine = select(BlobUpload).where(BlobUpload.blob_id == blob.id, owned).order_by(BlobUpload.id).limit(1)
    upload = session.scalars(mine).first()
    if upload is not None:
        return upload
    try:
        with session.begin_nested():
            upload = BlobUpload(blob_id=blob.id, client_id=owner, filename=filename, content_type=content_type)
            session.add(upload)
    except IntegrityError:
        # The same owner stored the same bytes a moment ago (owner-less rows are not unique: a race makes two).
        upload = session.scalars(mine).one()
    return upload


def find_upload(session: Session, digest: str, viewer: Viewer) -> BlobUpload | None:
    """The upload of the bytes ``digest`` that ``viewer`` sees (its own first), or None."""
    return session.scalars(viewer.uploads().where(BlobUpload.blob_id == digest).limit(1)).first()
