"""afr_aid: case tracking for the All For Rwanda movement."""
from __future__ import annotations

import logging
import os

from dotenv import load_dotenv
from flask import Flask

from .config import Config
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate


def create_app(config: dict | None = None, env: dict | None = None) -> Flask:
    """Builds the app. Nothing is seeded here: reference places come from the
    migrations, demo data only from `flask demo`."""
    if env is None:
        load_dotenv(os.path.join(os.getcwd(), ".env"))
    instance_path = (env or os.environ).get("AFR_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(Config(app.instance_path, env).as_dict())
    if config:
        app.config.update(config)

    from .infra import database, read_only_commit

    database.init_app(app)
    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
        read_only_commit.init_app(app, db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # sessions are checked server-side, see services/accounts/sessions.py
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    from .i18n import select_locale, select_timezone
    from .services.notifications import outbox  # noqa: F401  (registers the session listeners)

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    from .infra import security_headers as security
    from .web import errors as errors_web
    from .web import templating

    templating.init_app(app)
    security.init_app(app)
    errors_web.init_app(app)
    _register_blueprints(app)
    from . import cli

    cli.init_app(app)
    from .celery_app import celery_init_app

    celery_init_app(app)
    _configure_logging(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .api import init_api
    from .api.base import api
    from .auth.views import bp as auth_bp
    from .cases.views import bp as cases_bp
    from .dashboard.views import bp as dashboard_bp
    from .notifications.views import bp as notifications_bp
    from .offline.views import bp as offline_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(offline_bp)
    init_api(app, api)


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
