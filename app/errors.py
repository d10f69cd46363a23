"""The one family of refusals a user is told about; each domain subclasses it under its own name."""


class UserError(Exception):
    """A refused action; `message` is translatable and meant for the user, `status` is the HTTP answer."""

    def __init__(self, message, status: int = 400, **params) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.params = params

    def __str__(self) -> str:
        # Filled in only when shown, so a lazy message takes the language of the page that shows it.
        return str(self.message) % self.params if self.params else str(self.message)
