"""``wechat.menu.publish``, ``wechat.menu.import`` and ``wechat.menu.clear``: the live menu and our rows.

The published row is always the live menu: publishing marks the draft published (and only it), importing
adds the live menu as a new published row, clearing leaves no row published.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.menus import WeChatMenu, mark_published, published_menu, unpublish_all
from platforms.wechat import button_problems
from workers.jobs.kinds import JobKind, JobRefused, Params

PUBLISH = job_kinds.MENU_PUBLISH
IMPORT = job_kinds.MENU_IMPORT
CLEAR = job_kinds.MENU_CLEAR


def publish_call(runtime: Runtime, params: Params) -> list[dict[str, Any]]:
    with runtime.database.session() as session:
        menu = session.get(WeChatMenu, params["menuId"])
        if menu is None:
            raise JobRefused(f"menu {params['menuId']} no longer exists")
        buttons = menu.buttons
    problems = button_problems(buttons)
    if problems:
        raise JobRefused("the menu is not valid: " + "; ".join(f"buttons.{p.field}: {p.message}" for p in problems))
    runtime.clients.wechat_for(params.get("account")).menu.create(buttons)
    return buttons


def publish_record(session: Session, params: Params, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    menu = session.get(WeChatMenu, params["menuId"])
    if menu is None or menu.buttons != buttons:
        # Deleted or edited while the platform was being called: what is live gets a row of its own.
        name = f"{menu.name} (as published)" if menu is not None else f"Published menu {params['menuId']}"
        menu = WeChatMenu(name=name[:100], buttons=buttons, remark=f"published from menu {params['menuId']}",
                          account=params.get("account") or "default")
        session.add(menu)
        session.flush()
    mark_published(session, menu)
    return {"menuId": menu.id, "buttons": len(buttons)}


def normalise_live(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The live menu as a draft: ``menu/get`` adds ``"sub_button": []`` to every leaf, which means nothing."""
    result = []
    for button in buttons:
        button = dict(button)
        subs = button.get("sub_button")
        if isinstance(subs, list) and subs:
            button["sub_button"] = normalise_live(subs)
        else:
            button.pop("sub_button", None)
        result.append(button)
    return result


def import_call(runtime: Runtime, params: Params) -> dict[str, Any]:
    """``menu/get``, falling back to ``get_current_selfmenu_info`` for a menu made in the console (46003)."""
    converted = runtime.clients.wechat_for(params.get("account")).menu.get_in_effect()
    return {"live": converted.live, "review": converted.review}


def import_record(session: Session, params: Params, found: dict[str, Any] | None) -> dict[str, Any]:
    live = (found or {}).get("live")
    review = (found or {}).get("review") or []
    buttons = ((live or {}).get("menu") or {}).get("button") or []
    account = params.get("account") or "default"
    if not buttons:
        unpublish_all(session, account)
        return {"menuId": None, "buttons": 0, "detail": "the account has no menu"}
    name = params.get("name") or f"Imported {utcnow():%Y-%m-%d %H:%M} UTC"
    menu = WeChatMenu(name=name[:100], buttons=normalise_live(buttons), remark="imported from the live menu",
                      account=account)
    session.add(menu)
    session.flush()
    mark_published(session, menu)
    result = {"menuId": menu.id, "buttons": len(buttons),
              "conditionalMenus": len((live or {}).get("conditionalmenu") or [])}
    if review:  # made in the console: buttons with no API equivalent became click buttons to wire up
        result["review"] = review
    return result


def clear_call(runtime: Runtime, params: Params) -> None:
    runtime.clients.wechat_for(params.get("account")).menu.delete()


def clear_record(session: Session, params: Params, _: None) -> dict[str, Any]:
    account = params.get("account") or "default"
    was = published_menu(session, account)
    unpublish_all(session, account)
    return {"cleared": True, "unpublishedMenuId": was.id if was else None}


KINDS = [JobKind(PUBLISH, publish_call, publish_record), JobKind(IMPORT, import_call, import_record),
         JobKind(CLEAR, clear_call, clear_record)]
