"""Partial indexes (:func:`models.base.partial_index`): the same ``WHERE`` on SQLite and PostgreSQL, without the
models loading a database dialect the process does not use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex

from models.wechat.menus import WeChatMenu

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_the_published_menu_index_covers_the_published_rows_only(dialect):
    (index,) = WeChatMenu.__table__.indexes
    assert str(CreateIndex(index).compile(dialect=dialect)) == (
        "CREATE UNIQUE INDEX uq_wechat_menus_account_published ON wechat_menus (account, published) WHERE published")


def test_one_published_menu_per_account_however_many_drafts():
    engine = create_engine("sqlite://")
    WeChatMenu.__table__.create(engine)
    with Session(engine) as session:
        session.add_all([WeChatMenu(name=f"draft {n}", buttons=[]) for n in range(3)])
        session.add_all([WeChatMenu(name="live", buttons=[], published=True),
                         WeChatMenu(name="sales live", buttons=[], published=True, account="sales")])
        session.commit()
        session.add(WeChatMenu(name="second live", buttons=[], published=True))
        with pytest.raises(IntegrityError):
            session.commit()
    engine.dispose()


def test_importing_the_models_loads_no_database_dialect():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, models; print(sorted(m for m in sys.modules if m.startswith("
                               "('sqlalchemy.dialects.', 'psycopg', 'alembic'))))"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
