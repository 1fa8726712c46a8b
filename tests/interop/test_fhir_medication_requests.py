"""Reading FHIR R4 MedicationRequests for the MME: resources, Bundles and lists; the dose and
the doses a day as the CDC's own implementation reads them (clinical-facts.md §14d); and a
problem in one request reported against that request, never failing the rest.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest

import painpath
from painpath.knowledge import load_knowledge
from tests.conftest import FIXTURES

KB = load_knowledge()
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NDC = "http://hl7.org/fhir/sid/ndc"
UCUM = "http://unitsofmeasure.org"
SYNTHEA = json.loads((FIXTURES / "external" / "synthea-anna632-brekke496.json").read_text())
DOSE = "dosageInstruction[0].doseAndRate[0].doseQuantity"
REPEAT = "dosageInstruction[0].timing.repeat"

# RxNorm drug codes from the opioid table (rxnorm-opioid-ingredients.csv)
HYDROCODONE_APAP_5 = "856987"  # acetaminophen 300 MG / hydrocodone bitartrate 5 MG Oral Tablet
OXYCODONE_5 = "1049621"  # oxycodone hydrochloride 5 MG Oral Tablet
TRAMADOL_50 = "835603"  # tramadol hydrochloride 50 MG Oral Tablet


def mme(data: object) -> painpath.MmeResult:
    return painpath.mme(data, knowledge=KB)


def coding(code: str, system: str = RXNORM, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display is not None:
        out["display"] = display
    return out


def dosage(
    dose: float | None = 1,
    unit: str | None = "tablet",
    *,
    frequency: float | None = 4,
    period: float = 1,
    period_unit: str = "d",
    **extra: Any,
) -> dict[str, Any]:
    """One Dosage: ``dose`` units ``frequency`` times per ``period`` ``period_unit``."""
    out: dict[str, Any] = dict(extra)
    if frequency is not None:
        out["timing"] = {
            "repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}
        }
    if dose is not None:
        quantity: dict[str, Any] = {"value": dose}
        if unit is not None:
            quantity["unit"] = unit
        out["doseAndRate"] = [{"doseQuantity": quantity}]
    return out


def med_request(
    rid: str = "rx1",
    code: str | None = HYDROCODONE_APAP_5,
    *,
    dosages: list[dict[str, Any]] | None = None,
    status: str = "active",
    text: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A MedicationRequest for RxNorm ``code`` (default: 1 tablet 4 times a day)."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
    }
    if code is not None:
        concept: dict[str, Any] = {"coding": [coding(code)]}
        if text is not None:
            concept["text"] = text
        resource["medicationCodeableConcept"] = concept
    resource["dosageInstruction"] = [dosage()] if dosages is None else dosages
    resource.update(extra)
    return resource


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-0000-0000-{n:012d}", "resource": r}
            for n, r in enumerate(resources)
        ],
    }


PATIENT = {"resourceType": "Patient", "id": "p1"}


def fields(result: painpath.MmeResult) -> list[tuple[str, str]]:
    return [(e.where, e.field) for e in result.errors]


# --- input shapes ---------------------------------------------------------------------------


def test_a_single_medication_request():
    resource = med_request("hc")
    MedicationRequest.model_validate(resource)  # valid FHIR R4(B)
    result = mme(resource)
    assert result.total_mme_per_day == 20.0
    (item,) = result.items
    assert (item.where, item.rxnorm, item.ingredient) == (
        "MedicationRequest/hc",
        HYDROCODONE_APAP_5,
        "hydrocodone",
    )
    assert result.complete


def test_a_bundle_counts_every_request_and_skips_other_resources():
    data = bundle(
        PATIENT,
        med_request("hc"),  # 20
        med_request("oxy", OXYCODONE_5, dosages=[dosage(2, frequency=3)]),  # 2 × 5 × 3 × 1.5 = 45
        {"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "x"}},
    )
    Bundle.model_validate(data)
    result = mme(data)
    assert [i.where for i in result.items] == [
        "entry[1] MedicationRequest/hc",
        "entry[2] MedicationRequest/oxy",
    ]
    assert [i.mme_per_day for i in result.items] == [20.0, 45.0]
    assert result.total_mme_per_day == 65.0
    assert result.flags == ("mme_at_or_above_50",)


def test_a_bundle_entry_without_an_id_is_named_by_position_and_full_url():
    resource = med_request("x", dosages=[dosage(-1)])
    del resource["id"]
    result = mme(bundle(PATIENT, resource))
    assert fields(result) == [
        (
            "entry[1] MedicationRequest (urn:uuid:00000000-0000-0000-0000-000000000001)",
            f"{DOSE}.value",
        )
    ]


def test_a_json_list_of_resources():
    result = mme([med_request("a"), PATIENT, med_request("b", TRAMADOL_50)])
    assert [i.where for i in result.items] == ["[0] MedicationRequest/a", "[2] MedicationRequest/b"]
    assert result.total_mme_per_day == 20.0 + 40.0  # tramadol 50 × 4 = 200 mg × 0.2


def test_a_medications_wrapper_around_a_list_of_resources():
    assert mme({"medications": [med_request("a")]}).total_mme_per_day == 20.0


# --- medicationReference --------------------------------------------------------------------


def medication(mid: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "Medication",
        "id": mid,
        "code": {"coding": [coding(code, display=display)]},
    }


def test_medication_reference_to_a_contained_medication():
    resource = med_request("r", None, medicationReference={"reference": "#m1"})
    resource["contained"] = [medication("m1", OXYCODONE_5)]
    MedicationRequest.model_validate(resource)
    result = mme(resource)
    (item,) = result.items
    assert (item.rxnorm, item.ingredient, item.mme_per_day) == (OXYCODONE_5, "oxycodone", 30.0)


@pytest.mark.parametrize(
    "reference", ["urn:uuid:00000000-0000-0000-0000-000000000000", "Medication/med-oxy"]
)
def test_medication_reference_to_a_medication_in_the_bundle(reference: str):
    # Entry 0 is the Medication (fullUrl …000000000000), entry 1 the request pointing at it.
    data = bundle(
        medication("med-oxy", OXYCODONE_5),
        med_request("r", None, medicationReference={"reference": reference}),
    )
    Bundle.model_validate(data)
    result = mme(data)
    assert [(i.where, i.rxnorm, i.mme_per_day) for i in result.items] == [
        ("entry[1] MedicationRequest/r", OXYCODONE_5, 30.0)
    ]


def test_a_medication_reference_that_resolves_nowhere_is_an_error_for_an_opioid():
    resource = med_request(
        "r", None, medicationReference={"reference": "Medication/gone", "display": "Oxycodone 5 MG"}
    )
    result = mme(bundle(resource, med_request("ok")))
    assert fields(result) == [("entry[0] MedicationRequest/r", "medicationReference")]
    assert "Medication/gone" in result.errors[0].message
    assert result.total_mme_per_day == 20.0


# --- the dose -------------------------------------------------------------------------------


def test_dose_range_uses_the_high_end():
    # "1–2 tablets" of hydrocodone/APAP 5 mg 4 times a day: 2 × 5 × 4 = 40.
    dose = dosage(None)
    dose["doseAndRate"] = [
        {
            "doseRange": {
                "low": {"value": 1, "unit": "tablet"},
                "high": {"value": 2, "unit": "tablet"},
            }
        }
    ]
    resource = med_request(dosages=[dose])
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert (item.daily_dose, item.mme_per_day) == (40.0, 40.0)


def test_dose_range_without_a_high_end_is_an_error():
    dose = dosage(None)
    dose["doseAndRate"] = [{"doseRange": {"low": {"value": 1, "unit": "tablet"}}}]
    result = mme(med_request("r", dosages=[dose]))
    assert fields(result) == [
        ("MedicationRequest/r", "dosageInstruction[0].doseAndRate[0].doseRange.high")
    ]


def test_dose_in_mg_with_a_ucum_code():
    # oxycodone by mass: 7.5 mg × 4 = 30 mg × 1.5 = 45.
    dose = dosage(None)
    dose["doseAndRate"] = [
        {"doseQuantity": {"value": 7.5, "unit": "milligram", "system": UCUM, "code": "mg"}}
    ]
    (item,) = mme(med_request(code=OXYCODONE_5, dosages=[dose])).items
    assert (item.daily_dose, item.mme_per_day) == (30.0, 45.0)


def test_an_infusion_rate_is_an_error():
    dose = dosage(None)
    dose["doseAndRate"] = [
        {"rateQuantity": {"value": 2, "unit": "mg/h", "system": UCUM, "code": "mg/h"}}
    ]
    result = mme(med_request("r", OXYCODONE_5, dosages=[dose]))
    assert ("MedicationRequest/r", "dosageInstruction[0].doseAndRate[0]") in fields(result)
    assert result.items == ()


# --- doses a day ----------------------------------------------------------------------------


def test_frequency_max_is_preferred_over_frequency():
    dose = dosage()
    dose["timing"]["repeat"].update({"frequency": 2, "frequencyMax": 4})
    resource = med_request(code=OXYCODONE_5, dosages=[dose])
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert (item.daily_dose, item.mme_per_day) == (20.0, 30.0)  # 4 × 5 mg, not 2 × 5 mg


@pytest.mark.parametrize(
    ("frequency", "period", "unit", "per_day"),
    [
        (1, 6, "h", 4),  # every 6 hours
        (1, 12, "h", 2),  # once every 12 hours
        (1, 4, "h", 6),  # every 4 hours
        (3, 1, "d", 3),  # three times a day
        (1, 2, "d", 0.5),  # every other day
        (14, 1, "wk", 2),  # 14 a week
        (7, 1, "wk", 1),  # 7 a week
        (60, 1, "mo", 2),  # 60 a month (30 days)
        (2, 1440, "min", 2),  # twice per 1440 minutes
    ],
)
def test_period_and_period_unit(frequency: int, period: float, unit: str, per_day: float):
    resource = med_request(
        code=OXYCODONE_5, dosages=[dosage(1, frequency=frequency, period=period, period_unit=unit)]
    )
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert item.daily_dose == pytest.approx(5 * per_day)
    assert item.mme_per_day == round(5 * per_day * 1.5, 1)


def test_time_of_day_counts_doses():
    dose = dosage(1, frequency=None)
    dose["timing"] = {"repeat": {"timeOfDay": ["08:00:00", "14:00:00", "20:00:00"]}}
    resource = med_request(code=OXYCODONE_5, dosages=[dose])
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert (item.daily_dose, item.mme_per_day) == (15.0, 22.5)


@pytest.mark.parametrize(("code", "per_day"), [("BID", 2), ("TID", 3), ("QID", 4), ("Q6H", 4)])
def test_timing_code(code: str, per_day: int):
    dose = dosage(1, frequency=None)
    dose["timing"] = {
        "code": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation", "code": code}
            ]
        }
    }
    resource = med_request(code=OXYCODONE_5, dosages=[dose])
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert item.daily_dose == 5.0 * per_day


# --- PRN and status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "prn"),
    [
        ({"asNeededBoolean": True}, True),
        ({"asNeededCodeableConcept": {"text": "pain"}}, True),
        ({"asNeededBoolean": False}, False),
        ({}, False),
    ],
    ids=["asNeededBoolean", "asNeededCodeableConcept", "false", "absent"],
)
def test_as_needed_marks_the_item_prn(extra: dict[str, Any], prn: bool):
    resource = med_request(dosages=[dosage(**extra)])
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert item.prn is prn
    assert item.mme_per_day == 20.0
    assert ("as needed" in item.calculation) is prn


@pytest.mark.parametrize("status", ["stopped", "completed", "cancelled", "entered-in-error"])
def test_orders_that_are_not_current_are_excluded(status: str):
    result = mme(bundle(med_request("old", status=status), med_request("now", TRAMADOL_50)))
    assert [i.where for i in result.items] == ["entry[1] MedicationRequest/now"]
    assert result.total_mme_per_day == 40.0
    assert [(x.where, x.ingredient) for x in result.excluded] == [
        ("entry[0] MedicationRequest/old", "hydrocodone")
    ]
    assert status in result.excluded[0].reason
    assert result.complete


@pytest.mark.parametrize("status", ["draft", "active", "on-hold"])
def test_draft_active_and_on_hold_orders_are_counted(status: str):
    resource = med_request(status=status)
    MedicationRequest.model_validate(resource)
    result = mme(resource)
    assert result.total_mme_per_day == 20.0
    assert result.excluded == ()


def test_an_unknown_status_is_an_error():
    result = mme(med_request("r", status="paused"))
    assert fields(result) == [("MedicationRequest/r", "status")]


# --- per-item errors ------------------------------------------------------------------------


def _no_dosage() -> dict[str, Any]:
    resource = med_request("bad")
    del resource["dosageInstruction"]
    return resource


def _dose_value(value: object) -> dict[str, Any]:
    return med_request("bad", dosages=[dosage(value)])


def _repeat(**changes: Any) -> dict[str, Any]:
    dose = dosage()
    dose["timing"]["repeat"].update(changes)
    return med_request("bad", dosages=[dose])


BAD_REQUESTS = [
    pytest.param(
        med_request("bad", dosages=[dosage(), dosage()]), "dosageInstruction", id="two-dosages"
    ),
    pytest.param(_no_dosage(), "dosageInstruction", id="no-dosageInstruction"),
    pytest.param(med_request("bad", dosages=[]), "dosageInstruction", id="empty-dosageInstruction"),
    pytest.param(med_request("bad", dosages=[dosage(None)]), DOSE, id="no-doseQuantity"),
    pytest.param(_dose_value(-1), f"{DOSE}.value", id="negative-dose"),
    pytest.param(_dose_value(0), f"{DOSE}.value", id="zero-dose"),
    pytest.param(_dose_value("1"), f"{DOSE}.value", id="string-dose"),
    pytest.param(_dose_value(True), f"{DOSE}.value", id="bool-dose"),
    pytest.param(_dose_value(float("nan")), f"{DOSE}.value", id="nan-dose"),
    pytest.param(_repeat(frequency=-2), f"{REPEAT}.frequency", id="negative-frequency"),
    pytest.param(_repeat(frequency=1.5), f"{REPEAT}.frequency", id="fractional-frequency"),
    pytest.param(_repeat(frequencyMax=-4), f"{REPEAT}.frequencyMax", id="negative-frequencyMax"),
    pytest.param(_repeat(period=0), f"{REPEAT}.period", id="zero-period"),
    pytest.param(_repeat(periodUnit="fortnight"), f"{REPEAT}.periodUnit", id="unknown-periodUnit"),
    pytest.param(
        med_request("bad", dosages=[dosage(frequency=None)]), f"{REPEAT}.frequency", id="no-timing"
    ),
]


@pytest.mark.parametrize(("bad", "field"), BAD_REQUESTS)
def test_a_bad_request_is_an_error_naming_it_and_the_field(bad: dict[str, Any], field: str):
    result = mme(bundle(bad, med_request("good", TRAMADOL_50)))
    assert ("entry[0] MedicationRequest/bad", field) in fields(result)
    assert {e.where for e in result.errors} == {"entry[0] MedicationRequest/bad"}
    assert [i.where for i in result.items] == ["entry[1] MedicationRequest/good"]
    assert result.total_mme_per_day == 40.0  # the good one is still counted
    assert not result.complete


def test_a_bad_request_alone_still_gives_a_result():
    result = mme(_dose_value(-1))
    assert result.total_mme_per_day == 0
    assert fields(result) == [("MedicationRequest/bad", f"{DOSE}.value")]
    assert result.to_dict()["total_is_lower_bound"] is True


@pytest.mark.parametrize(
    "bad",
    [_dose_value(10**400), _repeat(frequency=10**400)],
    ids=["doseQuantity.value", "frequency"],
)
def test_an_integer_too_large_for_a_float_is_an_error_not_a_crash(bad: dict[str, Any]):
    # json.loads keeps big integers exact, so a 400-digit "value" arrives as a Python int.
    result = mme(bundle(bad, med_request("good", TRAMADOL_50)))
    assert {e.where for e in result.errors} == {"entry[0] MedicationRequest/bad"}
    assert result.total_mme_per_day == 40.0


# --- codings --------------------------------------------------------------------------------


def test_the_rxnorm_coding_the_table_knows_is_used_among_several():
    resource = med_request()
    resource["medicationCodeableConcept"]["coding"] = [
        coding("1234567890", display="some newer RxNorm concept"),
        coding(OXYCODONE_5),
        coding("00406-0552-01", system=NDC),
    ]
    MedicationRequest.model_validate(resource)
    (item,) = mme(resource).items
    assert (item.rxnorm, item.ingredient, item.mme_per_day) == (OXYCODONE_5, "oxycodone", 30.0)


def test_a_non_rxnorm_system_with_a_table_code_is_not_read_as_rxnorm():
    resource = med_request()
    resource["medicationCodeableConcept"] = {
        "coding": [coding(OXYCODONE_5, system="http://example.org/local-formulary")],
        "text": "Paracetamol 500 MG Oral Tablet",
    }
    result = mme(resource)
    assert result.items == () and result.errors == ()
    assert len(result.not_opioids) == 1


def test_an_ndc_only_opioid_with_a_tablet_count_is_an_error_not_a_zero():
    # Without an RxNorm code the strength of one tablet is unknown; the name says it is an
    # opioid, so it must not be left out silently.
    resource = med_request("ndc")
    resource["medicationCodeableConcept"] = {
        "coding": [coding("0406-0123-01", system=NDC)],
        "text": "Hydrocodone Bitartrate 5 MG / Acetaminophen 325 MG Oral Tablet",
    }
    result = mme(resource)
    assert result.items == () and result.not_opioids == ()
    assert fields(result) == [("MedicationRequest/ndc", DOSE)]
    assert not result.complete


def test_an_ndc_only_opioid_dosed_in_mg_is_counted_by_its_name():
    resource = med_request("ndc", dosages=[dosage(5, "mg")])
    resource["medicationCodeableConcept"] = {
        "coding": [coding("0406-0123-01", system=NDC)],
        "text": "Hydrocodone Bitartrate 5 MG / Acetaminophen 325 MG Oral Tablet",
    }
    (item,) = mme(resource).items
    assert (item.ingredient, item.rxnorm, item.mme_per_day) == ("hydrocodone", None, 20.0)


def test_an_ndc_only_non_opioid_is_not_an_opioid():
    resource = med_request("ndc")
    resource["medicationCodeableConcept"] = {
        "coding": [coding("0573-0164-40", system=NDC)],
        "text": "Ibuprofen 200 MG Oral Tablet",
    }
    result = mme(resource)
    assert [n.where for n in result.not_opioids] == ["MedicationRequest/ndc"]
    assert result.errors == ()


# --- input that is not orders ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        PATIENT,
        {"resourceType": "Bundle", "type": "collection", "entry": []},
        {"resourceType": "Bundle", "type": "collection"},
        bundle(PATIENT, {"resourceType": "Medication", "id": "m", "code": {"text": "x"}}),
        [PATIENT],
    ],
    ids=["patient", "empty-bundle", "bundle-without-entry", "bundle-without-requests", "list"],
)
def test_input_with_no_medication_request_is_an_orders_input_error(data: object):
    with pytest.raises(painpath.OrdersInputError, match="no MedicationRequest"):
        mme(data)


# --- a real third-party bundle: Synthea ---------------------------------------------------


def test_synthea_bundle_end_to_end():
    before = copy.deepcopy(SYNTHEA)
    result = mme(SYNTHEA)
    assert before == SYNTHEA  # the input is not changed

    # The active hydrocodone/APAP 856987: 1 tablet 4 times a day = 20 mg × 1 = 20 MME/day.
    (item,) = result.items
    assert item.where == "entry[323] MedicationRequest/884654cc-4dd0-f912-5f18-a7205f8b252f"
    assert (item.rxnorm, item.ingredient, item.daily_dose, item.factor) == (
        "856987",
        "hydrocodone",
        20.0,
        1.0,
    )
    assert item.prn is False
    assert result.total_mme_per_day == 20.0
    assert result.flags == ()

    # The active tramadol "as needed" with no dose or timing: an error for that request alone.
    prn_tramadol = "entry[585] MedicationRequest/97dd0db7-76a4-50f8-5fb7-051541ef17d1"
    assert {e.where for e in result.errors} == {prn_tramadol}
    assert (prn_tramadol, DOSE) in fields(result)
    assert all("tramadol" in e.label for e in result.errors)
    assert not result.complete

    # Seven stopped tramadol orders: excluded, not errors (they have no dose either).
    assert len(result.excluded) == 7
    assert all("stopped" in x.reason and "tramadol" in x.label for x in result.excluded)

    # Astemizole (active) and the two contraceptives (stopped): not opioids.
    labels = sorted(n.label for n in result.not_opioids)
    assert labels == [
        "Astemizole 10 MG Oral Tablet",
        "Camila 28 Day Pack",
        "Etonogestrel 68 MG Drug Implant",
    ]
    as_dict = result.to_dict()
    json.dumps(as_dict)  # serialisable as it stands
    assert as_dict["total_is_lower_bound"] is True


# --- odd but parseable JSON never crashes; duplicates, periods and skipped types ---------------


@pytest.mark.parametrize(
    "change",
    [
        {"status": ["active"]},
        {"status": {"code": "active"}},
        {"dosageInstruction": [{"timing": {"code": {"coding": [{"code": ["BID"]}]}},
                                "doseAndRate": [{"doseQuantity": {"value": 1}}]}]},
        {"contained": [{"resourceType": "Medication", "id": ["m"]}],
         "medicationReference": {"reference": "#m"}},
    ],
    ids=["status-list", "status-object", "timing-code-list", "contained-id-list"],
)  # fmt: skip
def test_odd_shapes_are_item_errors_never_a_crash(change: dict[str, Any]):
    odd = med_request("odd") | change
    if "medicationReference" in change:
        odd.pop("medicationCodeableConcept")
    result = mme(bundle(odd, med_request("good")))
    assert result.total_mme_per_day == 20.0  # the good order is still counted
    assert any(e.where.startswith("entry[0]") for e in result.errors) or any(
        n.where.startswith("entry[0]") for n in result.not_opioids
    )


def test_the_same_medication_request_twice_is_counted_once():
    result = mme(bundle(med_request("rx1"), med_request("rx1")))
    assert result.total_mme_per_day == 20.0
    (duplicate,) = result.excluded
    assert duplicate.where == "entry[1] MedicationRequest/rx1"
    assert duplicate.reason == "the same order as entry[0] MedicationRequest/rx1: counted once"


def test_a_period_without_a_frequency_is_once_per_period():
    # FHIR R4 Timing: with no frequency, the event occurs once per period ("q8h").
    q8h = dosage(1, "tablet", frequency=None)
    q8h["timing"] = {"repeat": {"period": 8, "periodUnit": "h"}}
    (item,) = mme(med_request(dosages=[q8h])).items
    assert item.daily_dose == 15.0  # 3 a day × 5 mg hydrocodone


def test_a_period_without_its_unit_is_an_error_not_a_guess():
    every8 = dosage(1, "tablet", frequency=1)
    every8["timing"] = {"repeat": {"frequency": 1, "period": 8}}  # 8 what?
    result = mme(med_request(dosages=[every8]))
    assert fields(result) == [("MedicationRequest/rx1", f"{REPEAT}.periodUnit")]


def test_more_than_48_doses_a_day_is_an_error():
    every_minute = dosage(1, "tablet", frequency=1, period=1, period_unit="min")
    result = mme(med_request(dosages=[every_minute]))
    assert fields(result) == [("MedicationRequest/rx1", REPEAT)]
    assert "1440 doses a day is more than 48" in result.errors[0].message


def test_skipped_resource_types_are_counted_in_the_result():
    result = mme(bundle(PATIENT, med_request(), {"resourceType": "Observation", "id": "o1"}))
    assert result.skipped_resources == {"Patient": 1, "Observation": 1}
    assert result.to_dict()["skipped_resources"] == {"Patient": 1, "Observation": 1}
