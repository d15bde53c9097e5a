"""The account's media: permanent material and temporary media, as uploaded by us or found by a sync.

An upload keeps its bytes in the blob store (content-addressed, so the same file is stored once) and the row
points at them, so a failed upload can be tried again without the operator sending the file twice.

    uploading -> ready (media_id known) -> deleting -> (row removed)
              -> failed (retry the job)              -> ready (the delete failed)
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, iso, utcnow


class MediaStatus(enum.StrEnum):
    UPLOADING = "uploading"
    READY = "ready"
    FAILED = "failed"
    DELETING = "deleting"


class WeChatMedia(Base):
    __tablename__ = "wechat_media"
    __table_args__ = (UniqueConstraint("account", "media_id", name="uq_wechat_media_account_media_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Official Account whose media it is (``default``: ``third.wechat``).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    #: Permanent material (kept until deleted) or temporary media (three days).
    permanent: Mapped[bool]
    #: ``image``, ``voice``, ``video`` or ``thumb``.
    type: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default=MediaStatus.UPLOADING.value)
    media_id: Mapped[str | None] = mapped_column(String(128), default=None)
    #: The platform's URL of an image (permanent images only).
    url: Mapped[str | None] = mapped_column(Text, default=None)
    #: The file name (its extension tells WeChat the format) or the name the platform lists.
    name: Mapped[str] = mapped_column(String(200))
    #: A permanent video's title and introduction.
    title: Mapped[str | None] = mapped_column(String(64), default=None)
    introduction: Mapped[str | None] = mapped_column(Text, default=None)
    blob_id: Mapped[str | None] = mapped_column(ForeignKey("blobs.id"), default=None)
    size: Mapped[int | None] = mapped_column(default=None)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    #: ``upload`` (through us) or ``sync`` (found on the platform).
    source: Mapped[str] = mapped_column(String(8), default="upload")
    #: The last job that touched it.
    job_id: Mapped[str | None] = mapped_column(String(36), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    errcode: Mapped[int | None] = mapped_column(default=None)
    #: The platform's ``update_time`` (batchget_material), seconds since the epoch.
    remote_update_time: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    uploaded_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Temporary media stop working then.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


def media_view(media: WeChatMedia) -> dict[str, Any]:
    return {"id": media.id, "account": media.account, "permanent": media.permanent, "type": media.type,
            "status": media.status,
            "mediaId": media.media_id, "url": media.url, "name": media.name, "title": media.title,
            "introduction": media.introduction, "blobId": media.blob_id, "size": media.size,
            "contentType": media.content_type, "source": media.source, "jobId": media.job_id,
            "lastError": media.last_error, "errcode": media.errcode,
            "remoteUpdateTime": media.remote_update_time, "createdAt": iso(media.created_at),
            "updatedAt": iso(media.updated_at), "uploadedAt": iso(media.uploaded_at),
            "expiresAt": iso(media.expires_at)}
