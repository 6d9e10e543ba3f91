"""The spaCy baseline's reading of MONEY entities (``bench/extraction_spacy.parse_money``).

The baseline's amounts F1 in bench/RESULTS.md depends on turning spaCy's MONEY text into a
value and a currency; these tests pin that reading without spaCy itself (the script imports
spaCy only when it runs a model). The development keys are read with ``yaml`` here, so each
amount text a key writer wrote down is checked against the value and unit in the key.
"""

from __future__ import annotations

import sys

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from extraction_spacy import parse_money  # noqa: E402

KEYS = ROOT / "bench" / "extraction" / "articles"


def test_every_amount_text_of_the_development_keys_reads_as_its_keyed_value() -> None:
    checked = 0
    for split in ("dev", "ood-dev"):
        for keyf in sorted((KEYS / split).glob("*.yaml")):
            for a in yaml.safe_load(keyf.read_text(encoding="utf-8")).get("amounts") or []:
                value, currency, qualifier = parse_money(a["text"])
                where = f"{split}/{keyf.name}: {a['text']!r}"
                if a["value"] is None:
                    assert value is None, where
                else:
                    assert value is not None and abs(value - a["value"]) <= 1e-6 * a["value"], where
                assert currency == (a.get("unit") or "USD"), where
                assert (qualifier or None) == (a.get("qualifier") or None), where
                checked += 1
    assert checked >= 20  # the two splits key 9 + 15 amounts today


def test_a_qualifier_before_the_entity_is_read_from_the_preceding_words() -> None:
    assert parse_money("$290 million", before="provide more than") == (290e6, "USD", "more than")
    assert parse_money("38 million dollars") == (38e6, "USD", None)
    assert parse_money("millions of dollars") == (None, "USD", None)


FORMS = {"${n}{s}": "USD", "{n}{s} dollars": "USD", "{n}{s} pesos": "MXN", "€{n}{s}": "EUR"}
SCALES = {"": 1.0, " thousand": 1e3, " million": 1e6, " billion": 1e9}


@settings(max_examples=200, deadline=None)
@given(
    whole=st.integers(min_value=1, max_value=999_999),
    scale=st.sampled_from(sorted(SCALES)),
    form=st.sampled_from(sorted(FORMS)),
)
def test_formatted_amounts_read_back(whole: int, scale: str, form: str) -> None:
    value, currency, qualifier = parse_money(form.format(n=f"{whole:,}", s=scale))
    assert value == whole * SCALES[scale]
    assert currency == FORMS[form]
    assert qualifier is None
