"""Scoring a FHIR R4 QuestionnaireResponse (sans-I/O: a parsed resource in, a result out).

Which instrument: the one named by the caller, else the response's ``questionnaire`` (a
Painpath canonical URL or one naming an instrument's LOINC panel code), else the instrument
whose LOINC item codes cover every coded item of the response (the smallest such, so a response
to PHQ-9 items 1–2 is a PHQ-2).

Which item: an item whose ``linkId`` is the Painpath item number (when the questionnaire is
Painpath's or the instrument was named), or whose ``linkId`` or ``definition`` carries the item's
LOINC code. Answers may be ``valueInteger``, ``valueDecimal`` (whole), ``valueCoding`` (matched
by LOINC answer code, Painpath answer code, or an ``ordinalValue`` — the answer's contribution
to the score, mapped back to the one answer that contributes it) or ``valueBoolean`` (yes/no
items). The total is always recomputed; a total stored in the response is reported when it
disagrees and never used. Items the instrument does not have are listed as ignored, with why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from painpath.domain.explain import Reason
from painpath.domain.instruments import InstrumentDefinition, Item, Score, ScoringError
from painpath.domain.instruments.scoring import score_answers, tidy
from painpath.interop.fhir.questionnaire import ORDINAL_VALUE_URL, answer_system
from painpath.knowledge import KnowledgeBase

__all__ = ["FhirInputError", "ResponseResult", "score_bundle", "score_response"]

_STATUSES = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
_LOINC = "http://loinc.org"


class FhirInputError(ValueError):
    """A FHIR resource Painpath cannot score; the message names the path inside the resource."""


@dataclass(frozen=True)
class ResponseResult:
    """A scored response with what was matched, ignored and noticed along the way."""

    score: Score
    resource_id: str | None
    questionnaire: str | None
    status: str
    matched: tuple[tuple[str, str, str], ...]
    ignored: tuple[tuple[str, str], ...]
    stored_total: dict[str, Any] | None
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The score's JSON plus a ``fhir`` section describing the reading."""
        return self.score.to_dict() | {
            "fhir": {
                "resource_id": self.resource_id,
                "questionnaire": self.questionnaire,
                "status": self.status,
                "matched": [{"linkId": li, "item": it, "by": by} for li, it, by in self.matched],
                "ignored": [{"linkId": li, "reason": why} for li, why in self.ignored],
                "stored_total": self.stored_total,
                "warnings": list(self.warnings),
            }
        }


def _leaves(items: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item with answers, flattened out of groups and nested answers."""
    for n, item in enumerate(items or []):
        here = f"{path}.item[{n}]"
        if item.get("answer"):
            yield here, item
        yield from _leaves(item.get("item"), here)
        for m, answer in enumerate(item.get("answer") or []):
            yield from _leaves(answer.get("item"), f"{here}.answer[{m}]")


def _codes_in(leaf: Mapping[str, Any]) -> set[str]:
    """The codes a response item is known by: its linkId and the fragment of its definition."""
    codes = {str(leaf.get("linkId", ""))}
    definition = leaf.get("definition")
    if isinstance(definition, str):
        codes.add(definition.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    return codes


def _identify(
    kb: KnowledgeBase, resource: Mapping[str, Any], leaves: list[tuple[str, dict[str, Any]]]
) -> tuple[InstrumentDefinition, bool]:
    """Find the instrument; the flag says whether bare item numbers may be trusted as linkIds."""
    canonical = str(resource.get("questionnaire") or "").split("|", 1)[0]
    own = f"{kb.fhir_canonical_base}/Questionnaire/"
    if canonical.startswith(own):
        ident = canonical.removeprefix(own)
        if ident not in kb.instruments:
            raise FhirInputError(
                f"QuestionnaireResponse.questionnaire: {canonical} names no Painpath instrument"
            )
        return kb.instruments[ident], True
    for defn in kb.instruments.values():
        panel = defn.codes.panel if defn.codes else None
        if panel and re.search(rf"(?<![\w-]){re.escape(panel.code)}(?![\w-])", canonical):
            return defn, False

    present = set().union(*(_codes_in(leaf) for _, leaf in leaves)) if leaves else set()
    known_here = present & _all_item_codes(kb)
    candidates = []
    for defn in kb.instruments.values():
        item_codes = {i.code.code for i in defn.items if i.code}
        if item_codes and known_here and known_here <= item_codes | _total_codes(defn):
            unanswered = len(item_codes - present)
            candidates.append((unanswered, len(defn.items), defn.id, defn))
    if not candidates:
        raise FhirInputError(
            "cannot tell which instrument this response answers: its questionnaire "
            f"{canonical or '(none)'} is not Painpath's and names no known LOINC panel, and no "
            "item carries a known LOINC item code; name the instrument it answers"
        )
    candidates.sort(key=lambda c: (c[0], c[1]))
    best = [c for c in candidates if c[:2] == candidates[0][:2]]
    if len(best) > 1:
        names = ", ".join(c[2] for c in best)
        raise FhirInputError(
            f"this response fits several instruments ({names}); name the one it answers"
        )
    return candidates[0][3], False


def _all_item_codes(kb: KnowledgeBase) -> set[str]:
    return {i.code.code for d in kb.instruments.values() for i in d.items if i.code}


def _total_codes(defn: InstrumentDefinition) -> set[str]:
    return {defn.codes.total.code} if defn.codes and defn.codes.total else set()


def _answer_value(
    defn: InstrumentDefinition, item: Item, answer: Mapping[str, Any], where: str, kb: KnowledgeBase
) -> object:
    """One FHIR answer as the plain value the scoring engine reads."""
    scale = defn.scale_for(item)
    for key in ("valueInteger", "valueDecimal"):
        if key in answer:
            value = answer[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise FhirInputError(
                    f"{where}.{key}: must be a JSON number, not {type(value).__name__}"
                )
            return value
    if "valueBoolean" in answer:
        values = scale.allowed
        if not scale.options or len(values) != 2:
            raise FhirInputError(
                f"{where}.valueBoolean: {defn.id} item {item.id} is not a yes/no item; "
                f"answer with a number {scale.describe()}"
            )
        return values[1] if answer["valueBoolean"] else values[0]
    if "valueCoding" in answer:
        coding = answer["valueCoding"]
        system, code = coding.get("system"), coding.get("code")
        for option in scale.options:
            if option.code and option.code.system_uri == system and option.code.code == code:
                return option.value
        if system == answer_system(kb.fhir_canonical_base, defn.id) and code is not None:
            try:
                return int(code)
            except ValueError:
                pass
        for ext in coding.get("extension") or answer.get("extension") or []:
            if isinstance(ext, dict) and ext.get("url") == ORDINAL_VALUE_URL:
                return _answer_for_ordinal(defn, item, ext.get("valueDecimal"), where)
        display = str(coding.get("display", "")).strip()
        if re.fullmatch(r"-?\d{1,6}", display):
            return int(display)
        raise FhirInputError(
            f"{where}.valueCoding: {system or '(no system)'}|{code or '(no code)'} is not an "
            f"answer of {defn.id} item {item.id} (allowed {scale.describe()})"
        )
    kinds = sorted(k for k in answer if k.startswith("value"))
    raise FhirInputError(
        f"{where}: {', '.join(kinds) or 'an empty answer'} cannot answer {defn.id} item "
        f"{item.id}; use valueInteger, valueDecimal, valueCoding or valueBoolean"
    )


def _answer_for_ordinal(defn: InstrumentDefinition, item: Item, ordinal: object, where: str) -> int:
    """The one answer whose contribution to the score is ``ordinal`` (FHIR's ordinalValue)."""
    matches = (
        [v for v in defn.scale_for(item).allowed if defn.scored_value(item, v) == ordinal]
        if isinstance(ordinal, int | float) and not isinstance(ordinal, bool)
        else []
    )
    if len(matches) != 1:
        raise FhirInputError(
            f"{where}.valueCoding: ordinalValue {ordinal!r} does not identify one answer of "
            f"{defn.id} item {item.id}; use its answer code"
        )
    return matches[0]


def _stored_value(answer: Mapping[str, Any]) -> float | None:
    quantity = answer.get("valueQuantity")
    for value in (
        answer.get("valueDecimal"),
        answer.get("valueInteger"),
        quantity.get("value") if isinstance(quantity, dict) else None,
    ):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def score_response(
    resource: Mapping[str, Any], kb: KnowledgeBase, *, instrument: str | None = None
) -> ResponseResult:
    """Score one QuestionnaireResponse; raise FhirInputError or ScoringError if it cannot be."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "QuestionnaireResponse":
        kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
        raise FhirInputError(f"expected a QuestionnaireResponse, got {kind or 'no resourceType'}")
    try:
        QuestionnaireResponse.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        message = str(first["msg"]).split("[", 1)[0].strip()
        raise FhirInputError(f"{_fhir_path(first['loc'])}: {message}{more}") from None
    except RecursionError:
        raise FhirInputError("QuestionnaireResponse: items are nested too deeply") from None
    status = str(resource.get("status"))
    if status not in _STATUSES:
        raise FhirInputError(
            f"QuestionnaireResponse.status: {status!r} is not one of {', '.join(sorted(_STATUSES))}"
        )
    if status == "entered-in-error":
        raise FhirInputError("QuestionnaireResponse.status: entered-in-error; nothing to score")
    warnings = [] if status in {"completed", "amended"} else [f"response status is {status}"]

    leaves = list(_leaves(resource.get("item"), "QuestionnaireResponse"))
    if instrument is not None:
        defn, trust_numbers = kb.instrument(instrument), True
    else:
        defn, trust_numbers = _identify(kb, resource, leaves)

    by_code = {i.code.code: i for i in defn.items if i.code}
    answers: dict[str, object] = {}
    matched: list[tuple[str, str, str]] = []
    ignored: list[tuple[str, str]] = []
    stored: dict[str, Any] | None = None
    for where, leaf in leaves:
        link_id = str(leaf.get("linkId", ""))
        codes = _codes_in(leaf)
        item, how = None, ""
        if trust_numbers and link_id in {i.id for i in defn.items}:
            item, how = defn.item(link_id), "linkId"
        elif hit := sorted(codes & set(by_code)):
            item, how = by_code[hit[0]], f"LOINC {hit[0]}"
        elif codes & _total_codes(defn):
            if stored is not None:
                raise FhirInputError(f"{where}: a second item carries the {defn.id} total")
            value = _stored_value(leaf["answer"][0])
            stored = {"linkId": link_id, "value": value}
            continue
        if item is None:
            ignored.append((link_id, f"not an item of {defn.id}"))
            continue
        if len(leaf["answer"]) > 1:
            raise FhirInputError(
                f"{where}: {len(leaf['answer'])} answers to {defn.id} item {item.id}; expected one"
            )
        if item.id in answers:
            raise FhirInputError(f"{where}: a second answer to {defn.id} item {item.id}")
        answers[item.id] = _answer_value(defn, item, leaf["answer"][0], f"{where}.answer[0]", kb)
        matched.append((link_id, item.id, how))

    try:
        score = score_answers(defn, answers, knowledge_version=kb.version)
    except ScoringError as exc:
        links = {it: li for li, it, _ in matched}
        hint = f" (response linkId {links[exc.item]!r})" if exc.item in links else ""
        raise ScoringError(f"{exc}{hint}", instrument=exc.instrument, item=exc.item) from None

    if stored is not None:
        value = stored["value"]
        agrees = (
            value is not None
            and math.isfinite(value)
            and abs(value - score.total) < 0.05 + 10**-defn.scoring.decimals
        )
        stored["agrees"] = agrees
        if not agrees:
            shown = "no number" if value is None else tidy(value, defn.scoring.decimals)
            extra = Reason(
                rule="fhir.stored_total",
                text=f"the response states a total of {shown} (linkId {stored['linkId']!r}) "
                f"but its answers score {score.total}; the stored total is reported, not used",
                data={"stored": value, "computed": score.total},
            )
            score = score.model_copy(update={"reasons": (*score.reasons, extra)})
            warnings.append(f"stored total {shown} disagrees with the computed {score.total}")
    return ResponseResult(
        score=score,
        resource_id=resource.get("id"),
        questionnaire=resource.get("questionnaire"),
        status=status,
        matched=tuple(matched),
        ignored=tuple(ignored),
        stored_total=stored,
        warnings=tuple(warnings),
    )


def _fhir_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a FHIR path: ``QuestionnaireResponse.item[0].answer[0]``."""
    path = "QuestionnaireResponse"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith("function") and "[" not in part:
            path += f".{part}"
    return path


def score_bundle(
    bundle: Mapping[str, Any], kb: KnowledgeBase, *, instrument: str | None = None
) -> list[dict[str, Any]]:
    """Score every QuestionnaireResponse in a Bundle; one failure never fails the others.

    Each result is the response's JSON, or ``{"entry": n, "error": "..."}``; other resource
    types are listed as skipped.
    """
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise FhirInputError("Bundle.entry: must be a list of entries")
    results: list[dict[str, Any]] = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            results.append({"entry": n, "error": f"Bundle.entry[{n}] is not an object"})
            continue
        resource = entry.get("resource")
        kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
        if not isinstance(resource, Mapping) or kind != "QuestionnaireResponse":
            results.append({"entry": n, "skipped": f"{kind or 'no resource'} is not scored"})
            continue
        try:
            results.append(
                {"entry": n} | score_response(resource, kb, instrument=instrument).to_dict()
            )
        except (FhirInputError, ScoringError) as exc:
            results.append({"entry": n, "error": str(exc)})
    return results
