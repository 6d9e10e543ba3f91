"""The build files under scripts/ are well-formed (Maven refuses a POM with "--" in a comment)."""

from pathlib import Path
from xml.etree import ElementTree

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.mark.parametrize("pom", sorted(SCRIPTS.rglob("*.xml")), ids=lambda p: str(p.relative_to(SCRIPTS)))
def test_xml_build_files_parse(pom: Path) -> None:
    root = ElementTree.parse(pom).getroot()
    assert root.tag.endswith("project")
