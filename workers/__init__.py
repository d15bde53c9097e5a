"""Dramatiq actors and what only they do: delivery, rate limits, admin jobs, webhook posts.

An actor is a thin shell: load, call a ``platforms`` client, record. What every process shares (the runtime,
the broker, the task names producers send to, the inbox, login state) is in ``core``; a worker process builds its
broker and runtime in :mod:`workers.boot`.
"""
