"""Bring a database to the newest schema with Alembic (``imbridge migrate``).

Each area of the product owns a branch of revisions off ``0001`` (its own ``branch_labels``), so areas
built in parallel never fight over ``down_revision``; ``upgrade`` applies every head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(database: Database, revision: str = "heads") -> None:
    config = _alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revisions(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    """What the version table holds once every migration is applied: the heads, less those another head
    depends on (an area whose revision ``depends_on`` another area's makes Alembic record only its own)."""
    script = ScriptDirectory.from_config(_alembic_config())
    heads = set(script.get_heads())
    below = {rev.revision for head in heads for rev in script.revision_map.iterate_revisions(head, "base")
             if rev is not None and rev.revision != head}
    return heads - below
