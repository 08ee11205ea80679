"""Settings: the environment (prefix ``TRADEWATCH_``) over an optional ``tradewatch.toml``.

Every setting has one name in both places: ``TRADEWATCH_DATABASE_URL`` in the
environment is ``database_url`` in the TOML file. Lists are comma-separated in the
environment (``TRADEWATCH_SOURCES=kcs,comtrade``). Secrets are ``SecretStr``: they
print as ``**********`` and are read with ``.get_secret_value()`` at the one place
that sends them.

A secret setting may name a Prefect Secret block instead of holding the value:
``TRADEWATCH_SLACK_WEBHOOK_URL=block:slack-webhook``. This package does not import
Prefect: the flows resolve such references when a run starts
(``Settings.with_secrets(reader)``, the reader given by ``flows/secrets.py``). A block
that cannot be read is not fatal: the setting is recorded in ``secret_errors`` and
whatever needs it (a channel, a source) fails on its own with that reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tradewatch.errors import ConfigError
from tradewatch.model import utcnow

# The official hosts. Each one is overridden by TRADEWATCH_<SOURCE>_BASE_URL.
DEFAULT_BASE_URLS = {
    "kcs": "https://apis.data.go.kr/1220000",
    "comtrade": "https://comtradeapi.un.org",
    "motie": "https://www.motir.go.kr",  # MOTIE is now MOTIR; the old host answers 301
    "kcs_releases": "https://www.customs.go.kr",
    "vn_customs": "https://www.customs.gov.vn",
    "vn_customs_headline": "",  # the vn_customs portal's base URL
    "kita": "https://stat.kita.net",
    "releases": "",
}

CommaList = Annotated[list[str], NoDecode]

# The settings that hold secrets: printed as (set)/(unset), redacted everywhere, and each
# may name a Prefect Secret block (``block:<name>``) instead of holding the value.
SECRET_SETTINGS = ("slack_webhook_url", "smtp_url", "kcs_service_key", "comtrade_api_key", "kita_session_cookie")
BLOCK_PREFIX = "block:"
# The settings a delivery channel needs: an unreadable block fails that channel's deliveries only.
CHANNEL_SECRETS = {"slack": "slack_webhook_url", "email": "smtp_url"}


def block_reference(value: Any) -> str | None:
    """The Secret block name of a ``block:<name>`` setting value, else ``None``."""
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(raw, str) and raw.strip().startswith(BLOCK_PREFIX):
        return raw.strip()[len(BLOCK_PREFIX) :].strip()
    return None


def _split(v: Any) -> Any:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return v


def _config_file() -> Path:
    return Path(os.environ.get("TRADEWATCH_CONFIG", "tradewatch.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRADEWATCH_",
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
    )

    # --- where things live -------------------------------------------------------
    data_dir: Path = Field(
        Path("data"), description="Working directory for the database, archive, Data Docs and reports."
    )
    database_url: str = Field("", description="SQLAlchemy URL; default: SQLite file <data_dir>/tradewatch.db.")
    archive_dir: Path | None = Field(None, description="Raw-response archive; default <data_dir>/archive.")

    # --- the run's calendar ----------------------------------------------------------
    today: date | None = Field(
        None,
        description="The runs' notion of 'today' (YYYY-MM-DD): which months a nightly plans, what is overdue, "
        "the last publishable day. Default: the UTC date. Set by tests, replays and reruns of a past night.",
    )

    # --- sources ------------------------------------------------------------------
    sources: CommaList = Field(["kcs", "comtrade"], description="Sources the nightly run fetches.")
    kcs_base_url: str = DEFAULT_BASE_URLS["kcs"]
    comtrade_base_url: str = DEFAULT_BASE_URLS["comtrade"]
    motie_base_url: str = DEFAULT_BASE_URLS["motie"]
    kcs_releases_base_url: str = DEFAULT_BASE_URLS["kcs_releases"]
    vn_customs_base_url: str = DEFAULT_BASE_URLS["vn_customs"]
    kita_base_url: str = DEFAULT_BASE_URLS["kita"]
    releases_feeds: CommaList = Field([], description="Listing pages or RSS/Atom feeds read by the 'releases' source.")
    kcs_service_key: SecretStr | None = None
    comtrade_api_key: SecretStr | None = None
    kita_session_cookie: SecretStr | None = None
    hs_codes: CommaList = Field(["8542"], description="HS codes fetched per watched partner (KCS nitemtrade).")
    nightly_months: int = Field(12, ge=1, le=36, description="How many recent months a nightly run re-pulls.")

    # --- what is watched -------------------------------------------------------------
    reporters: CommaList = Field(["KOR", "VNM"])
    watched_partners: CommaList = Field(["VNM", "KOR", "CHN", "USA", "JPN", "HKG", "TWN"])
    watched_pairs: CommaList = Field(
        ["KOR-VNM", "VNM-KOR"], description="reporter-partner pairs whose balance is watched."
    )
    overtake_pairs: CommaList = Field(["JPN-VNM"], description="Partner pairs whose order in a ranking is watched.")
    top_n: int = Field(10, ge=1, le=50)
    target_usd: int = 150_000_000_000
    target_year: int = 2030

    # --- thresholds -----------------------------------------------------------------
    balance_move_pct: float = 10.0
    balance_move_min_usd: int = 100_000_000
    revision_tolerance_pct: float = 5.0
    baseline_k: float = 6.0
    baseline_months: int = 36
    min_partners: int = 200
    source_failure_threshold: int = 3
    source_failure_remind_every: int = 7
    # A source is "silent" when the month due by its release day plus this grace is not stored.
    source_silence_grace_days: int = Field(5, ge=0, le=60)
    # A run still "running" after this many hours died without closing (SIGKILL, a lost
    # worker): the next run marks it "interrupted".
    stale_run_hours: float = Field(12.0, gt=0)

    # --- HTTP -----------------------------------------------------------------------
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = Field(4, ge=0, le=10)
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    concurrency_per_host: int = Field(4, ge=1, le=32)
    max_response_bytes: int = 50 * 1024 * 1024
    user_agent: str = "tradewatch/0.1 (+official trade statistics monitor; https://github.com/tradewatch)"

    # --- alert channels ---------------------------------------------------------------
    slack_webhook_url: SecretStr | None = None
    smtp_url: SecretStr | None = None
    email_from: str | None = None
    email_to: CommaList = Field([])
    slack_min_severity: str = "info"
    email_min_severity: str = "info"
    digest: bool = False
    delivery_attempts: int = Field(3, ge=1, le=10)
    review_timeout_hours: float = Field(
        168.0, gt=0, description="How long a quarantine review run waits for a decision (default 7 days)."
    )
    deadman_deadline: str = Field(
        "09:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="Dead man's switch: the nightly must have completed by this time (HH:MM, Asia/Seoul).",
    )
    deadman_silence_hours: float = Field(
        26.0,
        ge=10 / 3600,
        description="Dead man's switch: alert when no nightly at all completed for this long (paused deployment).",
    )
    public_base_url: str | None = Field(
        None, description="Where data/ is served, for links in alerts (else file paths)."
    )

    # setting name -> why its value could not be had (an unreadable Secret block)
    _secret_errors: dict[str, str] = PrivateAttr(default_factory=dict)

    _split_lists = field_validator(
        "sources",
        "releases_feeds",
        "hs_codes",
        "reporters",
        "watched_partners",
        "watched_pairs",
        "overtake_pairs",
        "email_to",
        mode="before",
    )(_split)

    @field_validator(*SECRET_SETTINGS, mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, v: list[str]) -> list[str]:
        unknown = [s for s in v if s not in DEFAULT_BASE_URLS]
        if unknown:
            raise ValueError(f"unknown source id(s) {unknown}; known: {sorted(DEFAULT_BASE_URLS)}")
        return v

    @field_validator(
        "kcs_base_url",
        "comtrade_base_url",
        "motie_base_url",
        "kcs_releases_base_url",
        "vn_customs_base_url",
        "kita_base_url",
    )
    @classmethod
    def _url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v.rstrip("/")

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if self.archive_dir is None:
            self.archive_dir = self.data_dir / "archive"
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'tradewatch.db').as_posix()}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    # --- helpers ---------------------------------------------------------------------
    def run_today(self) -> date:
        """The one place a run takes its "today" from: ``TRADEWATCH_TODAY``, else the UTC date."""
        return self.today if self.today is not None else utcnow().date()

    def base_url(self, source: str) -> str:
        try:
            return getattr(self, f"{source}_base_url")
        except AttributeError:
            raise ConfigError(f"source {source!r} has no base URL setting") from None

    def pairs(self, name: str = "watched_pairs") -> list[tuple[str, str]]:
        """A list setting of "A-B" items (``watched_pairs``, ``overtake_pairs``) as (A, B) tuples."""
        out = []
        for item in getattr(self, name):
            a, sep, b = item.partition("-")
            if sep and a.strip() and b.strip():
                out.append((a.strip().upper(), b.strip().upper()))
        return out

    @property
    def data_docs_dir(self) -> Path:
        return self.data_dir / "data_docs"

    # --- secrets held in Prefect Secret blocks ---------------------------------------------
    def secret_blocks(self) -> dict[str, str]:
        """Secret settings still naming a block (``block:<name>``): setting name -> block name."""
        out = {}
        for name in SECRET_SETTINGS:
            ref = block_reference(getattr(self, name))
            if ref is not None:
                out[name] = ref
        return out

    def with_secrets(self, read_block: Callable[[str], str]) -> Settings:
        """A copy with every ``block:<name>`` secret replaced by the block's value.

        ``read_block(name)`` returns the value or raises. A block that cannot be read
        (missing, empty, not a string, the API down) leaves its setting unusable: a
        channel secret keeps the reference, so its deliveries are still queued and fail
        with the reason (kept in the outbox); any other secret becomes unset, so its
        source fails with a missing-key error. Either way ``secret_errors`` says why.
        The reason names the block and the error's type, never a value.
        """
        refs = self.secret_blocks()
        if not refs:
            return self
        values: dict[str, Any] = {}
        errors = dict(self._secret_errors)
        for name, block in refs.items():
            if not block:
                errors[name] = f"{name.upper()} names an empty Secret block name ('{BLOCK_PREFIX}')"
            else:
                try:
                    value = read_block(block)
                    if not isinstance(value, str) or not value.strip():
                        raise ValueError("the block holds no text value")
                    values[name] = SecretStr(value.strip())
                    errors.pop(name, None)
                    continue
                except Exception as exc:  # any failure: the setting is unusable, the run goes on
                    errors[name] = (
                        f"Prefect Secret block {block!r} (TRADEWATCH_{name.upper()}) could not be read: "
                        f"{type(exc).__name__}"
                    )
            if name not in CHANNEL_SECRETS.values():
                values[name] = None
        copy = self.model_copy(update=values)
        copy._secret_errors = errors
        return copy

    @property
    def secret_errors(self) -> dict[str, str]:
        """Secret settings whose value could not be had (setting name -> reason)."""
        return dict(self._secret_errors)

    def secrets(self) -> list[str]:
        """Every configured secret value, for redaction (never for printing)."""
        out: list[str] = []
        for name in SECRET_SETTINGS:
            v = getattr(self, name)
            if v is not None and v.get_secret_value() and block_reference(v) is None:
                out.append(v.get_secret_value())
        if self.smtp_url is not None and block_reference(self.smtp_url) is None:
            from urllib.parse import unquote

            pw = urlsplit(self.smtp_url.get_secret_value()).password
            if pw:
                out.extend({pw, unquote(pw)})
        return out

    def describe(self) -> dict[str, Any]:
        """Settings as a dict safe to print: secrets show as set/unset only."""
        out: dict[str, Any] = {}
        for name, value in self:
            if isinstance(value, SecretStr):
                ref = block_reference(value)
                if ref is not None:
                    out[name] = f"(Prefect Secret block {ref!r})"
                else:
                    out[name] = "(set)" if value.get_secret_value() else "(unset)"
            elif value is None and name in SECRET_SETTINGS:
                out[name] = "(unset)"
            elif isinstance(value, Path):
                out[name] = str(value)
            else:
                out[name] = value
        return out


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and tradewatch.toml; keyword overrides win."""
    try:
        return Settings(**overrides)
    except Exception as exc:  # pydantic.ValidationError; never echo secret inputs
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)]
            raise ConfigError("invalid settings: " + "; ".join(lines)) from None
        raise
