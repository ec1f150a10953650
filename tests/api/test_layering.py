"""Layering: the client library never imports Home Assistant; the simulator never imports us."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _offenders(folder: Path, forbidden: str) -> list[str]:
    bad = []
    for path in sorted(folder.rglob("*.py")):
        for module in _imported_modules(path):
            if module == forbidden or module.startswith(f"{forbidden}."):
                bad.append(f"{path.relative_to(folder)}: {module}")
    return bad


def test_api_does_not_import_homeassistant() -> None:
    """custom_components/hongtu/api stays usable without Home Assistant."""
    folder = ROOT / "custom_components" / "hongtu" / "api"
    assert list(folder.rglob("*.py"))
    assert _offenders(folder, "homeassistant") == []


def test_simulator_does_not_import_the_integration() -> None:
    """The simulator implements the vendor document independently of our code."""
    folder = ROOT / "simulator"
    assert _offenders(folder, "custom_components") == []


def test_offender_detection_sees_both_import_forms(tmp_path: Path) -> None:
    """The check itself notices ``import x.y`` and ``from x.y import z``, and nothing else."""
    (tmp_path / "a.py").write_text("import homeassistant.core\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("from homeassistant import core\n", encoding="utf-8")
    (tmp_path / "c.py").write_text("from . import homeassistant\nimport homeassistantx\n")
    assert _offenders(tmp_path, "homeassistant") == [
        "a.py: homeassistant.core",
        "b.py: homeassistant",
    ]
