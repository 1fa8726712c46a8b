"""The public Python API is exactly what `painpath.__all__` says (pinned, as httpx does)."""

from __future__ import annotations

import ast
from pathlib import Path

import painpath

DOMAIN = Path(painpath.__file__).parent / "domain"


def test_the_public_api_is_pinned():
    assert sorted(painpath.__all__) == [
        "Assessment",
        "Change",
        "CheckpointProposal",
        "ImagingContext",
        "Intake",
        "IntakeError",
        "KnowledgeBase",
        "KnowledgeError",
        "MmeResult",
        "OrdersInputError",
        "Plan",
        "Score",
        "ScoringError",
        "Signal",
        "SignalReport",
        "TaperError",
        "TaperPause",
        "TaperPlan",
        "Timeline",
        "TimelineError",
        "UnknownInstrumentError",
        "__version__",
        "assess",
        "compare",
        "default_knowledge",
        "imaging_context",
        "load_knowledge",
        "mme",
        "plan",
        "propose_checkpoint",
        "score",
        "signals",
        "signals_batch",
        "taper",
    ]
    for name in painpath.__all__:
        assert getattr(painpath, name) is not None


def test_the_domain_calls_no_io_builtins():
    """ruff's banned-api and import-linter cover imports; this covers open(), input(), print()."""
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if called and node.func.id in {"open", "input", "print", "exec", "eval", "breakpoint"}:
                offenders.append(f"{path.name}:{node.lineno} {node.func.id}()")
    assert offenders == []
