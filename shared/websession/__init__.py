"""Officials' sign-in sessions for the pages of every service (issue 17).

One session for every service's pages: the cookie carries a signed token (`tokens`) naming the
session, the person, unit and role; the `SESSIONS` bucket on the bus (`store`) says whether the
session is still alive (idle and absolute timeouts, sign-out everywhere, disabled accounts).
Every service checks both on each page (`pages`), so signing out at one ends it at all, even
when the service that signed the person in is down. Forms carry a token tied to the session
(`csrf`). The JSON API keeps bearer tokens and API keys (shared.auth).
"""

from shared.websession.csrf import csrf_token, forms_csrf_ok
from shared.websession.pages import (
    COOKIE,
    MaybePageCaller,
    PageCaller,
    PageSession,
    SignInRequired,
    WebSessions,
    install,
    page_session,
    require_page_role,
    sessions_of,
)
from shared.websession.store import (
    BUCKET,
    KvSessionStore,
    MemorySessionStore,
    SessionStore,
    ensure_bucket,
)
from shared.websession.tokens import SessionClaims, decode_session, encode_session, new_claims

__all__ = [
    "BUCKET",
    "COOKIE",
    "KvSessionStore",
    "MaybePageCaller",
    "MemorySessionStore",
    "PageCaller",
    "PageSession",
    "SessionClaims",
    "SessionStore",
    "SignInRequired",
    "WebSessions",
    "csrf_token",
    "decode_session",
    "encode_session",
    "ensure_bucket",
    "forms_csrf_ok",
    "install",
    "new_claims",
    "page_session",
    "require_page_role",
    "sessions_of",
]
