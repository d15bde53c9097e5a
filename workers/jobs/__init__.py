"""Admin jobs: each kind loads what it needs, calls a platform client, and records the outcome locally.

:mod:`workers.jobs.runner` runs one job (claim, run, record or retry), :mod:`workers.jobs.registry` names every
kind; the ``run_job`` actor (:mod:`workers.actors.jobs`) is the thin shell around both.
"""
