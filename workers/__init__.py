"""Dramatiq actors and what they stand on: the broker, the runtime (Redis, database), token and rate stores.

An actor is a thin shell: load, call a ``platforms`` client, record.
"""
