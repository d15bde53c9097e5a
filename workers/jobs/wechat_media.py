"""``wechat.media.upload``, ``wechat.media.delete`` and ``wechat.media.sync``: the account's media and our rows.

An upload sends the bytes kept in the blob store (so a retry needs nothing from the operator); a delete of
material the platform no longer knows (40007) counts as done; a sync lists every image, voice and video
material (``batchget_material``, 20 a page) and makes the local permanent rows match, with the platform's
counts in the result. Thumbs are never listed by the platform, so a sync leaves them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import as_utc, utcnow
from models.blobs import Blob
from models.wechat.media import MediaStatus, WeChatMedia
from platforms.errors import PermanentError
from platforms.wechat.material import MAX_BATCH
from workers.jobs.kinds import JobKind, JobRefused, Params

UPLOAD = job_kinds.MEDIA_UPLOAD
DELETE = job_kinds.MEDIA_DELETE
SYNC = job_kinds.MEDIA_SYNC

#: Temporary media live three days on the platform.
TEMPORARY_LIFETIME = timedelta(days=3)
#: errcode of ``del_material`` for a media_id the platform does not know.
UNKNOWN_MEDIA = 40007
#: The material kinds ``batchget_material`` lists that we keep rows for.
LISTED_KINDS = ("image", "voice", "video")


@dataclass(frozen=True)
class Uploaded:
    media_id: str
    url: str | None


def _row(session: Session, params: Params) -> WeChatMedia | None:
    return session.get(WeChatMedia, params["mediaId"])


def upload_started(session: Session, params: Params) -> None:
    row = _row(session, params)
    if row is not None and row.status == MediaStatus.FAILED:
        row.status = MediaStatus.UPLOADING.value


def upload_call(runtime: Runtime, params: Params) -> Uploaded:
    with runtime.database.session() as session:
        row = _row(session, params)
        if row is None:
            raise JobRefused(f"media {params['mediaId']} no longer exists")
        if row.media_id:
            return Uploaded(row.media_id, row.url)
        blob = session.get(Blob, row.blob_id) if row.blob_id else None
        if blob is None:
            raise JobRefused(f"the bytes of media {row.id} are gone: upload the file again")
        content = blob.content
        kind, name, content_type = row.type, row.name, row.content_type or blob.content_type
        permanent, title, introduction = row.permanent, row.title, row.introduction
    wechat = runtime.clients.wechat_for(params.get("account"))
    if not permanent:
        return Uploaded(wechat.media.upload(kind, name, content, content_type), None)
    answer = wechat.material.add(kind, name, content, content_type, title=title, introduction=introduction)
    if not answer.get("media_id"):
        raise PermanentError("wechat", None, "add_material answered without a media_id")
    return Uploaded(str(answer["media_id"]), answer.get("url"))


def upload_record(session: Session, params: Params, uploaded: Uploaded) -> dict[str, Any]:
    row = _row(session, params)
    result = {"id": params["mediaId"], "mediaId": uploaded.media_id, "url": uploaded.url}
    if row is None:
        return {**result, "detail": "the local record was deleted during the upload"}
    now = utcnow()
    row.media_id, row.url, row.status = uploaded.media_id, uploaded.url, MediaStatus.READY.value
    row.last_error = row.errcode = None
    row.uploaded_at = row.uploaded_at or now
    if not row.permanent:
        row.expires_at = row.uploaded_at + TEMPORARY_LIFETIME
    return result


def upload_failed(session: Session, params: Params, error: str, errcode: int | None) -> None:
    row = _row(session, params)
    if row is not None:
        row.status, row.last_error, row.errcode = MediaStatus.FAILED.value, error, errcode


def delete_started(session: Session, params: Params) -> None:
    row = _row(session, params)
    if row is not None and row.media_id:
        row.status = MediaStatus.DELETING.value


def delete_call(runtime: Runtime, params: Params) -> bool:
    """True when the platform still had the material."""
    with runtime.database.session() as session:
        row = _row(session, params)
        media_id = row.media_id if row is not None and row.permanent else None
    if not media_id:
        return False
    try:
        runtime.clients.wechat_for(params.get("account")).material.delete(media_id)
    except PermanentError as exc:
        if exc.errcode != UNKNOWN_MEDIA:
            raise
        return False
    return True


def delete_record(session: Session, params: Params, existed: bool) -> dict[str, Any]:
    row = _row(session, params)
    result: dict[str, Any] = {"id": params["mediaId"], "mediaId": row.media_id if row else None,
                              "alreadyGone": not existed}
    if row is not None:
        session.delete(row)
    return result


def delete_failed(session: Session, params: Params, error: str, errcode: int | None) -> None:
    row = _row(session, params)
    if row is not None:
        row.status = MediaStatus.READY.value if row.media_id else MediaStatus.FAILED.value
        row.last_error, row.errcode = error, errcode


def sync_call(runtime: Runtime, params: Params) -> dict[str, Any]:
    material = runtime.clients.wechat_for(params.get("account")).material
    started = utcnow()
    listed: dict[str, list[dict[str, Any]]] = {}
    for kind in LISTED_KINDS:
        items: list[dict[str, Any]] = []
        while True:
            page = material.batchget(kind, offset=len(items), count=MAX_BATCH)
            batch = list(page.get("item") or [])
            items += batch
            if not batch or len(items) >= int(page.get("total_count") or 0):
                break
        listed[kind] = items
    counts = {k: v for k, v in material.count().items() if k not in ("errcode", "errmsg")}
    return {"items": listed, "counts": counts, "started": started}


def _refresh(row: WeChatMedia, name: str, url: str | None, update_time: int | None) -> bool:
    """Copy what the platform lists onto ``row``; whether anything changed. An uploaded row keeps its name."""
    values = {"url": url or row.url, "remote_update_time": update_time}
    if row.source == "sync":
        values["name"] = name
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    return bool(changed)


def sync_record(session: Session, params: Params, remote: dict[str, Any]) -> dict[str, Any]:
    counts = {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    account = params.get("account") or "default"
    for kind, items in remote["items"].items():
        local = {row.media_id: row for row in session.scalars(select(WeChatMedia).where(
            WeChatMedia.permanent.is_(True), WeChatMedia.type == kind, WeChatMedia.media_id.is_not(None),
            WeChatMedia.account == account))}
        seen: set[str] = set()
        for item in items:
            media_id = str(item.get("media_id") or "")
            if not media_id or media_id in seen:
                continue
            seen.add(media_id)
            name = str(item.get("name") or media_id)[:200]
            url, update_time = item.get("url"), item.get("update_time")
            row = local.get(media_id)
            if row is None:
                session.add(WeChatMedia(permanent=True, type=kind, status=MediaStatus.READY.value, media_id=media_id,
                                        url=url, name=name, source="sync", remote_update_time=update_time,
                                        account=account))
                counts["inserted"] += 1
            elif _refresh(row, name, url, update_time):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for media_id, row in local.items():
            # A row uploaded after the listing began is not missing, only newer than the list.
            uploaded = as_utc(row.uploaded_at)
            fresh = uploaded is not None and uploaded >= remote["started"]
            if media_id not in seen and row.status == MediaStatus.READY and not fresh:
                session.delete(row)
                counts["deleted"] += 1
    return {**counts, "remoteCounts": remote["counts"]}


KINDS = [JobKind(UPLOAD, upload_call, upload_record, started=upload_started, failed=upload_failed),
         JobKind(DELETE, delete_call, delete_record, started=delete_started, failed=delete_failed),
         JobKind(SYNC, sync_call, sync_record)]
