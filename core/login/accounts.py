"""Which Official Accounts have QR login, and the Redis keys of each one's pool.

QR login is on for an Official Account whose settings say ``qr-login: true``; an account that says nothing has it
when it is the default (the seed's ``third.wechat``, as before accounts existed) and not otherwise, so adding an
account never starts minting codes against its quota unasked. Each account with login has a pool of its own:
its codes are minted with its token, and their scans arrive at its portal.

The default account keeps the pool's original key names (``imbridge:qr:pool``...), so a running deployment's pool
survives the upgrade; another account's live under ``imbridge:qr:acct:<code>:``.

Example::

    account = qr_login_account(runtime.accounts, "sales")   # UnknownAccount, or QrLoginOff
    pool = QrPool.from_settings(runtime.redis, settings.login, account=account.code)
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import DEFAULT_ACCOUNT
from core.accounts import Account, Accounts

__all__ = ["PoolKeys", "QrLoginOff", "qr_login_account", "qr_login_accounts", "qr_login_on"]


class QrLoginOff(LookupError):
    """The Official Account exists but has no QR login (not configured, or ``qr-login`` is off)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"the wechat account '{code}' has no QR login: it needs app-id and app-secret, and "
                         "qr-login: true unless it is the default")
        self.code = code


def qr_login_on(account: Account) -> bool:
    """Whether ``account`` (an Official Account) hands out login QR codes."""
    settings = account.settings
    if account.platform != "wechat" or not getattr(settings, "configured", False):
        return False
    wanted = getattr(settings, "qr_login", None)
    return account.code == DEFAULT_ACCOUNT if wanted is None else bool(wanted)


def qr_login_accounts(accounts: Accounts) -> list[Account]:
    """Every Official Account with QR login, the default first."""
    return [a for a in accounts.listed("wechat") if qr_login_on(a)]


def qr_login_account(accounts: Accounts, code: str | None) -> Account:
    """The Official Account ``code`` (None: the default) when it has QR login.

    :raises UnknownAccount: no Official Account has that code.
    :raises QrLoginOff: it has no QR login.
    """
    account = accounts.require("wechat", code)
    if not qr_login_on(account):
        raise QrLoginOff(account.code)
    return account


@dataclass(frozen=True)
class PoolKeys:
    """The Redis keys of one account's pool (see :mod:`core.login.pool`)."""

    pool: str
    minting: str
    applies: str
    minted: str
    on_demand: str

    @classmethod
    def of(cls, account: str | None) -> PoolKeys:
        base = "imbridge:qr:" if account in (None, DEFAULT_ACCOUNT) else f"imbridge:qr:acct:{account}:"
        return cls(pool=base + "pool", minting=base + "minting", applies=base + "applies", minted=base + "minted",
                   on_demand=base + "on-demand")
