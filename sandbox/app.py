"""The sandbox's falcon app: the three fake platforms under ``/wechat``, ``/wecom`` and ``/dingtalk`` (the paths
of ``api.weixin.qq.com``, ``qyapi.weixin.qq.com`` and ``oapi.dingtalk.com`` below them), and the control API
under ``/_sandbox``.

Point a platform's ``api-base-url`` at ``<sandbox>/<platform>`` and the client cannot tell the difference, down
to the errcodes, the odd response shapes and the bad days.
"""

from __future__ import annotations

import falcon

from config import Settings
from sandbox.control import add_control_routes
from sandbox.dingtalk.routes import ROUTES as DINGTALK_ROUTES
from sandbox.endpoint import Endpoint, Route
from sandbox.journal import JournalMiddleware
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState
from sandbox.web_login import add_sign_in_pages
from sandbox.wechat.routes import ROUTES as WECHAT_ROUTES
from sandbox.wecom.routes import ROUTES as WECOM_ROUTES

PLATFORM_ROUTES: dict[str, list[Route]] = {
    "wechat": WECHAT_ROUTES,
    "wecom": WECOM_ROUTES,
    "dingtalk": DINGTALK_ROUTES,
}


def create_app(settings: Settings, state: SandboxState | None = None,
               options: SandboxOptions | None = None) -> falcon.App:
    """Assemble the sandbox.

    :param settings: the credentials the fake platforms accept come from here (the demo ones after
        :func:`config.load_settings`).
    :param state: share a state with the caller (tests inspect it, move its clock); a new one otherwise.
    :param options: the unpleasantness settings of a new state (ignored when ``state`` is given).
    """
    state = state or SandboxState.from_settings(settings, options)
    app = falcon.App(middleware=[JournalMiddleware(state.journal, state.clock)])
    app.req_options.auto_parse_qs_csv = False
    app.req_options.keep_blank_qs_values = True
    for platform, routes in PLATFORM_ROUTES.items():
        for route in routes:
            app.add_route(f"/{platform}{route.path}", Endpoint(
                state, platform, route.handler, route.methods, whitelist=route.whitelist, topapi=route.topapi,
                v1=route.v1))
    add_sign_in_pages(app, state)
    add_control_routes(app, state)
    return app
