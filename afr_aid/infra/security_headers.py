"""Response headers: no foreign origin, no inline script, nothing cached that
shows a case, no framing."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")


def init_app(app: Flask) -> None:
    if app.config.get("FORCE_HTTPS"):
        # Behind a reverse proxy that terminates TLS and sets X-Forwarded-*.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
        app.config["PREFERRED_URL_SCHEME"] = "https"

        @app.before_request
        def _redirect_https():
            from flask import redirect

            if not request.is_secure:
                return redirect(request.url.replace("http://", "https://", 1), code=301)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("FORCE_HTTPS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/"):
            # Pages and API answers may show a case: never kept by a browser or proxy.
            headers["Cache-Control"] = "no-store"
        return response
