"""The medication review: each medication against the mechanisms, drivers and guidelines
(seed 001 "align medication to mechanisms"; care-model.md §3-4; medications.yaml classes).

Driven through real assessments: the minimal intake (chronic low back, 20 weeks, age 45) and
the worked examples in docs/examples/intake. Where one branch of a ``when_any`` must be
isolated, the facts are written out by hand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

import painpath
from painpath.domain.medications import MedicationFinding, review
from painpath.domain.medications.knowledge import DrugClass, MedicationCatalog, MedicationCheck
from painpath.knowledge import KnowledgeBase
from tests.conftest import ROOT
from tests.domain.assessment.helpers import intake

EXAMPLES = ROOT / "docs" / "examples" / "intake"


def example(number: int, **changes: Any) -> dict[str, Any]:
    """An example intake (by its number) with ``changes`` applied."""
    (path,) = EXAMPLES.glob(f"{number:02d}_*.json")
    data: dict[str, Any] = json.loads(path.read_text())
    data.update(changes)
    return data


# The patients of the case table, with what their assessment finds (checked below).
PATIENTS: dict[str, dict[str, Any]] = {
    # low back, 20 weeks, 45: nociceptive possible, neuropathic/nociplastic not assessed
    "back_chronic": intake(),
    "back_acute": intake(duration_weeks=3),
    "back_two_weeks": intake(duration_weeks=2),
    "back_at_12_weeks": intake(duration_weeks=12),
    "back_under_12_weeks": intake(duration_weeks=11.9),
    "back_age_64": intake(age=64),
    "back_age_65": intake(age=65),
    # widespread neck pain: nothing nociceptive assessed, no low back
    "neck_widespread": intake(regions=["neck"], distribution="widespread"),
    "neck_01": example(1),  # nociceptive likely, neuropathic unlikely, biomechanical
    "sciatica_02": example(2),  # neuropathic likely, low back, 14 weeks
    "fibro_05": example(5),  # nociplastic probable, central sensitisation present, low back
    "fibro_05_age_70": example(5, age=70),
    "knee_07": example(7),  # 68, knee, localized, inflammatory driver, neuropathic unlikely
    "knee_07_age_60": example(7, age=60),
    "cuff_11": example(11),  # 2 weeks, shoulder, biomechanical driver
    # no guideline against applies: acute (< 4 weeks, before CDC 2022's preference for
    # non-opioids), and a radiculopathy of the arm (outside NICE NG59's low back scope)
    "knee_acute_07": example(7, duration_weeks=3),
    "arm_radicular_02": example(2, regions=["neck", "upper_arm", "forearm", "wrist_hand"]),
}


@cache
def facts_of(patient: str) -> Mapping[str, Any]:
    return painpath.assess(PATIENTS[patient]).facts


def review_one(
    kb: KnowledgeBase, name: str, rxnorm: str | None, facts: Mapping[str, Any]
) -> MedicationFinding:
    (finding,) = review([(name, rxnorm)], facts, kb.medications, kb.opioid_table)
    return finding


def test_the_patients_are_what_the_case_table_assumes() -> None:
    def profile(p: str) -> tuple[Any, ...]:
        f = facts_of(p)
        return (
            f["derived.nociceptive"],
            f["derived.neuropathic"],
            f["derived.nociplastic"],
            f["derived.central_sensitisation_pattern"],
            set(f["derived.drivers"]),
        )

    assert profile("back_chronic") == ("possible", "not_assessed", "not_assessed", "absent", set())
    assert profile("neck_widespread")[:2] == ("not_assessed", "not_assessed")
    assert profile("neck_01") == ("likely", "unlikely", "not_met", "absent", {"biomechanical"})
    assert profile("sciatica_02")[1] == "likely"
    assert profile("fibro_05")[1:4] == ("unlikely", "probable", "present")
    assert profile("knee_07")[1:3] == ("unlikely", "not_met")
    assert "inflammatory" in profile("knee_07")[4]
    assert "biomechanical" in profile("cuff_11")[4]
    assert profile("back_two_weeks")[4] == set()


# (patient, medication, expected agent, verdict, the first reason's rule)
CASES = [
    # opioid
    ("fibro_05", "morphine", "morphine", "concern", "opioid.opioid_central_sensitisation"),
    ("back_chronic", "oxycodone", "oxycodone", "concern", "opioid.opioid_chronic_back_pain"),
    ("back_at_12_weeks", "MS Contin", "morphine", "concern", "opioid.opioid_chronic_back_pain"),
    ("back_under_12_weeks", "morphine", "morphine", "caution", "opioid.guideline_against"),
    ("knee_acute_07", "morphine", "morphine", "fits", "opioid.fits"),
    ("neck_01", "Dilaudid", "hydromorphone", "caution", "opioid.guideline_against"),
    ("knee_07", "codeine", "codeine", "caution", "opioid.guideline_against"),
    ("neck_widespread", "morphine", "morphine", "no_target", "opioid.no_target"),
    # tramadol
    ("fibro_05", "tramadol", "tramadol", "concern", "tramadol.tramadol_central_sensitisation"),
    ("sciatica_02", "Ultram", "tramadol", "caution", "tramadol.guideline_against"),
    ("knee_acute_07", "Ultram", "tramadol", "fits", "tramadol.fits"),
    ("neck_widespread", "tramadol", "tramadol", "no_target", "tramadol.no_target"),
    # oral NSAID
    ("knee_07_age_60", "ibuprofen", "ibuprofen", "fits", "nsaid_oral.nsaid_inflammatory_driver"),
    ("knee_07", "Aleve", "naproxen", "caution", "nsaid_oral.nsaid_older_adult"),
    ("back_age_65", "meloxicam", "meloxicam", "caution", "nsaid_oral.nsaid_older_adult"),
    ("back_age_64", "meloxicam", "meloxicam", "fits", "nsaid_oral.fits"),
    ("neck_01", "naproxen", "naproxen", "fits", "nsaid_oral.fits"),
    ("neck_widespread", "Celebrex", "celecoxib", "no_target", "nsaid_oral.no_target"),
    # topical NSAID
    ("knee_07", "voltaren gel", "diclofenac_topical", "fits", "nsaid_topical.topical_local_pain"),
    ("back_chronic", "ibuprofen gel", "ibuprofen_topical", "fits", "nsaid_topical.fits"),
    (
        "neck_widespread",
        "diclofenac gel",
        "diclofenac_topical",
        "no_target",
        "nsaid_topical.no_target",
    ),
    # paracetamol
    (
        "back_chronic",
        "Tylenol",
        "paracetamol",
        "concern",
        "acetaminophen.paracetamol_alone_back_pain",
    ),
    (
        "back_acute",
        "paracetamol",
        "paracetamol",
        "concern",
        "acetaminophen.paracetamol_alone_back_pain",
    ),
    ("knee_07", "acetaminophen", "paracetamol", "fits", "acetaminophen.fits"),
    ("neck_widespread", "paracetamol", "paracetamol", "no_target", "acetaminophen.no_target"),
    # SNRI
    ("fibro_05", "duloxetine", "duloxetine", "fits", "snri.duloxetine_central"),
    ("sciatica_02", "Cymbalta", "duloxetine", "caution", "snri.guideline_against"),
    ("arm_radicular_02", "Cymbalta", "duloxetine", "fits", "snri.duloxetine_central"),
    ("neck_01", "Cymbalta", "duloxetine", "no_target", "snri.no_target"),
    # gabapentinoid
    ("sciatica_02", "gabapentin", "gabapentin", "caution", "gabapentinoid.guideline_against"),
    (
        "arm_radicular_02",
        "gabapentin",
        "gabapentin",
        "fits",
        "gabapentinoid.gabapentinoid_neuropathic",
    ),
    ("neck_01", "Lyrica", "pregabalin", "concern", "gabapentinoid.gabapentinoid_without_target"),
    (
        "fibro_05",
        "Neurontin",
        "gabapentin",
        "concern",
        "gabapentinoid.gabapentinoid_without_target",
    ),
    ("back_chronic", "pregabalin", "pregabalin", "no_target", "gabapentinoid.no_target"),
    # tricyclic
    ("fibro_05", "amitriptyline", "amitriptyline", "fits", "tca.tca_central"),
    ("sciatica_02", "Elavil", "amitriptyline", "caution", "tca.guideline_against"),
    ("arm_radicular_02", "Elavil", "amitriptyline", "fits", "tca.tca_central"),
    ("knee_07", "nortriptyline", "nortriptyline", "caution", "tca.tca_older_adult"),
    ("fibro_05_age_70", "Pamelor", "nortriptyline", "caution", "tca.tca_older_adult"),
    ("back_age_65", "amitriptyline", "amitriptyline", "caution", "tca.tca_older_adult"),
    ("back_age_64", "amitriptyline", "amitriptyline", "no_target", "tca.no_target"),
    # buprenorphine
    ("knee_acute_07", "buprenorphine", "buprenorphine", "fits", "buprenorphine.fits"),
    ("neck_widespread", "Butrans", "buprenorphine", "no_target", "buprenorphine.no_target"),
    # benzodiazepine: fits no pain mechanism
    ("back_chronic", "diazepam", "diazepam", "no_target", "benzodiazepine.no_target"),
    # muscle relaxant
    (
        "back_chronic",
        "cyclobenzaprine",
        "cyclobenzaprine",
        "concern",
        "muscle_relaxant.muscle_relaxant_chronic",
    ),
    (
        "back_at_12_weeks",
        "Robaxin",
        "methocarbamol",
        "concern",
        "muscle_relaxant.muscle_relaxant_chronic",
    ),
    ("cuff_11", "Flexeril", "cyclobenzaprine", "fits", "muscle_relaxant.fits"),
    ("back_two_weeks", "baclofen", "baclofen", "no_target", "muscle_relaxant.no_target"),
]


@pytest.mark.parametrize(
    ("patient", "name", "agent", "verdict", "rule"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES],
)
def test_case_table(
    kb: KnowledgeBase, patient: str, name: str, agent: str, verdict: str, rule: str
) -> None:
    finding = review_one(kb, name, None, facts_of(patient))
    assert finding.name == name
    assert finding.agent == agent
    assert finding.verdict == verdict
    assert finding.reasons[0].rule == f"medications.{rule}"
    assert finding.drug_class == rule.split(".")[0]
    assert finding.reasons[0].sources, "every reason cites its source"


# Checks that need more than one medication, tested below.
COMBINATION_RULES = {
    "tramadol.tramadol_serotonergic",
    "opioid.opioid_benzodiazepine",
    "opioid.opioid_gabapentinoid",
    "benzodiazepine.benzodiazepine_with_opioid",
}


def test_the_case_table_covers_every_class_and_check(kb: KnowledgeBase) -> None:
    rules = {c[4] for c in CASES} | COMBINATION_RULES
    verdicts = {(c[4].split(".")[0], c[3]) for c in CASES}
    for drug_class in kb.medications.classes:
        for check in drug_class.checks:
            assert f"{drug_class.id}.{check.id}" in rules, check.id
        # Every class is also seen fitting the profile (if it fits anything), and with
        # nothing to target.
        assert (drug_class.id, "fits") in verdicts or not drug_class.fits, drug_class.id
        assert f"{drug_class.id}.no_target" in rules, drug_class.id
    assert {v for _, v in verdicts} == {"concern", "caution", "fits", "no_target"}


def test_fired_checks_are_listed_most_serious_first_then_the_fit(kb: KnowledgeBase) -> None:
    # Widespread pain with nociplastic features: the central-sensitisation concern; NICE
    # NG59's low back concern does not reach widespread pain (its scope).
    morphine = review_one(kb, "morphine", None, facts_of("fibro_05"))
    assert [r.rule for r in morphine.reasons] == [
        "medications.opioid.opioid_central_sensitisation",
    ]
    # concern over a class fit
    oxy = review_one(kb, "oxycodone", None, facts_of("back_chronic"))
    assert oxy.verdict == "concern"
    assert [r.rule for r in oxy.reasons] == [
        "medications.opioid.opioid_chronic_back_pain",
        "medications.opioid.fits",
    ]
    assert oxy.reasons[1].text == "Opioid fits nociceptive in this assessment"
    # caution over a fits check and a class fit (68 with an inflammatory driver)
    nsaid = review_one(kb, "ibuprofen", None, facts_of("knee_07"))
    assert nsaid.verdict == "caution"
    assert [r.rule for r in nsaid.reasons] == [
        "medications.nsaid_oral.nsaid_older_adult",
        "medications.nsaid_oral.nsaid_inflammatory_driver",
        "medications.nsaid_oral.fits",
    ]
    assert nsaid.reasons[2].data == {"fits": ["inflammatory", "nociceptive"]}
    tca = review_one(kb, "amitriptyline", None, facts_of("fibro_05_age_70"))
    assert [r.rule for r in tca.reasons] == [
        "medications.tca.tca_older_adult",
        "medications.tca.tca_central",
        "medications.tca.fits",
    ]
    # no_target says what the class targets
    snri = review_one(kb, "duloxetine", None, facts_of("neck_01"))
    assert snri.reasons[0].text.startswith("Duloxetine (SNRI) targets nociplastic, neuropathic;")


def _with_class(
    kb: KnowledgeBase, checks: list[tuple[str, str]], fits: tuple[str, ...]
) -> MedicationCatalog:
    """The shipped catalog with one extra class whose checks all hold for a 45-year-old."""
    base = kb.medications.classes[0]
    extra = DrugClass(
        id="test_class",
        label="Test class",
        agents=({"id": "testamol", "names": ("testamol",)},),
        fits=fits,
        checks=tuple(
            MedicationCheck(
                id=cid,
                verdict=verdict,
                text=cid,
                when=({"fact": "intake.age", "gte": 18},),
                source=base.source,
            )
            for cid, verdict in checks
        ),
        source=base.source,
    )
    return kb.medications.model_copy(update={"classes": (*kb.medications.classes, extra)})


@pytest.mark.parametrize(
    ("checks", "fits", "verdict", "order"),
    [
        (
            [("f", "fits"), ("c", "caution"), ("x", "concern")],
            (),
            "concern",
            ["x", "c", "f"],
        ),
        ([("f", "fits"), ("c", "caution")], ("nociceptive",), "caution", ["c", "f", "fits"]),
        ([("f", "fits")], (), "fits", ["f"]),
        (
            [("x1", "concern"), ("c", "caution"), ("x2", "concern")],
            (),
            "concern",
            ["x1", "x2", "c"],
        ),
        ([], ("nociceptive",), "fits", ["fits"]),
        ([], ("neuropathic",), "no_target", ["no_target"]),
    ],
)
def test_verdict_order_concern_caution_fits_no_target(
    kb: KnowledgeBase,
    checks: list[tuple[str, str]],
    fits: tuple[str, ...],
    verdict: str,
    order: list[str],
) -> None:
    catalog = _with_class(kb, checks, fits)
    (finding,) = review(
        [("Testamol 5 mg", None)], facts_of("back_chronic"), catalog, kb.opioid_table
    )
    assert finding.verdict == verdict
    assert [r.rule.removeprefix("medications.test_class.") for r in finding.reasons] == order


# --- when_any branches, isolated with hand-written facts


@pytest.mark.parametrize(
    ("nociplastic", "pattern", "fires"),
    [
        ("possible", "absent", True),
        ("probable", "absent", True),
        ("not_met", "present", True),
        ("not_met", "possible", False),
        ("not_assessed", "absent", False),
    ],
)
@pytest.mark.parametrize("name", ["morphine", "tramadol"])
def test_opioids_in_central_sensitisation(
    kb: KnowledgeBase, name: str, nociplastic: str, pattern: str, fires: bool
) -> None:
    facts = {
        "intake.regions": ("neck",),
        "intake.duration_weeks": 30,
        "derived.nociceptive": "unlikely",
        "derived.neuropathic": "unlikely",
        "derived.nociplastic": nociplastic,
        "derived.central_sensitisation_pattern": pattern,
        "derived.drivers": (),
    }
    finding = review_one(kb, name, None, facts)
    rule = f"medications.{finding.drug_class}.{finding.drug_class}_central_sensitisation"
    assert (finding.verdict == "concern") is fires
    assert (rule in [r.rule for r in finding.reasons]) is fires


def test_unknown_facts_never_fire_a_check(kb: KnowledgeBase) -> None:
    """With nothing known, no check holds and no stance is shown: "no_target", by hand."""
    for name in ["morphine", "ibuprofen", "gabapentin", "Tylenol", "cyclobenzaprine"]:
        finding = review_one(kb, name, None, {})
        assert finding.verdict == "no_target", name
        assert [r.rule.rsplit(".", 1)[1] for r in finding.reasons] == ["no_target"]
        assert finding.stances == ()


# --- recognition


@pytest.mark.parametrize(
    ("name", "rxnorm", "agent", "drug_class"),
    [
        # RxNorm drug code, through the opioid table (856987 is acetaminophen/hydrocodone 300/5)
        ("Lortab", "856987", "hydrocodone", "opioid"),
        ("", "1049621", "oxycodone", "opioid"),  # oxycodone 5 MG Oral Tablet
        ("patch", "197696", "fentanyl", "opioid"),  # fentanyl 75 mcg/hr patch
        ("ER tablet", "833709", "tramadol", "tramadol"),  # tramadol 100 MG ER
        ("film", "351266", "buprenorphine", "buprenorphine"),  # buprenorphine / naloxone
        # an RxNorm ingredient code works as well
        ("", "7804", "oxycodone", "opioid"),
        ("", "10689", "tramadol", "tramadol"),
        # the code wins over the name
        ("ibuprofen", "856987", "hydrocodone", "opioid"),
        # a code not in the table: the name decides
        ("Advil 200 mg", "999999", "ibuprofen", "nsaid_oral"),
        # brand names, any case, with strengths around them
        ("Percocet", None, "oxycodone", "opioid"),
        ("OxyContin 20 mg", None, "oxycodone", "opioid"),
        ("NORCO 10", None, "hydrocodone", "opioid"),
        ("Duragesic 25 mcg/hr", None, "fentanyl", "opioid"),
        ("Nucynta ER 50 mg", None, "tapentadol", "opioid"),
        ("Suboxone", None, "buprenorphine", "buprenorphine"),
        ("Mobic 7.5mg", None, "meloxicam", "nsaid_oral"),
        ("Lyrica 75 mg bd", None, "pregabalin", "gabapentinoid"),
        ("Soma 350", None, "carisoprodol", "muscle_relaxant"),
        # the longest name wins
        ("voltaren gel", None, "diclofenac_topical", "nsaid_topical"),
        ("Voltaren Gel 1%", None, "diclofenac_topical", "nsaid_topical"),
        ("voltaren", None, "diclofenac_oral", "nsaid_oral"),
        ("Voltaren 50 mg tablets", None, "diclofenac_oral", "nsaid_oral"),
        ("diclofenac gel", None, "diclofenac_topical", "nsaid_topical"),
        ("Topical Diclofenac", None, "diclofenac_topical", "nsaid_topical"),
        ("diclofenac", None, "diclofenac_oral", "nsaid_oral"),
        ("ibuprofen gel 5%", None, "ibuprofen_topical", "nsaid_topical"),
        ("ibuprofen 400", None, "ibuprofen", "nsaid_oral"),
    ],
)
def test_recognition(
    kb: KnowledgeBase, name: str, rxnorm: str | None, agent: str, drug_class: str
) -> None:
    finding = review_one(kb, name, rxnorm, facts_of("back_chronic"))
    assert (finding.agent, finding.drug_class) == (agent, drug_class)
    assert finding.opioid is (drug_class in ("opioid", "tramadol", "buprenorphine"))
    assert finding.class_label == next(
        c.label for c in kb.medications.classes if c.id == drug_class
    )


@pytest.mark.parametrize(
    ("name", "rxnorm"),
    [
        ("Vitamin D 1000 IU", None),
        ("", None),
        ("dihydrocodeinex", None),  # "codeine" only as a whole word
        ("morphinex", None),
        ("ibuprofenate", None),
        ("Nucleo CMP", "999999"),  # unknown code and unknown name
    ],
)
def test_unrecognised(kb: KnowledgeBase, name: str, rxnorm: str | None) -> None:
    finding = review_one(kb, name, rxnorm, facts_of("back_chronic"))
    assert finding.verdict == "unrecognised"
    assert (finding.agent, finding.drug_class, finding.class_label) == (None, None, None)
    assert finding.opioid is False
    assert [r.rule for r in finding.reasons] == ["medications.unrecognised"]
    assert repr(name) in finding.reasons[0].text
    assert finding.stances == ()
    assert finding.cautions == ()


def test_a_list_keeps_its_order_and_length(kb: KnowledgeBase) -> None:
    meds = [("Percocet", None), ("Vitamin D", None), ("x", "856987"), ("voltaren gel", None)]
    findings = review(meds, facts_of("back_chronic"), kb.medications, kb.opioid_table)
    assert [(f.name, f.agent) for f in findings] == [
        ("Percocet", "oxycodone"),
        ("Vitamin D", None),
        ("x", "hydrocodone"),
        ("voltaren gel", "diclofenac_topical"),
    ]
    assert review([], facts_of("back_chronic"), kb.medications, kb.opioid_table) == ()


OPIOID_COMBINATIONS = [
    ("hydrocodone/acetaminophen 5/325", "hydrocodone"),
    ("oxycodone and acetaminophen 5-325 mg", "oxycodone"),
    ("acetaminophen with codeine 300/30", "codeine"),
    ("tramadol/acetaminophen 37.5/325", "tramadol"),
    # the RxNorm name of 856987, which the code itself recognises as hydrocodone
    ("acetaminophen 300 MG / hydrocodone bitartrate 5 MG Oral Tablet", "hydrocodone"),
]


@pytest.mark.parametrize(("name", "agent"), OPIOID_COMBINATIONS)
def test_an_opioid_combined_with_paracetamol_is_reviewed_as_the_opioid(
    kb: KnowledgeBase, name: str, agent: str
) -> None:
    """BUG (review.py _recognise): the longest name wins even when the names do not overlap,
    so "acetaminophen" (13 letters) beats "hydrocodone" (11) in a combination product and the
    opioid is reviewed as paracetamol, "opioid": false, with "Paracetamol alone is not offered"
    — for the very product medications.yaml names "percocet"/"norco"/"vicodin" and RxNorm code
    856987 recognise as the opioid."""
    finding = review_one(kb, name, None, facts_of("back_chronic"))
    assert (finding.agent, finding.opioid) == (agent, True)
    rules = [r.rule for r in finding.reasons]
    assert "medications.acetaminophen.paracetamol_alone_back_pain" not in rules


def test_by_name_and_by_code_agree_on_every_opioid_product(kb: KnowledgeBase) -> None:
    """Each RxNorm product's own name is recognised as the agent its code is (BUG: 103 of the
    table's combination products come out as paracetamol, ibuprofen or carisoprodol)."""
    facts = facts_of("back_chronic")
    disagree = []
    for code, product in kb.opioid_table.products.items():
        by_code = review_one(kb, "", code, facts)
        if by_code.agent is None:
            continue  # an opioid without an agent here (e.g. pentazocine): nothing to compare
        by_name = review_one(kb, product.drug_name, None, facts)
        if by_name.agent != by_code.agent:
            disagree.append((code, product.drug_name, by_code.agent, by_name.agent))
    assert not disagree, f"{len(disagree)} products disagree, e.g. {disagree[:3]}"


# --- guideline stances, only when they apply to this patient


def guidelines(finding: MedicationFinding) -> list[tuple[str, str]]:
    return [(s.guideline, s.strength) for s in finding.stances]


@pytest.mark.parametrize(
    ("patient", "name", "expected"),
    [
        # opioids: low back + chronic → ACP consider, NICE against; ≥ 4 weeks → CDC against
        (
            "back_chronic",
            "morphine",
            [("ACP 2017", "consider"), ("NICE NG59", "against"), ("CDC 2022", "against")],
        ),
        ("knee_07", "morphine", [("CDC 2022", "against")]),
        ("back_acute", "morphine", []),
        ("back_under_12_weeks", "morphine", [("CDC 2022", "against")]),
        ("back_chronic", "tramadol", [("ACP 2017", "consider"), ("CDC 2022", "against")]),
        # NSAIDs: ACP recommend for chronic low back pain, NICE consider for any low back pain
        ("back_chronic", "ibuprofen", [("ACP 2017", "recommend"), ("NICE NG59", "consider")]),
        ("back_acute", "ibuprofen", [("NICE NG59", "consider")]),
        ("knee_07", "ibuprofen", []),
        ("knee_07", "voltaren gel", []),
        # NICE NG59 against paracetamol alone, SNRIs, anticonvulsants, tricyclics for low back
        ("back_acute", "paracetamol", [("NICE NG59", "against")]),
        ("knee_07", "paracetamol", []),
        ("back_chronic", "duloxetine", [("ACP 2017", "consider"), ("NICE NG59", "against")]),
        ("back_acute", "duloxetine", [("NICE NG59", "against")]),
        ("neck_01", "duloxetine", []),
        ("sciatica_02", "gabapentin", [("NICE NG59", "against")]),
        ("knee_07", "gabapentin", []),
        ("back_chronic", "amitriptyline", [("NICE NG59", "against")]),
        ("knee_07", "amitriptyline", []),
        # muscle relaxants: ACP consider for acute/subacute low back pain only
        ("back_acute", "cyclobenzaprine", [("ACP 2017", "consider")]),
        ("back_under_12_weeks", "cyclobenzaprine", [("ACP 2017", "consider")]),
        ("back_at_12_weeks", "cyclobenzaprine", []),
        ("cuff_11", "cyclobenzaprine", []),
    ],
)
def test_stances_shown_only_when_they_apply(
    kb: KnowledgeBase, patient: str, name: str, expected: list[tuple[str, str]]
) -> None:
    finding = review_one(kb, name, None, facts_of(patient))
    assert guidelines(finding) == expected
    for stance in finding.stances:
        assert stance.sources
        assert stance.certainty in ("confirmed", "secondary")


def test_a_stance_with_an_unknown_fact_is_not_shown(kb: KnowledgeBase) -> None:
    facts = {"intake.regions": ("low_back",), "intake.distribution": "regional"}  # no duration
    assert guidelines(review_one(kb, "morphine", None, facts)) == []
    assert guidelines(review_one(kb, "paracetamol", None, facts)) == [("NICE NG59", "against")]
    # NICE NG59's scope is not known without the distribution: its stance is not shown.
    assert guidelines(review_one(kb, "paracetamol", None, {"intake.regions": ("low_back",)})) == []


def test_finding_to_dict(kb: KnowledgeBase) -> None:
    out = review_one(kb, "Percocet", None, facts_of("back_chronic")).to_dict()
    assert out["name"] == "Percocet"
    assert out["agent"] == "oxycodone"
    assert out["class"] == "opioid"
    assert out["opioid"] is True
    assert out["verdict"] == "concern"
    assert out["reasons"][0]["rule"] == "medications.opioid.opioid_chronic_back_pain"
    assert out["reasons"][0]["sources"]
    assert [s["guideline"] for s in out["stances"]] == ["ACP 2017", "NICE NG59", "CDC 2022"]
    assert out["cautions"][0].startswith("Respiratory depression")
    json.dumps(out)


def test_plan_reviews_the_intake_medications(kb: KnowledgeBase) -> None:
    """The planner feeds the intake's medications (name, rxnorm) to the same review."""
    data = example(5)
    data["medications"] = [
        {"name": "Lortab", "rxnorm": "856987", "dose_mg": 5, "doses_per_day": 4, "weeks": 60},
        {"name": "duloxetine", "dose_mg": 60, "doses_per_day": 1},
    ]
    plan = painpath.plan(data, today="2026-01-05")
    assert [(m.agent, m.verdict) for m in plan.medications] == [
        ("hydrocodone", "concern"),
        ("duloxetine", "fits"),
    ]


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, [("ibuprofen", "fits")]),
        (2, [("naproxen", "fits"), ("gabapentin", "caution")]),  # NICE NG59 against
        (5, [("tramadol", "concern"), ("amitriptyline", "fits")]),  # tramadol by RxNorm 835603
        (7, [("paracetamol", "concern")]),  # tried 26 weeks with no response
        (10, [("oxycodone", "concern"), ("cyclobenzaprine", "concern")]),  # OxyContin 1049565
    ],
)
def test_example_intakes_medications(number: int, expected: list[tuple[str, str]]) -> None:
    plan = painpath.plan(example(number), today="2026-01-05")
    assert [(m.agent, m.verdict) for m in plan.medications] == expected


def test_one_plan_counts_and_reviews_a_combination_product_as_the_same_opioid() -> None:
    """BUG (same root as above): the plan's MME counts "hydrocodone/acetaminophen 5/325" as 20
    MME/day of hydrocodone and offers a taper, while its medication review of the same line says
    paracetamol, not an opioid, "Paracetamol alone is not offered"."""
    line = {"name": "hydrocodone/acetaminophen 5/325", "dose_mg": 5, "doses_per_day": 4}
    plan = painpath.plan(intake(medications=[{**line, "weeks": 30}]), today="2026-01-05")
    assert plan.mme is not None
    assert plan.mme.total_mme_per_day == 20.0
    assert [i.ingredient for i in plan.mme.items] == ["hydrocodone"]
    (finding,) = plan.medications
    assert (finding.agent, finding.opioid) == ("hydrocodone", True)


@pytest.mark.parametrize(
    ("name", "rxnorm", "agent"),
    [
        ("Demerol", None, "meperidine"),
        ("Demerol", "6754", "meperidine"),  # an opioid the CDC 2022 table gives no factor
        ("dihydrocodeine 30 mg", None, "dihydrocodeine"),  # not codeine: whole words only
        ("pentazocine 25 MG Oral Tablet", "250485", "pentazocine"),
    ],
)
def test_opioids_without_an_mme_factor_are_still_reviewed_as_opioids(
    kb: KnowledgeBase, name: str, rxnorm: str | None, agent: str
) -> None:
    finding = review_one(kb, name, rxnorm, facts_of("back_chronic"))
    assert (finding.agent, finding.drug_class, finding.opioid) == (agent, "opioid", True)
    assert finding.verdict == "concern"  # opioids for chronic low back pain (NICE NG59)


@pytest.mark.parametrize(
    ("other", "concern"),
    [("duloxetine", True), ("amitriptyline", True), ("nortriptyline", True),
     ("ibuprofen", False), ("gabapentin", False)],
)  # fmt: skip
def test_tramadol_with_a_serotonergic_drug_is_a_concern(
    kb: KnowledgeBase, other: str, concern: bool
) -> None:
    # FDA tramadol label: serotonin syndrome with SNRIs and tricyclics; seizures with TCAs.
    findings = review(
        [("tramadol 50 mg", None), (other, None)], facts_of("sciatica_02"), kb.medications,
        kb.opioid_table,
    )  # fmt: skip
    rules = [r.rule for r in findings[0].reasons]
    assert ("medications.tramadol.tramadol_serotonergic" in rules) is concern
    assert (findings[0].verdict == "concern") is concern
    alone = review([("tramadol 50 mg", None)], facts_of("sciatica_02"), kb.medications,
                   kb.opioid_table)  # fmt: skip
    assert "medications.tramadol.tramadol_serotonergic" not in [r.rule for r in alone[0].reasons]


def test_a_medication_tried_without_response_is_a_concern(kb: KnowledgeBase) -> None:
    facts = facts_of("back_chronic")
    (tried,) = review([("Aleve 220 mg", None)], facts, kb.medications, kb.opioid_table,
                      tried_without_response=["naproxen"])  # fmt: skip
    assert (tried.verdict, tried.reasons[0].rule) == ("concern", "medications.no_response")
    # Another agent of the same class was tried, not this one: no finding.
    (other,) = review([("ibuprofen", None)], facts, kb.medications, kb.opioid_table,
                      tried_without_response=["naproxen"])  # fmt: skip
    assert "medications.no_response" not in [r.rule for r in other.reasons]
    # The knee OA example: paracetamol for 26 weeks, recorded with no response.
    plan = painpath.plan(example(7), today="2026-01-05")
    assert plan.medications[0].reasons[0].rule == "medications.no_response"


@pytest.mark.parametrize(
    ("first", "other", "verdict", "rule"),
    [
        ("oxycodone", "diazepam", "concern", "medications.opioid.opioid_benzodiazepine"),
        ("morphine", "Xanax", "concern", "medications.opioid.opioid_benzodiazepine"),
        ("oxycodone", "pregabalin", "caution", "medications.opioid.opioid_gabapentinoid"),
        ("lorazepam", "tramadol", "concern", "medications.benzodiazepine.benzodiazepine_with_opioid"),
        ("clonazepam", "Suboxone", "concern", "medications.benzodiazepine.benzodiazepine_with_opioid"),
    ],
)  # fmt: skip
def test_dangerous_combinations_with_opioids_are_flagged(
    kb: KnowledgeBase, first: str, other: str, verdict: str, rule: str
) -> None:
    # CDC 2022 recommendation 11 (benzodiazepines); FDA 2019 (gabapentinoids with opioids).
    facts = facts_of("knee_acute_07")
    findings = review([(first, None), (other, None)], facts, kb.medications, kb.opioid_table)
    assert findings[0].verdict == verdict
    assert rule in [r.rule for r in findings[0].reasons]
    (alone,) = review([(first, None)], facts, kb.medications, kb.opioid_table)
    assert rule not in [r.rule for r in alone.reasons]


def test_paracetamol_with_another_analgesic_is_not_paracetamol_alone(kb: KnowledgeBase) -> None:
    facts = facts_of("back_chronic")
    alone = review([("paracetamol", None)], facts, kb.medications, kb.opioid_table)
    assert alone[0].reasons[0].rule == "medications.acetaminophen.paracetamol_alone_back_pain"
    both = review([("paracetamol", None), ("naproxen", None)], facts, kb.medications,
                  kb.opioid_table)  # fmt: skip
    assert "medications.acetaminophen.paracetamol_alone_back_pain" not in [
        r.rule for r in both[0].reasons
    ]


def test_buprenorphine_is_its_own_class_with_the_opioid_use_disorder_caution(
    kb: KnowledgeBase,
) -> None:
    (finding,) = review([("Suboxone 8/2 mg", None)], facts_of("back_chronic"), kb.medications,
                        kb.opioid_table)  # fmt: skip
    assert (finding.drug_class, finding.opioid) == ("buprenorphine", True)
    assert any("opioid use disorder" in c for c in finding.cautions)
    assert "medications.opioid.opioid_chronic_back_pain" not in [r.rule for r in finding.reasons]


def test_nice_ng59_does_not_apply_to_widespread_pain(kb: KnowledgeBase) -> None:
    """NG59 is a low back pain and sciatica guideline: the widespread-pain patient's duloxetine
    is not marked down by its stance against SNRIs for low back pain."""
    (finding,) = review([("duloxetine", None)], facts_of("fibro_05"), kb.medications,
                        kb.opioid_table)  # fmt: skip
    assert finding.verdict == "fits"
    assert not any(st.guideline == "NICE NG59" for st in finding.stances)
