"""Print the Python requirements the demo's Home Assistant would install at start, one a line.

The test venv carries Home Assistant's core but not every package its UI integrations pin (the
frontend's ``home-assistant-frontend``, ``isal``, ...). ``scripts/develop`` installs what this
prints before the first start, so Home Assistant starts without installing anything itself.

Which integrations: those Home Assistant always sets up, the top-level keys of the demo's
``configuration.yaml``, the integrations whose flows onboarding starts, and the entity platforms
and dependencies of this checkout's integration (each ``custom_components/hongtu/<name>.py``
named after a platform), with their dependencies, as the installed Home Assistant's manifests say.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
import json
from pathlib import Path
import sys
from typing import Any

from homeassistant import bootstrap, requirements
import homeassistant.components
from homeassistant.const import Platform
from homeassistant.util.package import is_installed

COMPONENTS = Path(homeassistant.components.__file__).parent
#: Skipped on purpose: error reporting to a third-party service, never enabled in the demo.
NEVER = frozenset({"sentry"})
#: Integrations whose flows onboarding's core_config step starts by itself (see
#: ``homeassistant/components/onboarding/views.py``); their flows load them, requirements and all.
ONBOARDING = frozenset({"google_translate", "met", "radio_browser", "shopping_list"})
#: Sets in ``homeassistant.bootstrap`` of integrations set up on every start.
BOOTSTRAP_SETS = (
    "CORE_INTEGRATIONS",
    "LOGGING_AND_HTTP_DEPS_INTEGRATIONS",
    "FRONTEND_INTEGRATIONS",
    "DEFAULT_INTEGRATIONS",
)


def manifest(domain: str) -> dict[str, Any] | None:
    """The manifest of a built-in integration, or None for a name that is not one."""
    path = COMPONENTS / domain / "manifest.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def always_loaded() -> set[str]:
    """Integrations Home Assistant sets up (or onboarding loads) whatever the configuration says.

    Read from ``homeassistant.bootstrap`` by name; a name a later release drops counts as empty.
    """
    domains = set(ONBOARDING) | {"recorder"}
    for name in BOOTSTRAP_SETS:
        domains.update(getattr(bootstrap, name, ()))
    return domains


def configured(configuration: Path) -> set[str]:
    """Top-level keys of configuration.yaml (``name other`` package keys count as ``name``)."""
    if not configuration.is_file():
        return set()
    domains = set()
    for line in configuration.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
            domains.add(line.split(":", 1)[0].split()[0])
    return domains


def integration_components(integration: Path) -> set[str]:
    """Components the custom integration needs: its entity platforms and manifest dependencies."""
    platforms = {platform.value for platform in Platform}
    domains = {path.stem for path in integration.glob("*.py") if path.stem in platforms}
    own = json.loads((integration / "manifest.json").read_text(encoding="utf-8"))
    # after_dependencies only order the setup; Home Assistant loads them only when configured.
    domains.update(own.get("dependencies", []))
    return domains


def closure(domains: Iterable[str]) -> set[str]:
    """The domains with every dependency Home Assistant's requirement check follows."""
    done: set[str] = set()
    todo = [domain for domain in domains if domain not in NEVER]
    while todo:
        domain = todo.pop()
        if domain in done or (data := manifest(domain)) is None:
            continue
        done.add(domain)
        todo.extend(data.get("dependencies", []))
        for discovery, keys in getattr(requirements, "DISCOVERY_INTEGRATIONS", {}).items():
            if any(key in data for key in keys):
                todo.append(discovery)
    return done


def missing(domains: Iterable[str]) -> list[str]:
    """Requirements of these integrations that are not installed at a matching version."""
    wanted: set[str] = set()
    for domain in domains:
        data = manifest(domain) or {}
        wanted.update(data.get("requirements", []))
    return sorted(requirement for requirement in wanted if not is_installed(requirement))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the missing requirements for the given configuration folder and integration."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config_dir", type=Path, help="Home Assistant configuration folder")
    parser.add_argument(
        "--integration",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "custom_components" / "hongtu",
        help="the custom integration's folder",
    )
    args = parser.parse_args(argv)
    domains = (
        always_loaded()
        | configured(args.config_dir / "configuration.yaml")
        | integration_components(args.integration)
    )
    for requirement in missing(closure(domains)):
        sys.stdout.write(requirement + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
