"""``imbridge send --url URL --api-key KEY``: send through a running imbridge's API with the Python client.

Nothing of the server is used: no settings, database or broker; only ``imbridge_client`` (``pip install
imbridge-client``). The request is the one the local mode would record, sent with a fresh Idempotency-Key.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from imbridge.send_args import API_KEY_ENV, URL_ENV, WAIT_SECONDS, UsageError, build_request


def wanted(args: argparse.Namespace) -> bool:
    """Whether the remote mode is asked for (``--url`` or ``IMBRIDGE_URL``)."""
    return bool(args.url or os.environ.get(URL_ENV))


def run(args: argparse.Namespace) -> int:
    try:
        from imbridge_client import ApiError, Client, WaitTimeout
    except ImportError:
        print("imbridge send: the remote mode needs the Python client: pip install imbridge-client "
              "(clients/python)", file=sys.stderr)
        return 2
    import httpx

    url = args.url or os.environ.get(URL_ENV, "")
    key = args.api_key or os.environ.get(API_KEY_ENV, "")
    try:
        if not key:
            raise UsageError(f"the remote mode needs an API key: --api-key or ${API_KEY_ENV}")
        request = build_request(args)
    except UsageError as exc:
        print(f"imbridge send: {exc}", file=sys.stderr)
        return 2
    try:
        with Client(url, key) as client:
            accepted = client.send(request)
            print(accepted.id)
            if not args.wait:
                return 0
            record = client.wait(accepted.id, timeout=WAIT_SECONDS)
    except ApiError as exc:
        print(f"imbridge send: {exc.message} ({exc.status} {exc.code})", file=sys.stderr)
        for problem in exc.details:
            print(f"  - {problem.get('field')}: {problem.get('message')}", file=sys.stderr)
        return 2 if exc.status in (400, 413, 422) else 1
    except WaitTimeout as exc:
        print(f"imbridge send: {exc}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"imbridge send: cannot reach {url}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0 if record["status"] == "sent" else 1
