"""The parameters of a seed login call, wherever they travel: the query string, an urlencoded form, or JSON.

The seed's front end sends ``/token/login``'s parameters in the query string with no body, and
``/user/third/bind``'s as a JSON body; other clients post forms. All three are read into one mapping (the body
winning over the query string), then validated by the resource's pydantic model as any other request.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qsl

import falcon
from pydantic import BaseModel

from ingress.bodies import parse_model, read_body, read_json
from ingress.errors import ApiError
from ingress.nul import refuse_nul_in_json

Model = TypeVar("Model", bound=BaseModel)

#: Largest form a login call needs (an auth code and a few names); the app's body limit applies as well.
MAX_FORM_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"


def request_params(req: falcon.Request) -> dict[str, Any]:
    """Query parameters, then those of a form or JSON-object body; a repeated name keeps its first value."""
    params: dict[str, Any] = {name: value[0] if isinstance(value, list) else value
                              for name, value in req.params.items()}
    if not req.content_length:
        return params
    media = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media == falcon.MEDIA_JSON:
        body = read_json(req)
        if body is None:
            return params
        if not isinstance(body, dict):
            raise ApiError(falcon.HTTP_400, "the JSON body must be an object of parameters", code="invalid_json")
    elif media == FORM:
        try:
            body = dict(parse_qsl(read_body(req, MAX_FORM_BYTES).decode(), keep_blank_values=True))
        except UnicodeDecodeError as exc:
            raise ApiError(falcon.HTTP_400, "the form is not UTF-8", code="bad_request") from exc
        refuse_nul_in_json(body)
    else:
        raise ApiError(falcon.HTTP_415, f"send parameters in the query string, as {FORM} or as JSON",
                       code="unsupported_media_type")
    return {**params, **body}


def read_params(req: falcon.Request, model: type[Model]) -> Model:
    """The request's parameters (see :func:`request_params`) validated as ``model``; a 422 names each field."""
    return parse_model(model, request_params(req))
