"""A minimal OpenID provider for the sign-in tests (no tests here), served over real HTTP on
loopback: discovery, an authorization endpoint that approves at once (the person is `claims`),
a token endpoint that checks the client's secret, the redirect address and the PKCE verifier
(S256 only), and its JWKS. `tamper` makes it misbehave the ways a test needs."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import RedirectResponse

from tests.pg import free_port

CLIENT_ID, CLIENT_SECRET = "zuofeng-cases", "op-test-client-secret"


class Provider:
    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.port = port
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict[str, Any] = {}
        self.tamper: set[str] = set()  # "nonce", "key", "audience"
        self.codes: dict[str, dict[str, str]] = {}
        self.pkce_checked = 0
        self.app = self._app()

    def _jwk(self) -> dict[str, Any]:
        found = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return found | {"kid": "op-1", "use": "sig", "alg": "RS256"}

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": "other" if "nonce" in self.tamper else nonce} | self.claims  # fmt: skip
        if "audience" in self.tamper:
            claims["aud"] = "someone-else"
        key = rsa.generate_private_key(65537, 2048) if "key" in self.tamper else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "op-1"})

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                    "code_challenge_methods_supported": ["S256"]}  # fmt: skip

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            return {"keys": [self._jwk()]}

        @app.get("/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
            assert q["code_challenge_method"] == "S256" and q["code_challenge"]
            code = secrets.token_urlsafe(16)
            self.codes[code] = {k: q[k] for k in ("redirect_uri", "nonce", "code_challenge")}
            back = {"code": code, "state": q["state"]}
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", 302)

        @app.post("/token")
        async def token(code: str = Form(), redirect_uri: str = Form(),
                        code_verifier: str = Form(),
                        authorization: str = Header("")) -> dict[str, Any]:  # fmt: skip
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if authorization != f"Basic {basic}":
                raise HTTPException(401, "invalid_client")
            issued = self.codes.pop(code, None)
            if issued is None or issued["redirect_uri"] != redirect_uri:
                raise HTTPException(400, "invalid_grant")
            digest = hashlib.sha256(code_verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued["code_challenge"]:
                raise HTTPException(400, "invalid_grant: PKCE")
            self.pkce_checked += 1
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                    "expires_in": 300, "id_token": self._id_token(issued["nonce"])}  # fmt: skip

        return app


@contextlib.asynccontextmanager
async def provider() -> AsyncIterator[Provider]:
    op = Provider(free_port())
    server = uvicorn.Server(uvicorn.Config(op.app, host="127.0.0.1", port=op.port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield op
    finally:
        server.should_exit = True
        await task
