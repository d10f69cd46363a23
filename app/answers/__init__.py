"""The drafting agency's answers to comments, their trace into the next version, and the Hearing State figures."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the models and give templates the answers of the comments they show."""
    from app.answers import models, receivers  # noqa: F401 (models: the tables exist for create_all and migrations)

    receivers.connect()
    from app.answers.presenting import answer_change, answers_for_template, decision_label

    app.jinja_env.globals.update(answers_for=answers_for_template, answer_change=answer_change)
    app.jinja_env.filters.update(decision_label=decision_label)
