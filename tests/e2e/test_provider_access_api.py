"""Who may write: without a valid token every write is 401, other roles and tokens without an
authority are 403, an unknown subject, listing or commitment is 404; each refusal is
problem+json and stores nothing. SQLite and PostgreSQL alike."""

from __future__ import annotations

from tests.e2e._provider_helpers import ACME, COMMITMENT, LISTING, MARKET, PENALTY, PERMIT, Api

WRITES = [
    ("/v1/subjects", {"code": ACME, "name": "Acme", "kind": "enterprise"}),
    (f"/v1/subjects/{ACME}/principals",
     {"principal": MARKET, "role": "responsible_person", "since": "2020-01-06"}),
    (f"/v1/subjects/{ACME}/permits", PERMIT),
    (f"/v1/subjects/{ACME}/penalties", PENALTY),
    (f"/v1/subjects/{ACME}/listings", LISTING),
    (f"/v1/subjects/{ACME}/listings/some-listing/removal",
     {"delisted_on": "2025-09-01", "reason": "error"}),
    (f"/v1/subjects/{ACME}/commitments", COMMITMENT),
    (f"/v1/subjects/{ACME}/commitments/some-commitment/fulfilment", {"on": "2025-06-01"}),
    (f"/v1/subjects/{ACME}/commitments/some-commitment/breach", {"on": "2025-06-01"}),
]


def test_no_token_or_an_unknown_one_is_401_on_every_write(api: Api) -> None:
    for path, body in WRITES:
        problem = api.refused(401, path, body, token=None)
        assert problem["status"] == 401
        api.refused(401, path, body, token="not-a-token")
        before = api.ledger.head_position()
        basic = api.client.post(path, json=body, headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert basic.status_code == 401 and api.ledger.head_position() == before
    # A bad body does not get past authentication either.
    api.refused(401, "/v1/subjects", {"code": "bad"}, token=None)


def test_other_roles_and_tokens_without_an_authority_are_403_on_every_write(api: Api) -> None:
    for path, body in WRITES:
        for token in ("tok-officer", "tok-auditor", "tok-nobody"):
            api.refused(403, path, body, token=token)


def test_an_unknown_subject_is_404_on_every_subject_write(api: Api) -> None:
    for path, body in WRITES[1:]:
        problem = api.refused(404, path.replace(ACME, "9144030071526726XG"), body)
        assert problem["rule"] == "not_found"


def test_an_unknown_listing_or_commitment_is_404(acme: Api) -> None:
    for path, body in WRITES[5:6] + WRITES[7:]:
        assert acme.refused(404, path, body)["errors"][0]["field"] in ("listing_id",
                                                                          "commitment_id")

