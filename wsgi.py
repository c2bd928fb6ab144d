"""Entry point for `gunicorn -w 2 wsgi:app`."""
from afr_aid import create_app

app = create_app()
