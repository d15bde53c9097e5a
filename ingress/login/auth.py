"""Who is logged in: the login token in the ``AccessToken`` header (the seed's front end sends it there) or as
``Authorization: Bearer <login token>``, on the ``/token`` and ``/user`` paths.

Separate from the API keys of ``/api/v1`` on purpose: a login token belongs to a person using a front end,
an API key to a system; neither is accepted in the other's place (the key middleware only looks at
``/api/v1``, and this only at the resources that call it).
"""

from __future__ import annotations

import falcon

from ingress.auth import bearer_key
from ingress.errors import ApiError
from ingress.login.tokens import LoginTokens
from models import Database, User

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="login"'}
#: The seed's header for the login token (its sa-token ``token-name``).
TOKEN_HEADER = "AccessToken"


class LoginAuth:
    """Resolves a request's login token to its (enabled) user."""

    def __init__(self, tokens: LoginTokens, database: Database) -> None:
        self.tokens = tokens
        self.database = database

    def token(self, req: falcon.Request) -> str:
        token = sent_token(req)
        if token is None:
            raise ApiError(falcon.HTTP_401, f"log in first and send the token POST /token/login answered as "
                           f"'{TOKEN_HEADER}: <token>' or 'Authorization: Bearer <token>'", code="unauthorized",
                           headers=_CHALLENGE)
        return token

    def user(self, req: falcon.Request) -> tuple[User, str]:
        """The logged-in user and the token used; 401 (code 10004 on the seed's paths) when there is none, or
        the user was disabled."""
        token = self.token(req)
        user_id = self.tokens.user_id(token)
        user = None
        if user_id is not None:
            with self.database.session() as session:
                user = session.get(User, user_id)
                if user is not None:
                    session.expunge(user)
        if user is None or not user.enabled:
            raise ApiError(falcon.HTTP_401, "the login token is unknown, expired or revoked", code="unauthorized",
                           headers=_CHALLENGE)
        return user, token


def sent_token(req: falcon.Request) -> str | None:
    """The login token the request carries: ``AccessToken`` first (the seed's), else ``Authorization: Bearer``."""
    return (req.get_header(TOKEN_HEADER) or "").strip() or bearer_key(req)
