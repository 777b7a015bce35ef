"""The whole REST API fuzzed from its own OpenAPI schema (schemathesis) by a signed-in admin, on SQLite
and PostgreSQL: no response is a server error, and every response matches what the schema says
(status codes, content types, bodies). Bounded: a few schema-valid and a few invalid requests per
operation (issue 13, "fuzz the whole API").

Sign-out is left out (it would end the fuzzing session). Domain refusals of schema-valid requests
(400 "enrol after a screening", 422 "that day is in the future") are answers, not failures; the
schema documents them as ``{"detail": "<one sentence>"}``.

The figures (operations, cases, responses >= 500, check failures, statuses) are printed under 'figures'
at the end of any run that includes this test: ``.venv/bin/python -m pytest tests/web/test_api_fuzz.py``
(PostgreSQL too with FACEFIT_TEST_PG_URL set; more cases with FACEFIT_FUZZ_EXAMPLES=N).
"""

from __future__ import annotations

import collections
import contextlib
from typing import Any

from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from facefit.store.web import Account

EXAMPLES = 3  # per operation and mode; `FACEFIT_FUZZ_EXAMPLES` runs more (see below)
SKIP = {("POST", "/api/auth/logout")}
DOMAIN_REFUSALS = ["2xx", "400", "401", "403", "404", "409", "413", "415", "422", "429"]


def test_no_server_errors_and_every_response_matches_the_schema(app: FastAPI, make_user: Any, db_url: str,
                                                                 report_figure: Any) -> None:
    import os

    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.generation.modes import GenerationMode

    examples = int(os.environ.get("FACEFIT_FUZZ_EXAMPLES", EXAMPLES))
    admin = make_user("fuzz@example.org")
    with app.state.store.transaction() as db:
        account = db.get(Account, admin.id)
        assert account is not None
        account.role = "admin"  # admin routes too; an admin also passes the coach routes' check
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in admin.client.cookies.items()),
               "X-CSRF-Token": admin.client.headers["X-CSRF-Token"]}
    config = SchemathesisConfig.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": DOMAIN_REFUSALS}}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    failures: dict[str, list[str]] = collections.defaultdict(list)
    counts: collections.Counter[str] = collections.Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        counts["operations"] += 1
        invalid = [GenerationMode.NEGATIVE] if _can_be_invalid(operation) else []
        modes = [GenerationMode.POSITIVE, *invalid]
        for mode in modes:
            with contextlib.suppress(Unsatisfiable):  # some parameters admit no invalid value
                _fuzz(operation, mode, examples, headers, failures, counts)
    backend = db_url.split(":", 1)[0].split("+", 1)[0]
    statuses = ", ".join(f"{code}: {counts[code]}" for code in sorted(c for c in counts if c.isdigit()))
    report_figure(f"schemathesis on {backend}: {counts['operations']} operations, {counts['cases']} cases "
                  f"({counts['positive']} valid, {counts['negative']} invalid), {counts['server errors']} "
                  f"responses >= 500, {sum(map(len, failures.values()))} check failures; statuses {statuses}")
    assert counts["operations"] >= 40 and counts["cases"] >= 3 * counts["operations"], counts
    assert counts["server errors"] == 0, failures
    assert not failures, "\n\n".join(f"{op} ({len(found)}x):\n{found[0]}" for op, found in failures.items())


def _can_be_invalid(operation: Any) -> bool:
    """Whether an invalid request exists: a body, a query or a typed path parameter (any text is a valid
    path segment, and searching for an invalid one only burns seconds before giving up)."""
    typed = [p for p in operation.path_parameters if p.definition.get("schema", {}) != {"type": "string"}]
    return bool(operation.body) or bool(list(operation.query)) or bool(typed)


def _fuzz(operation: Any, mode: Any, examples: int, headers: dict[str, str],
          failures: dict[str, list[str]], counts: collections.Counter[str]) -> None:
    """``examples`` requests of one kind to one operation, their failures collected by operation."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def call(case: Any) -> None:
        counts["cases"] += 1
        counts[mode.value] += 1
        response = case.call(headers=headers)
        counts[str(response.status_code)] += 1
        counts["server errors"] += response.status_code >= 500  # counted here, not only by a check
        try:
            case.validate_response(response, headers=headers, transport_kwargs={"headers": dict(headers)})
        except Exception as error:  # collect every operation's failures, then report them all
            failures[label].append(str(error)[-1500:])

    call()
