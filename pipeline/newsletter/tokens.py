"""Signed values: the confirmation link's token (expiring, single use by its sign-up row) and CSRF tokens.

Both are keyed by DIGEST_SECRET with a salt of their own, so a token of one kind is worthless as the other.
The unsubscribe tokens are the digest's (``pipeline.digest.subscribers.token_for``), already in every email.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

UNSUBSCRIBE_TOKEN = re.compile(r"[0-9a-f]{32}")
TOKEN_MAX = 200  # characters; anything longer is not one of ours


class Expired(Exception):
    """A genuine confirmation token past its life."""


class Forged(Exception):
    """A token we did not make, or one changed since."""


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="nieuwsbrief-bevestigen")


def confirmation_token(secret: bytes, signup_id: str) -> str:
    return _serializer(secret).dumps(signup_id)


def signup_id(secret: bytes, token: str, life: timedelta) -> str:
    """The sign-up a confirmation token is for; raises Expired or Forged."""
    if len(token) > TOKEN_MAX:
        raise Forged
    try:
        value = _serializer(secret).loads(token, max_age=life.total_seconds())
    except SignatureExpired:
        raise Expired from None
    except BadData:
        raise Forged from None
    if not isinstance(value, str):
        raise Forged
    return value


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(18)


def csrf_field(secret: bytes, cookie: str) -> str:
    """The form's hidden value for a cookie: a keyed hash (a cookie planted by a sibling host is no use)."""
    return hmac.new(secret, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, cookie: str | None, field: str | None) -> bool:
    if not cookie or not field or len(cookie) > TOKEN_MAX:
        return False
    return hmac.compare_digest(csrf_field(secret, cookie), field)
