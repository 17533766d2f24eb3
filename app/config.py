"""Settings read from the environment (prefix ``DOORSTEP_``), cached once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "doorstep-development-secret-change-me"
# Where flyer QR codes point unless DOORSTEP_PUBLIC_BASE_URL says otherwise.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"


class Settings(BaseSettings):
    """Everything Doorstep reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./doorstep.db"
    # Keys the digests that stand in for usernames and client addresses in the login throttle
    # (a plain hash of an IPv4 address is reversed by trying all 2**32 of them; a keyed one
    # is not without this key). Changing it only forgets the current login delays.
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    # Connections per worker process: match uvicorn's thread pool (40) so that a burst never
    # opens and closes connections; lower it when many workers share one PostgreSQL server.
    db_pool_size: int = 40
    token_lifetime_minutes: int = 12 * 60
    # Login throttling (app.auth.throttle): failures free of delay per username and per client
    # address, then a wait of login_delay_seconds doubling with each further failure up to
    # login_max_delay_seconds; a key's count is forgotten after login_window_seconds without a
    # failure. The right password is never refused for good, only asked to wait.
    login_max_failures: int = 5
    login_max_failures_per_client: int = 30
    login_delay_seconds: int = 30
    login_max_delay_seconds: int = 15 * 60
    login_window_seconds: int = 15 * 60
    document_cache_dir: Path = Path("./.doorstep-cache")
    # Processes that render PDFs (per API or worker process); unset: one core less than all.
    document_processes: int | None = Field(default=None, ge=1)
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    # Request bodies, refused (413) before they are read: JSON fits a full 500-contact batch
    # with the longest notes (about 3 MiB) and a few hundred KiB more; uploads fit the largest
    # roster file the import takes (8 MiB) and its form. A body over auth_before_body_bytes is
    # read only with a valid bearer token (401 otherwise).
    max_json_body_bytes: int = 3_584 * 1024
    max_upload_body_bytes: int = 9 * 1024 * 1024
    auth_before_body_bytes: int = 64 * 1024
    # Community webhooks may point at loopback/private hosts (and plain http) only when set.
    webhook_allow_private: bool = False
    # Webhook retries: the n-th retry waits base × 2^(n-1) seconds (at most an hour).
    webhook_retry_base_seconds: float = 30.0
    webhook_max_attempts: int = 10
    webhook_lease_seconds: float = 60.0
    # Where the job queue keeps its entries: sqlite:///path, postgresql://…, redis://…, memory://.
    # Empty: beside the database (a second SQLite file, or the same PostgreSQL database).
    jobs_url: str = ""
    # Personal data on a closed warning is erased this many days after it closed.
    warning_erase_after_days: int = 30

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if (
            self.environment == "production"
            and self.secret_key.get_secret_value() == DEFAULT_SECRET
        ):
            raise ValueError("DOORSTEP_SECRET_KEY must be set outside development")
        if self.environment == "production" and len(self.secret_key.get_secret_value()) < 16:
            raise ValueError("DOORSTEP_SECRET_KEY must be at least 16 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the configured database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
