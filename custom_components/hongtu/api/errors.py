"""Exceptions of the HongTu client. Every failure the client reports derives from HongTuError."""

from __future__ import annotations

CODE_SIGNATURE_ERROR = 100008
CODE_DOOR_COMMAND_UNSUPPORTED = 200314


class HongTuError(Exception):
    """Base class of everything the client raises."""


class HongTuConnectionError(HongTuError):
    """The appliance could not be reached or answered something that is not its JSON envelope."""


class HongTuApiError(HongTuError):
    """The appliance answered with a non-zero ``code``; ``msg`` is kept as the appliance sent it."""

    def __init__(self, code: int, msg: str, endpoint: str | None = None) -> None:
        self.code = code
        self.msg = msg
        self.endpoint = endpoint
        where = f" ({endpoint})" if endpoint else ""
        super().__init__(f"code {code}{where}: {msg}")


class HongTuAuthError(HongTuApiError):
    """Code 100008: the signature was rejected (wrong appKey or secret)."""


class HongTuUnsupportedError(HongTuApiError):
    """Code 200314: the device does not support this door command (not a face panel)."""


class HongTuParseError(HongTuError):
    """A record or list item could not be understood (wrong shape or missing required fields)."""
