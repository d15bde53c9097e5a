"""Schemathesis against ``/openapi.json``: every ``/api/v1`` operation, generated requests with an admin key,
in-process through the WSGI app. No answer may be a 5xx, and nothing may reach the error handler's log (an
exception it caught and turned into a tidy 500 is still a bug)."""

from __future__ import annotations

import contextlib
import logging

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from ingress import create_app
from models import Scope
from models.api_clients import create_api_client
from tests.api_document import openapi_document
from tests.fuzz_budget import examples, fuzz_settings
from workers.runtime import Runtime

#: Examples per operation in CI; ``FUZZ_EXAMPLES`` raises it.
PER_OPERATION = 15


class ErrorLog(logging.Handler):
    """Every ERROR (or worse) record logged while the fuzzer runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def served(tmp_path_factory, redis_url, postgres_schema_url):
    """The app on PostgreSQL when ``$DATABASE_URL`` is set (the stricter database: NUL, integer ranges)."""
    from config import load_settings
    from models.base import Base
    from models.db import Database
    from models.migrate import upgrade

    url = postgres_schema_url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'imbridge.db'}"
    database = Database(url)
    if postgres_schema_url:
        from sqlalchemy import text

        with database.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(database)
    database.dispose()
    settings = load_settings(None, redis={"url": redis_url}, database={"url": url},
                             var_dir=str(tmp_path_factory.mktemp("var")),
                             security={"secret_key": "fuzz-secret-key-0123456789abcdef"})
    runtime = Runtime.from_settings(settings)
    with runtime.database.session() as session:
        _, admin = create_api_client(session, "fuzz-admin", Scope.ADMIN)
    app = create_app(settings, runtime)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    yield app, admin, errors
    logging.getLogger().removeHandler(errors)
    runtime.redis.flushdb()
    runtime.close()


SCHEMA = schemathesis.openapi.from_dict(openapi_document()).include(path_regex=r"^/api/v1/")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _cases(operation):
    """Valid requests and requests that break the schema (wrong types, missing fields...), both."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    with contextlib.suppress(Exception):  # an operation with nothing to negate (no parameters, no body)
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def test_every_api_operation_is_fuzzed():
    assert len(OPERATIONS) > 40


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_no_operation_answers_5xx_or_logs_an_error(served, operation):
    app, admin, errors = served

    @fuzz_settings(examples(PER_OPERATION))
    @given(data=st.data())
    def run(data):
        case = data.draw(_cases(operation))
        before = len(errors.records)
        response = case.call(app=app, headers={"Authorization": f"Bearer {admin}"})
        where = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
        assert response.status_code < 500, f"{where}: {response.status_code} {response.text}"
        logged = [record.getMessage() for record in errors.records[before:]]
        assert not logged, f"{where} logged: {logged}"
        if response.status_code >= 400:
            assert response.json()["error"]["message"]

    run()
