"""The mini-program's side of a login, shared by the login suite's modules."""

from __future__ import annotations

APPLET_OPENID = "oAppletUser000000000000000001"


def register_code(control, code: str, **answer) -> None:
    control.post("/wechat/jscodes", json={"code": code, **answer}).raise_for_status()
