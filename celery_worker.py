"""Entry point for `celery -A celery_worker worker` and `celery -A celery_worker beat`.

The Flask app is built once per process here (never at task import time);
every task runs inside its app context (see afr_aid/celery_app.py)."""
from afr_aid import create_app
from afr_aid.services.notifications import chart

flask_app = create_app()
celery = flask_app.extensions["celery"]
chart.preload()
