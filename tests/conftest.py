"""Test environment: real PostgreSQL, Redis and Celery workers, set before Django starts.

pytest-django sets Django up in its (trylast) pytest_configure, after this file is
imported, so the environment below is what the settings read.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"

TEST_ENV = {
    "HALLMARK_ENV": "test",
    "DJANGO_SETTINGS_MODULE": "hallmark.settings",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hallmark",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/2",
    "CELERY_VISIBILITY_TIMEOUT": "8",
    "HALLMARK_JOB_LEASE_S": "4",
    "HALLMARK_MODEL_SOURCE": str(VAR / "test-models" / "tiny"),
    "HALLMARK_GENERATION_STEPS": "2",
    "HALLMARK_SIGNING_CERT_CHAIN": str(VAR / "test-keys" / "signer-chain.pem"),
    "HALLMARK_SIGNING_KEY": str(VAR / "test-keys" / "signer.key"),
    "HALLMARK_TRUST_ANCHORS": str(VAR / "test-keys" / "ca.pem"),
    "HALLMARK_SYNC_TIMEOUT_S": "180",
    "MEDIA_ROOT": str(VAR / "test-media"),
}
for name, value in TEST_ENV.items():
    os.environ.setdefault(name, value)
