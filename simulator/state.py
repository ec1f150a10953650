"""The fake appliance's mutable state: what the endpoints read and the commands change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, timezone, tzinfo
import itertools
from typing import Any

from .inventory import CMD_NORMAL, Device, Inventory
from .signing import DEFAULT_SECRETS

#: The appliance's local time zone (the vendor's examples are all +08:00, China Standard Time).
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

FACE_CONFIG_DEFAULTS: dict[str, Any] = {
    "attendanceRecordCallbackUrl": "",
    "identifyRecordCallbackUrl": "",
    "temperatureSwitch": 0,
    "maskAlertSwitch": 0,
    "healthKitSwitch": 0,
}


@dataclass(slots=True)
class Subscription:
    """A business-data subscription: one per appKey (a second ``add`` replaces it)."""

    app_key: str
    push_url: str
    busi_types: list[int]

    def view(self) -> dict[str, Any]:
        """The shape ``/v1/api/pubsub/busi/record/query`` answers with."""
        return {
            "appKey": self.app_key,
            "pushUrl": self.push_url,
            "busiTypes": list(self.busi_types),
        }


@dataclass(slots=True)
class ApplianceState:
    """Everything the appliance remembers; tests may read and change it directly."""

    name: str
    type: str
    version: str
    org_uuid: str
    org_name: str
    devices: dict[str, Device]
    secrets: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SECRETS))
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    face_config: dict[str, Any] = field(default_factory=lambda: dict(FACE_CONFIG_DEFAULTS))
    event_callback_url: str | None = None
    alarms: list[dict[str, Any]] = field(default_factory=list)
    pass_records: list[dict[str, Any]] = field(default_factory=list)
    alert_records: list[dict[str, Any]] = field(default_factory=list)
    ptz_log: list[dict[str, Any]] = field(default_factory=list)
    door_commands: list[dict[str, Any]] = field(default_factory=list)
    timezone: tzinfo = CHINA_STANDARD_TIME
    _record_numbers: itertools.count[int] = field(
        default_factory=lambda: itertools.count(44467), init=False, repr=False
    )

    @classmethod
    def from_inventory(cls, inventory: Inventory) -> ApplianceState:
        """Fresh state seeded with a copy of ``inventory``."""
        copy = inventory.copy()
        return cls(
            name=copy.name,
            type=copy.type,
            version=copy.version,
            org_uuid=copy.org_uuid,
            org_name=copy.org_name,
            devices={device.uuid: device for device in copy.devices},
        )

    @property
    def subscription(self) -> Subscription | None:
        """The first subscription (the usual case: one client, one appKey), or None."""
        return next(iter(self.subscriptions.values()), None)

    @property
    def identify_record_callback_url(self) -> str:
        """Where pass records are called back (``""`` = off)."""
        return str(self.face_config.get("identifyRecordCallbackUrl") or "")

    def find_device(self, ref: str) -> Device:
        """A device by uuid or exact name (KeyError when unknown)."""
        device = self.devices.get(ref)
        if device is not None:
            return device
        for candidate in self.devices.values():
            if candidate.name == ref:
                return candidate
        raise KeyError(ref)

    def door_points(self) -> list[Device]:
        """Devices bound as door points, in list order."""
        return [device for device in self.devices.values() if device.door]

    def next_record_number(self) -> str:
        """The list endpoints' own short numeric record ids (``"44467"`` in the document)."""
        return str(next(self._record_numbers))

    def reboot(self) -> None:
        """What a reboot loses: subscriptions, and remote door modes back to normal."""
        self.subscriptions.clear()
        for device in self.devices.values():
            if device.cmd_status is not None:
                device.cmd_status = CMD_NORMAL

    def view(self) -> dict[str, Any]:
        """JSON view for ``/_sim/state`` (records are summarised by count)."""
        return {
            "appliance": {
                "name": self.name,
                "type": self.type,
                "version": self.version,
                "orgUuid": self.org_uuid,
                "orgName": self.org_name,
            },
            "devices": [device_view(device) for device in self.devices.values()],
            "subscription": self.subscription.view() if self.subscription else None,
            "subscriptions": [sub.view() for sub in self.subscriptions.values()],
            "faceConfig": dict(self.face_config),
            "eventCallbackUrl": self.event_callback_url,
            "alarms": list(self.alarms),
            "passRecords": len(self.pass_records),
            "alertRecords": len(self.alert_records),
            "ptzLog": list(self.ptz_log),
            "doorCommands": list(self.door_commands),
            "appKeys": sorted(self.secrets),
        }


def device_view(device: Device) -> dict[str, Any]:
    """One device in ``/_sim/state``."""
    return {
        "uuid": device.uuid,
        "name": device.name,
        "deviceId": device.device_id,
        "deviceType": device.device_type,
        "deviceModel": device.device_model,
        "deviceMode": device.device_mode,
        "location": device.location,
        "status": device.status,
        "door": device.door,
        "cmdStatus": device.cmd_status,
        "switchIp": device.switch_ip,
        "ptz": device.ptz,
    }
