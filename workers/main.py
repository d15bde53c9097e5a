"""The module ``dramatiq`` loads in each worker process (``imbridge worker`` points it at ``workers.main:broker``).

Settings come from ``IMBRIDGE_CONFIG`` and the environment, exactly as for every other part. Importing it builds
the broker and declares the actors; the runtime (Redis, database) is built when the worker boots
(:class:`workers.boot.RuntimeBoot`).
"""

import logging

from config import load_settings
from workers.boot import worker_broker

logging.getLogger("httpx").setLevel(logging.WARNING)

broker = worker_broker(load_settings())
