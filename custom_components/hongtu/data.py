"""Typed runtime data of a config entry and the snapshot one poll produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api.models import Device as ApiDevice, DeviceAlarm, DoorPoint

if TYPE_CHECKING:
    from .api.client import HongTuClient
    from .catchup import CatchUp
    from .coordinator import HongTuCoordinator
    from .push import HongTuPushReceiver
    from .subscription import SubscriptionManager

type HongTuConfigEntry = ConfigEntry[HongTuData]


@dataclass(slots=True)
class HongTuData:
    """What a loaded entry keeps: the client and the coordinator (the push receiver joins later)."""

    client: HongTuClient
    coordinator: HongTuCoordinator
    subscription: SubscriptionManager | None = None
    push: HongTuPushReceiver | None = None
    catch_up: CatchUp | None = None


@dataclass(frozen=True, slots=True)
class HongTuSnapshot:
    """One poll of the appliance, keyed by device uuid. Compared by value, so an unchanged poll
    does not wake the entities (the coordinator runs with ``always_update=False``)."""

    devices: Mapping[str, ApiDevice] = field(default_factory=dict)
    door_points: Mapping[str, DoorPoint] = field(default_factory=dict)
    # Door mode (cmdStatus) per door point, from the door list or, for a panel whose item lacks
    # it, from /v1/api/device/query. None when the appliance reports no mode.
    door_modes: Mapping[str, int | None] = field(default_factory=dict)
    # The newest alarm record of each (device uuid, alarm type).
    alarms: Mapping[tuple[str, int], DeviceAlarm] = field(default_factory=dict)

    def known(self, uuid: str) -> bool:
        """Whether the appliance still lists this device or door point."""
        return uuid in self.devices or uuid in self.door_points

    def online(self, uuid: str) -> bool:
        """Status 3 is online; anything else, or a device that is gone, is not."""
        if (device := self.devices.get(uuid)) is not None:
            return device.online
        if (door := self.door_points.get(uuid)) is not None:
            return door.online
        return False

    def name(self, uuid: str) -> str:
        """The device's name as the appliance shows it, or its uuid."""
        if (device := self.devices.get(uuid)) is not None and device.name:
            return device.name
        if (door := self.door_points.get(uuid)) is not None and door.name:
            return door.name
        return uuid

    def managed_uuids(self) -> set[str]:
        """Every device the appliance manages: the device list plus the door points."""
        return set(self.devices) | set(self.door_points)

    def alarm_active(self, uuid: str, alarm_type: int) -> bool:
        """Whether the newest record of this alarm type on this device is alarming now."""
        alarm = self.alarms.get((uuid, alarm_type))
        return alarm is not None and alarm.active

    def changed_uuids(self, previous: HongTuSnapshot) -> frozenset[str]:
        """The devices whose part of the snapshot differs from ``previous``: listed or not,
        list item, door mode or an alarm. Only their entities need to write state."""
        changed: set[str] = set()
        changed.update(_changed_keys(previous.devices, self.devices))
        changed.update(_changed_keys(previous.door_points, self.door_points))
        changed.update(_changed_keys(previous.door_modes, self.door_modes))
        changed.update(uuid for uuid, _ in _changed_keys(previous.alarms, self.alarms))
        return frozenset(changed)


_MISSING = object()


def _changed_keys[_K](old: Mapping[_K, object], new: Mapping[_K, object]) -> set[_K]:
    """Keys added, removed, or whose value is not equal in ``new``."""
    changed = {key for key, value in new.items() if old.get(key, _MISSING) != value}
    changed.update(key for key in old if key not in new)
    return changed
