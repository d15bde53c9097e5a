"""``create_app(settings)``: the one place the ingress is assembled.

Everything it needs is handed over: the runtime (Redis, database) and the task interface it enqueues through, each
built from the settings when not given. Nothing process-global is set, so two apps never share a broker by accident.
"""

from __future__ import annotations

from collections.abc import Callable

import falcon

from config import Settings
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.admin import install_admin
from ingress.alert_metrics import QuotaAlertCollector
from ingress.auth import ApiKeyAuth, Unrouted
from ingress.bodies import BodyLimit
from ingress.bounds import RowIdConverter
from ingress.docs import install_docs
from ingress.errors import install_error_handling, serialize_error
from ingress.keepalive import CloseUnreadBodies
from ingress.keycache import ApiKeyCache
from ingress.login import ENVELOPE_PATHS, build_login
from ingress.login.envelope import SeedEnvelope
from ingress.metrics import MetricsResource, RequestMetrics
from ingress.metrics_state import StateCollector
from ingress.nul import RefuseNul
from ingress.openapi import OpenApiSpec
from ingress.platform_gate import PlatformGate
from ingress.portals import build_portals
from ingress.resources.accounts import AccountCollection, AccountItem
from ingress.resources.apikeys import ApiKeyCollection, ApiKeyItem
from ingress.resources.blob_content import BlobContent
from ingress.resources.blobs import BlobCollection, BlobItem
from ingress.resources.callbacks import CallbackCollection, CallbackItem
from ingress.resources.health import HealthResource, ReadyResource
from ingress.resources.inbound import InboundCollection, InboundItem
from ingress.resources.jobs import JobCollection, JobItem, JobRetry
from ingress.resources.message_templates import TemplateCollection, TemplateItem, TemplateRender
from ingress.resources.notification_batch import NotificationBatch
from ingress.resources.notification_groups import NotificationGroupItem, NotificationGroups
from ingress.resources.notifications import (
    NotificationCollection,
    NotificationItem,
    NotificationRecall,
    NotificationRetry,
    NotificationStatusBar,
)
from ingress.resources.ping import PingCollection, PingItem
from ingress.resources.robots import RobotCollection, RobotItem
from ingress.resources.system import SystemStatusResource
from ingress.resources.system_handlers import SystemHandlersResource
from ingress.resources.users import UserBinding, UserBindings, UserCollection, UserItem
from ingress.resources.webhooks import WebhookCollection, WebhookDeliveries, WebhookItem
from ingress.resources.wechat_articles import ArticleCollection, ArticleSync
from ingress.resources.wechat_follower_sync import FollowerSync
from ingress.resources.wechat_followers import (
    FollowerCollection,
    FollowerFetch,
    FollowerItem,
    FollowerRemark,
    TagCollection,
    TagItem,
    TagMembership,
    TagSync,
)
from ingress.resources.wechat_mass import (
    MassSendCollection,
    MassSendConfirm,
    MassSendDeleteArticles,
    MassSendItem,
    MassSendStatus,
)
from ingress.resources.wechat_media import (
    MaterialFetch,
    MediaCollection,
    MediaCounts,
    MediaFetch,
    MediaItem,
    MediaSync,
)
from ingress.resources.wechat_menus import (
    MenuClear,
    MenuCollection,
    MenuDiff,
    MenuImport,
    MenuItem,
    MenuPublish,
    PublishedMenu,
)
from ingress.resources.wechat_subscribe import (
    SubscribeMessageCollection,
    SubscribeTemplateCollection,
    SubscribeTemplateItem,
    SubscribeTemplateSync,
)
from ingress.resources.wechat_templates import (
    TemplateMessageCollection,
    WeChatTemplateCollection,
    WeChatTemplateItem,
    WeChatTemplateSync,
)
from ingress.resources.wecom_appchats import AppChatCollection
from models.robots import RobotPlatform


def create_app(settings: Settings, runtime: Runtime | None = None, tasks: Tasks | None = None) -> falcon.App:
    runtime = runtime or Runtime.from_settings(settings)
    tasks = tasks or Tasks.from_settings(settings)
    keys = ApiKeyCache(runtime.database)
    auth = ApiKeyAuth(keys)
    # Static routes (the admin page's files) before the sink that answers every path no route matches.
    app = falcon.App(middleware=[
        CloseUnreadBodies(),
        RequestMetrics(),
        RefuseNul(),
        auth,
        BodyLimit(settings.ingress.max_body_bytes),
        PlatformGate(settings.third, runtime.accounts.settings_of),
    ], sink_before_static_route=False)
    app.req_options.strip_url_path_trailing_slash = True
    app.router_options.converters["id"] = RowIdConverter
    install_error_handling(app)
    app.set_error_serializer(SeedEnvelope(ENVELOPE_PATHS, fallback=serialize_error))
    spec = OpenApiSpec("imbridge", "1")

    def route(path: str, resource: object, suffix: str | None = None) -> None:
        app.add_route(path, resource, suffix=suffix) if suffix else app.add_route(path, resource)
        spec.add(path, resource, suffix)

    route("/healthz", HealthResource())
    route("/readyz", ReadyResource(runtime))
    app.add_route("/metrics", MetricsResource(QuotaAlertCollector(runtime.redis),
                                              StateCollector(runtime, tasks.broker)))
    app.add_route("/openapi.json", spec)
    route("/api/v1/ping", PingCollection(runtime, tasks))
    route("/api/v1/ping/{ping_id}", PingItem(runtime))
    route("/api/v1/apikeys", ApiKeyCollection(runtime.database))
    route("/api/v1/apikeys/{key_id}", ApiKeyItem(runtime.database, on_revoke=keys.forget))
    _notification_routes(route, runtime, tasks)
    _wechat_routes(route, runtime, tasks)
    portals = build_portals(settings, runtime, tasks)
    route("/wechat/portal", portals.wechat)
    route("/wecom/portal", portals.wecom)
    route("/wechat/portal/{code}", portals.wechat_accounts)
    route("/wecom/portal/{code}", portals.wecom_accounts)
    route("/api/v1/inbound", InboundCollection(runtime.database))
    route("/api/v1/inbound/{inbound_id:id}", InboundItem(runtime.database))
    destinations = settings.webhooks.allow_networks
    route("/api/v1/webhooks", WebhookCollection(runtime.database, settings.security.secret_key, destinations,
                                                runtime.accounts))
    route("/api/v1/callbacks", CallbackCollection(runtime.database, settings.security.secret_key, destinations))
    route("/api/v1/callbacks/{callback_id:id}", CallbackItem(runtime.database, settings.security.secret_key,
                                                              destinations))
    route("/api/v1/webhooks/{webhook_id:id}", WebhookItem(runtime.database, settings.security.secret_key, destinations,
                                                          runtime.accounts))
    route("/api/v1/webhooks/{webhook_id:id}/deliveries",
          WebhookDeliveries(runtime.database, settings.security.secret_key))
    login = build_login(settings, runtime, tasks)
    for path, resource in login.routes():
        route(path, resource)
    route("/api/v1/users", UserCollection(runtime.database))
    route("/api/v1/users/{user_id:id}", UserItem(runtime.database))
    route("/api/v1/users/{user_id:id}/bindings", UserBindings(runtime.database, runtime.accounts))
    route("/api/v1/users/{user_id:id}/bindings/{binding_id:id}", UserBinding(runtime.database))
    route("/api/v1/system/status", SystemStatusResource(runtime, tasks.broker))
    route("/api/v1/system/handlers", SystemHandlersResource(portals.dispatcher.router))
    route("/api/v1/accounts", AccountCollection(runtime.database, runtime.accounts, settings.security.secret_key))
    route("/api/v1/accounts/{platform}/{code}", AccountItem(runtime.database, runtime.accounts,
                                                            settings.security.secret_key))
    install_admin(app)
    install_docs(app)
    app.add_sink(Unrouted(auth))
    return app


def _notification_routes(route: Callable[[str, object], None], runtime: Runtime, tasks: Tasks) -> None:
    database, secret_key = runtime.database, runtime.settings.security.secret_key
    route("/api/v1/notifications", NotificationCollection(runtime, tasks))
    route("/api/v1/notifications/batch", NotificationBatch(runtime, tasks))
    route("/api/v1/notification-groups", NotificationGroups(runtime, tasks))
    route("/api/v1/notification-groups/{group_id}", NotificationGroupItem(runtime))
    route("/api/v1/notifications/{delivery_id}", NotificationItem(runtime))
    route("/api/v1/notifications/{delivery_id}/retry", NotificationRetry(runtime, tasks))
    route("/api/v1/notifications/{delivery_id}/recall", NotificationRecall(runtime, tasks))
    route("/api/v1/notifications/{delivery_id}/status-bar", NotificationStatusBar(runtime, tasks))
    route("/api/v1/wecom/appchats", AppChatCollection(runtime.database, tasks))
    for platform in RobotPlatform:
        route(f"/api/v1/robots/{platform}", RobotCollection(database, secret_key, platform, runtime.redis))
        route(f"/api/v1/robots/{platform}/{{code}}", RobotItem(database, secret_key, platform, runtime.redis))
    route("/api/v1/notification-templates", TemplateCollection(database))
    route("/api/v1/notification-templates/{code}", TemplateItem(database))
    route("/api/v1/notification-templates/{code}/render",
          TemplateRender(database, runtime.settings.notifications.max_template_output_bytes))
    route("/api/v1/blobs", BlobCollection(database, runtime.settings.ingress.max_body_bytes))
    route("/api/v1/blobs/{blob_id}", BlobItem(database))
    route("/api/v1/blobs/{blob_id}/content", BlobContent(database))


def _wechat_routes(route: Callable[[str, object], None], runtime: Runtime, tasks: Tasks) -> None:
    """Jobs and the Official Account's templates, template messages, menus and media (admin scope)."""
    database, limits = runtime.database, runtime.settings.ingress
    route("/api/v1/jobs", JobCollection(database))
    route("/api/v1/jobs/{job_id}", JobItem(database))
    route("/api/v1/jobs/{job_id}/retry", JobRetry(database, tasks))
    route("/api/v1/wechat/templates", WeChatTemplateCollection(database, runtime.accounts))
    route("/api/v1/wechat/templates/sync", WeChatTemplateSync(database, tasks, runtime.accounts))
    route("/api/v1/wechat/templates/{template_id:id}", WeChatTemplateItem(database))
    route("/api/v1/wechat/template-messages", TemplateMessageCollection(runtime, tasks))
    route("/api/v1/wechat/subscribe-templates", SubscribeTemplateCollection(database, runtime.accounts))
    route("/api/v1/wechat/subscribe-templates/sync", SubscribeTemplateSync(database, tasks, runtime.accounts))
    route("/api/v1/wechat/subscribe-templates/{template_id:id}", SubscribeTemplateItem(database))
    route("/api/v1/wechat/subscribe-messages", SubscribeMessageCollection(runtime, tasks, "wechat_subscribe"))
    route("/api/v1/wechat/applet-subscribe-messages", SubscribeMessageCollection(runtime, tasks, "applet_subscribe"))
    route("/api/v1/wechat/articles", ArticleCollection(database, runtime.accounts))
    route("/api/v1/wechat/articles/sync", ArticleSync(database, tasks, runtime.accounts))
    route("/api/v1/wechat/mass-sends", MassSendCollection(database, runtime.accounts))
    route("/api/v1/wechat/mass-sends/{mass_id:id}", MassSendItem(database))
    route("/api/v1/wechat/mass-sends/{mass_id:id}/confirm", MassSendConfirm(database, tasks))
    route("/api/v1/wechat/mass-sends/{mass_id:id}/status", MassSendStatus(database, tasks))
    route("/api/v1/wechat/mass-sends/{mass_id:id}/delete-articles", MassSendDeleteArticles(database, tasks))
    accounts = runtime.accounts
    route("/api/v1/wechat/menus", MenuCollection(database, limits.max_body_bytes, accounts))
    route("/api/v1/wechat/menus/published", PublishedMenu(database, accounts))
    route("/api/v1/wechat/menus/import", MenuImport(database, limits.max_body_bytes, tasks, accounts))
    route("/api/v1/wechat/menus/clear", MenuClear(database, tasks, accounts))
    route("/api/v1/wechat/menus/{menu_id:id}", MenuItem(database, limits.max_body_bytes))
    route("/api/v1/wechat/menus/{menu_id:id}/publish", MenuPublish(database, tasks))
    route("/api/v1/wechat/menus/{menu_id:id}/diff", MenuDiff(database))
    route("/api/v1/wechat/media", MediaCollection(database, limits.media_max_body_bytes, tasks, accounts))
    route("/api/v1/wechat/media/counts", MediaCounts(database, accounts))
    route("/api/v1/wechat/media/sync", MediaSync(database, tasks, accounts))
    route("/api/v1/wechat/media/fetch", MaterialFetch(database, tasks, accounts))
    route("/api/v1/wechat/media/{record_id:id}", MediaItem(database, tasks))
    route("/api/v1/wechat/media/{record_id:id}/fetch", MediaFetch(database, tasks))
    route("/api/v1/wechat/followers", FollowerCollection(database, accounts))
    route("/api/v1/wechat/followers/fetch", FollowerFetch(database, tasks, accounts))
    route("/api/v1/wechat/followers/sync", FollowerSync(database, tasks, accounts=accounts))
    route("/api/v1/wechat/followers/{openid}", FollowerItem(database, accounts))
    route("/api/v1/wechat/followers/{openid}/remark", FollowerRemark(database, tasks, accounts))
    route("/api/v1/wechat/tags", TagCollection(database, tasks, accounts))
    route("/api/v1/wechat/tags/sync", TagSync(database, tasks, accounts))
    route("/api/v1/wechat/tags/{tag_id:id}", TagItem(database, tasks, accounts))
    route("/api/v1/wechat/tags/{tag_id:id}/members", TagMembership(database, tasks, add=True, accounts=accounts))
    route("/api/v1/wechat/tags/{tag_id:id}/members/remove",
          TagMembership(database, tasks, add=False, accounts=accounts))
    route("/api/v1/wechat/tags/{tag_id:id}/members/sync", FollowerSync(database, tasks, tag=True, accounts=accounts))
