import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hallmark.settings")
application = get_wsgi_application()

# Only web servers import this module (gunicorn, runserver): they load the gates at start,
# in the background, so that no request pays for it (workers warm up in jobs.signals).
from jobs import runtime  # noqa: E402

runtime.warm_gates()
