"""Cells of CSV files that people open in spreadsheet programs: the comments API and the summary table."""

# Excel, LibreOffice and Google Sheets run a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Return a value as CSV cell text that a spreadsheet program shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
