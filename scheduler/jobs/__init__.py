"""Periodic jobs. Each is a plain function of the runtime, registered in ``scheduler.process``."""
