"""The ``imbridge`` command: every process of the system, and ``up`` to run them all together."""
