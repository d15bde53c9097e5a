"""The module ``dramatiq`` loads in each worker process (``imbridge worker`` points it at ``workers.main:broker``).

Settings come from ``IMBRIDGE_CONFIG`` and the environment, exactly as for every other part. Importing it builds
the broker and declares the actors; the runtime (Redis, database) is built when the worker boots
(:class:`workers.boot.RuntimeBoot`).
"""

from config import load_settings
from core.logs import configure_logging
from workers.boot import worker_broker

_settings = load_settings()
configure_logging(_settings.logging)  # Dramatiq set up its own stderr handler; ours replaces it
broker = worker_broker(_settings)
