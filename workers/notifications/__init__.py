"""Delivering notifications: the state machine, the shared rate limits, media uploads and the per-channel sends.

The actors in :mod:`workers.actors.notifications` are thin shells over :class:`delivery.Deliverer` and
:mod:`followup`.
"""
