import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The first request's costs (views, URL tables, templates) are paid here, before the
# process takes traffic; with gunicorn --preload (as `hotline serve` starts it) once, in
# the master, for every worker it forks (hotline/core/warmup.py, decision 0032).
from hotline.core.warmup import warm  # noqa: E402

warm()
