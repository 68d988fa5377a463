class DomainError(Exception):
    """A rule of the service was broken. The message tells a person what to change.

    `field` names the form or API field at fault, so pages put the message next to it.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class StaleEditError(DomainError):
    def __init__(self, what: str = "record"):
        super().__init__(
            f"Someone else saved this {what} after you opened it. Your changes have not been saved: "
            "reload the page to see their changes, then make yours again.",
            code="stale",
        )
