"""A fake Megvii HongTu 3000 appliance over real HTTP, for tests, demos and benchmarks.

It implements the vendor document on its own (it never imports the integration), so a
misreading of the document in one cannot hide in the other.
"""

from __future__ import annotations

from .inventory import (
    APPLIANCE_NAME,
    APPLIANCE_TYPE,
    APPLIANCE_VERSION,
    BACK_DOOR_UUID,
    FRONT_DOOR_UUID,
    GARAGE_DOOR_UUID,
    LOBBY_CAMERA_UUID,
    ORG_NAME,
    ORG_UUID,
    PARKING_CAMERA_UUID,
    PERIMETER_CAMERA_UUID,
    Device,
    Inventory,
)
from .server import Delivery, RecordedRequest, Simulator
from .signing import DEFAULT_SECRETS

__all__ = [
    "APPLIANCE_NAME",
    "APPLIANCE_TYPE",
    "APPLIANCE_VERSION",
    "BACK_DOOR_UUID",
    "DEFAULT_SECRETS",
    "FRONT_DOOR_UUID",
    "GARAGE_DOOR_UUID",
    "LOBBY_CAMERA_UUID",
    "ORG_NAME",
    "ORG_UUID",
    "PARKING_CAMERA_UUID",
    "PERIMETER_CAMERA_UUID",
    "Delivery",
    "Device",
    "Inventory",
    "RecordedRequest",
    "Simulator",
]
