"""Repair flow for a push subscription that points elsewhere: take it over once the user agrees.

Only ``foreign_subscription`` is fixable; the push URL issues are fixed in Home Assistant's
network settings or the entry's options and clear themselves at the next poll.
"""

from __future__ import annotations

import logging

from homeassistant import data_entry_flow
from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import voluptuous as vol

from .api.errors import HongTuError
from .const import DOMAIN
from .data import HongTuConfigEntry

_LOGGER = logging.getLogger(__package__)


class TakeOverSubscriptionFlow(RepairsFlow):
    """Asks before pointing an appKey's subscription, used by someone else, at Home Assistant."""

    def __init__(self, entry_id: str | None) -> None:
        self._entry_id = entry_id

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> data_entry_flow.FlowResult:
        """Go straight to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> data_entry_flow.FlowResult:
        """Explain what taking over means; on submit, subscribe with our URL."""
        entry: HongTuConfigEntry | None = (
            self.hass.config_entries.async_get_entry(self._entry_id) if self._entry_id else None
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        manager = entry.runtime_data.subscription
        if manager is None:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                taken = await manager.async_take_over()
            except HongTuError as err:
                _LOGGER.debug("Taking over the subscription failed: %s", err)
                errors["base"] = "cannot_connect"
            else:
                if not taken:
                    return self.async_abort(reason="no_push_url")
                return self.async_create_entry(data={})
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self.issue_id)
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders=issue.translation_placeholders if issue else None,
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """The flow for a fixable issue of this integration (only ``foreign_subscription`` is)."""
    entry_id = data.get("entry_id") if data else None
    return TakeOverSubscriptionFlow(str(entry_id) if entry_id else None)
