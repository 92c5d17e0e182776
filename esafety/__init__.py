"""esafety: a primary school's e-safety and social media policy, made real."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    g,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import SecurityError

from . import clock
from .auth.access import access_of, public
from .auth.roles import Role
from .concurrency import STALE_MESSAGE
from .config import from_environment, refuse_unsafe_production
from .errors import DomainError
from .extensions import cache, csrf, db, login_manager, migrate
from .inputs import register_converters
from .transactions import ping_when_idle, wrote_something

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The Content-Security-Policy: no inline script or style anywhere, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SchoolApp(Flask):
    """One unit of work per request, as Indico's request handlers do.

    Views call services and never commit: the request commits once when its view returned
    (if it wrote anything: esafety/transactions.py), and rolls back when it raised (a refused
    rule, a 403/404, a bug). A view that caught a refused rule with `errors.rule_errors` has
    already undone that work, so what it writes afterwards (a safeguarding access-log entry, a
    failed-login count) is still kept.
    """

    def dispatch_request(self):
        try:
            response = super().dispatch_request()
        except BaseException:
            db.session.rollback()
            raise
        if wrote_something(db.session()):
            db.session.commit()
        # A page that only read ends with the rollback its connection gets on return to the pool.
        return response

    def do_teardown_request(self, *args) -> None:
        _without_raising(lambda: super(SchoolApp, self).do_teardown_request(*args))

    def do_teardown_appcontext(self, *args) -> None:
        """Clean-up runs after the response is decided: a connection that died after the
        commit is logged, never turned into an error page for work that was saved."""
        exc = args[0] if args else sys.exc_info()[1]
        for func in reversed(self.teardown_appcontext_funcs):
            _without_raising(lambda func=func: self.ensure_sync(func)(exc))
        from flask.signals import appcontext_tearing_down

        appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)


@event.listens_for(Session, "before_commit")
def _commit_started(session: Session) -> None:
    """From here until the commit returns, a failure leaves it unknown what was kept."""
    if has_request_context():
        g.commit_outcome_unknown = True


@event.listens_for(Session, "after_commit")
def _commit_finished(session: Session) -> None:
    if has_request_context():
        g.commit_outcome_unknown = False
        g.committed_something = True


def _without_raising(clean_up) -> None:
    try:
        clean_up()
    except Exception:  # noqa: BLE001 - the response is already decided; log and carry on
        logging.getLogger("esafety").exception("clean-up after a request failed")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by `config` (tests)."""
    app = SchoolApp(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(from_environment())
    if config:
        app.config.update(config)
    refuse_unsafe_production(app.config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    _configure_logging(app)
    _trust_proxies(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    cache.init_app(app, config=_cache_config(app.config))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.session_protection = "basic"

    from .auth.services import load_session_user
    from .auth.throttle import make_throttle

    app.extensions["esafety_throttle"] = make_throttle(app.config["REDIS_URL"])
    login_manager.user_loader(load_session_user)

    _register_sqlite_pragmas(app)
    with app.app_context():
        ping_when_idle(db.engine)
    # Before any route is added: every <int:...> in a path is an id the database can hold.
    register_converters(app)
    _register_blueprints(app)
    _declare_static_public(app)
    _register_request_hooks(app)
    _register_error_pages(app)
    _register_template_helpers(app)

    from . import cli

    cli.register(app)
    return app


def _cache_config(config) -> dict:
    """Redis when ESAFETY_REDIS_URL is set (shared by every worker), else each process's own."""
    if config.get("REDIS_URL") and not config.get("TESTING"):
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": config["REDIS_URL"],
            "CACHE_KEY_PREFIX": "esafety:",
            "CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}


def _configure_logging(app: Flask) -> None:
    """One line per event, ids only: no names, emails or text a person wrote."""
    if app.testing:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False


def _trust_proxies(app: Flask) -> None:
    """Behind nginx every connection comes from nginx: take the client's real address (which
    lockouts and the audit log use) from the headers the configured number of proxies set."""
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware; its stubs type wsgi_app as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _register_blueprints(app: Flask) -> None:
    from . import features, views
    from .auth import bp as auth_bp

    app.register_blueprint(views.bp)
    app.register_blueprint(auth_bp)
    for feature in features.all_features():
        app.register_blueprint(feature.blueprint)
    app.extensions["esafety.app_factory"] = create_app
    app.extensions["esafety.records_providers"] = features.records_providers()
    app.extensions["esafety.needs"] = features.needs_providers()
    app.extensions["esafety.account_guards"] = features.account_guards()


def _declare_static_public(app: Flask) -> None:
    """Static files are public; declared like every other endpoint."""
    app.view_functions["static"] = public(app.view_functions["static"])


def _register_sqlite_pragmas(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()


def _register_request_hooks(app: Flask) -> None:
    from . import memo

    app.before_request(memo.start)

    @app.before_request
    def deny_undeclared_endpoints() -> None:
        """Deny by default: a view that forgot to declare its roles is never served."""
        if request.endpoint is None:
            return
        view = app.view_functions.get(request.endpoint)
        if view is None or access_of(view) is None:
            app.logger.error("endpoint %s has no access declaration", request.endpoint)
            abort(404)

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()
        g.commit_outcome_unknown = g.committed_something = False

    @app.after_request
    def log_request(response):
        """One line per request: endpoint, status, time and the user's id, never the query."""
        if not app.testing and request.endpoint != "static":
            started = g.get("request_started", time.perf_counter())
            # From the session, not current_user: after a commit that would reload the account.
            user_id = str(session.get("_user_id", "-")).split(":")[0]
            app.logger.info(
                "request method=%s endpoint=%s status=%s ms=%.1f user=%s",
                request.method,
                request.endpoint,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                user_id,
            )
        return response

    always = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config["ESAFETY_ENV"] == "production":
        always.append(("Strict-Transport-Security", "max-age=31536000"))
    #: Pages for a signed-in person hold personal data: no browser or proxy keeps them (a shared
    #: classroom computer's back button included).
    personal = [*always, ("Cache-Control", "no-store")]

    @app.after_request
    def security_headers(response):
        """The headers every response carries, unless the view set its own (one pass over the
        response's few headers rather than a search per header)."""
        wanted = personal if "_user_id" in session and request.endpoint != "static" else always
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response


def _register_error_pages(app: Flask) -> None:
    def render_error(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        """A Host header that is not the school's (TRUSTED_HOSTS): no page, no links built."""
        return Response("This address is not this site.\n", 400, mimetype="text/plain")

    @app.errorhandler(400)
    def bad_request(error):
        return render_error(400, "Something was not right", "Please go back and try again.")

    @app.errorhandler(403)
    def forbidden(error):
        return render_error(403, "This page is not for you", "You do not have access to it.")

    @app.errorhandler(404)
    def not_found(error):
        return render_error(404, "Page not found", "We could not find that page.")

    @app.errorhandler(413)
    def too_large(error):
        return render_error(413, "That file is too big", "Please choose a smaller file.")

    @app.errorhandler(500)
    def server_error(error):
        """A page that needs nothing that may have failed: no database, no signed-in user."""
        _without_raising(db.session.rollback)
        if g.get("commit_outcome_unknown") or g.get("committed_something"):
            lines = [
                "We cannot be sure whether what you just sent was kept.",
                "Please check the page before you send it again.",
            ]
        elif request.method in ("GET", "HEAD"):
            lines = ["Please try again in a moment."]
        else:
            lines = [
                "What you just sent was not saved. Please go back and try again.",
                "If it keeps happening, please tell the school office.",
            ]
        title = "Sorry, something went wrong"
        try:
            return render_template("error_500.html", title=title, lines=lines), 500
        except Exception:  # noqa: BLE001 - even the template failed: plain words still help
            app.logger.exception("the error page could not be shown")
            return f"{title}. {' '.join(lines)}", 500, {"Content-Type": "text/plain"}

    @app.errorhandler(StaleDataError)
    def decided_meanwhile(error):
        """Two decisions landed at once and this one lost: nothing of it was kept."""
        db.session.rollback()
        return render_error(409, "Someone got there first", STALE_MESSAGE)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        titles = {403: "This page is not for you", 404: "Page not found"}
        return render_error(
            error.status, titles.get(error.status, "That did not work"), error.message
        )


def _register_template_helpers(app: Flask) -> None:
    from . import features

    app.add_template_filter(clock.school_time, "school_time")
    #: Parts of the layout that depend only on the mount point and the person's roles, and the
    #: URLs that depend only on the mount point: made once per process, not on every page.
    kept_parts: dict[tuple, Markup] = {}
    kept_urls: dict[tuple, str] = {}

    def kept_part(template: str, *, per_roles: bool = True) -> Markup:
        from flask_login import current_user

        roles = current_user.role_set if per_roles else None
        key = (template, roles, request.script_root)
        if key not in kept_parts:
            # An autoescaped template's output, kept as the HTML it already is.
            kept_parts[key] = Markup(render_template(template))  # noqa: S704
        return kept_parts[key]

    @app.template_global()
    def site_head() -> Markup:
        """The stylesheets and icon, the same for everyone: rendered once per mount point."""
        return kept_part("_site_head.html", per_roles=False)

    @app.template_global()
    def site_nav() -> Markup:
        """The main navigation, rendered once per set of roles (and mount point), not per page."""
        return kept_part("_site_nav.html")

    @app.template_global()
    def site_footer() -> Markup:
        """The signed-in footer's links (a feature's footer line), once per set of roles."""
        return kept_part("_site_footer.html")

    @app.template_global()
    def fixed_url(endpoint: str, **values: Any) -> str:
        """`url_for` for a link that depends on nothing but the mount point (a stylesheet, the
        home page), built once per process."""
        key = (request.script_root, endpoint, *sorted(values.items()))
        if key not in kept_urls:
            kept_urls[key] = url_for(endpoint, **values)
        return kept_urls[key]

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "Role": Role,
            "school_name": app.config["SCHOOL_NAME"],
            "features": features.all_features(),
        }
