"""The module ``dramatiq`` loads in each worker process (``imbridge worker`` points it here).

Settings come from ``IMBRIDGE_CONFIG`` and the environment, exactly as for every other part.
"""

import logging

from config import load_settings
from core import runtime
from core.broker import setup_broker

logging.getLogger("httpx").setLevel(logging.WARNING)

settings = load_settings()
runtime.install(runtime.Runtime.from_settings(settings))
broker = setup_broker(settings)
