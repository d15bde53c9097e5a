"""What every imbridge process shares: the runtime and its resources, the broker, the task interface the ingress
and the scheduler enqueue through, the inbound inbox (both ends), one outbox and one retry policy, the token store,
login state in Redis, and the outbound-HTTP policy.

``core`` imports ``platforms``, ``models`` and ``config``, never ``ingress``, ``scheduler`` or ``workers``: each of
those builds on it (see ``shared/ARCHITECTURE.md``).
"""
