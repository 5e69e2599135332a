"""The tracker's one error family: every refusal carries a user-facing message in English and Chinese."""

from __future__ import annotations

from tracker.text.i18n import Message, render


class TrackerError(Exception):
    """A problem the user can act on; `title` and `detail` are rendered in the user's language."""

    def __init__(self, key: str, **params: object) -> None:
        self.message = Message(key, params)
        super().__init__(self.text("en"))

    @property
    def key(self) -> str:
        return self.message.key

    def text(self, lang: str = "en") -> str:
        return render(self.message, lang)


class ConfigError(TrackerError):
    """A setting or command-line value is invalid."""


class DatabaseError(TrackerError):
    """The database could not be opened or a statement failed."""


class FileRefused(TrackerError):
    """A file was refused as a whole (structure, format, size, kind)."""


class ScopeError(TrackerError):
    """An action reached outside the acting user's agency or role."""


class AuthError(TrackerError):
    """A login or an account change was refused (wrong credentials, locked account, invalid user data)."""
