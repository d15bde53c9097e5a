"""Schemathesis against ``/openapi.json``: every ``/api/v1`` operation, generated requests with an admin key,
in-process through the WSGI app. No answer may be a 5xx, and nothing may reach the error handler's log (an
exception it caught and turned into a tidy 500 is still a bug)."""

from __future__ import annotations

import contextlib
import logging
from urllib.parse import quote

import falcon.testing
import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from core.runtime import Runtime
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client
from tests.api_document import openapi_document
from tests.fuzz_budget import examples, fuzz_settings

#: Examples per operation in CI; ``FUZZ_EXAMPLES`` raises it.
PER_OPERATION = 8


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
                             security={"secret_key": "fuzz-secret-key-0123456789abcdef"}, sandbox={"enabled": True})
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
@fuzz_settings(examples(PER_OPERATION))
@given(data=st.data())
def test_no_operation_answers_5xx_or_logs_an_error(served, operation, data):
    app, admin, errors = served
    case = data.draw(_cases(operation))
    before = len(errors.records)
    response = case.call(app=app, headers={"Authorization": f"Bearer {admin}"})
    where = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text}"
    logged = [record.getMessage() for record in errors.records[before:]]
    assert not logged, f"{where} logged: {logged}"
    if response.status_code >= 400:
        assert response.json()["error"]["message"]


# -- beyond the schema: hostile values where the document promises nothing -----------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.integers(-(2**80), 2**80).map(str),
    st.sampled_from(["\x00", "a\x00b", "%00", "../../etc/passwd", "' OR 1=1 --", "${jndi:x}", "{{7*7}}", "\u202e",
                     "\ud7ff\uffff", "0" * 300, "9" * 40, "-1", "1e309", "NaN", " 1", "1_000", "\u0661\u0662"]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)
QUERY_NAMES = st.sampled_from(["limit", "offset", "page", "since", "until", "q", "status", "channel", "kind", "state",
                               "platform", "robot", "filename", "type", "permanent", "event", "msg_type"])


@fuzz_settings(examples(120))
@given(data=st.data())
def test_hostile_values_in_any_path_query_and_body(served, data):
    """Any text in any path parameter and query parameter, any JSON body: a 4xx or a success, never a 5xx."""
    import re

    app, admin, errors = served
    operation = data.draw(st.sampled_from(OPERATIONS), label="operation")
    path = re.sub(r"\{[^}]+\}", lambda _: quote(data.draw(HOSTILE_TEXT, label="path value"), safe=""),
                  operation.path)
    query = data.draw(st.dictionaries(QUERY_NAMES, HOSTILE_TEXT, max_size=4), label="query")
    body = data.draw(JSON, label="body")
    before = len(errors.records)
    client = falcon.testing.TestClient(app)
    result = client.simulate_request(operation.method.upper(), path, params=query, json=body,
                                     headers={"Authorization": f"Bearer {admin}"})
    assert result.status_code < 500, f"{operation.method} {path} {query} {body!r:.200}: {result.text}"
    assert [r.getMessage() for r in errors.records[before:]] == []
