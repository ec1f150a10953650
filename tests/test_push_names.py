"""The name index the push receiver uses for records that name their device only by
``deviceName`` (built once per poll instead of scanning every device per push)."""

from __future__ import annotations

from custom_components.hongtu.api.models import Device, DoorPoint
from custom_components.hongtu.data import HongTuSnapshot
from custom_components.hongtu.push import unique_names


def test_unique_names() -> None:
    """A device listed both as a device and as a door point is one device; a name two devices
    share maps to nothing; so does an empty name."""
    snapshot = HongTuSnapshot(
        devices={
            "door": Device.from_api({"uuid": "door", "name": "Gate"}),
            "cam1": Device.from_api({"uuid": "cam1", "name": "Camera"}),
            "cam2": Device.from_api({"uuid": "cam2", "name": "Camera"}),
            "blank": Device.from_api({"uuid": "blank", "name": ""}),
        },
        door_points={
            "door": DoorPoint.from_api({"uuid": "door", "name": "Gate"}),
            "panel": DoorPoint.from_api({"uuid": "panel", "name": "Panel"}),
        },
    )
    names = unique_names(snapshot)
    assert names["Gate"] == "door"
    assert names["Panel"] == "panel"
    assert "Camera" not in names
    assert "" not in names
