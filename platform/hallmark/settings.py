"""Settings, all read from the environment (12-factor).

HALLMARK_ENV selects the safety defaults: ``production`` (the default: DEBUG off,
secure cookies, a secret key required), ``demo`` (embedded SQLite, a serverless
broker, plain HTTP on localhost) or ``test``.
"""
from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository root
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# `make demo` writes var/demo.env once, so that every command run in this checkout
# (manage.py, the worker) finds the demo's settings; real environment variables win.
if (VAR_DIR / "demo.env").is_file():
    environ.Env.read_env(VAR_DIR / "demo.env", overwrite=False)
HALLMARK_ENV = env.str("HALLMARK_ENV", default="production")
LOCAL = HALLMARK_ENV in ("demo", "test")

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    """Return a per-checkout secret kept in var/, never in the repository."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Created 0600 from the start (O_EXCL: two processes starting at once keep the first's key).
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(get_random_secret_key())
    if path.stat().st_mode & 0o077:  # one written world-readable by an older checkout
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or (_local_secret_key() if LOCAL else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (production refuses to start without one).")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "jobs",
    "trust",
    "studio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trust.middleware.SuspensionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hallmark.urls"
WSGI_APPLICATION = "hallmark.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hallmark.sqlite3'}")}
# Reuse connections across requests (a PostgreSQL connect costs a few ms per request).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker processes share the file. WAL lets readers run beside the one writer;
    # IMMEDIATE takes the write lock when a transaction starts, so a reader turned writer
    # waits for the busy timeout instead of failing at once with "database is locked"
    # (SQLite cannot wait on a lock upgrade inside a DEFERRED transaction).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and quotas are counted here, so every web process must share it:
# Redis in production, a file cache in the demo.
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "platform" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
WHITENOISE_USE_FINDERS = LOCAL
if LOCAL:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

# Images and uploads go through Django's storage API, so web servers and GPU
# workers on different hosts share them: local files by default, S3 with
# HALLMARK_STORAGE=s3 (django-storages reads AWS_* from the environment).
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if env.str("HALLMARK_STORAGE", default="local") == "s3"
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if STORAGES["default"]["BACKEND"].startswith("storages."):
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True

# Production hardening; the demo and tests run on plain HTTP on localhost.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not LOCAL)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not LOCAL)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Trust X-Forwarded-Proto only behind a proxy that sets it (and strips the client's own):
# without one, any client could claim HTTPS. DJANGO_PROXY_SSL_HEADER names the header
# ("X-Forwarded-Proto"); empty = no proxy.
_proxy_header = env.str("DJANGO_PROXY_SSL_HEADER", default="").strip()
SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header.upper().replace('-', '_')}", "https") if _proxy_header else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if LOCAL else 3600)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Uploads: the API allows 4 MB images (OpenAI's limit), verify 20 MB. The byte cap runs
# while the body streams (hallmark.upload_limits), before Django's handlers keep a chunk;
# non-file fields of a multipart body (a prompt, a size) need far less than a megabyte.
FILE_UPLOAD_HANDLERS = [
    "hallmark.upload_limits.ByteCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if LOCAL else "django.core.mail.backends.smtp.EmailBackend",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jobs.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hallmark API",
    "DESCRIPTION": "OpenAI-compatible image generation with safety gates and signed provenance.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery: the gates on the CPU `safety` queue, generation on the `gpu` queue; the output gate
# and stamping (jobs.tasks.job_finish) go back to the `safety` queue, so a GPU never waits on a CPU.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for sub in ("in", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # With Redis, an unacknowledged task comes back after this many seconds; a
    # job that outlives it is protected by the job lease (see jobs.services).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # Sweep for the tasks of dead workers every N seconds (one cheap ZRANGEBYSCORE);
        # kombu's default only scans every 10th sweep, i.e. every 100 s.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "safety"
CELERY_TASK_ROUTES = {"jobs.tasks.job_generate": {"queue": "gpu"}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Hallmark
HALLMARK = {
    # The unCLIP weights: a hub id or a local directory (the demo uses the tiny offline model).
    "MODEL_SOURCE": env.str("HALLMARK_MODEL_SOURCE", default="kakaobrain/karlo-v1-alpha"),
    "MODEL_DEVICE": env.str("HALLMARK_MODEL_DEVICE", default="") or None,
    "MODEL_CPU_OFFLOAD": env.bool("HALLMARK_MODEL_CPU_OFFLOAD", default=False),
    # Denoising steps per stage; empty = the model's defaults (the demo's noise model needs few).
    "GENERATION_STEPS": env.int("HALLMARK_GENERATION_STEPS", default=0) or None,
    "MODERATION_POLICY": env.str("HALLMARK_MODERATION_POLICY", default="") or None,
    "MODERATION_DEADLINE_S": env.float("HALLMARK_MODERATION_DEADLINE_S", default=5.0),
    # How long a web request waits on gates still loading at start before a 503 (fail closed).
    "GATES_WAIT_S": env.float("HALLMARK_GATES_WAIT_S", default=2.0),
    "SIGNING_CERT_CHAIN": env.str("HALLMARK_SIGNING_CERT_CHAIN", default=str(VAR_DIR / "keys" / "signer-chain.pem")),
    "SIGNING_KEY": env.str("HALLMARK_SIGNING_KEY", default=str(VAR_DIR / "keys" / "signer.key")),
    "TRUST_ANCHORS": env.str("HALLMARK_TRUST_ANCHORS", default=str(VAR_DIR / "keys" / "ca.pem")),
    "TSA_URL": env.str("HALLMARK_TSA_URL", default="") or None,
    # The secret watermark key (hex in a 0600 file, made by `make demo`), and the keys it replaced,
    # comma-separated, so images marked before a rotation still verify (at most two).
    "WATERMARK_KEY": env.str("HALLMARK_WATERMARK_KEY", default=str(VAR_DIR / "keys" / "watermark.key")),
    "WATERMARK_PREVIOUS_KEYS": env.list("HALLMARK_WATERMARK_PREVIOUS_KEYS", default=[]),
    # How long the OpenAI-style endpoints wait for a job before answering 504-free "still running".
    # A sync wait holds a web thread: past this, /v1/images/* answers 409 job_pending with the
    # job's id, and GET /v1/jobs/{id} is the way to wait longer. The demo waits longer: one person
    # on a CPU, whose first job also loads the model, and OpenAI's clients expect the images back.
    "SYNC_TIMEOUT_S": env.float("HALLMARK_SYNC_TIMEOUT_S", default=300.0 if HALLMARK_ENV == "demo" else 30.0),
    # Admission: past this many images queued for or running on the GPUs, new requests get 429 queue_full.
    "GPU_QUEUE_MAX_IMAGES": env.int("HALLMARK_GPU_QUEUE_MAX_IMAGES", default=64),
    "GPU_QUEUE_RETRY_AFTER_S": env.int("HALLMARK_GPU_QUEUE_RETRY_AFTER_S", default=10),
    # Cross-job batching on the GPU worker: up to this many images of one kind and size share a
    # pass, gathered for at most this long, within this working-memory budget (see
    # generation.batching.DEFAULT_BYTES_PER_IMAGE for the per-image estimate).
    "GPU_BATCH_MAX_IMAGES": env.int("HALLMARK_GPU_BATCH_MAX_IMAGES", default=8),
    "GPU_BATCH_WINDOW_S": env.float("HALLMARK_GPU_BATCH_WINDOW_S", default=0.2),
    "GPU_BATCH_MEMORY_MB": env.int("HALLMARK_GPU_BATCH_MEMORY_MB", default=16384),
    # A running job whose worker stops renewing this lease is taken over by another worker.
    "JOB_LEASE_S": env.int("HALLMARK_JOB_LEASE_S", default=60),
    # Attempts per job step (a job that keeps killing its worker fails with a reason after these),
    # and the sweeper's deadlines: idle on the safety side or with a lapsed lease, waiting for a GPU.
    "MAX_ATTEMPTS": env.int("HALLMARK_MAX_ATTEMPTS", default=3),
    "JOB_STALE_S": env.int("HALLMARK_JOB_STALE_S", default=300),
    "JOB_QUEUE_DEADLINE_S": env.int("HALLMARK_JOB_QUEUE_DEADLINE_S", default=3600),
    "JOB_SWEEP_S": env.int("HALLMARK_JOB_SWEEP_S", default=60),
    "RATE_LIMIT_PER_MINUTE": env.int("HALLMARK_RATE_LIMIT_PER_MINUTE", default=60),
    "DAILY_IMAGE_QUOTA": env.int("HALLMARK_DAILY_IMAGE_QUOTA", default=500),
    # Active (unrevoked) keys an account may hold; limits and quotas are per account anyway.
    "MAX_API_KEYS_PER_ACCOUNT": env.int("HALLMARK_MAX_API_KEYS_PER_ACCOUNT", default=10),
    "SIGNED_URL_TTL_S": env.int("HALLMARK_SIGNED_URL_TTL_S", default=3600),
    "MAX_UPLOAD_BYTES": 4 * 1024 * 1024,
    # The public verify endpoint: its own byte and pixel caps and a per-client (IP) rate limit.
    "VERIFY_MAX_BYTES": env.int("HALLMARK_VERIFY_MAX_BYTES", default=20 * 1024 * 1024),
    "VERIFY_MAX_PIXELS": env.int("HALLMARK_VERIFY_MAX_PIXELS", default=4096 * 4096),
    "VERIFY_RATE_PER_MINUTE": env.int("HALLMARK_VERIFY_RATE_PER_MINUTE", default=30),
    # Per web process: how many requests may decode, verify or moderate at once (jobs.cpu_slots),
    # and how long one waits for a slot before a 429 server_busy. Web processes x slots about the
    # cores: more buys no throughput, only a longer wait for every light request (bench/load.py).
    "WEB_CPU_SLOTS": env.int("HALLMARK_WEB_CPU_SLOTS", default=1),
    "WEB_CPU_WAIT_S": env.float("HALLMARK_WEB_CPU_WAIT_S", default=5.0),
    # Trust and safety: strikes and suspensions (trust/enforcement.yaml when empty), how long a
    # held request waits for a reviewer, how often the audit head is signed.
    "ENFORCEMENT_POLICY": env.str("HALLMARK_ENFORCEMENT_POLICY", default="") or None,
    "HELD_EXPIRY_S": env.int("HALLMARK_HELD_EXPIRY_S", default=24 * 3600),
    "AUDIT_CHECKPOINT_S": env.int("HALLMARK_AUDIT_CHECKPOINT_S", default=300),
}
CELERY_BEAT_SCHEDULE = {
    "audit-checkpoint": {"task": "trust.tasks.audit_checkpoint", "schedule": float(HALLMARK["AUDIT_CHECKPOINT_S"])},
    "held-expire": {"task": "trust.tasks.held_expire", "schedule": 60.0},
    "jobs-sweep": {"task": "jobs.tasks.job_sweep_stale", "schedule": float(HALLMARK["JOB_SWEEP_S"])},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
