"""Kenes: public consultation on draft laws."""

import logging
import os

from flask import Flask, redirect, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app import ops
from config import INSTANCE_DIR, Config, check_config


def create_app(config_class: type = Config) -> Flask:
    """Build the application: the only place where extensions, blueprints and commands are wired."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config_class)
    # Request ids and the log format (LOG_FORMAT) first, so every later line (the config check's too) is in it.
    ops.init_app(app)
    # Before anything else: with KENES_ENV=production and unsafe settings, no worker or command starts.
    check_config(app.config)
    # Ids in URLs are database integers: a larger number is a 404, never an overflow inside the driver.
    app.url_map.converters["int"] = BoundedIntConverter
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.ensure_ascii = False  # Kazakh and Russian text readable as is in the API
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])
    # Alembic announces each of its plugins at INFO once imported: seven lines before every command's own output.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


class BoundedIntConverter(IntegerConverter):
    """An <int:...> that only matches values a 32-bit signed database column can hold."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_extensions(app: Flask) -> None:
    from app import caching, i18n, jobs, mail
    from app.auth.models import User
    from app.db import configure_sqlite
    from app.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    # First: its hook answers a kept page before any other hook runs.
    caching.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"])
    i18n.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    # Built once: every signed-in request loads its user, and building the statement cost a fifth of loading it.
    by_token = db.select(User).where(User.session_token == db.bindparam("token"))

    @login_manager.user_loader
    def _load_user(token: str):
        return db.session.execute(by_token, {"token": token}).scalar_one_or_none()

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")

    from app import answers, comments, moderation, notifications, search, security, summaries, template_helpers

    security.init_app(app)
    template_helpers.init_app(app)
    comments.init_app(app)
    notifications.init_app(app)
    moderation.init_app(app)
    search.init_app(app)
    summaries.init_app(app)
    answers.init_app(app)

    from app.auth import two_factor

    two_factor.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.answers import import_views, trace_views  # noqa: F401 - their routes are on the answers blueprint
    from app.answers.figures_views import bp as figures_bp
    from app.answers.public_views import bp as answered_bp
    from app.answers.views import bp as answers_bp
    from app.api.views import bp as api_bp
    from app.auth.two_factor.views import bp as two_factor_bp
    from app.auth.views import bp as auth_bp
    from app.comments.views import bp as comments_bp
    from app.editor.views import bp as editor_bp
    from app.laws.views import bp as laws_bp
    from app.main.views import bp as main_bp
    from app.moderation import campaign_views, views  # noqa: F401 - their routes are on the workspace blueprint
    from app.moderation.public_views import public_bp as moderation_public_bp
    from app.moderation.workspace import bp as moderation_bp
    from app.notifications.views import bp as notifications_bp
    from app.ops.health import bp as health_bp
    from app.organisations.views import bp as organisations_bp
    from app.parliament.views import bp as parliament_bp
    from app.search.views import bp as search_bp
    from app.summaries.downloads import bp as summary_downloads_bp
    from app.summaries.views import bp as summaries_bp

    app.register_blueprint(main_bp, url_prefix="/<lang:lang>")
    app.register_blueprint(auth_bp, url_prefix="/<lang:lang>/auth")
    app.register_blueprint(two_factor_bp, url_prefix="/<lang:lang>/auth")
    app.register_blueprint(comments_bp, url_prefix="/<lang:lang>")
    app.register_blueprint(laws_bp, url_prefix="/<lang:lang>/laws")
    app.register_blueprint(editor_bp, url_prefix="/<lang:lang>/editor")
    app.register_blueprint(admin_bp, url_prefix="/<lang:lang>/admin")
    app.register_blueprint(organisations_bp, url_prefix="/<lang:lang>/admin")
    app.register_blueprint(notifications_bp, url_prefix="/<lang:lang>/notifications")
    app.register_blueprint(moderation_bp, url_prefix="/<lang:lang>/moderation")
    app.register_blueprint(moderation_public_bp, url_prefix="/<lang:lang>")
    app.register_blueprint(search_bp, url_prefix="/<lang:lang>/search")
    app.register_blueprint(summaries_bp, url_prefix="/<lang:lang>/summaries")
    app.register_blueprint(summary_downloads_bp, url_prefix="/<lang:lang>/summaries")
    app.register_blueprint(parliament_bp, url_prefix="/<lang:lang>/parliament")
    app.register_blueprint(answers_bp, url_prefix="/<lang:lang>/answers")
    app.register_blueprint(figures_bp, url_prefix="/<lang:lang>/figures")
    app.register_blueprint(answered_bp, url_prefix="/<lang:lang>/comments")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(health_bp)

    @app.get("/")
    def root():
        """Send the visitor to the home page in the language their browser prefers."""
        lang = request.accept_languages.best_match(app.config["LANGUAGES"], default=app.config["DEFAULT_LANGUAGE"])
        return redirect(url_for("main.index", lang=lang))


def register_errorhandlers(app: Flask) -> None:
    from app.main.errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from app.answers.cli import answers_cli
    from app.auth.cli import users_cli
    from app.comments.cli import comments_cli
    from app.jobs import worker_command
    from app.laws.cli import laws_cli
    from app.main.cli import translate_cli
    from app.main.demo import seed_demo
    from app.moderation.cli import moderation_cli
    from app.ops.cli import backup_command, restore_command
    from app.outbox import mail_cli
    from app.search.cli import search_cli
    from app.summaries.cli import summaries_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(answers_cli)
    app.cli.add_command(laws_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(translate_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(comments_cli)
    app.cli.add_command(summaries_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
