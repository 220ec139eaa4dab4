"""Who is calling: JWT bearer tokens with the contract's claims (`tokens`), HS256 with the local
secret or RS256 from an identity provider's JWKS, API keys (`X-API-Key`) for integrators and
clerks' systems, the roles (`roles`) and the FastAPI dependencies that check them
(`dependencies`)."""

from shared.auth.dependencies import (
    CHECKED_PRINCIPAL,
    Caller,
    MaybeCaller,
    optional_principal,
    principal_from_token,
    require_role,
    required_principal,
)
from shared.auth.roles import ROLES, AuthError, Principal, Role
from shared.auth.tokens import ALGORITHM, issue_token, parse_ttl, verify_oidc_token, verify_token

__all__ = [
    "ALGORITHM",
    "CHECKED_PRINCIPAL",
    "ROLES",
    "AuthError",
    "Caller",
    "MaybeCaller",
    "Principal",
    "Role",
    "issue_token",
    "optional_principal",
    "parse_ttl",
    "principal_from_token",
    "require_role",
    "required_principal",
    "verify_oidc_token",
    "verify_token",
]
