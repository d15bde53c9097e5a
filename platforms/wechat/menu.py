"""The custom menu of an Official Account (its rules: :mod:`platforms.wechat.menu_rules`)."""

from __future__ import annotations

from typing import Any

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport
from platforms.wechat.selfmenu import ConvertedMenu, selfmenu_as_menu

#: errcode of ``menu/get`` when the account has no menu: an answer, not a failure.
NO_MENU = 46003


class Menu:
    """``/cgi-bin/menu/*``: create, read and delete the custom menu.

    ``buttons`` are the platform's own JSON objects (``{"type": "click", "name": ..., "key": ...}``,
    ``{"name": ..., "sub_button": [...]}``); :func:`validate_buttons` checks the documented limits.
    """

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def create(self, buttons: list[dict[str, Any]]) -> None:
        """Replace the menu with ``buttons`` (takes effect for users within minutes)."""
        self._transport.request("POST", "/cgi-bin/menu/create", json={"button": buttons}, token=self._token)

    def get(self) -> dict[str, Any] | None:
        """The menu as configured through the API, or None when there is none (errcode 46003)."""
        try:
            return self._transport.request("GET", "/cgi-bin/menu/get", token=self._token, success=("menu",))
        except PermanentError as exc:
            if exc.errcode == NO_MENU:
                return None
            raise

    def get_current_selfmenu_info(self) -> dict[str, Any]:
        """The menu in effect, whether set through the API or the admin console (its own shape)."""
        return self._transport.request("GET", "/cgi-bin/get_current_selfmenu_info", token=self._token,
                                       success=("is_menu_open", "selfmenu_info"))

    def get_in_effect(self) -> ConvertedMenu:
        """The menu in effect in the ``menu/get`` shape: ``menu/get``, or when that answers 46003 (a menu made in
        the console, or none) ``get_current_selfmenu_info`` converted (:mod:`platforms.wechat.selfmenu`)."""
        live = self.get()
        if live is not None:
            return ConvertedMenu(live)
        return selfmenu_as_menu(self.get_current_selfmenu_info())

    def delete(self) -> None:
        """Remove the menu (and any conditional menus)."""
        self._transport.request("GET", "/cgi-bin/menu/delete", token=self._token)
