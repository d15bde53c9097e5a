"""The custom menu of an Official Account."""

from __future__ import annotations

from typing import Any

from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

#: errcode of ``menu/get`` when the account has no menu: an answer, not a failure.
NO_MENU = 46003

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60
MAX_KEY_BYTES = 128
MAX_URL_BYTES = 1024


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
            return self._transport.request("GET", "/cgi-bin/menu/get", token=self._token)
        except PermanentError as exc:
            if exc.errcode == NO_MENU:
                return None
            raise

    def get_current_selfmenu_info(self) -> dict[str, Any]:
        """The menu in effect, whether set through the API or the admin console."""
        return self._transport.request("GET", "/cgi-bin/get_current_selfmenu_info", token=self._token)

    def delete(self) -> None:
        """Remove the menu (and any conditional menus)."""
        self._transport.request("GET", "/cgi-bin/menu/delete", token=self._token)


def validate_buttons(buttons: list[dict[str, Any]]) -> None:
    """Raise ValueError when ``buttons`` break the documented limits (the platform's 40016/40017/40018).

    Not called by :meth:`Menu.create`: the platform stays the judge; this is for early, readable errors.
    """
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ValueError(f"a menu has 1..{MAX_BUTTONS} top-level buttons")
    for button in buttons:
        _check_button(button, MAX_NAME_BYTES)
        subs = button.get("sub_button") or []
        if len(subs) > MAX_SUB_BUTTONS:
            raise ValueError(f"{button.get('name')!r}: at most {MAX_SUB_BUTTONS} sub-buttons")
        for sub in subs:
            _check_button(sub, MAX_SUB_NAME_BYTES)


def _check_button(button: dict[str, Any], max_name: int) -> None:
    name = button.get("name") or ""
    if not name or len(name.encode()) > max_name:
        raise ValueError(f"button name {name!r} must be 1..{max_name} bytes")
    for field, limit in (("key", MAX_KEY_BYTES), ("url", MAX_URL_BYTES)):
        value = button.get(field)
        if value is not None and len(str(value).encode()) > limit:
            raise ValueError(f"button {name!r}: {field} longer than {limit} bytes")
