"""Fake WeChat Official Account, WeCom and DingTalk servers, faithful down to their unpleasant parts.

For development, tests, benchmarks and the demo. Public surface:

* :func:`create_app` - the falcon app (``falcon.testing.TestClient(create_app(settings))`` in tests);
* :class:`SandboxState` and :class:`SandboxOptions` - what it remembers and the knobs;
* :func:`serve` (granian) and :func:`serve_in_thread` (tests) in :mod:`sandbox.server`;
* :mod:`sandbox.callbacks` - the other direction: the platforms posting callbacks to our ingress;
* :mod:`sandbox.crypto` - the platforms' signatures and safe-mode crypto, written apart from the SDK's.
"""

from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState

__all__ = ["SandboxOptions", "SandboxState", "create_app"]
