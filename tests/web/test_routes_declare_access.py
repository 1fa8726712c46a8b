"""Every route declares its access policy (reliability-security.md item 4): walking the app's
routes, each API route enforces exactly one `Enforce(policy)` before anything else, publishes the
same policy as ``x-access``, and that policy is the one the hand-written table names. A route
nobody declared — in the code or in the table — fails here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from painpath.settings import Settings
from painpath.web import create_app
from painpath.web.api import api_router
from painpath.web.api._routing import ApiRouter
from painpath.web.security import POLICIES, SIGNED_IN, STAFF, Enforce
from tests.web.policy_table import (
    API,
    POLICY_ROLES,
    PUBLIC_MOUNTS,
    ROUTES,
    Route,
    by_key,
    pages_by_key,
)


@dataclass(frozen=True)
class Served:
    """One route as the app serves it (with the prefixes and dependencies of its routers)."""

    path: str
    methods: frozenset[str]
    api: bool
    dependant: Dependant | None
    openapi_extra: Mapping[str, Any] | None


def served_routes(app: FastAPI) -> Iterator[Served]:
    """The app's routes with included routers resolved (newer FastAPI keeps them nested)."""
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    pairs: list[tuple[Any, Any]] = (
        [(c, c.original_route) for c in iterate(app.routes)]
        if iterate is not None
        else [(r, r) for r in app.routes]
    )
    for effective, original in pairs:
        api = isinstance(original, APIRoute)
        yield Served(
            path=str(getattr(effective, "path", "?")),
            methods=frozenset(getattr(effective, "methods", None) or ()),
            api=api,
            dependant=effective.dependant if api else None,
            openapi_extra=effective.openapi_extra if api else None,
        )


def _enforcers(dependant: Dependant) -> list[Enforce]:
    found = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, Enforce):
            found.append(dep.call)
        found.extend(_enforcers(dep))
    return found


def access_declaration_problems(
    app: FastAPI, table: Mapping[tuple[str, str], Route] | None = None
) -> list[str]:
    """Every way the app's routes fail to declare their access as ``table`` says, one line each
    (empty when every route is declared and every row of the table is served)."""
    table = {**by_key(), **pages_by_key()} if table is None else table
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    docs |= PUBLIC_MOUNTS
    problems: list[str] = []
    served: set[tuple[str, str]] = set()
    for route in served_routes(app):
        name = f"{'|'.join(sorted(route.methods)) or '*'} {route.path}"
        if not route.api:
            if route.path not in docs:
                problems.append(f"{name}: served outside the API router, without an access policy")
            continue
        assert route.dependant is not None
        enforcers = _enforcers(route.dependant)
        published = (route.openapi_extra or {}).get("x-access")
        if not enforcers:
            problems.append(f"{name}: declares no access policy (no Enforce dependency)")
        elif len(enforcers) > 1:
            names = ", ".join(e.policy.name for e in enforcers)
            problems.append(f"{name}: enforces more than one policy ({names})")
        else:
            policy = enforcers[0].policy
            first = route.dependant.dependencies[0].call
            if first is not enforcers[0]:
                problems.append(f"{name}: another dependency runs before the access check")
            if published != policy.name:
                problems.append(
                    f"{name}: enforces {policy.name!r} but publishes x-access={published!r}"
                )
            if policy.name not in POLICY_ROLES:
                problems.append(f"{name}: enforces {policy.name!r}, a policy the table lacks")
            elif policy.roles != POLICY_ROLES[policy.name]:
                problems.append(
                    f"{name}: policy {policy.name!r} lets through {sorted(policy.roles or [])}, "
                    f"the table says {sorted(POLICY_ROLES[policy.name] or [])}"
                )
        for method in sorted(route.methods):
            key = (method, route.path)
            served.add(key)
            row = table.get(key)
            if row is None:
                problems.append(f"{method} {route.path}: not in the policy table")
            elif len(enforcers) == 1 and enforcers[0].policy.name != row.policy:
                problems.append(
                    f"{method} {route.path}: enforces {enforcers[0].policy.name!r}, "
                    f"the table says {row.policy!r}"
                )
    problems += [
        f"{row}: in the policy table but not served" for k, row in table.items() if k not in served
    ]
    return problems


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    made = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", data_dir=tmp_path))
    yield made
    made.state.ctx.engine.dispose()


def _copy_of_the_api() -> APIRouter:
    """A router holding every route of the real API, to add routes to without touching it."""
    router = APIRouter()
    router.include_router(api_router)
    return router


def _app_of(router: APIRouter) -> FastAPI:
    made = FastAPI(openapi_url=f"{API}/openapi.json", docs_url=f"{API}/docs", redoc_url=None)
    made.include_router(router)
    return made


def _ok() -> dict[str, str]:
    return {"ok": "yes"}


def test_every_api_route_enforces_and_publishes_the_policy_the_table_names(app: FastAPI) -> None:
    problems = access_declaration_problems(app)
    assert problems == [], "\n".join(problems)


def test_the_walk_sees_every_route_of_the_table(app: FastAPI) -> None:
    keys = {(m, r.path) for r in served_routes(app) if r.api for m in r.methods}
    assert {k for k in keys if k[1].startswith(API + "/")} == set(by_key())
    assert {k for k in keys if not k[1].startswith(API + "/")} == set(pages_by_key())


def test_the_openapi_schema_publishes_each_routes_policy_as_the_table_says(app: FastAPI) -> None:
    published = {
        (method.upper(), path): operation.get("x-access")
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
    }
    assert published == {r.key: r.policy for r in ROUTES}


def test_the_policies_let_through_exactly_the_roles_the_table_specifies() -> None:
    assert {name: p.roles for name, p in POLICIES.items()} == POLICY_ROLES


def test_the_table_names_the_record_each_path_addresses() -> None:
    for route in ROUTES:
        kind = (
            "episode"
            if "{episode_id}" in route.path
            else "patient"
            if "{patient_id}" in route.path
            else None
        )
        assert route.record == kind, route


def test_the_table_lets_a_patient_reach_their_own_record_only_through_patient_policies() -> None:
    for route in ROUTES:
        roles = POLICY_ROLES[route.policy]
        admits_patients = roles is None or "patient" in roles
        if route.record is None:
            assert not route.patient_own, route
        else:
            assert route.patient_own == admits_patients, route


def test_a_patient_may_not_reach_the_clinical_working_material() -> None:
    table = by_key()
    for suffix in ("intake", "plan/revisions", "signals", "checkpoints", "referrals", "notes"):
        row = table[("GET", f"{API}/episodes/{{episode_id}}/{suffix}")]
        assert row.policy == "staff" and not row.patient_own, row


def test_a_plain_route_without_a_policy_is_reported() -> None:
    plain = FastAPI()
    plain.add_api_route(f"{API}/ping", _ok, methods=["GET"])
    problems = access_declaration_problems(plain, by_key())
    assert [p for p in problems if "/ping" in p] == [
        f"GET {API}/ping: declares no access policy (no Enforce dependency)",
        f"GET {API}/ping: not in the policy table",
    ]


def test_a_route_added_to_a_copy_of_the_api_without_a_policy_is_reported() -> None:
    router = _copy_of_the_api()
    router.add_api_route(f"{API}/patients/{{patient_id}}/export", _ok, methods=["GET"])
    assert access_declaration_problems(_app_of(router), by_key()) == [
        f"GET {API}/patients/{{patient_id}}/export: declares no access policy "
        "(no Enforce dependency)",
        f"GET {API}/patients/{{patient_id}}/export: not in the policy table",
    ]


def test_the_copy_of_the_api_alone_passes() -> None:
    assert access_declaration_problems(_app_of(_copy_of_the_api()), by_key()) == []


def test_a_route_that_publishes_one_policy_and_enforces_another_is_reported() -> None:
    router = _copy_of_the_api()
    router.add_api_route(
        f"{API}/reports",
        _ok,
        methods=["GET"],
        dependencies=[Depends(Enforce(STAFF))],
        openapi_extra={"x-access": "signed_in"},
    )
    problems = access_declaration_problems(_app_of(router), by_key())
    assert f"GET {API}/reports: enforces 'staff' but publishes x-access='signed_in'" in problems


def test_a_route_declared_with_another_policy_than_the_tables_is_reported() -> None:
    router = ApiRouter(prefix=API)
    router.endpoint("GET", "/episodes/{episode_id}/notes", access=SIGNED_IN)(_ok)
    problems = access_declaration_problems(_app_of(router), by_key())
    assert [p for p in problems if p.startswith(f"GET {API}/episodes/{{episode_id}}/notes:")] == [
        f"GET {API}/episodes/{{episode_id}}/notes: enforces 'signed_in', the table says 'staff'"
    ]


def test_a_route_served_outside_the_api_router_is_reported() -> None:
    router = _copy_of_the_api()
    made = _app_of(router)

    def export(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("everything")

    made.add_route(f"{API}/export", export)
    assert access_declaration_problems(made, by_key()) == [
        f"GET|HEAD {API}/export: served outside the API router, without an access policy"
    ]


def test_a_route_whose_check_runs_after_another_dependency_is_reported() -> None:
    router = _copy_of_the_api()

    def load_everything() -> None:
        return None

    router.add_api_route(
        f"{API}/reports",
        _ok,
        methods=["GET"],
        dependencies=[Depends(load_everything), Depends(Enforce(STAFF))],
        openapi_extra={"x-access": "staff"},
    )
    problems = access_declaration_problems(_app_of(router), by_key())
    assert f"GET {API}/reports: another dependency runs before the access check" in problems
