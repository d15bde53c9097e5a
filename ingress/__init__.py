"""The Falcon ingress: validates, records, enqueues and answers. It never calls a platform."""

from ingress.app import create_app

__all__ = ["create_app"]
