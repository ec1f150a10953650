"""Always-open switch per face panel: on holds the door open, off returns it to normal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.client import HongTuClient
from .const import CMD_STATUS_ALWAYS_OPEN
from .data import HongTuConfigEntry, HongTuSnapshot
from .entity import (
    HongTuDescribedEntity,
    HongTuEntityDescription,
    async_add_device_entities,
    handle_command_errors,
    is_panel_door,
)

PARALLEL_UPDATES = 1


def held_open(snapshot: HongTuSnapshot, uuid: str) -> bool | None:
    """Whether the door mode is always open; None when the appliance reports no mode."""
    mode = snapshot.door_modes.get(uuid)
    return None if mode is None else mode == CMD_STATUS_ALWAYS_OPEN


@dataclass(frozen=True, kw_only=True)
class HongTuSwitchEntityDescription(SwitchEntityDescription, HongTuEntityDescription):
    """A switch of a door point."""

    value_fn: Callable[[HongTuSnapshot, str], bool | None]
    turn_on_fn: Callable[[HongTuClient, str], Awaitable[None]]
    turn_off_fn: Callable[[HongTuClient, str], Awaitable[None]]


SWITCHES: tuple[HongTuSwitchEntityDescription, ...] = (
    HongTuSwitchEntityDescription(
        key="always_open",
        translation_key="always_open",
        exists_fn=is_panel_door,
        value_fn=held_open,
        turn_on_fn=HongTuClient.always_open_door,
        turn_off_fn=HongTuClient.normal_door,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HongTuConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an always-open switch for every face panel, now and when one appears."""
    async_add_device_entities(entry, async_add_entities, SWITCHES, HongTuSwitch)


class HongTuSwitch(HongTuDescribedEntity, SwitchEntity):
    """A switch whose two positions are commands to the appliance."""

    entity_description: HongTuSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """What the appliance reports."""
        return self.entity_description.value_fn(self.coordinator.data, self.device_uuid)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Send the on command."""
        await self._async_send(self.entity_description.turn_on_fn)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Send the off command."""
        await self._async_send(self.entity_description.turn_off_fn)

    @handle_command_errors
    async def _async_send(self, command: Callable[[HongTuClient, str], Awaitable[None]]) -> None:
        await command(self.coordinator.client, self.device_uuid)
