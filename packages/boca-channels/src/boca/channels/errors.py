"""What can go wrong with a channel, as exceptions a view or a test can catch by name."""

from __future__ import annotations

__all__ = ["ChannelsError", "ChannelsUnavailable", "InvalidMessageId", "SubscriberTooSlow"]


class ChannelsError(Exception):
    """The base class of every boca-channels error."""


class ChannelsUnavailable(ChannelsError):
    """The backend cannot be reached now (Redis is down or restarting).

    Raised by `publish()` and by `subscribe()` when they need the backend; nothing waits for
    Redis to come back. With `app.use(channels)` a Boca view that lets it through answers
    `503 Service Unavailable` with `Retry-After`.
    """


class InvalidMessageId(ChannelsError, ValueError):
    """A `last_id` (a client's `Last-Event-ID`) that is not a message id.

    It comes from the client: with `app.use(channels)` a Boca view that lets it through
    answers `400 Bad Request`.
    """


class SubscriberTooSlow(ChannelsError):
    """A subscription fell `max_pending` messages behind and was closed (`on_overflow="close"`).

    Its buffer was freed at once. An event stream that ends this way is reconnected by the
    browser with its `Last-Event-ID`, and gets what it missed from the channel's history.
    """
