"""The failures a test can switch on, in one place so they can be listed and cleared together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def path_matches(selected: set[str | None], path: str) -> bool:
    """Whether a fault set covers a request path.

    ``None`` in the set stands for every API endpoint (``/v1/...``); a path covers itself and
    anything below it, so ``/pub`` breaks every image.
    """
    if None in selected and path.startswith("/v1/"):
        return True
    return any(
        item is not None and (path == item or path.startswith(item.rstrip("/") + "/"))
        for item in selected
    )


@dataclass(slots=True)
class Faults:
    """Switchable misbehaviour of the API port."""

    down: bool = False
    slow: float = 0.0
    http_500: set[str | None] = field(default_factory=set)
    garbage: set[str | None] = field(default_factory=set)
    error_codes: dict[str, tuple[int, str]] = field(default_factory=dict)
    reject_signatures: bool = False
    repeat_pages: bool = False
    page_size_cap: int | None = None
    omit_cmd_status: bool = False

    def clear(self) -> None:
        """Everything back to a healthy appliance (the caller brings the port back up)."""
        self.down = False
        self.slow = 0.0
        self.http_500.clear()
        self.garbage.clear()
        self.error_codes.clear()
        self.reject_signatures = False
        self.repeat_pages = False
        self.page_size_cap = None
        self.omit_cmd_status = False

    def view(self) -> dict[str, Any]:
        """JSON view for ``/_sim/state``; ``"*"`` stands for every endpoint."""
        return {
            "down": self.down,
            "slow": self.slow,
            "http500": sorted(item or "*" for item in self.http_500),
            "garbage": sorted(item or "*" for item in self.garbage),
            "errorCodes": {
                path: {"code": code, "msg": msg} for path, (code, msg) in self.error_codes.items()
            },
            "rejectSignatures": self.reject_signatures,
            "repeatPages": self.repeat_pages,
            "pageSizeCap": self.page_size_cap,
            "omitCmdStatus": self.omit_cmd_status,
        }
