"""Exporting an instrument as a FHIR R4 Questionnaire (sans-I/O: data in, data out).

Items keep Painpath's item numbers as ``linkId`` and carry their LOINC code where one is known.
Closed scales become ``choice`` items whose options carry the LOINC answer code when there is
one (else a Painpath code whose code is the answer) and, in the ``ordinalValue`` extension, what
the answer adds to the score (S-LANSS "yes" to item 1 adds 5; STarT Back "slightly" adds 0);
open numeric scales
become ``integer`` items bounded by ``minValue``/``maxValue``. Every resource is validated by
``fhir.resources`` (R4B models, structurally the same as R4 for these resources) before it is
returned.
"""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire

from painpath.domain.instruments import InstrumentDefinition, Item

__all__ = [
    "MAX_VALUE_URL",
    "MIN_VALUE_URL",
    "ORDINAL_VALUE_URL",
    "answer_system",
    "questionnaire_url",
    "to_questionnaire",
]

ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"


def questionnaire_url(canonical_base: str, instrument_id: str) -> str:
    """The canonical URL of an instrument's Questionnaire."""
    return f"{canonical_base}/Questionnaire/{instrument_id}"


def answer_system(canonical_base: str, instrument_id: str) -> str:
    """The code system of an instrument's answers where no LOINC answer code exists."""
    return f"{canonical_base}/CodeSystem/{instrument_id}-answers"


def _item_text(defn: InstrumentDefinition, item: Item) -> str:
    if item.text:
        text = item.text
    elif item.topic:
        text = f"{item.topic} (the licensed item wording is not shipped; use the licensed form)"
    else:
        text = f"Item {item.id} (the licensed item wording is not shipped; use the licensed form)"
    scale = defn.scale_for(item)
    anchors = defn.anchors_for(item)
    if not scale.options and anchors:
        text += " [" + "; ".join(f"{a.value} = {a.label}" for a in anchors) + "]"
    return text


def _item(defn: InstrumentDefinition, item: Item, canonical_base: str) -> dict[str, Any]:
    scale = defn.scale_for(item)
    entry: dict[str, Any] = {
        "linkId": item.id,
        "text": _item_text(defn, item),
        "required": defn.scoring.max_missing == 0,
    }
    if item.code:
        entry["code"] = [{"system": item.code.system_uri, "code": item.code.code}]
    if scale.options:
        entry["type"] = "choice"
        entry["answerOption"] = [
            {
                "extension": [
                    {
                        "url": ORDINAL_VALUE_URL,
                        "valueDecimal": defn.scored_value(item, option.value),
                    }
                ],
                "valueCoding": (
                    {
                        "system": option.code.system_uri,
                        "code": option.code.code,
                        "display": option.label,
                    }
                    if option.code
                    else {
                        "system": answer_system(canonical_base, defn.id),
                        "code": str(option.value),
                        "display": option.label,
                    }
                ),
            }
            for option in scale.options
        ]
    else:
        entry["type"] = "integer"
        entry["extension"] = [
            {"url": MIN_VALUE_URL, "valueInteger": scale.min},
            {"url": MAX_VALUE_URL, "valueInteger": scale.max},
        ]
    return entry


def to_questionnaire(
    defn: InstrumentDefinition, *, canonical_base: str, version: str
) -> dict[str, Any]:
    """The instrument as a validated FHIR R4 Questionnaire (a JSON-ready dict)."""
    items: list[dict[str, Any]] = []
    if defn.instructions:
        items.append({"linkId": "instructions", "type": "display", "text": defn.instructions})
    items.extend(_item(defn, item, canonical_base) for item in defn.items)
    recall = f" Recall period: {defn.recall}." if defn.recall else ""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": defn.id,
        "url": questionnaire_url(canonical_base, defn.id),
        "version": version,
        "name": defn.id.upper(),  # ids start with a letter: a valid FHIR computable name
        "title": defn.name,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "Painpath",
        "description": (
            f"{defn.name} ({defn.short_name}): {defn.measures}.{recall} Scored by Painpath "
            f"from the answers' ordinal values; the total is always recomputed."
        ),
        "copyright": defn.licence.notice,
        "item": items,
    }
    if defn.codes and defn.codes.panel:
        panel = defn.codes.panel
        resource["code"] = [
            {"system": panel.system_uri, "code": panel.code}
            | ({"display": panel.display} if panel.display else {})
        ]
    validated = Questionnaire.model_validate(resource)
    result: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return result
