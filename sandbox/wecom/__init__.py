"""The fake WeCom: handlers by resource, state in ``store``, the table in ``routes``."""
