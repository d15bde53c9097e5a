"""The retention job: delete finished records past their kind's age, then give SQLite's freed space back.

Runs every ``retention.check-seconds`` on the leading scheduler. Batches of ``retention.batch-size`` rows, one short
transaction each, with ``retention.batch-pause-seconds`` between them (see :mod:`models.retention`): a backlog of
millions is worked off over minutes while notifications keep being accepted.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from core.runtime import Runtime
from models.base import utcnow
from models.retention import PRUNABLE, prune_batch
from models.sqlite_space import checkpoint, give_back_space

log = logging.getLogger(f"imbridge.{__name__}")


def prune_old_records(runtime: Runtime) -> dict[str, int]:
    """Prune every kind that has an age; how many records of each went."""
    config = runtime.settings.retention
    database = runtime.database
    pruned: dict[str, int] = {}
    for prunable in PRUNABLE:
        days = config.age_days(prunable.kind)
        if days is None:
            continue
        older_than = utcnow() - timedelta(days=days)
        total = 0
        while True:
            count = prune_batch(database, prunable, older_than, config.batch_size)
            total += count
            checkpoint(database)  # the prune's pages are written out by the prune, not by the next intake
            if count < config.batch_size:
                break
            if config.batch_pause_seconds:
                time.sleep(config.batch_pause_seconds)
        pruned[prunable.kind] = total
        if total:
            log.info("retention: pruned %d %s older than %g days", total, prunable.kind.replace("_", " "), days)
    if any(pruned.values()):
        pages = give_back_space(database, pause_seconds=config.batch_pause_seconds)
        if pages:
            log.info("retention: gave %d free pages of the SQLite file back", pages)
    return pruned
