"""Pure protocol code for WeChat Official Accounts, WeCom and DingTalk.

Nothing here knows about queues, web frameworks or databases: crypto and signatures, XML messages and
replies, one :class:`~platforms.transport.Transport` every API call goes through, the errcode policy in
:mod:`platforms.errors`, and one client per platform organised by resource.
"""
