"""The mini-program's side of a login, shared by the login suite's modules."""

from __future__ import annotations

APPLET_OPENID = "oAppletUser000000000000000001"


def register_code(sandbox, code: str, **answer) -> None:
    sandbox.post("/wechat/jscodes", json={"code": code, **answer}).raise_for_status()
