"""How a channel send fails: worth another try later, or never going to work."""


class TransientSendError(Exception):
    """The provider or relay is unreachable or busy; the send is retried with backoff."""


class PermanentSendError(Exception):
    """The provider refused this message for good (bad address, rejected content)."""
