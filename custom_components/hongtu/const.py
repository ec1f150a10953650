"""Constants shared by the platforms, the config flow and the push receiver."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.const import Platform

DOMAIN: Final = "hongtu"
MANUFACTURER: Final = "Megvii"

# Config entry data keys (host, port, ssl and verify_ssl use Home Assistant's CONF_* names).
CONF_APP_KEY: Final = "app_key"
CONF_SECRET_KEY: Final = "secret_key"
CONF_WEBHOOK_ID: Final = "webhook_id"

DEFAULT_PORT: Final = 18082
DEFAULT_SSL: Final = False
DEFAULT_VERIFY_SSL: Final = False
DEFAULT_APP_KEY: Final = "appkey2"

# Options.
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_PUSH_URL_BASE: Final = "push_url_base"
CONF_PUSH_SOURCE_CHECK: Final = "push_source_check"
CONF_SUBSCRIBE_BUSI_TYPES: Final = "subscribe_busi_types"
CONF_PASS_RECORD_CALLBACK: Final = "pass_record_callback"
# A PIN the lock asks for before it opens or relocks a door; absent when none is set.
CONF_LOCK_CODE: Final = "lock_code"
LOCK_CODE_FORMAT: Final = r"^\d{4,10}$"

DEFAULT_SCAN_INTERVAL: Final = 30
MIN_SCAN_INTERVAL: Final = 10
MAX_SCAN_INTERVAL: Final = 600
DEFAULT_PUSH_SOURCE_CHECK: Final = True
DEFAULT_SUBSCRIBE_BUSI_TYPES: Final = (1, 2, 3, 5, 12)
ALL_BUSI_TYPES: Final = (1, 2, 3, 5, 12)
DEFAULT_PASS_RECORD_CALLBACK: Final = False

REQUEST_TIMEOUT: Final = 10.0
OPEN_PULSE: Final = timedelta(seconds=5)
# Cameras: at most one snapshot per camera in this time (requests within it get the last one).
CAPTURE_INTERVAL: Final = timedelta(seconds=2)

# The one bus event; automations filter on its `type`.
EVENT_HONGTU: Final = "hongtu_event"

PLATFORMS: Final = [
    Platform.BINARY_SENSOR,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.LOCK,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

# Device alarms of /v1/api/device_alarm/list: code → entity key (and event alarm_type_name).
ALARM_STORAGE_FULL: Final = 500000
ALARM_TAMPER: Final = 500100
ALARM_PASSWORD_CRACKING: Final = 500102
ALARM_DOOR_HELD_OPEN: Final = 500104
ALARM_TEMPERATURE_MODULE: Final = 500108
ALARM_INPUT: Final = 500200
ALARM_FIRE: Final = 500500
DEVICE_ALARM_SLUGS: Final[dict[int, str]] = {
    ALARM_STORAGE_FULL: "storage_full",
    ALARM_TAMPER: "tamper",
    ALARM_PASSWORD_CRACKING: "password_cracking",
    ALARM_DOOR_HELD_OPEN: "door_held_open",
    ALARM_TEMPERATURE_MODULE: "temperature_module",
    ALARM_INPUT: "alarm_input",
    ALARM_FIRE: "fire_alarm",
}

# cmdStatus of a door point.
CMD_STATUS_ALWAYS_OPEN: Final = 15
CMD_STATUS_ALWAYS_CLOSED: Final = 16
CMD_STATUS_NORMAL: Final = 17
