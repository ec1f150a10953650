"""Make a starting Home Assistant ready for the demo, using only Home Assistant's own HTTP API.

``scripts/develop`` runs this while Home Assistant starts. It waits for the web server, finishes
onboarding on a fresh configuration (demo user, core config, analytics, integration steps), points
the internal URL at the local server (the integration hands that URL to the appliance for pushes),
and adds the HongTu entry for the simulator through the config flow, the way a user would in the
UI. Run again on a configuration that is already set up, it only logs in and checks: nothing is
done twice and no file of Home Assistant's is written behind its back.

Exit status: 0 ready, 1 a step failed (the reason is printed), 3 Home Assistant exited meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
import os
import sys
import time
from typing import Any

import aiohttp

DOMAIN = "hongtu"
#: Steps of Home Assistant's onboarding, in the order its frontend does them.
ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")
#: Integrations Home Assistant's core_config onboarding step adds by itself. They reach out to
#: the internet (weather, radio directory, speech), which the demo neither needs nor has; the demo
#: removes the entries they leave, as a user could in Settings. (The shopping list stays.)
ONBOARDING_EXTRAS = frozenset({"google_translate", "met", "radio_browser"})
#: The ones that create an entry on a fresh configuration (met does not without a home location).
EXPECTED_EXTRAS = frozenset({"google_translate", "radio_browser"})
#: How long to wait for them after onboarding.
EXTRAS_WAIT = 20.0
POLL_SECONDS = 0.5


class ProvisionError(Exception):
    """A step that failed; the message says what to look at."""


class HassExitedError(ProvisionError):
    """Home Assistant's process ended while we waited for it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What to provision and where."""

    url: str
    username: str
    password: str
    name: str
    language: str
    country: str
    sim_host: str
    sim_port: int
    app_key: str
    secret_key: str
    timeout: float
    hass_pid: int | None

    @property
    def client_id(self) -> str:
        """The OAuth client id Home Assistant's own frontend would use for this URL."""
        return f"{self.url}/"


def say(message: str) -> None:
    """One progress line on stdout (the develop script shows it as it comes)."""
    sys.stdout.write(f"provision: {message}\n")
    sys.stdout.flush()


def _check_alive(settings: Settings) -> None:
    if settings.hass_pid is None:
        return
    try:
        os.kill(settings.hass_pid, 0)
    except ProcessLookupError:
        raise HassExitedError("Home Assistant exited before it was ready") from None
    except PermissionError:
        return


class Hass:
    """A small client for the REST and websocket API of one Home Assistant."""

    def __init__(self, session: aiohttp.ClientSession, settings: Settings) -> None:
        """Use ``session`` for every request; log in later with :meth:`login`."""
        self._session = session
        self.settings = settings
        self._url = settings.url
        self._token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    async def request(
        self, method: str, path: str, payload: Any = None, *, expect: tuple[int, ...] = (200,)
    ) -> Any:
        """Send one JSON request and return the decoded answer; other statuses raise."""
        async with self._session.request(
            method, self._url + path, json=payload, headers=self._headers()
        ) as resp:
            text = await resp.text()
            if resp.status not in expect:
                raise ProvisionError(f"{method} {path} answered {resp.status}: {text[:300]}")
            if not text:
                return None
            return await resp.json(content_type=None)

    async def wait_for_server(self, deadline: float) -> list[dict[str, Any]]:
        """Wait for the web server; return the onboarding status (every step done when onboarded).

        Home Assistant only serves ``/api/onboarding`` while onboarding is unfinished, and it
        registers those views before its web server starts: so a 404 there means all done.
        """
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            _check_alive(self.settings)
            try:
                async with self._session.get(self._url + "/api/onboarding") as resp:
                    if resp.status == 200:
                        status: list[dict[str, Any]] = await resp.json()
                        return status
                    if resp.status == 404:
                        return [{"step": step, "done": True} for step in ONBOARDING_STEPS]
                    last_error = f"HTTP {resp.status}"
            except (aiohttp.ClientError, TimeoutError) as err:
                last_error = str(err) or type(err).__name__
            await asyncio.sleep(POLL_SECONDS)
        raise ProvisionError(
            f"Home Assistant's web server did not answer at {self._url} ({last_error})"
        )

    async def _token_from_code(self, code: str) -> None:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.settings.client_id,
        }
        async with self._session.post(self._url + "/auth/token", data=form) as resp:
            answer = await resp.json(content_type=None)
            if resp.status != 200 or "access_token" not in answer:
                raise ProvisionError(f"/auth/token answered {resp.status}: {answer}")
            self._token = str(answer["access_token"])

    async def create_owner(self) -> None:
        """Onboarding's user step: create the demo owner and log in as it."""
        settings = self.settings
        answer = await self.request(
            "POST",
            "/api/onboarding/users",
            {
                "name": settings.name,
                "username": settings.username,
                "password": settings.password,
                "client_id": settings.client_id,
                "language": settings.language,
            },
        )
        await self._token_from_code(str(answer["auth_code"]))

    async def login(self) -> None:
        """Log in as the demo user through the login flow the frontend uses."""
        settings = self.settings
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": settings.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{settings.client_id}?auth_callback=1",
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {
                "username": settings.username,
                "password": settings.password,
                "client_id": settings.client_id,
            },
        )
        if result.get("type") != "create_entry":
            raise ProvisionError(
                f"cannot log in as {settings.username!r} ({result.get('errors') or result}); "
                "this configuration folder has other users: log in in the browser instead, "
                "or start with a fresh folder (HONGTU_CONFIG_DIR)"
            )
        await self._token_from_code(str(result["result"]))

    async def wait_running(self, deadline: float) -> dict[str, Any]:
        """Wait until every integration has been set up (``/api/config`` state RUNNING)."""
        state = "unknown"
        while time.monotonic() < deadline:
            _check_alive(self.settings)
            config: dict[str, Any] = await self.request("GET", "/api/config")
            state = str(config.get("state"))
            if state == "RUNNING":
                return config
            await asyncio.sleep(POLL_SECONDS)
        raise ProvisionError(f"Home Assistant did not finish starting (state {state})")

    async def websocket(self, *commands: dict[str, Any]) -> list[Any]:
        """Run websocket commands in order and return their results; a failed one raises."""
        results: list[Any] = []
        async with self._session.ws_connect(self._url + "/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self._token})
            auth = await ws.receive_json()
            if auth.get("type") != "auth_ok":
                raise ProvisionError(f"websocket login failed: {auth}")
            for number, command in enumerate(commands, start=1):
                await ws.send_json({"id": number, **command})
                while True:
                    message = await ws.receive_json()
                    if message.get("id") == number and message.get("type") == "result":
                        break
                if not message.get("success"):
                    raise ProvisionError(f"{command['type']} failed: {message.get('error')}")
                results.append(message.get("result"))
        return results


async def finish_onboarding(hass: Hass, status: list[dict[str, Any]]) -> bool:
    """Do the onboarding steps that are not done yet, then log in; True when any was done now."""
    done = {item["step"] for item in status if item.get("done")}
    if "user" in done:
        await hass.login()
    else:
        await hass.create_owner()
        say("created the demo user")
    settings = hass.settings
    for step in ONBOARDING_STEPS[1:]:
        if step in done:
            continue
        payload: dict[str, Any] | None = None
        if step == "integration":
            payload = {
                "client_id": settings.client_id,
                "redirect_uri": f"{settings.client_id}?auth_callback=1",
            }
        await hass.request("POST", f"/api/onboarding/{step}", payload)
        say(f"onboarding step {step} done")
    return set(ONBOARDING_STEPS) != done


async def configure_core(hass: Hass, config: dict[str, Any]) -> None:
    """Point the internal URL at this server (the push URL derives from it); set a country once."""
    settings = hass.settings
    update: dict[str, Any] = {}
    if config.get("internal_url") != settings.url:
        update["internal_url"] = settings.url
    if not config.get("country"):
        update["country"] = settings.country
    if update:
        await hass.websocket({"type": "config/core/update", **update})
        say("core config: " + ", ".join(f"{key} {value}" for key, value in update.items()))


async def remove_onboarding_extras(hass: Hass, wait: float) -> None:
    """Remove the entries onboarding adds for integrations the demo does not use.

    Onboarding starts their flows in the background, so right after it the entries may still be
    coming: look for up to ``wait`` seconds, until every one of them has been seen.
    """
    deadline = time.monotonic() + wait
    removed: set[str] = set()
    while True:
        entries: list[dict[str, Any]] = await hass.request(
            "GET", "/api/config/config_entries/entry"
        )
        for entry in entries:
            if entry.get("domain") in ONBOARDING_EXTRAS and entry.get("source") == "onboarding":
                await hass.request(
                    "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
                )
                removed.add(str(entry["domain"]))
                say(f"removed onboarding's {entry['domain']} entry (the demo stays offline)")
        if removed >= EXPECTED_EXTRAS or time.monotonic() >= deadline:
            return
        await asyncio.sleep(POLL_SECONDS)


async def ensure_entry(hass: Hass) -> str:
    """Return the HongTu entry's id, adding it through the config flow when there is none."""
    entries = await hass.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    if entries:
        say(f"HongTu entry exists: {entries[0]['title']}")
        return str(entries[0]["entry_id"])
    settings = hass.settings
    flow = await hass.request(
        "POST",
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "show_advanced_options": False},
    )
    if flow.get("type") != "form" or flow.get("step_id") != "user":
        raise ProvisionError(f"the HongTu config flow did not start with its user step: {flow}")
    result = await hass.request(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {
            "host": settings.sim_host,
            "port": settings.sim_port,
            "ssl": False,
            "verify_ssl": False,
            "app_key": settings.app_key,
            "secret_key": settings.secret_key,
        },
    )
    if result.get("type") != "create_entry":
        detail = result.get("errors") or result.get("reason") or result
        raise ProvisionError(f"the HongTu config flow did not create an entry: {detail}")
    entry = result["result"]
    say(f"added the HongTu entry through the config flow: {entry['title']}")
    return str(entry["entry_id"])


async def wait_loaded(hass: Hass, entry_id: str, deadline: float) -> None:
    """Wait for the entry to be set up; a failed setup raises with Home Assistant's reason."""
    state, reason = "unknown", None
    while time.monotonic() < deadline:
        entries = await hass.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
        entry = next((item for item in entries if item["entry_id"] == entry_id), None)
        if entry is None:
            raise ProvisionError("the HongTu entry disappeared")
        state, reason = entry.get("state"), entry.get("reason")
        if state == "loaded":
            return
        if state in ("setup_error", "migration_error", "failed_unload"):
            break
        await asyncio.sleep(POLL_SECONDS)
    raise ProvisionError(f"the HongTu entry is {state}" + (f": {reason}" if reason else ""))


async def describe(hass: Hass, entry_id: str) -> None:
    """Say which devices and how many entities the entry has."""
    devices, entities = await hass.websocket(
        {"type": "config/device_registry/list"}, {"type": "config/entity_registry/list"}
    )
    names = sorted(
        device.get("name_by_user") or device.get("name") or "?"
        for device in devices
        if entry_id in device.get("config_entries", [])
    )
    count = sum(1 for entity in entities if entity.get("config_entry_id") == entry_id)
    say(f"{len(names)} devices, {count} entities: {', '.join(names)}")


async def provision(settings: Settings) -> None:
    """Every step, in order, within the overall timeout."""
    deadline = time.monotonic() + settings.timeout
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        hass = Hass(session, settings)
        status = await hass.wait_for_server(deadline)
        onboarded_now = await finish_onboarding(hass, status)
        config = await hass.wait_running(deadline)
        await configure_core(hass, config)
        await remove_onboarding_extras(hass, EXTRAS_WAIT if onboarded_now else 0)
        entry_id = await ensure_entry(hass)
        await wait_loaded(hass, entry_id, deadline)
        await describe(hass, entry_id)


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    """Settings from the command line (scripts/develop passes its ports)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8123", help="Home Assistant's URL")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo-hongtu")
    parser.add_argument("--name", default="Demo", help="display name of the demo user")
    parser.add_argument("--language", default="en")
    parser.add_argument("--country", default="CN", help="set once, when none is set")
    parser.add_argument("--sim-host", default="127.0.0.1")
    parser.add_argument("--sim-port", type=int, default=18082)
    parser.add_argument("--app-key", default="appkey2")
    parser.add_argument("--secret-key", default="zxcv&jlkfd234adf#xi9")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for everything")
    parser.add_argument("--hass-pid", type=int, help="give up when this process exits")
    args = parser.parse_args(argv)
    return Settings(
        url=args.url.rstrip("/"),
        username=args.username,
        password=args.password,
        name=args.name,
        language=args.language,
        country=args.country,
        sim_host=args.sim_host,
        sim_port=args.sim_port,
        app_key=args.app_key,
        secret_key=args.secret_key,
        timeout=args.timeout,
        hass_pid=args.hass_pid,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the provisioning and turn failures into a message and an exit status."""
    settings = parse_args(argv)
    try:
        asyncio.run(provision(settings))
    except KeyboardInterrupt:
        return 130
    except HassExitedError as err:
        sys.stderr.write(f"provision: {err}\n")
        return 3
    except ProvisionError as err:
        sys.stderr.write(f"provision: {err}\n")
        return 1
    except (aiohttp.ClientError, TimeoutError) as err:
        sys.stderr.write(f"provision: lost Home Assistant: {err or type(err).__name__}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
