"""Door mode select per face panel: normal, always open or always closed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.client import HongTuClient
from .const import CMD_STATUS_ALWAYS_CLOSED, CMD_STATUS_ALWAYS_OPEN, CMD_STATUS_NORMAL
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import (
    HongTuDescribedEntity,
    HongTuEntityDescription,
    async_add_device_entities,
    handle_command_errors,
    is_panel_door,
)

PARALLEL_UPDATES = 1

MODE_NORMAL = "normal"
MODE_ALWAYS_OPEN = "always_open"
MODE_ALWAYS_CLOSED = "always_closed"

# Option → (cmdStatus it shows, the client call that sets it).
DOOR_MODES: dict[str, tuple[int, Callable[[HongTuClient, str], Awaitable[None]]]] = {
    MODE_NORMAL: (CMD_STATUS_NORMAL, HongTuClient.normal_door),
    MODE_ALWAYS_OPEN: (CMD_STATUS_ALWAYS_OPEN, HongTuClient.always_open_door),
    MODE_ALWAYS_CLOSED: (CMD_STATUS_ALWAYS_CLOSED, HongTuClient.always_close_door),
}
_OPTION_BY_STATUS = {status: option for option, (status, _call) in DOOR_MODES.items()}


def door_mode_option(snapshot: HongTuSnapshot, uuid: str) -> str | None:
    """The option of the door's cmdStatus; None (unknown) when the appliance reports none."""
    mode = snapshot.door_modes.get(uuid)
    return _OPTION_BY_STATUS.get(mode) if mode is not None else None


@dataclass(frozen=True, kw_only=True)
class HongTuSelectEntityDescription(SelectEntityDescription, HongTuEntityDescription):
    """A select of a door point."""

    value_fn: Callable[[HongTuSnapshot, str], str | None]
    select_fn: Callable[[HongTuClient, str, str], Awaitable[None]]


async def _set_door_mode(client: HongTuClient, uuid: str, option: str) -> None:
    await DOOR_MODES[option][1](client, uuid)


SELECTS: tuple[HongTuSelectEntityDescription, ...] = (
    HongTuSelectEntityDescription(
        key="door_mode",
        translation_key="door_mode",
        options=list(DOOR_MODES),
        exists_fn=is_panel_door,
        value_fn=door_mode_option,
        select_fn=_set_door_mode,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a door mode select for every face panel, now and when one appears."""
    async_add_device_entities(entry, async_add_entities, SELECTS, HongTuSelect)


class HongTuSelect(HongTuDescribedEntity, SelectEntity):
    """A select whose options are commands to the appliance."""

    entity_description: HongTuSelectEntityDescription

    @property
    def current_option(self) -> str | None:
        """The option the appliance reports."""
        return self.entity_description.value_fn(self.coordinator.data, self.device_uuid)

    @handle_command_errors
    async def async_select_option(self, option: str) -> None:
        """Send the command of the option."""
        await self.entity_description.select_fn(self.coordinator.client, self.device_uuid, option)
