"""Named errors of the domain. The adapter turns each into a reply a moderator understands."""

from __future__ import annotations


class ChatError(Exception):
    """Base of every error the core raises on purpose; ``str(error)`` is the user-facing reason."""


class ChatNotFound(ChatError):
    """No chat with that id is scheduled."""


class DefinedByFile(ChatError):
    """A change from Discord to a chat a file in ``CHATS_DIR`` defines (the file wins at
    the next reload, so the file is where to change it)."""


class DraftExpired(ChatError):
    """A form (``/host new``, ``/host edit``) whose draft is gone: used, or too old."""


class OccurrenceNotFound(ChatError):
    """The chat has no occurrence that a command could act on."""


class ControlRefused(ChatError):
    """A moderator control that does not apply to the occurrence as it stands."""


class HeldElsewhere(ControlRefused):
    """Another process of the bot is running this chat's steps right now (several processes)."""


class NotRunning(ControlRefused):
    """The chat has not started."""


class AlreadyStarted(ControlRefused):
    """The chat has started; the control is for occurrences that have not."""


class AlreadyPaused(ControlRefused):
    """The chat is paused."""


class NotPaused(ControlRefused):
    """Resume on a chat that is not paused."""


class AlreadyClosed(ControlRefused):
    """The chat has closed."""


class RunFinished(ControlRefused):
    """The occurrence is recapped, cancelled or missed."""


class NoMoreQuestions(ControlRefused):
    """Next on the last question."""


class NoSuchQuestion(ControlRefused):
    """A question number out of range."""


class QuestionAlreadyPosted(ControlRefused):
    """Skip of a question that was already posted or skipped."""


class InvalidExtension(ControlRefused):
    """An extension of zero, negative, or unreasonably long time."""


class NotAModerator(ChatError):
    """The user may not control chats."""


class PostingFailed(ChatError):
    """A post a moderator asked for could not be made (the reason says why)."""


class StorageError(Exception):
    """The database cannot be used; the message names the file (or server) and the fix.

    Raised by every store (SQLite, and any other backend behind the ports) for a write or
    read it could not make: locked, read-only, full, unreachable. The runtime catches it
    to retry; it is not a :class:`ChatError` since no user did anything wrong.
    """

    #: Retrying may help (the server was unreachable, a lock or a full disk): set by the store.
    transient: bool = False
