"""One settings base for every service, with the contract's variable names.

Common settings read `ZUOFENG_*`; each service subclass reads its own database URL and port
from `ZUOFENG_<SERVICE>_*`. Nothing here connects: `create_app(settings)` does.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.settings import production
from shared.settings.local import bundled_nats_url, local_secret

DEFAULT_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0)


def _common(name: str) -> AliasChoices:
    """Accept both the field name (tests) and the contract's `ZUOFENG_*` variable."""
    return AliasChoices(name, f"ZUOFENG_{name.upper()}")


class BaseServiceSettings(BaseSettings):
    """Settings shared by every service; subclasses set `service` and their env prefix."""

    service: ClassVar[str] = "base"
    default_port: ClassVar[int] = 8000
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Literal["local", "production"] = Field(
        "local", validation_alias=_common("environment")
    )
    var_dir: Path = Field(Path("var"), validation_alias=_common("var_dir"))
    nats_url: str | None = Field(None, validation_alias=_common("nats_url"))
    database_url: str | None = None
    port: int | None = None
    host: str = Field("127.0.0.1", validation_alias=_common("host"))
    # Nak delays by delivery count; their sum must outlast a 60 s database outage.
    retry_delays: Annotated[tuple[float, ...], NoDecode] = Field(
        DEFAULT_RETRY_DELAYS, validation_alias=_common("retry_delays")
    )
    ack_wait: float = Field(30.0, validation_alias=_common("ack_wait"))
    # Messages pulled at once (a pull takes what is waiting, up to this): handled in one
    # transaction where the service allows it. 256 rather than 64 kept every consumer within a
    # second of intake at 300 reports/s (bench/e2e_load.py); fewer, larger commits under load.
    pull_batch: int = Field(256, ge=1, validation_alias=_common("pull_batch"))
    outbox_poll_interval: float = Field(2.0, validation_alias=_common("outbox_poll_interval"))
    jwt_secret: str | None = Field(None, validation_alias=_common("jwt_secret"))
    # An organisation's identity provider (OIDC): RS256 tokens checked against its JWKS.
    jwt_jwks_url: str | None = Field(None, validation_alias=_common("jwt_jwks_url"))
    jwt_audience: str | None = Field(None, validation_alias=_common("jwt_audience"))
    jwt_issuer: str | None = Field(None, validation_alias=_common("jwt_issuer"))
    # HS256 (the shared secret) next to an identity provider only when a county asks for it.
    jwt_allow_hs256: bool = Field(False, validation_alias=_common("jwt_allow_hs256"))
    # Longest lifetime (exp - iat) a token may claim; enforced in production. "0" is no cap.
    jwt_max_ttl: timedelta = Field(timedelta(hours=12), validation_alias=_common("jwt_max_ttl"))
    # Largest request body this service reads (`ZUOFENG_<SERVICE>_MAX_BODY_BYTES`); 413 above.
    max_body_bytes: int = Field(1_000_000, ge=1)
    log_level: str = Field("INFO", validation_alias=_common("log_level"))
    # A county's own configuration directory (shared/configdir.py names its files); files it
    # leaves out fall back to the packaged ones. `zuofeng config check DIR` validates it.
    config_dir: Path | None = Field(None, validation_alias=_common("config_dir"))
    # ZUOFENG_LOG_FORMAT: json (one object per line) or text; unset: json in production.
    log_format: Literal["text", "json"] | None = Field(None, validation_alias=_common("log_format"))

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _split_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("page_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            pairs = (part.split("=", 1) for part in value.split(",") if "=" in part)
            return {name.strip(): origin.strip().rstrip("/") for name, origin in pairs}
        return value

    @field_validator("jwt_max_ttl", mode="before")
    @classmethod
    def _parse_ttl(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().isdigit():
            return timedelta(seconds=int(value.strip()))  # plain seconds, "0" for no cap
        if isinstance(value, str) and value[-1:] in ("s", "m", "h", "d"):
            from shared.auth import parse_ttl

            return parse_ttl(value.strip())
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> BaseServiceSettings:
        if self.port is None:
            self.port = self.default_port
        if self.database_url is None:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / self.service}.db"
        if not self.retry_delays:
            raise ValueError("retry_delays must hold at least one delay")
        problems = self.production_problems() if self.environment == "production" else []
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def production_problems(self) -> list[str]:
        """Why this configuration is unsafe to serve in production, one message per setting,
        each naming its variable. Subclasses (and other blocks of settings) add theirs with
        `super().production_problems() + [...]`; the settings refuse to load while any remain."""
        return production.problems(self)

    @property
    def resolved_log_format(self) -> str:
        return self.log_format or ("json" if self.environment == "production" else "text")

    @property
    def accepts_hs256(self) -> bool:
        """Whether tokens signed with the shared secret are accepted: always locally; in
        production only without an identity provider or when explicitly allowed."""
        if self.environment != "production":
            return True
        return self.jwt_secret is not None and (not self.jwt_jwks_url or self.jwt_allow_hs256)

    @property
    def enforced_max_ttl(self) -> timedelta | None:
        """The token lifetime cap checked on every token (production only; locally tests and
        `zuofeng token --ttl 30d` keep working)."""
        if self.environment != "production" or not self.jwt_max_ttl:
            return None
        return self.jwt_max_ttl

    @property
    def max_deliver(self) -> int:
        """One first delivery plus one per retry delay; the last failure dead-letters."""
        return len(self.retry_delays) + 1

    # API keys (issue 15): the bucket's records are signed with this key, kept off the bus, so
    # a write to the bucket cannot mint a key. Unset: a local secret under var/ (`make run`);
    # production needs it set, at least 32 bytes (services and `zuofeng apikey` share it).
    apikey_secret: str | None = Field(None, validation_alias=_common("apikey_secret"))
    apikey_cache_size: int = Field(10_000, ge=1, validation_alias=_common("apikey_cache_size"))

    # Officials' page sessions (shared.websession): one secret for every service, so a session
    # opened at sign-in is honoured on every service's pages. Unset: a local secret under var/
    # (`make run`); production needs it set, at least 32 bytes.
    session_secret: str | None = Field(None, validation_alias=_common("session_secret"))
    # Idle and absolute timeouts of a page session.
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, validation_alias=_common("session_idle_minutes")
    )
    session_absolute_hours: float = Field(
        10.0, gt=0, le=24, validation_alias=_common("session_absolute_hours")
    )
    # Where each service's pages are, for links between them: "cases=http://host:8002,..."
    # Unset (production behind the one-origin proxy): relative links. `zuofeng run` sets it,
    # since there each service has its own port.
    page_origins: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias=_common("page_origins")
    )
    # The session cookie is `Secure` always in production; elsewhere unset means "when the
    # request came over https".
    session_cookie_secure: bool | None = Field(
        None, validation_alias=_common("session_cookie_secure")
    )

    def page_url(self, service: str, path: str) -> str:
        """A link to another service's page: relative behind the one-origin proxy, absolute
        where each service has its own port (`zuofeng run`)."""
        return self.page_origins.get(service, "") + path

    @property
    def signin_url(self) -> str:
        """Where a page that needs sign-in sends the browser (cases serves /signin)."""
        return self.page_url("cases", "/signin")

    def resolved_session_secret(self) -> str:
        """The configured secret of page sessions, else the local one under var/."""
        return self.session_secret or local_secret(self.var_dir, "session.secret")

    def resolved_apikey_secret(self) -> str:
        """The configured signing key of API-key records, else the local one under var/."""
        return self.apikey_secret or local_secret(self.var_dir, "apikey.secret")

    def resolved_nats_url(self) -> str:
        """The configured URL, else the bundled server's URL written by the launcher.

        Never falls back to 4222: a system NATS may listen there and is not ours.
        """
        return self.nats_url or bundled_nats_url(self.var_dir)

    def resolved_jwt_secret(self) -> str:
        """The configured secret, else the local one under var/ (created on first use).
        Never in production: there it is the configured one or "" (no HS256 at all)."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.environment == "production":
            return ""
        return local_secret(self.var_dir, "jwt.secret")


def service_settings(name: str, port: int) -> type[BaseServiceSettings]:
    """Build a service's settings class reading `ZUOFENG_<NAME>_DATABASE_URL` and `_PORT`."""
    prefix = f"ZUOFENG_{name.upper()}_"
    return type(
        f"{name.title()}Settings",
        (BaseServiceSettings,),
        {
            "service": name,
            "default_port": port,
            "model_config": SettingsConfigDict(
                extra="ignore", populate_by_name=True, env_prefix=prefix
            ),
        },
    )
