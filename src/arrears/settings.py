"""Settings from the environment (ARREARS_*). Production refuses missing secrets."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from arrears.domain.vocabulary import DEFAULT_ZONE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARREARS_", env_file=None, extra="ignore")

    environment: str = Field(default="development", description="development | production")
    database_url: str = Field(default="sqlite:///var/arrears.db")
    # Base64 (urlsafe) 32-byte keys. Required in production; on a laptop a key file is made.
    data_key: str | None = None
    lookup_key: str | None = None
    key_file: Path = Path("var/arrears.key")
    # The largest request body the app accepts (413 above it); a route may get its own limit.
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    log_level: str = "INFO"
    log_json: bool = True
    timezone: str = DEFAULT_ZONE
    aging_ladder: str = "M1:1-30,M2:31-60,M3:61-90,M4:91-120,M5:121-150,M6:151-180,M7+:181+"
    # The propensity model trained on the institution's own history (a folder from
    # `arrears model train-propensity`); unset or without model.txt: the scorecard fallback.
    propensity_model: Path | None = None
    ability_threshold: float = 0.5
    willingness_threshold: float = 0.5
    # A Dask scheduler (tcp://HOST:8786) for `arrears score`, `plan` and `run` (their --scheduler);
    # unset: everything runs in the command's own process (docs/operations.md).
    dask_scheduler: str | None = None
    # Signs the workbench session cookie. Required in production (32+ random characters).
    secret_key: str | None = None
    # Outreach (outreach-v1): each channel is configured by its own variables; a channel a plan
    # uses without them stops dispatch before anything is sent.
    smtp_url: str | None = None  # smtp://HOST:PORT or smtps://USER:PASSWORD@HOST:PORT
    smtp_ca_file: str | None = None  # a CA bundle for the SMTP server's certificate (default: the system's)
    mail_from: str | None = None
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_gateway_timeout: float = Field(default=10.0, gt=0)  # seconds
    gateway_callback_token: str | None = None  # what the gateway presents on the receipt and inbound endpoints
    letter_dir: Path | None = None
    allocation_rules: Path | None = None  # 分案规则 YAML; unset: the rules that ship with arrears
    institution_name: str = "信用卡中心"  # the creditor named in every message (the sender of in-house accounts)
    # Paying (self-service): the provider and where the money goes; without an account the
    # page shows no pay instruction. Confirmations come back on POST /v1/payments/notify.
    payment_provider: str = "bank_transfer"
    payment_payee: str | None = None  # default: the institution's name
    payment_account: str | None = None
    payment_bank: str = ""
    # The customer's page (self-service-v1): links are {public_url}/p/{token}; cookies are Secure
    # when it is https.
    public_url: str = "http://127.0.0.1:8000"
    outreach_max_tries: int = Field(default=3, ge=1)
    outreach_retry_seconds: float = Field(default=1.0, ge=0)  # the first backoff; doubled each try
    outreach_lease_seconds: float = Field(default=60.0, gt=0)  # how long a claimed message is its dispatcher's
    outreach_concurrency: int = Field(default=1, ge=1, le=32)  # messages a dispatcher tries at once
    email_soft_bounce_limit: int = Field(default=3, ge=1)  # soft bounces (messages) that make an address invalid

    @property
    def is_production(self) -> bool:
        return self.environment.lower() in {"production", "prod"}

    def session_secret(self) -> str:
        """The cookie-signing secret; production refuses a missing, short or well-known one."""
        weak = not self.secret_key or len(self.secret_key) < 32 or self.secret_key.lower() in _KNOWN_SECRETS
        if weak and self.is_production:
            raise ValueError(
                "ARREARS_SECRET_KEY must be set to 32+ random characters in production "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'); refusing to start"
            )
        if self.secret_key and not weak:
            return self.secret_key
        import secrets

        return secrets.token_urlsafe(48)  # development: sessions last until the process restarts


_KNOWN_SECRETS = frozenset({"changeme", "change-me", "secret", "dev", "development", "arrears"})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
