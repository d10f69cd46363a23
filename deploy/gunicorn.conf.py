"""gunicorn settings for Kenes: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (deploy/systemd/kenes-web.service)."""

import multiprocessing
import os

# nginx in front (deploy/nginx/kenes.conf) on the same host; PROXY_COUNT=1 tells the app to trust its X-Forwarded-*.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: nginx buffers slow clients, and long work (summary builds, mail) runs on `flask worker`.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# Above SQLITE_BUSY_TIMEOUT (8 s): a request waiting out another writer's lock gets its 503, not a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Each worker starts its own search writer thread and connection pool after the fork: no preload.
preload_app = False
# Recycle workers now and then, spread out so they do not all restart at once.
max_requests = 2000
max_requests_jitter = 200

# Access log on stdout (journald), each line with the request id the app echoed (X-Request-ID: nginx's, or the
# app's own), so a line here finds the app's log lines about the same request.
accesslog = "-"
errorlog = "-"
if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
    access_log_format = (
        '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
        '"bytes": "%(B)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


def post_worker_init(worker):
    """Load the language model, word lists and catalogs before the worker takes its first request (app/warmup.py)."""
    from app.warmup import warm_up

    warm_up(worker.wsgi)
