"""Security headers on every response, pages and API alike.

A small after-request hook rather than Flask-Talisman: Talisman is dormant since 2023 and its HTTPS redirect
breaks plain-http tests. Templates carry no inline script, style attribute or event handler, so the policy
needs neither 'unsafe-inline' nor nonces; a browser test listens for violations.
"""

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# One year, and no includeSubDomains: other hosts under the same domain are not ours to force onto HTTPS.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def init_app(app: Flask) -> None:
    """Add the security headers to every response the app sends."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # Older browsers that ignore frame-ancestors still honour this one.
        headers.setdefault("X-Frame-Options", "DENY")
        # Only a deployment that already requires HTTPS for its cookies may tell browsers to insist on it.
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
