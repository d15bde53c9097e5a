"""Login state in Redis, shared by the ingress, the workers and the scheduler.

* :class:`QrPool`: QR codes minted ahead by a worker, so a browser gets one without waiting for WeChat
  (:func:`request_mint` queues one top-up at a time; :class:`PoolDemand` sizes the pool by the apply rate;
  :func:`dispense` hands a code out, minting on demand within bounds when the pool is empty);
* :class:`QrSessions`: a handed-out code's key, ``wait`` until its scan makes it ``ok``, gone when it expires
  or is used; every change is published so long-polls wake at once;
* :class:`AppletExchanges`: a mini-program login's ``jscode2session`` answer, handed from the worker that
  asked WeChat back to the request that waits for it;
* :class:`WebLogins`: website sign-in (WeChat open platform, WeCom, DingTalk): a state bound to one browser, used
  once.
"""

from core.login.applet import AppletExchanges, ExchangeAnswer
from core.login.demand import PoolDemand
from core.login.dispense import CodeUnavailable, dispense
from core.login.pool import PooledCode, QrPool, TakenCode, request_mint
from core.login.sessions import QrSessions, QrStatus, ScanResult
from core.login.web import Claim, Provider, WebAccount, WebLogins, WebStatus

__all__ = ["AppletExchanges", "Claim", "CodeUnavailable", "ExchangeAnswer", "PoolDemand", "PooledCode", "Provider",
           "QrPool", "QrSessions", "QrStatus", "ScanResult", "TakenCode", "WebAccount", "WebLogins", "WebStatus",
           "dispense", "request_mint"]
