"""The fake DingTalk: handlers by resource, state in ``store``, the table in ``routes``."""
