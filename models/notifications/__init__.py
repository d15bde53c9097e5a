"""Notification requests: the pydantic models per channel and msgtype, and their intake into delivery records."""

from models.notifications.intake import Accepted, IntakeRules, RequestInvalid, accept, validate
from models.notifications.request import REQUEST_ADAPTER, NotificationRequest

__all__ = ["REQUEST_ADAPTER", "Accepted", "IntakeRules", "NotificationRequest", "RequestInvalid", "accept", "validate"]
