"""What gunicorn serves in bench/http_pages.py: the app, a bare Flask app at /bare/ and an empty route in the app.

The bare app is the ceiling: the same gunicorn workers answering with a minimal Flask app and nothing of Kenes.
The empty route (/bench-empty) runs the app's own hooks (session, locale, security headers) and no view, so each
page's cost splits into what every request pays and what the page adds. Configured from the environment as wsgi.py.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from app import create_app
from app.warmup import warm_up

bare = Flask("bare")


@bare.get("/")
def bare_route():
    return "ok"


kenes = create_app()
warm_up(kenes)  # as deploy/gunicorn.conf.py has each worker do (post_worker_init)


@kenes.get("/bench-empty")
def empty_route():
    return "ok"


app = DispatcherMiddleware(kenes, {"/bare": bare})
