"""``/api/v1/system/status`` (admin): what the admin page's System screen shows, in one read.

Token health per configured app (from the token store's bookkeeping), the broker's queue depths, the latest
failed jobs, deliveries per minute by status over the last hour (counted in SQL, by creation minute), and the
alerts in force (a platform's API quota spent: :mod:`core.alerts`), which the screen shows as a banner.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import dramatiq
import falcon
import redis
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select

from core.alerts import active_quota_alerts
from core.runtime import Runtime
from ingress.errors import ApiError, unprocessable, validation_details
from models import Database, Scope
from models.base import as_utc, utcnow
from models.deliveries import Delivery
from models.jobs import Job, JobStatus, job_view

#: Failed jobs listed at most.
RECENT_FAILURES = 10


class TokenStatus(BaseModel):
    """One app's access token, as the token store and the scheduler see it."""

    app: str = Field(description="wechat | wecom | dingtalk")
    appKey: str
    cached: bool = Field(description="a token is in the cache now")
    ageSeconds: float | None = Field(description="since the last fetch")
    expiresInSeconds: int | None = Field(description="the cached token's remaining time in the cache")
    refreshInSeconds: int | None = Field(description="until the scheduler refreshes it (0: at its next check)")
    fetchCount: int
    errorCount: int
    lastFetchAt: datetime | None
    lastError: str | None
    lastErrorAt: datetime | None


class QueueDepth(BaseModel):
    queue: str
    ready: int = Field(description="waiting for a worker")
    delayed: int = Field(description="waiting for their time (retries, ETA)")
    inProgress: int | None = Field(description="taken by a worker, not acknowledged yet (Redis broker only)")
    dead: int = Field(description="in the dead-letter queue")


class MinuteCount(BaseModel):
    minute: datetime
    counts: dict[str, int] = Field(description="deliveries created in that minute, by their status now")


class Alert(BaseModel):
    kind: str = Field(description="quota_exhausted")
    platform: str
    errcode: int | None
    errmsg: str
    window: str = Field(description="day | month: the quota that is spent")
    since: datetime
    until: datetime = Field(description="when the platform gives the quota back")
    message: dict[str, str] = Field(description="what the banner says, by language (zh-CN, en)")


class SystemStatus(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "token health, queue depths, failures, throughput"})

    generatedAt: datetime
    alerts: list[Alert]
    tokens: list[TokenStatus]
    queues: list[QueueDepth]
    recentJobFailures: list[dict[str, Any]]
    deliveriesPerMinute: list[MinuteCount]
    windowMinutes: int


class StatusQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(default=60, ge=1, le=1440)


def _number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _epoch(raw: str | None) -> datetime | None:
    value = _number(raw)
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def token_status(runtime: Runtime) -> list[TokenStatus]:
    clients = runtime.clients
    store, margin = clients.token_store, runtime.settings.tokens.margin_seconds
    found = []
    for app, source in clients.token_sources().items():
        meta = store.meta(source.app_key)
        ttl = store.ttl(source.app_key)
        fetched = _number(meta.get("last_fetch_at"))
        found.append(TokenStatus(
            app=app, appKey=source.app_key, cached=ttl is not None,
            ageSeconds=round(time.time() - fetched, 1) if fetched is not None else None,
            expiresInSeconds=ttl, refreshInSeconds=max(0, ttl - margin) if ttl is not None else 0,
            fetchCount=int(_number(meta.get("fetch_count")) or 0),
            errorCount=int(_number(meta.get("error_count")) or 0),
            lastFetchAt=_epoch(meta.get("last_fetch_at")), lastError=meta.get("last_error") or None,
            lastErrorAt=_epoch(meta.get("last_error_at"))))
    return found


def queue_depths(broker: dramatiq.Broker) -> list[QueueDepth]:
    """Every declared queue's counts; Redis keys read directly, RabbitMQ through its broker."""
    queues = sorted(q for q in broker.get_declared_queues() if not q.endswith((".DQ", ".XQ")))
    depths = []
    client = getattr(broker, "client", None)
    if client is not None:  # RedisBroker: <ns>:<q> list of ids, <ns>:<q>.msgs every unacked message
        pipe = client.pipeline()
        for queue in queues:
            key = f"{broker.namespace}:{queue}"
            pipe.llen(key).hlen(f"{key}.msgs").llen(f"{key}.DQ").zcard(f"{key}.XQ")
        counts = pipe.execute()
        for index, queue in enumerate(queues):
            ready, unacked, delayed, dead = counts[index * 4:index * 4 + 4]
            depths.append(QueueDepth(queue=queue, ready=ready, delayed=delayed,
                                     inProgress=max(0, unacked - ready), dead=dead))
        return depths
    for queue in queues:
        ready, delayed, dead = broker.get_queue_message_counts(queue)  # type: ignore[attr-defined]
        depths.append(QueueDepth(queue=queue, ready=ready, delayed=delayed, inProgress=None, dead=dead))
    return depths


def _minute_of(database: Database) -> Any:
    """A SQL expression for the minute a delivery was created in (SQLite keeps naive UTC text)."""
    if database.engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m-%dT%H:%M", Delivery.created_at)
    return func.date_trunc("minute", Delivery.created_at)


def _as_minute(value: Any) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return as_utc(value).replace(second=0, microsecond=0)


def deliveries_per_minute(database: Database, minutes: int) -> list[MinuteCount]:
    """One entry per minute of the window (empty minutes included), oldest first."""
    end = utcnow().replace(second=0, microsecond=0)
    start = end - timedelta(minutes=minutes - 1)
    minute = _minute_of(database).label("minute")
    query = (select(minute, Delivery.status, func.count()).where(Delivery.created_at >= start)
             .group_by(minute, Delivery.status))
    buckets: dict[datetime, dict[str, int]] = {start + timedelta(minutes=i): {} for i in range(minutes)}
    with database.session() as session:
        for when, status, count in session.execute(query):
            bucket = buckets.get(_as_minute(when))
            if bucket is not None:
                bucket[status] = bucket.get(status, 0) + count
    return [MinuteCount(minute=when, counts=counts) for when, counts in buckets.items()]


def recent_job_failures(database: Database) -> list[dict[str, Any]]:
    with database.session() as session:
        rows = session.scalars(select(Job).where(Job.status == JobStatus.FAILED.value)
                               .order_by(Job.finished_at.desc(), Job.id).limit(RECENT_FAILURES)).all()
        return [job_view(job) for job in rows]


class SystemStatusResource:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "Alerts in force, token status per app, queue depths, recent job failures, "
                                  "deliveries per minute by status (query: minutes, default 60)", "query": StatusQuery,
                       "responses": {"200": ("the system's state now", SystemStatus)}}}

    def __init__(self, runtime: Runtime, broker: dramatiq.Broker) -> None:
        self.runtime = runtime
        self.broker = broker

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            params = StatusQuery.model_validate(req.params)
        except ValidationError as exc:
            raise unprocessable("the query is not valid", validation_details(exc)) from exc
        database = self.runtime.database
        try:
            tokens, queues = token_status(self.runtime), queue_depths(self.broker)
            alerts = [Alert.model_validate(a.view()) for a in active_quota_alerts(self.runtime.redis)]
        except redis.RedisError as exc:
            raise ApiError(falcon.HTTP_503, f"Redis is unavailable: {type(exc).__name__}", code="unavailable",
                           headers={"Retry-After": "5"}) from exc
        status = SystemStatus(generatedAt=utcnow(), alerts=alerts, tokens=tokens, queues=queues,
                              recentJobFailures=recent_job_failures(database),
                              deliveriesPerMinute=deliveries_per_minute(database, params.minutes),
                              windowMinutes=params.minutes)
        resp.media = status.model_dump(mode="json")
