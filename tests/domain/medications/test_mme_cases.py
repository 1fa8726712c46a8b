"""MME per day (CDC 2022): a case table worked out by hand, and properties of the total.

Every factor is the CDC 2022 table's (MMWR RR 71(3), reproduced in clinical-facts.md §14a): daily
dose × factor, fentanyl patches per mcg/hr of strength. How an order becomes a daily dose, and
the rounding of each ingredient to one decimal, follow the CDC's own FHIR implementation
(cqframework/opioid-mme-r4, clinical-facts.md §14d).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import painpath
from painpath.knowledge import load_knowledge

KB = load_knowledge()
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
BOTH_FLAGS = ("mme_at_or_above_50", "mme_at_or_above_90")


def mme(data: object) -> painpath.MmeResult:
    return painpath.mme(data, knowledge=KB)


def per_day(n: float) -> dict[str, Any]:
    return {"repeat": {"frequency": n, "period": 1, "periodUnit": "d"}}


def request(
    code: str,
    *,
    dose: float | None = None,
    unit: str | None = None,
    timing: dict[str, Any] | None = None,
    text: str | None = None,
    prn: bool = False,
    rid: str = "rx1",
) -> dict[str, Any]:
    """An active FHIR R4 MedicationRequest for RxNorm ``code``; ``dose`` as doseQuantity."""
    dosage: dict[str, Any] = {"asNeededBoolean": prn}
    if timing is not None:
        dosage["timing"] = timing
    if dose is not None:
        quantity: dict[str, Any] = {"value": dose}
        if unit is not None:
            quantity["unit"] = unit
        dosage["doseAndRate"] = [{"doseQuantity": quantity}]
    concept: dict[str, Any] = {"coding": [{"system": RXNORM, "code": code}]}
    if text is not None:
        concept["text"] = text
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": concept,
        "dosageInstruction": [dosage],
    }


def only_item(result: painpath.MmeResult) -> Any:
    assert not result.errors, [str(e) for e in result.errors]
    assert len(result.items) == 1
    return result.items[0]


# --- the factors ---------------------------------------------------------------------------

# CDC 2022 table (clinical-facts.md §14a); buprenorphine has no factor.
CDC_2022 = {
    "codeine": 0.15,
    "fentanyl": 2.4,
    "hydrocodone": 1.0,
    "hydromorphone": 5.0,
    "methadone": 4.7,
    "morphine": 1.0,
    "oxycodone": 1.5,
    "oxymorphone": 3.0,
    "tapentadol": 0.4,
    "tramadol": 0.2,
}


def test_the_knowledge_carries_exactly_the_cdc_2022_factors():
    rules = KB.medications.mme
    assert {f.ingredient: f.factor for f in rules.factors} == CDC_2022
    assert [f.ingredient for f in rules.factors if f.per == "mcg_per_hr"] == ["fentanyl"]
    assert rules.exclusion_for("1819") is not None  # buprenorphine (RxNorm 1819)
    assert rules.factor_for("1819") is None


# One row per opioid with a factor, from a simple list. Each row: ingredient, dose_mg,
# doses_per_day, daily dose (mg), factor, MME/day; worked by hand.
SIMPLE_LIST_ROWS = [
    # CDC 2022 table (§14a) codeine 0.15: 30 mg × 4 = 120 mg × 0.15 = 18
    pytest.param("codeine", 30, 4, 120.0, 0.15, 18.0, id="codeine"),
    # CDC 2022 table (§14a) hydrocodone 1: 10 mg × 3 = 30 mg × 1 = 30
    pytest.param("hydrocodone", 10, 3, 30.0, 1.0, 30.0, id="hydrocodone"),
    # CDC 2022 table (§14a) hydromorphone 5 (2016: 4): 2 mg × 4 = 8 mg × 5 = 40
    pytest.param("hydromorphone", 2, 4, 8.0, 5.0, 40.0, id="hydromorphone"),
    # CDC 2022 table (§14a) methadone 4.7, single factor: 5 mg × 2 = 10 mg × 4.7 = 47
    pytest.param("methadone", 5, 2, 10.0, 4.7, 47.0, id="methadone"),
    # CDC 2022 table (§14a) morphine 1: 15 mg × 2 = 30 mg × 1 = 30
    pytest.param("morphine", 15, 2, 30.0, 1.0, 30.0, id="morphine"),
    # CDC 2022 table (§14a) oxycodone 1.5: 5 mg × 4 = 20 mg × 1.5 = 30
    pytest.param("oxycodone", 5, 4, 20.0, 1.5, 30.0, id="oxycodone"),
    # CDC 2022 table (§14a) oxymorphone 3: 5 mg × 2 = 10 mg × 3 = 30
    pytest.param("oxymorphone", 5, 2, 10.0, 3.0, 30.0, id="oxymorphone"),
    # CDC 2022 table (§14a) tapentadol 0.4: 50 mg × 4 = 200 mg × 0.4 = 80
    pytest.param("tapentadol", 50, 4, 200.0, 0.4, 80.0, id="tapentadol"),
    # CDC 2022 table (§14a) tramadol 0.2: 50 mg × 4 = 200 mg × 0.2 = 40
    pytest.param("tramadol", 50, 4, 200.0, 0.2, 40.0, id="tramadol"),
]


@pytest.mark.parametrize(
    ("ingredient", "dose", "n", "daily", "factor", "expected"), SIMPLE_LIST_ROWS
)
def test_each_oral_factor_from_a_simple_list(
    ingredient: str, dose: float, n: float, daily: float, factor: float, expected: float
):
    result = mme([{"ingredient": ingredient, "dose_mg": dose, "doses_per_day": n}])
    item = only_item(result)
    assert (item.ingredient, item.daily_dose, item.daily_dose_unit) == (ingredient, daily, "mg/day")
    assert item.factor == factor
    assert item.mme_per_day == expected
    assert result.total_mme_per_day == expected
    assert result.complete


def test_fentanyl_factor_is_per_mcg_per_hr_from_a_simple_list():
    # CDC 2022 table (§14a) fentanyl transdermal 2.4 per mcg/hr: 25 mcg/hr × 2.4 = 60
    item = only_item(mme([{"ingredient": "fentanyl", "mcg_per_hr": 25}]))
    assert (item.daily_dose, item.daily_dose_unit, item.factor) == (25.0, "mcg/hr", 2.4)
    assert item.mme_per_day == 60.0


# The same opioids by RxNorm drug code (the opioid table gives the strength of one unit).
CODE_ROWS = [
    # 993781 acetaminophen 300 / codeine 30 mg tablet; 1 × 4/day = 120 mg × 0.15 (§14a) = 18
    pytest.param("993781", 1, 4, "codeine", 120.0, 18.0, id="codeine-993781"),
    # 856987 acetaminophen 300 / hydrocodone 5 mg tablet; 1 × 4/day = 20 mg × 1 (§14a) = 20
    pytest.param("856987", 1, 4, "hydrocodone", 20.0, 20.0, id="hydrocodone-856987"),
    # 897696 hydromorphone 2 mg tablet; 1 × 4/day = 8 mg × 5 (§14a) = 40
    pytest.param("897696", 1, 4, "hydromorphone", 8.0, 40.0, id="hydromorphone-897696"),
    # 864706 methadone 10 mg tablet; 1 × 2/day = 20 mg × 4.7 (§14a) = 94
    pytest.param("864706", 1, 2, "methadone", 20.0, 94.0, id="methadone-864706"),
    # 892582 morphine 15 mg tablet; 2 × 3/day = 90 mg × 1 (§14a) = 90
    pytest.param("892582", 2, 3, "morphine", 90.0, 90.0, id="morphine-892582"),
    # 1049621 oxycodone 5 mg tablet; 1 × 6/day = 30 mg × 1.5 (§14a) = 45
    pytest.param("1049621", 1, 6, "oxycodone", 30.0, 45.0, id="oxycodone-1049621"),
    # 977939 oxymorphone 5 mg tablet; 1 × 4/day = 20 mg × 3 (§14a) = 60
    pytest.param("977939", 1, 4, "oxymorphone", 20.0, 60.0, id="oxymorphone-977939"),
    # 825411 tapentadol 50 mg tablet; 2 × 2/day = 200 mg × 0.4 (§14a) = 80
    pytest.param("825411", 2, 2, "tapentadol", 200.0, 80.0, id="tapentadol-825411"),
    # 835603 tramadol 50 mg tablet; 1 × 3/day = 150 mg × 0.2 (§14a) = 30
    pytest.param("835603", 1, 3, "tramadol", 150.0, 30.0, id="tramadol-835603"),
]


@pytest.mark.parametrize(("code", "count", "n", "ingredient", "daily", "expected"), CODE_ROWS)
def test_each_oral_factor_by_rxnorm_code_and_tablet_count(
    code: str, count: float, n: float, ingredient: str, daily: float, expected: float
):
    result = mme(request(code, dose=count, unit="tablet", timing=per_day(n)))
    item = only_item(result)
    assert (item.ingredient, item.rxnorm, item.daily_dose) == (ingredient, code, daily)
    assert item.factor == CDC_2022[ingredient]
    assert result.total_mme_per_day == expected


# --- the CDC's worked examples (§14a table footnote) ----------------------------------------


def test_cdc_example_hydrocodone_5_mg_qid_is_20_mme():
    simple = mme([{"ingredient": "hydrocodone", "dose_mg": 5, "doses_per_day": 4}])
    assert (simple.total_mme_per_day, simple.items[0].daily_dose) == (20.0, 20.0)
    qid = {"code": {"coding": [{"code": "QID"}]}}
    coded = mme(request("856987", dose=1, timing=qid))
    assert (coded.total_mme_per_day, coded.items[0].daily_dose) == (20.0, 20.0)
    assert simple.flags == coded.flags == ()


def test_cdc_example_oxycodone_er_10_mg_bid_is_30_mme():
    bid = {"code": {"coding": [{"code": "BID"}]}}
    # 1049502: 12 HR oxycodone hydrochloride 10 MG Extended Release Oral Tablet
    result = mme(request("1049502", dose=1, unit="tablet", timing=bid))
    item = only_item(result)
    assert (item.daily_dose, item.factor, item.mme_per_day) == (20.0, 1.5, 30.0)
    assert item.dose_form == "Extended Release Oral Tablet"
    assert item.notes == ()  # an oral form: no caution about the factor
    simple = mme([{"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 2}])
    assert simple.total_mme_per_day == 30.0


# --- combination products -------------------------------------------------------------------


@pytest.mark.parametrize(
    "quantity",
    [
        {"value": 2},
        {"value": 2, "unit": "tablet"},
        {"value": 2, "unit": "tablets"},
        {"value": 2, "unit": "tablet", "system": UCUM, "code": "{tbl}"},
        {
            "value": 2,
            "unit": "tablet",
            "system": "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm",
            "code": "TAB",
        },
    ],
    ids=["no-unit", "tablet", "tablets", "ucum-tbl", "v3-TAB"],
)
def test_hydrocodone_apap_by_code_counts_only_the_opioid_per_tablet(quantity: dict[str, Any]):
    # 856987: acetaminophen 300 mg / hydrocodone 5 mg; 2 tablets × 4/day = 40 mg hydrocodone;
    # the acetaminophen adds nothing.
    resource = request("856987", timing=per_day(4))
    resource["dosageInstruction"][0]["doseAndRate"] = [{"doseQuantity": quantity}]
    item = only_item(mme(resource))
    assert (item.ingredient, item.rxnorm_ingredient) == ("hydrocodone", "5489")
    assert (item.daily_dose, item.mme_per_day) == (40.0, 40.0)


def test_two_opioid_ingredient_product_sums_both_rounding_each():
    # 637540: aspirin 325 / oxycodone hydrochloride 4.5 mg / oxycodone terephthalate 0.38 mg.
    # 1 tablet a day: 4.5 × 1.5 = 6.75 → 6.8 and 0.38 × 1.5 = 0.57 → 0.6, total 7.4 (each
    # ingredient rounded, as the CDC implementation does; 4.88 × 1.5 = 7.32 would give 7.3).
    result = mme(request("637540", dose=1, unit="tablet", timing=per_day(1)))
    assert sorted(i.daily_dose for i in result.items) == [0.4, 4.5]
    assert sorted(i.mme_per_day for i in result.items) == [0.6, 6.8]
    assert {i.ingredient for i in result.items} == {"oxycodone"}
    assert result.total_mme_per_day == 7.4
    # 2 tablets 4 times a day: 36 mg → 54.0, 3.04 mg → 4.56 → 4.6; 58.6 ≥ 50.
    bigger = mme(request("637540", dose=2, unit="tablet", timing=per_day(4)))
    assert sorted(i.mme_per_day for i in bigger.items) == [4.6, 54.0]
    assert bigger.total_mme_per_day == 58.6
    assert bigger.flags == ("mme_at_or_above_50",)


def test_a_dose_in_mg_of_a_two_opioid_product_is_ambiguous():
    result = mme(request("637540", dose=5, unit="mg", timing=per_day(4)))
    assert result.items == ()
    assert [(e.where, e.field) for e in result.errors] == [
        ("MedicationRequest/rx1", "dosageInstruction[0].doseAndRate[0].doseQuantity")
    ]
    assert "several opioid ingredients" in result.errors[0].message


# --- patches --------------------------------------------------------------------------------

EVERY_72_H = {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}}


def test_fentanyl_patch_by_code_without_a_dose_assumes_one_patch_and_says_so():
    # 197696: 72 HR fentanyl 0.075 MG/HR: 75 mcg/hr × 2.4 (§14a) = 180
    result = mme(request("197696", timing=EVERY_72_H))
    item = only_item(result)
    assert (item.daily_dose, item.daily_dose_unit, item.mme_per_day) == (75.0, "mcg/hr", 180.0)
    assert any("one patch" in note for note in item.notes)
    assert result.flags == BOTH_FLAGS
    simple = only_item(mme([{"rxnorm": "197696"}]))
    assert simple.mme_per_day == 180.0
    assert any("one patch" in note for note in simple.notes)


@pytest.mark.parametrize("unit", [None, "patch", "{patch}", "patches"])
def test_two_fentanyl_patches_count_twice_the_strength(unit: str | None):
    # 197696 (75 mcg/hr), 2 patches at a time: 150 mcg/hr × 2.4 = 360.
    result = mme(request("197696", dose=2, unit=unit, timing=EVERY_72_H))
    item = only_item(result)
    assert (item.daily_dose, item.mme_per_day) == (150.0, 360.0)
    assert not item.notes


@pytest.mark.parametrize("hours", [48, 72, 96])
def test_the_patch_change_interval_does_not_change_the_mme(hours: int):
    # The CDC's fentanyl factor (0.33333333 / dosesPerDay × 7200 per mg/hr, §14d) cancels the
    # change interval: 25 mcg/hr is 60 MME/day however often the patch is changed.
    timing = {"repeat": {"frequency": 1, "period": hours, "periodUnit": "h"}}
    assert mme(request("245134", dose=1, unit="patch", timing=timing)).total_mme_per_day == 60.0


def test_fentanyl_patch_dose_written_in_mcg_per_hour():
    # 1603495 (72 HR fentanyl 0.0375 MG/HR) ordered as 37.5 ug/h: 37.5 × 2.4 = 90.0, both flags.
    resource = request("1603495", timing=EVERY_72_H)
    resource["dosageInstruction"][0]["doseAndRate"] = [
        {"doseQuantity": {"value": 37.5, "unit": "mcg/h", "system": UCUM, "code": "ug/h"}}
    ]
    result = mme(resource)
    item = only_item(result)
    assert (item.daily_dose, item.daily_dose_unit, item.mme_per_day) == (37.5, "mcg/hr", 90.0)
    assert result.flags == BOTH_FLAGS


def test_fentanyl_patch_in_a_simple_list_by_mcg_per_hr():
    # 12 mcg/hr × 2.4 = 28.8; 25 mcg/hr × 2.4 = 60; total 88.8 (below 90).
    result = mme(
        [{"ingredient": "fentanyl", "mcg_per_hr": 12}, {"name": "Duragesic", "mcg_per_hr": 25}]
    )
    assert [i.mme_per_day for i in result.items] == [28.8, 60.0]
    assert result.total_mme_per_day == 88.8
    assert result.flags == ("mme_at_or_above_50",)


def test_a_patch_rate_for_an_oral_opioid_is_an_error():
    result = mme([{"ingredient": "oxycodone", "mcg_per_hr": 25}])
    assert [(e.where, e.field) for e in result.errors] == [("items[0]", "mcg_per_hr")]
    assert result.total_mme_per_day == 0.0


# --- liquids --------------------------------------------------------------------------------

LIQUID_ROWS = [
    # 892589 morphine 2 mg/mL; 5 mL × 6/day = 60 mg × 1 (§14a) = 60
    pytest.param("892589", 5, 6, "morphine", 60.0, 60.0, id="morphine-2mg-per-ml"),
    # 856940 acetaminophen 21.7 / hydrocodone 0.5 mg/mL; 15 mL × 4/day = 30 mg × 1 (§14a) = 30
    pytest.param("856940", 15, 4, "hydrocodone", 30.0, 30.0, id="hydrocodone-apap-solution"),
    # 864769 methadone 2 mg/mL; 5 mL × 2/day = 20 mg × 4.7 (§14a) = 94
    pytest.param("864769", 5, 2, "methadone", 20.0, 94.0, id="methadone-2mg-per-ml"),
    # 993755 acetaminophen 24 / codeine 2.4 mg/mL; 12.5 mL × 4/day = 120 mg × 0.15 (§14a) = 18
    pytest.param("993755", 12.5, 4, "codeine", 120.0, 18.0, id="codeine-apap-solution"),
]


@pytest.mark.parametrize(("code", "ml", "n", "ingredient", "daily", "expected"), LIQUID_ROWS)
def test_liquid_dose_in_ml_times_strength_per_ml(
    code: str, ml: float, n: float, ingredient: str, daily: float, expected: float
):
    resource = request(code, timing=per_day(n))
    resource["dosageInstruction"][0]["doseAndRate"] = [
        {"doseQuantity": {"value": ml, "unit": "mL", "system": UCUM, "code": "mL"}}
    ]
    item = only_item(mme(resource))
    assert (item.ingredient, item.daily_dose, item.mme_per_day) == (ingredient, daily, expected)


def test_a_liquid_dosed_in_mg_uses_the_mg():
    # 892589 morphine 2 mg/mL ordered as 10 mg × 3/day = 30 mg.
    assert mme(request("892589", dose=10, unit="mg", timing=per_day(3))).total_mme_per_day == 30.0


def test_a_liquid_dosed_as_a_count_is_an_error_not_a_guess():
    result = mme(request("892589", dose=1, unit="tablet", timing=per_day(3)))
    assert result.items == ()
    assert [e.field for e in result.errors] == ["dosageInstruction[0].doseAndRate[0].doseQuantity"]
    assert "liquid" in result.errors[0].message
    assert not result.complete


# --- PRN ------------------------------------------------------------------------------------


def test_prn_is_counted_at_the_most_it_allows():
    # 1049621 oxycodone 5 mg: "1–2 tablets every 4–6 hours as needed": the high end of the
    # dose range (2) and the shortest period (4 h → 6/day): 2 × 5 × 6 = 60 mg × 1.5 = 90.
    resource = request("1049621", prn=True)
    resource["dosageInstruction"][0]["timing"] = {
        "repeat": {"frequency": 1, "period": 4, "periodMax": 6, "periodUnit": "h"}
    }
    resource["dosageInstruction"][0]["doseAndRate"] = [
        {
            "doseRange": {
                "low": {"value": 1, "unit": "tablet"},
                "high": {"value": 2, "unit": "tablet"},
            }
        }
    ]
    result = mme(resource)
    item = only_item(result)
    assert item.prn is True
    assert (item.daily_dose, item.mme_per_day) == (60.0, 90.0)
    assert "as needed" in item.calculation
    assert result.flags == BOTH_FLAGS


def test_prn_with_frequency_max_counts_the_max():
    # "1 tablet 2 to 3 times a day as needed" (frequency 2, frequencyMax 3) of tramadol 50 mg:
    # 3 × 50 = 150 mg × 0.2 = 30.
    resource = request("835603", dose=1, prn=True)
    resource["dosageInstruction"][0]["timing"] = {
        "repeat": {"frequency": 2, "frequencyMax": 3, "period": 1, "periodUnit": "d"}
    }
    item = only_item(mme(resource))
    assert (item.prn, item.daily_dose, item.mme_per_day) == (True, 150.0, 30.0)


def test_prn_in_a_simple_list():
    item = only_item(
        mme([{"ingredient": "hydromorphone", "dose_mg": 2, "doses_per_day": 6, "prn": True}])
    )
    assert (item.prn, item.mme_per_day) == (True, 60.0)
    assert "as needed" in item.calculation


# --- excluded: buprenorphine and fentanyl that is not a patch ------------------------------


def test_buprenorphine_by_ingredient_is_excluded_and_adds_nothing():
    result = mme(
        [
            {"ingredient": "buprenorphine", "dose_mg": 8, "doses_per_day": 2},
            {"ingredient": "oxycodone", "dose_mg": 5, "doses_per_day": 2},
        ]
    )
    assert result.total_mme_per_day == 15.0
    assert [i.ingredient for i in result.items] == ["oxycodone"]
    assert [(x.where, x.ingredient) for x in result.excluded] == [("items[0]", "buprenorphine")]
    assert "ceiling" in result.excluded[0].reason
    assert result.complete  # excluded is not an error


@pytest.mark.parametrize(
    ("code", "dose"),
    [
        pytest.param("904870", None, id="butrans-patch-904870"),
        pytest.param("351266", 1, id="buprenorphine-naloxone-sublingual-351266"),
        pytest.param("1542390", 1, id="buprenorphine-naloxone-buccal-film-1542390"),
    ],
)
def test_buprenorphine_by_code_is_excluded(code: str, dose: float | None):
    result = mme(request(code, dose=dose, timing=per_day(1)))
    assert result.items == ()
    assert result.errors == ()
    assert [x.ingredient for x in result.excluded] == ["buprenorphine"]
    assert result.total_mme_per_day == 0.0
    assert result.flags == ()


@pytest.mark.parametrize(
    "data",
    [
        # 668363 fentanyl 0.1 mg buccal tablet, 1 × 4/day
        request("668363", dose=1, timing=per_day(4)),
        # 261106 fentanyl 0.2 mg oral lozenge [Actiq], 1 × 4/day
        request("261106", dose=1, timing=per_day(4)),
        # 1740007 fentanyl 0.6 mg/actuation mucosal spray pack, 1 spray × 4/day
        request("1740007", dose=1, unit="spray", timing=per_day(4)),
        [{"ingredient": "fentanyl", "dose_mg": 0.2, "doses_per_day": 4}],
    ],
    ids=["buccal-668363", "lozenge-261106", "spray-1740007", "simple-list-dose-mg"],
)
def test_fentanyl_that_is_not_a_patch_has_no_2022_factor(data: object):
    result = mme(data)
    assert result.items == ()
    assert result.errors == ()
    assert [x.ingredient for x in result.excluded] == ["fentanyl"]
    assert "no 2022 factor" in result.excluded[0].reason
    assert result.total_mme_per_day == 0.0


# --- methadone: one 2022 factor, not the 2016 tiers ----------------------------------------


@pytest.mark.parametrize(
    ("mg_per_day", "expected", "tier_2016"),
    [
        (20, 94.0, 80.0),  # 2016: 1–20 mg/day × 4
        (30, 141.0, 240.0),  # 2016: 21–40 mg/day × 8
        (60, 282.0, 600.0),  # 2016: 41–60 mg/day × 10
        (100, 470.0, 1200.0),  # 2016: ≥61 mg/day × 12
    ],
)
def test_methadone_uses_the_single_2022_factor(mg_per_day: int, expected: float, tier_2016: float):
    result = mme([{"ingredient": "methadone", "dose_mg": mg_per_day / 2, "doses_per_day": 2}])
    assert result.total_mme_per_day == expected == round(mg_per_day * 4.7, 1)
    assert result.total_mme_per_day != tier_2016
    assert result.items[0].factor == 4.7


# --- rounding and flags ---------------------------------------------------------------------


def test_each_item_and_the_total_are_rounded_to_one_decimal():
    # morphine 2.22 mg × 3 = 6.66 → 6.7; oxycodone 3.33 mg × 1 → daily 3.3, × 1.5 = 4.995 → 5.0
    result = mme(
        [
            {"ingredient": "morphine", "dose_mg": 2.22, "doses_per_day": 3},
            {"ingredient": "oxycodone", "dose_mg": 3.33, "doses_per_day": 1},
        ]
    )
    assert [i.daily_dose for i in result.items] == [6.7, 3.3]
    assert [i.mme_per_day for i in result.items] == [6.7, 5.0]
    assert result.total_mme_per_day == 11.7


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        # codeine 15 mg once a day: 15 × 0.15 = 2.25 exactly → CQL Round(2.25, 1) = 2.3
        pytest.param({"ingredient": "codeine", "dose_mg": 15, "doses_per_day": 1}, 2.3, id="2.25"),
        # methadone 7.5 mg once a day: 7.5 × 4.7 = 35.25 exactly → 35.3
        pytest.param(
            {"ingredient": "methadone", "dose_mg": 7.5, "doses_per_day": 1}, 35.3, id="35.25"
        ),
        # oxycodone 2.5 mg three times a day: 7.5 × 1.5 = 11.25 exactly → 11.3
        pytest.param(
            {"ingredient": "oxycodone", "dose_mg": 2.5, "doses_per_day": 3}, 11.3, id="11.25"
        ),
    ],
)
def test_exact_halves_round_up_as_the_cdc_implementation_does(
    item: dict[str, Any], expected: float
):
    # The CDC's calculator (§14d.5) computes Round(dailyDose × factor, 1) in CQL, whose Round is
    # "a traditional round, meaning that a decimal value of 0.5 or higher will round to 1", on
    # exact decimals. Python's round() on a float rounds a tie to even (2.25 → 2.2).
    assert mme([item]).total_mme_per_day == expected


@pytest.mark.parametrize(
    ("dose", "flags"),
    [
        (49.9, ()),
        (50, ("mme_at_or_above_50",)),
        (89.9, ("mme_at_or_above_50",)),
        (90, BOTH_FLAGS),
    ],
)
def test_flags_exactly_at_the_thresholds(dose: float, flags: tuple[str, ...]):
    result = mme([{"ingredient": "morphine", "dose_mg": dose, "doses_per_day": 1}])
    assert result.total_mme_per_day == dose
    assert result.flags == flags
    assert result.thresholds == {"caution_at": 50.0, "taper_now_at": 90.0}


def test_flags_come_from_the_total_of_several_orders():
    # oxycodone 10 mg × 3 = 45 + hydrocodone 5 mg × 1 = 5 → 50; + fentanyl 12 mcg/hr = 28.8 → 78.8
    two = [
        {"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3},
        {"ingredient": "hydrocodone", "dose_mg": 5, "doses_per_day": 1},
    ]
    assert mme(two).flags == ("mme_at_or_above_50",)
    three = mme([*two, {"ingredient": "fentanyl", "mcg_per_hr": 12}])
    assert three.total_mme_per_day == 78.8
    four = mme([*two, {"ingredient": "fentanyl", "mcg_per_hr": 25}])  # 45 + 5 + 60 = 110
    assert (four.total_mme_per_day, four.flags) == (110.0, BOTH_FLAGS)


# --- unknown codes and names ----------------------------------------------------------------


def test_unknown_code_whose_name_mentions_an_opioid_is_an_error():
    resource = request(
        "99999999", dose=1, timing=per_day(4), text="Oxycodone Hydrochloride 5 MG Oral Tablet"
    )
    result = mme(resource)
    assert result.items == () and result.not_opioids == ()
    assert [(e.where, e.field) for e in result.errors] == [
        ("MedicationRequest/rx1", "medicationCodeableConcept.coding")
    ]
    assert "99999999" in result.errors[0].message
    assert not result.complete


def test_unknown_code_with_a_non_opioid_name_is_not_an_opioid():
    result = mme(request("197378", dose=1, timing=per_day(1), text="Astemizole 10 MG Oral Tablet"))
    assert result.errors == () and result.items == ()
    assert [n.where for n in result.not_opioids] == ["MedicationRequest/rx1"]
    assert "197378" in result.not_opioids[0].reason
    assert result.complete
    assert result.total_mme_per_day == 0.0


def test_unknown_code_with_no_name_at_all_is_an_error():
    result = mme(request("99999999", dose=1, timing=per_day(1)))
    assert [e.field for e in result.errors] == ["medicationCodeableConcept.coding"]
    assert result.not_opioids == ()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"ingredient": "oxycodon", "dose_mg": 5, "doses_per_day": 4}, "ingredient"),
        ({"ingredient": "hydrocodeine", "dose_mg": 5, "doses_per_day": 4}, "ingredient"),
        ({"name": "Oxycontinn 10", "dose_mg": 10, "doses_per_day": 2}, "name"),
        ({"rxnorm": "99999999", "dose_mg": 5, "doses_per_day": 4}, "rxnorm"),
        ({"ingredient": "ibuprofen", "dose_mg": 400, "doses_per_day": 3}, "ingredient"),
    ],
    ids=["oxycodon", "hydrocodeine", "oxycontinn", "unknown-rxnorm", "non-opioid"],
)
def test_a_simple_list_name_that_is_not_a_known_opioid_is_an_error(
    item: dict[str, Any], field: str
):
    result = mme([{"ingredient": "morphine", "dose_mg": 10, "doses_per_day": 2}, item])
    assert [(e.where, e.field) for e in result.errors] == [("items[1]", field)]
    assert result.total_mme_per_day == 20.0  # the good item is still counted
    assert not result.complete


# --- errors never stop the rest; the total is then a lower bound ---------------------------


def test_errors_are_per_item_and_the_total_is_a_lower_bound():
    result = mme(
        [
            {"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3},  # 45
            {"ingredient": "oxycodon", "dose_mg": 10, "doses_per_day": 3},  # misspelled
            {"ingredient": "fentanyl", "mcg_per_hr": 25},  # 60
            {"ingredient": "morphine", "dose_mg": -5, "doses_per_day": 2},  # negative
            {"ingredient": "hydrocodone", "dose_mg": 5},  # no frequency
            {"ingredient": "tramadol", "dose_mg": 50, "doses_per_day": 4},  # 40
        ]
    )
    assert [i.where for i in result.items] == ["items[0]", "items[2]", "items[5]"]
    assert result.total_mme_per_day == 145.0
    assert [(e.where, e.field) for e in result.errors] == [
        ("items[1]", "ingredient"),
        ("items[3]", "dose_mg"),
        ("items[4]", "doses_per_day"),
    ]
    assert all(str(e).startswith(f"{e.where}: {e.field}: ") for e in result.errors)
    assert not result.complete
    as_dict = result.to_dict()
    assert as_dict["complete"] is False and as_dict["total_is_lower_bound"] is True
    assert result.flags == BOTH_FLAGS


def test_a_complete_result_says_so():
    as_dict = mme([{"ingredient": "morphine", "dose_mg": 10, "doses_per_day": 2}]).to_dict()
    assert (as_dict["complete"], as_dict["total_is_lower_bound"]) == (True, False)
    assert as_dict["items"][0]["calculation"] == "10 mg × 2/day = 20 mg/day × 1 = 20 MME/day"


@pytest.mark.parametrize("field", ["dose_mg", "doses_per_day", "mcg_per_hr"])
def test_an_integer_too_large_for_a_float_is_an_item_error_not_a_crash(field: str):
    # json.loads keeps big integers exact: '{"dose_mg": 1000…0}' (400 digits) is a Python int.
    item: dict[str, Any] = {"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 2}
    if field == "mcg_per_hr":
        item = {"ingredient": "fentanyl"}
    item[field] = 10**400
    result = mme([{"ingredient": "morphine", "dose_mg": 10, "doses_per_day": 1}, item])
    assert ("items[1]", field) in [(e.where, e.field) for e in result.errors]
    assert result.total_mme_per_day == 10.0


# --- properties -----------------------------------------------------------------------------

ORAL = sorted(i for i in CDC_2022 if i != "fentanyl")
# Plausible orders: one order stays under mme.implausible_above (5000 MME/day) even for
# hydromorphone (factor 5): 80 mg × 12 a day × 5 = 4800. Larger ones are tested as errors.
dose_mg = st.floats(min_value=0, max_value=80, exclude_min=True, allow_nan=False)
doses_a_day = st.floats(min_value=0, max_value=12, exclude_min=True, allow_nan=False)
mcg = st.floats(min_value=0, max_value=1000, exclude_min=True, allow_nan=False)
oral_item = st.fixed_dictionaries(
    {"ingredient": st.sampled_from(ORAL), "dose_mg": dose_mg, "doses_per_day": doses_a_day},
    optional={"prn": st.booleans()},
)
patch_item = st.fixed_dictionaries({"ingredient": st.just("fentanyl"), "mcg_per_hr": mcg})
bup_item = st.fixed_dictionaries(
    {"ingredient": st.just("buprenorphine"), "dose_mg": dose_mg, "doses_per_day": doses_a_day}
)
valid_item = oral_item | patch_item | bup_item


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(valid_item, min_size=1, max_size=6))
def test_the_total_is_the_sum_of_the_items(items: list[dict[str, Any]]):
    result = mme(items)
    assert result.errors == ()
    assert len(result.items) + len(result.excluded) == len(items)
    parts = sum(i.mme_per_day for i in result.items)
    assert abs(result.total_mme_per_day - parts) <= 0.05 + 1e-9
    assert result.total_mme_per_day == round(parts, 1)
    assert result.total_mme_per_day >= 0
    assert all(
        i.mme_per_day >= 0 and i.mme_per_day == round(i.mme_per_day, 1) for i in result.items
    )
    for item in result.items:
        assert item.factor == CDC_2022[item.ingredient]
        assert item.daily_dose_unit == ("mcg/hr" if item.ingredient == "fentanyl" else "mg/day")
    expected_flags = tuple(
        f"mme_at_or_above_{t}" for t in (50, 90) if result.total_mme_per_day >= t
    )
    assert result.flags == expected_flags


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(valid_item, max_size=5), extra=valid_item, at=st.integers(0, 5))
def test_adding_an_item_never_lowers_the_total(
    items: list[dict[str, Any]], extra: dict[str, Any], at: int
):
    before = mme(items).total_mme_per_day if items else 0.0
    after = mme([*items[:at], extra, *items[at:]]).total_mme_per_day
    assert after >= before


LIMITS = {"dose_mg": 100_000, "doses_per_day": 48, "mcg_per_hr": 1000}


def junk_for(field: str) -> st.SearchStrategy[object]:
    high = LIMITS[field]
    return st.one_of(
        st.text(max_size=8),
        st.booleans(),
        st.just(math.nan),
        st.sampled_from([math.inf, -math.inf]),
        st.floats(max_value=0, allow_nan=False),  # zero and negatives
        st.integers(max_value=0, min_value=-(10**300)),
        st.floats(min_value=high, exclude_min=True, allow_nan=False),  # too big, up to inf
        # Huge but float-sized integers; integers beyond a float's range are
        # test_an_integer_too_large_for_a_float_is_an_item_error_not_a_crash.
        st.integers(min_value=high + 1, max_value=10**300),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_junk_values_are_item_errors_naming_the_item_and_field(data: st.DataObject):
    field = data.draw(st.sampled_from(sorted(LIMITS)))
    junk = data.draw(junk_for(field))
    good = data.draw(st.lists(oral_item | patch_item, max_size=3))
    at = data.draw(st.integers(0, len(good)))
    base = (
        {"ingredient": "fentanyl"}
        if field == "mcg_per_hr"
        else {"ingredient": "oxycodone", "dose_mg": 10, "doses_per_day": 3}
    )
    items = [*good[:at], {**base, field: junk}, *good[at:]]
    result = mme(items)  # never raises
    assert (f"items[{at}]", field) in [(e.where, e.field) for e in result.errors]
    assert all(e.where == f"items[{at}]" for e in result.errors)
    assert not result.complete
    assert len(result.items) == len(good)  # the others are still counted
    if good:
        assert result.total_mme_per_day == mme(good).total_mme_per_day


@pytest.mark.parametrize(
    ("item", "mme_per_day"),
    [
        ({"ingredient": "hydromorphone", "dose_mg": 100_000, "doses_per_day": 48}, "24,000,000"),
        ({"ingredient": "morphine", "dose_mg": 5001, "doses_per_day": 1}, "5,001"),
        ({"rxnorm": "197696", "name": "fentanyl 75 mcg/hr patch", "dose_mg": None}, None),
    ],
)
def test_an_implausible_order_is_an_error_not_a_dose(item: dict[str, Any], mme_per_day: str | None):
    # mme.implausible_above: one order above 5000 MME/day is a data error until checked.
    if mme_per_day is None:  # 30 fentanyl 75 mcg/hr patches at once: 5,400 MME/day
        data = {"resourceType": "MedicationRequest", "status": "active",
                "medicationCodeableConcept": {"coding": [{
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "197696"}]},
                "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 30}}]}]}  # fmt: skip
        (error,) = mme(data).errors
        assert error.message.startswith("5,400 MME/day from one order is above 5,000")
        return
    result = mme([{"ingredient": "morphine", "dose_mg": 10, "doses_per_day": 1}, item])
    (error,) = result.errors
    assert error.where == "items[1]"
    assert error.message.startswith(f"{mme_per_day} MME/day from one order is above 5,000")
    assert result.total_mme_per_day == 10.0 and not result.complete


def test_exactly_at_the_plausibility_ceiling_is_counted():
    result = mme([{"ingredient": "morphine", "dose_mg": 2500, "doses_per_day": 2}])
    assert (result.total_mme_per_day, result.errors) == (5000.0, ())


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"ingredient": "oxycodone", "name": "morphine sulfate 30 mg", "dose_mg": 30,
          "doses_per_day": 2}, "the order names several opioids (oxycodone, morphine)"),
        ({"rxnorm": "856987", "ingredient": "morphine", "dose_mg": 5, "doses_per_day": 2},
         "RxNorm 856987 is acetaminophen 300 MG / hydrocodone bitartrate 5 MG Oral Tablet, but "
         "the order names morphine"),
    ],
)  # fmt: skip
def test_a_name_that_contradicts_the_ingredient_or_the_code_is_an_error(
    item: dict[str, Any], message: str
):
    # 60 or 90 MME/day depends on which opioid is meant: never pick one silently.
    (error,) = mme([item]).errors
    assert error.message.startswith(message)


def test_a_brand_name_is_recognised_and_agrees_with_its_code():
    result = mme([{"rxnorm": "856987", "name": "Norco 5/325", "dose_mg": 5, "doses_per_day": 4},
                  {"name": "Xtampza ER", "ingredient": "oxycodone", "dose_mg": 9,
                   "doses_per_day": 2}])  # fmt: skip
    assert result.errors == ()
    assert [i.ingredient for i in result.items] == ["hydrocodone", "oxycodone"]
    assert result.total_mme_per_day == 47.0  # 20 + 27
