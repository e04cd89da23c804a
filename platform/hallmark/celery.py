"""The Celery app: workers import Django settings and discover each app's tasks."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hallmark.settings")

app = Celery("hallmark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
