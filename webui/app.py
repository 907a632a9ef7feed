"""The Flask application factory: settings, blueprints, error pages, security headers.

Only GET and HEAD are served. Every response carries a Content-Security-Policy that allows
scripts, styles and images from this origin only (no inline script), so that even a report
that slipped past escaping could not run code in a reader's browser.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException

from indexer import (
    FazhiError,
    IndexDamagedError,
    IndexMissingError,
    QueryError,
    ReportNotFoundError,
    SchemaVersionError,
    load_settings,
)

from . import resources
from .messages import user_message
from .params import check_size

log = logging.getLogger(__name__)

ALLOWED_METHODS = frozenset({"GET", "HEAD"})

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` overrides Flask config; ``SETTINGS`` gives the Settings."""
    app = Flask(__name__)
    # Before any rule is added: "/reports//etc/passwd" must reach safe_report_id (a 404), not
    # be redirected to "/reports/etc/passwd" by Werkzeug's slash merging.
    app.url_map.merge_slashes = False
    app.config.update(JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=64 * 1024)
    if test_config:
        app.config.update(test_config)
    if app.config.get("SETTINGS") is None:
        app.config["SETTINGS"] = load_settings()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from . import views_api, views_compare, views_facets, views_reader, views_search

    app.register_blueprint(views_search.bp)
    app.register_blueprint(views_reader.bp)
    app.register_blueprint(views_api.bp)
    app.register_blueprint(views_compare.bp)
    app.register_blueprint(views_facets.bp)
    resources.init_app(app)
    _register_filters(app)
    _register_guards(app)
    _register_errors(app)
    return app


def _register_filters(app: Flask) -> None:
    from indexer import highlight_html
    from markupsafe import Markup

    from . import present

    def highlight(text: str, spans) -> Markup:  # noqa: ANN001 - spans: ((start, end), ...)
        # highlight_html escapes the text itself and adds only <mark> tags.
        return Markup(highlight_html(text, tuple(spans or ())))

    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["excerpt"] = lambda hit: present.excerpt(hit.text, hit.highlights)
    app.jinja_env.filters["value_label"] = present.value_label
    app.jinja_env.filters["section_label"] = present.section_label
    app.jinja_env.filters["level_label"] = present.level_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _register_guards(app: Flask) -> None:
    @app.before_request
    def only_get() -> None:
        # Nothing changes state over HTTP: refuse every other verb, OPTIONS included.
        if request.method not in ALLOWED_METHODS:
            abort(405)
        # Every page's links repeat its query string: a huge one is refused on every route
        # before any work (400 with a message), so no page grows with it.
        check_size(request.query_string, lambda: request.args)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.status_code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(
    status: int, title: str, message: str, hint: str | None = None, command: str | None = None
) -> tuple[Any, int]:
    """The same error as JSON under /api/, as a page elsewhere (``command``: what to run)."""
    if _wants_json():
        body: dict[str, Any] = {"error": {"status": status, "title": title, "message": message}}
        if hint:
            body["error"]["hint"] = f"{hint} {command}" if command else hint
        return body, status
    page = render_template(
        "error.html", status=status, title=title, message=message, hint=hint, command=command
    )
    return page, status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(QueryError)
    def bad_query(exc: QueryError):  # noqa: ANN202
        hint = "请检查引号是否成对、筛选条件是否有效。"
        return _error(400, "查询有误", user_message(str(exc)), hint)

    @app.errorhandler(ReportNotFoundError)
    def no_report(exc: ReportNotFoundError):  # noqa: ANN202
        return _error(404, "找不到这篇报告", "索引中没有这个报告编号。", "它可能已被移出语料库。")

    @app.errorhandler(IndexMissingError)
    def no_index(exc: IndexMissingError):  # noqa: ANN202
        return _error(
            503,
            "索引尚未建立",
            "还没有可供检索的索引。",
            "请先在命令行建立索引，然后刷新本页：",
            "fazhi index",
        )

    @app.errorhandler(SchemaVersionError)
    def old_index(exc: SchemaVersionError):  # noqa: ANN202
        return _error(
            503,
            "索引版本过旧",
            "磁盘上的索引由不兼容的版本建立。",
            "请在命令行重建索引：",
            "fazhi index --rebuild",
        )

    @app.errorhandler(IndexDamagedError)
    def damaged_index(exc: IndexDamagedError):  # noqa: ANN202
        log.warning("damaged index on %s: %s", request.path, exc)
        return _damaged_page(exc)

    @app.errorhandler(FazhiError)
    def engine_error(exc: FazhiError):  # noqa: ANN202
        log.warning("engine error on %s: %s", request.path, exc)
        return _error(503, "暂时无法检索", "检索引擎暂时不可用。", "请稍后重试。")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # noqa: ANN202
        titles = {404: "页面不存在", 405: "不支持的请求方法", 413: "请求过大"}
        messages = {
            404: "没有这个页面。",
            405: "本站只接受 GET 请求。",
            413: "请求内容过大。",
        }
        status = exc.code or 500
        response, code = _error(
            status, titles.get(status, "请求有误"), messages.get(status, exc.name or "")
        )
        return response, code

    @app.errorhandler(Exception)
    def crash(exc: Exception):  # noqa: ANN202
        from indexer import find_index_damage

        damage = find_index_damage(app.config["SETTINGS"])
        if damage is not None:  # a file altered under the running server: one line
            log.warning("damaged index on %s: %s (%r)", request.path, damage, exc)
            return _damaged_page(damage)
        # Log the traceback for the operator; show the user a page without internals.
        log.exception("unhandled error on %s", request.path)
        return _error(500, "服务器内部错误", "处理请求时出错。", "请稍后重试。")


def _damaged_page(exc: IndexDamagedError) -> tuple[Any, int]:
    """503: which file of the index is damaged, and the command that repairs it."""
    return _error(
        503,
        "索引文件已损坏",
        f"索引中的文件 {exc.file} 已损坏或缺失，暂时无法检索。",
        "请在命令行修复（从语料库重建索引），然后刷新本页：",
        "fazhi index",
    )
