"""The fake WeChat Official Account: handlers by resource, state in ``store``, the table in ``routes``."""
