"""The failures a test can switch on, in one place so they can be listed and cleared together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

#: Fields the vendor document marks optional (N) on the items of the polled lists: what the
#: ``sparse_items`` fault leaves out.
OPTIONAL_ITEM_FIELDS: Final[dict[str, frozenset[str]]] = {
    "/v1/api/device/list": frozenset(
        {"mac", "upgradeStatus", "upgradeAction", "currentVersion", "checkFirm"}
    ),
    "/v1/api/door/list": frozenset({"synStatus", "switchIp", "failNum", "cmdStatus"}),
}


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
    sparse_items: bool = False
    string_numbers: bool = False

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
        self.sparse_items = False
        self.string_numbers = False

    def reshape(self, path: str, data: Any) -> Any:
        """A page as the list-item faults change it: optional fields dropped, and numbers in
        the items and the page fields sent as strings (the document types many as string)."""
        if not isinstance(data, dict) or not isinstance(data.get("list"), list):
            return data
        items: list[Any] = data["list"]
        if self.sparse_items:
            optional = OPTIONAL_ITEM_FIELDS.get(path, frozenset())
            items = [
                {key: value for key, value in item.items() if key not in optional} for item in items
            ]
        if self.string_numbers:
            items = [{key: _stringify(value) for key, value in item.items()} for item in items]
            data = {key: _stringify(value) for key, value in data.items()}
        return {**data, "list": items}

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
            "sparseItems": self.sparse_items,
            "stringNumbers": self.string_numbers,
        }


def _stringify(value: Any) -> Any:
    """An int or float as its text; anything else (bools too) unchanged."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value
