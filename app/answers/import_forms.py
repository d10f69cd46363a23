"""The upload of a table of answers on the answers page."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, SubmitField

from app.forms import BaseForm


class ImportAnswersForm(BaseForm):
    """A CSV or XLSX table of answers, and the summary whose themes its rows name."""

    file = FileField(
        _l("Table of answers (CSV or XLSX)"),
        validators=[FileRequired(_l("Choose a file.")), FileAllowed(["csv", "xlsx"], _l("Upload a CSV or XLSX file."))],
    )
    # 0: the newest summary; the view lists the draft's summaries.
    snapshot = SelectField(_l("Summary whose themes the table names"), coerce=int, default=0)
    submit = SubmitField(_l("Import the answers"))
