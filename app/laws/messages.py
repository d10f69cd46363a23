"""Sentences for the editor (and the import command) when a text cannot be read or published."""

from flask_babel import lazy_gettext as _l

from app.laws.parser import ParseError

PARSE_MESSAGES = {
    "empty": _l("The text is empty. Paste the text of the draft or choose a file."),
    "binary": _l("This file does not look like text. Upload a .txt or .docx file."),
    "too_large": _l("The text is too large: the limit is %(limit)s MB."),
    "bad_docx": _l("This .docx file cannot be read. Save it again in Word or upload the text as .txt."),
    "bad_type": _l("Only .txt and .docx files can be uploaded."),
    "no_structure": _l(
        "No chapters or articles were found. Headings must look like «Глава 1.», «Статья 1.», "
        "«1-тарау.», «1-бап.», «Chapter 1.» or «Article 1.», each on its own line."
    ),
}

# One whole sentence per pair (the text's language, the chosen one): the names decline differently in each place.
WRONG_LANGUAGE_MESSAGES = {
    ("ru", "kk"): _l("The text looks Russian, but Kazakh was chosen: choose Russian or upload the Kazakh text."),
    ("en", "kk"): _l("The text looks English, but Kazakh was chosen: choose English or upload the Kazakh text."),
    ("kk", "ru"): _l("The text looks Kazakh, but Russian was chosen: choose Kazakh or upload the Russian text."),
    ("en", "ru"): _l("The text looks English, but Russian was chosen: choose English or upload the Russian text."),
    ("kk", "en"): _l("The text looks Kazakh, but English was chosen: choose Kazakh or upload the English text."),
    ("ru", "en"): _l("The text looks Russian, but English was chosen: choose Russian or upload the English text."),
}


def parse_error_message(error: ParseError) -> str:
    """Translate a parser error code into a sentence for the editor."""
    if error.code == "wrong_language":
        return str(WRONG_LANGUAGE_MESSAGES[error.params["detected"], error.params["chosen"]])
    template = PARSE_MESSAGES.get(error.code, _l("The text could not be read."))
    params = dict(error.params)
    if "limit" in params:
        params["limit"] = round(int(params["limit"]) / (1024 * 1024), 1)
    return str(template) % params if params and "%(" in str(template) else str(template)
