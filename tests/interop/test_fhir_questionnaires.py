"""Instruments as FHIR R4 Questionnaires, and QuestionnaireResponses scored from them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given, settings
from hypothesis import strategies as st

import painpath
from painpath.interop.fhir import FhirInputError, score_bundle, score_response, to_questionnaire
from painpath.knowledge import KnowledgeBase, load_knowledge
from tests.conftest import FIXTURES

KB = load_knowledge()
CIRG_PEG = json.loads((FIXTURES / "external" / "CIRG-PEG.json").read_text())


def questionnaire(instrument: str) -> dict[str, Any]:
    return to_questionnaire(
        KB.instrument(instrument), canonical_base=KB.fhir_canonical_base, version=KB.version
    )


def respond(q: dict[str, Any], answers: dict[str, int]) -> dict[str, Any]:
    """A QuestionnaireResponse answering ``q`` as a form filler would: choosing the option that
    stands for the answer (options are exported in the scale's order), or typing the integer."""
    defn = KB.instrument(q["id"])
    items = []
    for item in q["item"]:
        if item["type"] == "display" or item["linkId"] not in answers:
            continue
        value = answers[item["linkId"]]
        if item["type"] == "choice":
            values = [o.value for o in defn.scale_for(defn.item(item["linkId"])).options]
            option = item["answerOption"][values.index(value)]
            answer = {"valueCoding": option["valueCoding"]}
        else:
            answer = {"valueInteger": value}
        items.append({"linkId": item["linkId"], "answer": [answer]})
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": q["url"],
        "item": items,
    }


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument", sorted(KB.instruments))
def test_every_instrument_exports_a_valid_r4_questionnaire(instrument: str):
    q = questionnaire(instrument)
    Questionnaire.model_validate(q)  # fhir.resources checks the structure
    defn = KB.instrument(instrument)
    answerable = [i for i in q["item"] if i["type"] != "display"]
    assert [i["linkId"] for i in answerable] == [i.id for i in defn.items]
    assert q["url"] == f"http://painpath.org/fhir/Questionnaire/{instrument}"
    assert q["copyright"] == defn.licence.notice
    for item, fhir_item in zip(defn.items, answerable, strict=True):
        if item.text:
            assert fhir_item["text"].startswith(item.text)
        else:
            assert "licensed item wording is not shipped" in fhir_item["text"]


def test_phq9_questionnaire_is_loinc_coded():
    q = questionnaire("phq9")
    assert q["code"][0] == {
        "system": "http://loinc.org",
        "code": "44249-1",
        "display": "PHQ-9 quick depression assessment panel",
    }
    item9 = q["item"][-1]
    assert item9["code"] == [{"system": "http://loinc.org", "code": "44260-8"}]
    assert [o["valueCoding"]["code"] for o in item9["answerOption"]] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]


def test_open_numeric_items_are_bounded_integers():
    (item,) = questionnaire("nprs")["item"][1:]
    assert item["type"] == "integer"
    assert {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in item["extension"]} == {
        "minValue": 0,
        "maxValue": 10,
    }


# --- the real CIRG-PEG questionnaire -------------------------------------------------------------


def cirg_response(p: int, e: int, g: int, **extra_items: float) -> dict[str, Any]:
    """A response to the deployed CIRG-PEG Questionnaire, choosing its own answer options."""
    chosen = {"75893-8": p, "91145-3": e, "91146-1": g}
    items = []
    for item in CIRG_PEG["item"]:
        link = item["linkId"]
        if link in chosen:
            (option,) = [
                o for o in item["answerOption"] if o["valueCoding"]["display"] == str(chosen[link])
            ]
            items.append({"linkId": link, "answer": [{"valueCoding": option["valueCoding"]}]})
        elif link in extra_items:
            items.append({"linkId": link, "answer": [{"valueDecimal": extra_items[link]}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://cirg.uw.edu/fhir/Questionnaire/CIRG-PEG",
        "item": items,
    }


def test_the_deployed_cirg_peg_questionnaire_is_valid_r4():
    Questionnaire.model_validate(CIRG_PEG)


@pytest.mark.parametrize(("p", "e", "g"), [(6, 4, 5), (0, 0, 0), (10, 10, 10), (7, 3, 2)])
def test_responses_to_the_cirg_peg_questionnaire_score_like_the_answers(p: int, e: int, g: int):
    response = cirg_response(p, e, g)
    QuestionnaireResponse.model_validate(response)
    result = score_response(response, KB)
    assert result.score == painpath.score("peg", {"1": p, "2": e, "3": g}, knowledge=KB)
    assert [(m[0], m[1]) for m in result.matched] == [
        ("75893-8", "1"),
        ("91145-3", "2"),
        ("91146-1", "3"),
    ]
    assert all(how.startswith("LOINC") for _, _, how in result.matched)


def test_a_stored_mean_that_disagrees_is_reported_and_never_used():
    result = score_response(cirg_response(6, 4, 5, **{"91147-9": 4.0}), KB)
    assert result.score.total == 5
    assert result.stored_total == {"linkId": "91147-9", "value": 4.0, "agrees": False}
    assert any(
        line.startswith("fhir.stored_total: the response states a total of 4")
        for line in result.score.explanation
    )
    assert result.warnings == ("stored total 4 disagrees with the computed 5",)


def test_a_stored_mean_that_agrees_is_noted_quietly():
    result = score_response(cirg_response(7, 7, 8, **{"91147-9": 7.3}), KB)
    assert result.score.total == 7.33
    assert result.stored_total == {"linkId": "91147-9", "value": 7.3, "agrees": True}
    assert result.warnings == ()


def test_the_local_sum_item_is_ignored_with_a_reason():
    result = score_response(cirg_response(6, 4, 5, **{"CIRG-PEG-SUM": 15}), KB)
    assert result.ignored == (("CIRG-PEG-SUM", "not an item of peg"),)


# --- round trip for every instrument -------------------------------------------------------------


@pytest.mark.parametrize("instrument", sorted(KB.instruments))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_questionnaire_to_response_to_score_round_trips(instrument: str, data: st.DataObject):
    defn = KB.instrument(instrument)
    answers = {i.id: data.draw(st.sampled_from(defn.scale_for(i).allowed)) for i in defn.items}
    response = respond(questionnaire(instrument), answers)
    QuestionnaireResponse.model_validate(response)
    result = score_response(response, KB)
    assert result.score == painpath.score(instrument, answers, knowledge=KB)
    assert result.ignored == ()


# --- which instrument, which item ----------------------------------------------------------------


def _loinc_response(
    codes_and_values: dict[str, int], questionnaire: str | None = None
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {"linkId": c, "answer": [{"valueInteger": v}]} for c, v in codes_and_values.items()
        ],
    }
    if questionnaire:
        resource["questionnaire"] = questionnaire
    return resource


PHQ9_CODES = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]  # fmt: skip


def test_a_response_to_phq9_items_one_and_two_is_a_phq2():
    result = score_response(_loinc_response({"44250-9": 2, "44255-8": 1}), KB)
    assert result.score.instrument == "phq2"
    assert result.score.flags == ("screen_positive",)


def test_a_response_to_all_nine_phq_items_is_a_phq9_with_its_safety_flag():
    values = dict(zip(PHQ9_CODES, [1, 1, 1, 1, 1, 1, 1, 1, 2], strict=True))
    result = score_response(_loinc_response(values | {"44261-6": 10}), KB)
    assert result.score.instrument == "phq9"
    assert result.score.total == 10
    assert result.score.flags == ("safety_item9",)
    assert result.stored_total == {"linkId": "44261-6", "value": 10.0, "agrees": True}


def test_a_loinc_questionnaire_url_names_the_instrument():
    response = _loinc_response({"44250-9": 1, "44255-8": 1}, "http://loinc.org/q/44249-1")
    with pytest.raises(painpath.ScoringError, match=r"phq9: 7 of 9 items unanswered"):
        score_response(response, KB)


def test_items_found_by_their_definition_url():
    response = _loinc_response({})
    response["item"] = [
        {
            "linkId": f"q{n}",
            "definition": f"http://loinc.org/q/44249-1#{code}",
            "answer": [{"valueInteger": 0}],
        }
        for n, code in enumerate(PHQ9_CODES)
    ]
    assert score_response(response, KB).score.instrument == "phq9"


def test_nested_groups_are_read():
    q = questionnaire("gad2")
    flat = respond(q, {"1": 2, "2": 2})
    nested = flat | {"item": [{"linkId": "group", "item": flat["item"]}]}
    assert score_response(nested, KB).score.total == 4


def test_a_response_nothing_identifies_is_refused_with_a_hint():
    with pytest.raises(
        FhirInputError, match=r"cannot tell which instrument.*name the instrument it answers"
    ):
        score_response(_loinc_response({"1": 3}), KB)


def test_naming_the_instrument_lets_bare_item_numbers_match():
    result = score_response(_loinc_response({"1": 3, "2": 4, "3": 5}), KB, instrument="peg")
    assert result.score.total == 4
    assert all(how == "linkId" for _, _, how in result.matched)


def test_an_unknown_painpath_questionnaire_is_refused():
    response = _loinc_response({"1": 1}, "http://painpath.org/fhir/Questionnaire/rmdq")
    with pytest.raises(FhirInputError, match=r"names no Painpath instrument"):
        score_response(response, KB)


# --- answers of every kind -----------------------------------------------------------------------


def _one(instrument: str, answer: dict[str, Any], others: int = 0) -> dict[str, Any]:
    defn = KB.instrument(instrument)
    items = [{"linkId": "1", "answer": [answer]}] + [
        {"linkId": i.id, "answer": [{"valueInteger": others}]} for i in defn.items[1:]
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": f"http://painpath.org/fhir/Questionnaire/{instrument}",
        "item": items,
    }


def test_yes_no_items_take_booleans():
    result = score_response(_one("dn4", {"valueBoolean": True}), KB)
    assert result.score.total == 1


def test_radiating_pain_yes_is_two_points():
    response = _one("paindetect", {"valueInteger": 0})
    response["item"][-1]["answer"] = [{"valueBoolean": True}]
    assert score_response(response, KB).score.total == 2


def test_a_boolean_cannot_answer_a_scale():
    with pytest.raises(FhirInputError, match=r"phq9 item 1 is not a yes/no item"):
        score_response(_one("phq9", {"valueBoolean": True}), KB)


def test_a_whole_decimal_is_accepted_and_a_fraction_refused():
    assert score_response(_one("phq9", {"valueDecimal": 2.0}), KB).score.total == 2
    with pytest.raises(
        painpath.ScoringError, match=r"phq9 item 1: 2.5 is not a whole number.*linkId '1'"
    ):
        score_response(_one("phq9", {"valueDecimal": 2.5}), KB)


def test_an_answer_code_the_item_does_not_have_is_refused():
    coding = {"valueCoding": {"system": "http://loinc.org", "code": "LA9999-9"}}
    with pytest.raises(
        FhirInputError, match=r"http://loinc.org\|LA9999-9 is not an answer of phq9 item 1"
    ):
        score_response(_one("phq9", coding), KB)


def test_an_ordinal_value_extension_is_read():
    coding = {
        "valueCoding": {
            "system": "http://example.org/answers",
            "code": "often",
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 3}
            ],
        }
    }
    assert score_response(_one("csi", coding), KB).score.total == 3


def test_a_text_answer_is_refused():
    with pytest.raises(FhirInputError, match=r"valueString cannot answer phq9 item 1"):
        score_response(_one("phq9", {"valueString": "often"}), KB)


def test_two_answers_to_one_item_are_refused():
    response = _one("phq9", {"valueInteger": 1})
    response["item"][0]["answer"].append({"valueInteger": 2})
    with pytest.raises(FhirInputError, match=r"2 answers to phq9 item 1; expected one"):
        score_response(response, KB)


def test_out_of_range_answers_name_the_response_item():
    with pytest.raises(
        painpath.ScoringError, match=r"^phq9 item 1: 7 is out of range 0–3 \(response linkId '1'\)$"
    ):
        score_response(_one("phq9", {"valueInteger": 7}), KB)


# --- resource-level checks and bundles -------------------------------------------------------------


def test_an_entered_in_error_response_is_not_scored():
    response = _one("phq9", {"valueInteger": 1}) | {"status": "entered-in-error"}
    with pytest.raises(FhirInputError, match=r"entered-in-error"):
        score_response(response, KB)


def test_an_unknown_status_is_refused():
    with pytest.raises(FhirInputError, match=r"QuestionnaireResponse.status: 'done' is not one of"):
        score_response(_one("phq9", {"valueInteger": 1}) | {"status": "done"}, KB)


def test_an_in_progress_response_is_scored_with_a_warning():
    result = score_response(_one("phq9", {"valueInteger": 1}) | {"status": "in-progress"}, KB)
    assert result.warnings == ("response status is in-progress",)


def test_a_structurally_invalid_resource_names_the_path():
    response = _one("phq9", {"valueInteger": "x"})
    with pytest.raises(
        FhirInputError, match=r"^QuestionnaireResponse\.item\[0\]\.answer\[0\]\.valueInteger: "
    ):
        score_response(response, KB)


def test_another_resource_type_is_refused():
    with pytest.raises(FhirInputError, match=r"expected a QuestionnaireResponse, got Patient"):
        score_response({"resourceType": "Patient"}, KB)


def test_a_bundle_scores_each_response_and_one_failure_fails_nothing_else():
    good = _one("phq9", {"valueInteger": 2})
    bad = _one("phq9", {"valueInteger": 9})
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": good}, {"resource": bad}, {"resource": {"resourceType": "Patient"}}],
    }
    results = score_bundle(bundle, KB)
    assert results[0]["total"] == 2 and results[0]["entry"] == 0
    assert results[1] == {
        "entry": 1,
        "error": "phq9 item 1: 9 is out of range 0–3 (response linkId '1')",
    }
    assert results[2] == {"entry": 2, "skipped": "Patient is not scored"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["linkId", "answer", "item", "valueInteger", "valueCoding", "valueDecimal", "valueBoolean",
         "system", "code", "display", "definition", "extension", "url", "valueString"]), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(json_values, max_size=4),
    questionnaire=st.sampled_from([None, "http://painpath.org/fhir/Questionnaire/peg", "http://loinc.org/q/44249-1"]),
    status=st.sampled_from(["completed", "in-progress", "x"]),
)  # fmt: skip
def test_no_response_makes_scoring_fail_with_anything_but_a_clear_error(
    items, questionnaire, status
):
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "status": status,
        "item": items,
    }
    if questionnaire:
        resource["questionnaire"] = questionnaire
    try:
        score_response(resource, KB)
    except (FhirInputError, painpath.ScoringError) as exc:
        assert str(exc) and "\n" not in str(exc)


def test_the_knowledge_fixture_is_the_one_scored(kb: KnowledgeBase):
    assert kb.fhir_canonical_base == KB.fhir_canonical_base == "http://painpath.org/fhir"


# --- review regressions ------------------------------------------------------------------------


def test_ordinal_value_is_what_the_answer_adds_to_the_score():
    q = questionnaire("slanss")
    yes = q["item"][0]["answerOption"][1]
    assert yes["valueCoding"]["code"] == "1"  # the answer
    assert yes["extension"][0]["valueDecimal"] == 5  # what it scores (Bennett 2005 weight)
    bother = questionnaire("startback")["item"][-1]["answerOption"]
    assert [o["extension"][0]["valueDecimal"] for o in bother] == [0, 0, 0, 1, 1]


def test_an_ordinal_value_maps_back_to_the_one_answer_that_scores_it():
    foreign = {"system": "http://example.org/yn", "code": "Y"}
    ordinal = [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 5}]
    result = score_response(_one("slanss", {"valueCoding": foreign | {"extension": ordinal}}), KB)
    assert result.score.total == 5
    ambiguous = [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0}]
    response = _one("startback", {"valueInteger": 0})
    response["item"][-1]["answer"] = [{"valueCoding": foreign | {"extension": ambiguous}}]
    with pytest.raises(
        FhirInputError, match="ordinalValue 0 does not identify one answer of startback item 9"
    ):
        score_response(response, KB)


def test_a_number_given_as_text_is_refused():
    with pytest.raises(FhirInputError, match="valueDecimal: must be a JSON number, not str"):
        score_response(_one("phq9", {"valueDecimal": "1.0"}), KB)


def test_a_display_with_thousands_of_digits_is_refused_cleanly():
    coding = {"valueCoding": {"system": "http://example.org", "code": "x", "display": "9" * 5000}}
    with pytest.raises(FhirInputError, match="is not an answer of phq9 item 1"):
        score_response(_one("phq9", coding), KB)


def test_two_stored_totals_are_refused():
    values = dict(zip(PHQ9_CODES, [0] * 9, strict=True))
    response = _loinc_response(values)
    response["item"] += [{"linkId": "44261-6", "answer": [{"valueInteger": 0}]}] * 2
    with pytest.raises(FhirInputError, match="a second item carries the phq9 total"):
        score_response(response, KB)


def test_deeply_nested_items_are_refused_cleanly():
    item: dict[str, Any] = {"linkId": "1", "answer": [{"valueInteger": 1}]}
    for n in range(400):
        item = {"linkId": f"g{n}", "item": [item]}
    response = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": [item]}
    with pytest.raises(FhirInputError):
        score_response(response, KB)


@pytest.mark.parametrize("entries", [5, "abc"])
def test_a_bundle_whose_entries_are_not_a_list_is_refused(entries):
    with pytest.raises(FhirInputError, match=r"Bundle\.entry: must be a list"):
        score_bundle({"resourceType": "Bundle", "entry": entries}, KB)


def test_a_bundle_entry_that_is_not_an_object_is_reported():
    assert score_bundle({"resourceType": "Bundle", "entry": [7]}, KB) == [
        {"entry": 0, "error": "Bundle.entry[0] is not an object"}
    ]


def test_a_clinic_short_name_cannot_break_the_export(tmp_path):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "phq9.yaml").write_text('override:\n  reason: x\nshort_name: "—"\n')
    kb = load_knowledge(overrides=tmp_path)
    q = to_questionnaire(
        kb.instrument("phq9"), canonical_base=kb.fhir_canonical_base, version=kb.version
    )
    assert q["name"] == "PHQ9"
