"""The worker module ``bench/dispatch.py`` runs: imbridge's own worker, plus a no-op actor for the baseline.

The same processes and threads serve both, so the notifications' throughput is measured against exactly what
Dramatiq alone achieves on this machine.
"""

import dramatiq

from config import demo
from workers.boot import RuntimeBoot
from workers.main import broker
from workers.producer import QUEUE

#: What ``bench_bare_send`` posts: the body the notifications of ``bench/dispatch.py`` make.
BARE_MESSAGE = {"msgtype": "text", "text": {"content": "bench"}}

boot = RuntimeBoot.of(broker)


@dramatiq.actor(queue_name=QUEUE, broker=broker, max_retries=0)
def bench_noop() -> None:
    """Nothing at all: the cost of a Dramatiq message round trip."""


@dramatiq.actor(queue_name=QUEUE, broker=broker, max_retries=0)
def bench_bare_send() -> None:
    """Only the platform call a notification makes: the signed robot send through the SDK, nothing recorded.

    The ceiling of any delivery path on this machine: what Dramatiq plus one HTTP call to the sandbox cost.
    """
    runtime = boot.context.runtime
    runtime.clients.dingtalk_robot.send(demo.DINGTALK_ROBOT_TOKEN, BARE_MESSAGE, secret=demo.DINGTALK_ROBOT_SECRET)
