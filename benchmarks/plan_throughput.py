"""How fast are assessment + planning, and MME over a large FHIR Bundle? Prints figures.

    .venv/bin/python benchmarks/plan_throughput.py [--patients 2000] [--orders 5000] [--seed 1]

The data are generated here (seeded, so runs compare): intakes varied across regions,
distributions, irritability, red flags, goals, constraints and opioid medications; and a FHIR
Bundle of MedicationRequests drawn from the RxNorm opioid table with doses, timings, ranges and
statuses of every kind Painpath reads. Nothing is asserted: this measures, the tests check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

import painpath
from painpath.knowledge import default_knowledge

REGIONS = ["neck", "upper_back", "low_back", "buttock", "shoulder", "knee", "achilles", "hip"]
DISTRIBUTIONS = ["localized", "regional", "multifocal", "widespread"]
FACTORS = ["flexion", "extension", "sitting", "walking", "lifting", "stress", "overhead_activity"]
RED_FLAGS = ["unexplained_weight_loss", "foot_drop", "history_of_cancer", "ces_saddle_anaesthesia"]
OPIOIDS = [("oxycodone", 10), ("tramadol", 50), ("morphine", 15), ("hydrocodone", 5)]


def intake(rng: random.Random) -> dict[str, Any]:
    """One plausible intake."""
    data: dict[str, Any] = {
        "age": rng.randint(18, 90),
        "sex": rng.choice(["female", "male"]),
        "duration_weeks": rng.choice([2, 6, 12, 26, 52, 104]),
        "regions": rng.sample(REGIONS, rng.randint(1, 3)),
        "distribution": rng.choice(DISTRIBUTIONS),
        "aggravating": rng.sample(FACTORS, rng.randint(0, 3)),
        "red_flag_findings": rng.sample(RED_FLAGS, 1) if rng.random() < 0.05 else [],
        "irritability": {
            "provoked_by": rng.choice(["minimal", "moderate", "vigorous"]),
            "peak_severity": rng.randint(1, 10),
            "settle_hours": rng.choice([0.5, 2, 12, 48]),
        },
        "goals": [
            {
                "activity": "walk",
                "metric": "walk_minutes",
                "unit": "minutes",
                "baseline": rng.randint(0, 20),
                "target": rng.randint(30, 60),
            },
        ],
        "constraints": {
            "covered_visits": rng.choice([4, 8, 12, 20]),
            "transport": rng.choice(["own", "limited"]),
        },
    }
    if rng.random() < 0.3:
        name, dose = rng.choice(OPIOIDS)
        data["medications"] = [
            {
                "name": name,
                "dose_mg": dose,
                "doses_per_day": rng.choice([1, 2, 3, 4]),
                "weeks": rng.choice([4, 20, 60]),
            },
        ]
    return data


def bundle(rng: random.Random, orders: int) -> dict[str, Any]:
    """A Bundle of MedicationRequests over the opioid table's codes."""
    codes = sorted(default_knowledge().opioid_table.products)
    entries = []
    for n in range(orders):
        repeat: dict[str, Any] = {"frequency": rng.randint(1, 4), "period": 1, "periodUnit": "d"}
        if rng.random() < 0.2:
            repeat["frequencyMax"] = repeat["frequency"] + 2
        dose: dict[str, Any] = (
            {"doseRange": {"low": {"value": 1}, "high": {"value": 2}}}
            if rng.random() < 0.2
            else {"doseQuantity": {"value": rng.choice([1, 2])}}
        )
        entries.append(
            {
                "fullUrl": f"urn:uuid:{n}",
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": f"mr{n}",
                    "status": rng.choice(["active", "active", "active", "stopped"]),
                    "intent": "order",
                    "medicationCodeableConcept": {
                        "coding": [
                            {
                                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                "code": rng.choice(codes),
                            }
                        ]
                    },
                    "dosageInstruction": [{"timing": {"repeat": repeat}, "doseAndRate": [dose]}],
                },
            }
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kb = default_knowledge()  # loaded once, as a server would
    today = dt.date(2026, 1, 5)

    intakes = [intake(rng) for _ in range(args.patients)]
    timings = []
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for data in intakes:
        t0 = time.perf_counter()
        plan = painpath.plan(data, today=today, knowledge=kb)
        timings.append(time.perf_counter() - t0)
        statuses[plan.status] = statuses.get(plan.status, 0) + 1
    total = time.perf_counter() - started
    timings.sort()
    print(
        f"assess + plan: {args.patients} patients in {total:.2f} s "
        f"({args.patients / total:.0f}/s); per patient median "
        f"{statistics.median(timings) * 1000:.2f} ms, p95 "
        f"{timings[int(len(timings) * 0.95) - 1] * 1000:.2f} ms; statuses {statuses}"
    )

    data = bundle(rng, args.orders)
    t0 = time.perf_counter()
    result = painpath.mme(data, knowledge=kb)
    took = time.perf_counter() - t0
    print(
        f"mme: a Bundle of {args.orders} MedicationRequests in {took:.2f} s "
        f"({args.orders / took:.0f}/s); {len(result.items)} items, "
        f"{len(result.excluded)} excluded, {len(result.errors)} errors, "
        f"total {result.total_mme_per_day:g} MME/day"
    )

    t0 = time.perf_counter()
    for mme in range(1, 501):
        painpath.taper(mme, 60, start=today, knowledge=kb)
    took = time.perf_counter() - t0
    print(f"taper: 500 long-term schedules in {took:.2f} s ({500 / took:.0f}/s)")


if __name__ == "__main__":
    main()
