"""What the fake appliance manages: its own identity, its organisation and its devices.

An :class:`Inventory` is the starting point of a simulator run; the simulator copies it into its
mutable state, so one inventory can seed many simulators. Uuids are fixed (32 hex characters)
so tests and demos can refer to devices by constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import hashlib

# Device types (api-core.md §3.4.2).
SMART_CAMERA = 1
PANEL = 2
NETWORK_CAMERA = 4

# Device modes (api-core.md §3.4.1).
MODE_FACE = 1
MODE_STRUCTURED = 2
MODE_ALERT = 3

# Device status (api-core.md §3.4.8).
ONLINE = 3
OFFLINE = 4

# Door modes: cmdStatus (api-core.md §3.4.9).
CMD_ALWAYS_OPEN = 15
CMD_ALWAYS_CLOSED = 16
CMD_NORMAL = 17

APPLIANCE_NAME = "HongTu 3000"
APPLIANCE_TYPE = "MegCube-HAL3004-4S2"
APPLIANCE_VERSION = "V1.0.6.0"
ORG_UUID = "24c87ae28f42b3b2ee7ccb9b7255d0a9"
ORG_NAME = "Head office"

FRONT_DOOR_UUID = "4db40b0232b486d7c5a8ffe34755b90a"
BACK_DOOR_UUID = "762f03defe6d0155edb2b845e73c7ef9"
GARAGE_DOOR_UUID = "79b7a61db94c14497bf14bf6c99914a4"
LOBBY_CAMERA_UUID = "8357c922a944db0042d0ef5ae70efc2a"
PARKING_CAMERA_UUID = "de8fec92d11a4a3d18e8b55f6c6c26d8"
PERIMETER_CAMERA_UUID = "0be13fdffa11f438e4bab3c0d73e3be6"


def stable_uuid(label: str) -> str:
    """A deterministic 32-hex uuid for a label (how every constant above was made)."""
    return hashlib.md5(f"hongtu-sim:{label}".encode(), usedforsecurity=False).hexdigest()


@dataclass(slots=True)
class Device:
    """One managed device as the appliance knows it (mutable: status and door mode change)."""

    uuid: str
    name: str
    device_type: int
    device_model: int
    device_mode: int
    location: str
    ip_address: str
    device_id: int
    status: int = ONLINE
    door: bool = False
    cmd_status: int | None = None
    switch_ip: str | None = None
    ptz: bool = False
    mac: str = ""
    version: str = "V2.3.1"
    # The stream address device/query reports (credentials included, as the vendor's example
    # shows); None for devices added without one.
    rtsp_url: str | None = None

    @property
    def is_panel(self) -> bool:
        """Face panels are the only devices with door modes (api-core.md §4.15)."""
        return self.device_type == PANEL

    @property
    def online(self) -> bool:
        """Whether the appliance reports this device online."""
        return self.status == ONLINE


@dataclass(slots=True)
class Inventory:
    """The appliance, its top organisation and its devices, in list order."""

    name: str = APPLIANCE_NAME
    type: str = APPLIANCE_TYPE
    version: str = APPLIANCE_VERSION
    org_uuid: str = ORG_UUID
    org_name: str = ORG_NAME
    devices: list[Device] = field(default_factory=list)

    @classmethod
    def default(cls) -> Inventory:
        """The demo site: two face panels, a garage door, three cameras."""
        return cls(
            devices=[
                _panel(FRONT_DOOR_UUID, "Front door", "Main entrance", 1, 101, "192.168.10.11"),
                _panel(BACK_DOOR_UUID, "Back door", "Courtyard", 40, 102, "192.168.10.12"),
                Device(
                    uuid=GARAGE_DOOR_UUID,
                    name="Garage door",
                    device_type=SMART_CAMERA,
                    device_model=4,
                    device_mode=MODE_FACE,
                    location="Garage",
                    ip_address="192.168.10.13",
                    device_id=103,
                    door=True,
                    switch_ip="192.168.10.50",
                    mac="88:88:88:00:00:03",
                ),
                Device(
                    uuid=LOBBY_CAMERA_UUID,
                    name="Lobby camera",
                    device_type=SMART_CAMERA,
                    device_model=8,
                    device_mode=MODE_FACE,
                    location="Lobby",
                    ip_address="192.168.10.21",
                    device_id=104,
                    ptz=True,
                    mac="88:88:88:00:00:04",
                    rtsp_url="rtsp://admin:admin123@127.0.0.1:8554/cam/realmonitor?channel=1",
                ),
                Device(
                    uuid=PARKING_CAMERA_UUID,
                    name="Parking camera",
                    device_type=NETWORK_CAMERA,
                    device_model=21,
                    device_mode=MODE_STRUCTURED,
                    location="Car park",
                    ip_address="192.168.10.22",
                    device_id=105,
                    mac="88:88:88:00:00:05",
                    # The vendor example's style: credentials in the path, not the userinfo.
                    rtsp_url="rtsp://127.0.0.1:8554/user=admin&password=admin123&channel=1",
                ),
                Device(
                    uuid=PERIMETER_CAMERA_UUID,
                    name="Perimeter camera",
                    device_type=SMART_CAMERA,
                    device_model=10,
                    device_mode=MODE_ALERT,
                    location="Fence",
                    ip_address="192.168.10.23",
                    device_id=106,
                    mac="88:88:88:00:00:06",
                ),
            ]
        )

    @classmethod
    def generate(cls, count: int) -> Inventory:
        """``count`` devices for benchmarks, cycling panels, switch doors and camera kinds.

        Every fifth device is a panel and every fifth a camera bound as a door point, so two in
        five are door points.
        """
        devices: list[Device] = []
        for index in range(count):
            number = index + 1
            uuid = stable_uuid(f"generated-{number}")
            ip = f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"
            kind = index % 5
            if kind == 0:
                name = f"Panel {number:05d}"
                devices.append(_panel(uuid, name, f"Building {number % 7}", 1, 1000 + number, ip))
                continue
            device_type, mode, model, label = (
                (SMART_CAMERA, MODE_FACE, 4, "Door camera"),
                (SMART_CAMERA, MODE_FACE, 8, "Face camera"),
                (NETWORK_CAMERA, MODE_STRUCTURED, 21, "Vehicle camera"),
                (SMART_CAMERA, MODE_ALERT, 10, "Alert camera"),
            )[kind - 1]
            devices.append(
                Device(
                    uuid=uuid,
                    name=f"{label} {number:05d}",
                    device_type=device_type,
                    device_model=model,
                    device_mode=mode,
                    location=f"Building {number % 7}",
                    ip_address=ip,
                    device_id=1000 + number,
                    door=kind == 1,
                    switch_ip=f"10.200.{(number >> 8) & 255}.{number & 255}" if kind == 1 else None,
                    ptz=kind == 2,
                    mac=_mac(number),
                )
            )
        return cls(devices=devices)

    def copy(self) -> Inventory:
        """An independent copy (devices are mutable)."""
        return replace(self, devices=[replace(device) for device in self.devices])

    def by_name(self, name: str) -> Device:
        """The device with this exact name (KeyError when there is none)."""
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(name)


def _mac(number: int) -> str:
    return ":".join(f"{(number >> shift) & 255:02x}" for shift in (40, 32, 24, 16, 8, 0))


def _panel(uuid: str, name: str, location: str, model: int, device_id: int, ip: str) -> Device:
    return Device(
        uuid=uuid,
        name=name,
        device_type=PANEL,
        device_model=model,
        device_mode=MODE_FACE,
        location=location,
        ip_address=ip,
        device_id=device_id,
        door=True,
        cmd_status=CMD_NORMAL,
        mac=_mac(0x888888000000 + device_id),
    )
