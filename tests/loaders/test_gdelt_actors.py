"""What a GDELT actor becomes: rules of :func:`classify_actor`, and properties over any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.loaders.gdelt import classify_actor

NO_TYPES = ("", "", "")


@pytest.mark.parametrize(("code", "name", "country", "group", "types", "places", "expected"), [
    ("USAGOV", "BARACK OBAMA", "USA", "", ("GOV", "", ""), ("", ""), ("person", "Barack Obama")),
    ("USAGOV", "OBAMA", "USA", "", ("GOV", "", ""), ("Australia", ""), ("person", "Obama")),
    ("GOV", "PRESIDENT", "", "", ("GOV", "", ""), ("Arewa, Oyo, Nigeria", ""),
     ("role", "President (Nigeria)")),
    ("GOV", "PRESIDENT", "", "", ("GOV", "", ""), ("Nassau, New Providence, Bahamas, The", ""),
     ("role", "President (Bahamas)")),
    ("NGAGOV", "NIGERIA", "NGA", "", ("GOV", "", ""), ("", ""),
     ("role", "Government (Nigeria)")),
    ("USAEDU", "TEXAS", "USA", "", ("EDU", "", ""), ("Texas, United States", ""),
     ("role", "Education (United States)")),
    ("CHNGOV", "CHINESE", "CHN", "", ("GOV", "", ""), ("", ""), ("role", "Government (China)")),
    ("USAGOV", "NEW YORK CITY", "USA", "", ("GOV", "", ""), ("", ""),
     ("role", "Government (United States)")),
    ("USAGOV", "THE WHITE HOUSE", "USA", "", ("GOV", "", ""), ("", ""),
     ("org", "The White House")),
    ("MNCUSA", "MICROSOFT", "USA", "", ("MNC", "", ""), ("", ""), ("org", "Microsoft")),
    ("IGOUNOGOV", "THE UN", "", "UNO", ("IGO", "GOV", ""), ("", ""), ("org", "The Un")),
    ("MEX", "MEXICO", "MEX", "", NO_TYPES, ("", ""), ("country", "Mexico")),
    ("AFRBUS", "AFRICA", "AFR", "", ("BUS", "", ""), ("", ""), ("role", "Business (Africa)")),
])
def test_actor_kinds(code: str, name: str, country: str, group: str,
                     types: tuple[str, str, str], places: tuple[str, str],
                     expected: tuple[str, str]) -> None:
    actor = classify_actor(code, name, country, group, types, places)
    assert actor is not None
    assert (actor.kind, actor.label) == expected


def test_a_role_nowhere_is_no_node() -> None:
    assert classify_actor("GOV", "PRESIDENT", "", "", ("GOV", "", ""), ("", "")) is None


def test_a_place_named_in_the_file_is_not_a_person() -> None:
    plain = classify_actor("USAGOV", "FLORIDA", "USA", "", ("GOV", "", ""))
    known = classify_actor("USAGOV", "FLORIDA", "USA", "", ("GOV", "", ""),
                           known_places=frozenset({"florida"}))
    assert plain is not None and plain.kind == "person"  # the limit of rules on a name alone
    assert known is not None and known.label == "Government (United States)"


_CODES = st.sampled_from(["", "GOV", "COP", "USA", "USAGOV", "MEX", "MEXCVL", "AFR", "XYZ"])
_NAMES = st.sampled_from(["", "PRESIDENT", "UNITED STATES", "MEXICO", "JOHN DOE", "THE UN",
                          "SAN JOSE", "ROMANIAN"]) | st.text(max_size=20)
_TYPES = st.tuples(st.sampled_from(["", "GOV", "MIL", "BUS", "NGO", "CVL"]),
                   st.sampled_from(["", "GOV"]), st.just(""))


@settings(max_examples=300, deadline=2000)
@given(code=_CODES, name=_NAMES, country=st.sampled_from(["", "USA", "MEX", "AFR", "XYZ"]),
       group=st.sampled_from(["", "UNO"]), types=_TYPES,
       geo=st.sampled_from(["", "Arewa, Oyo, Nigeria", "Mexico", "Nowhere, Atlantis"]))
def test_every_actor_is_one_kind_and_a_role_has_one_country(
        code: str, name: str, country: str, group: str, types: tuple[str, str, str],
        geo: str) -> None:
    actor = classify_actor(code, name, country, group, types, (geo, ""))
    if actor is None:
        return
    assert actor.kind in {"country", "person", "org", "role"}
    assert actor.label
    if actor.kind == "role":
        assert actor.scope and actor.label.endswith(")")
        # Bound to the actor's own country when it has one, else to its geo's.
        assert actor.scope == country or not country
    if actor.kind == "person":
        assert not group and country
