"""Tables, the database handle and migrations. Everything here speaks SQLAlchemy 2."""

from models.api_clients import ApiClient, Scope
from models.base import Base
from models.db import Database
from models.inbound import InboundRecord
from models.users import ThirdPartyBinding, User
from models.webhooks import WebhookDelivery, WebhookSubscription

# Imported for their tables, so Base.metadata knows every table.
from models import blobs, deliveries, message_templates, robots  # noqa: F401  isort: skip
from models import jobs  # noqa: F401  isort: skip
from models import accounts  # noqa: F401  isort: skip
from models.wechat import articles, followers, mass_sends, media, menus  # noqa: F401  isort: skip
from models.wechat import subscribe_templates, templates  # noqa: F401  isort: skip
from models.wechat import follower_listing  # noqa: F401  isort: skip

__all__ = [
    "ApiClient",
    "Base",
    "Database",
    "InboundRecord",
    "Scope",
    "ThirdPartyBinding",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
]
