from conftest import make_org
from leifeng.accounts.services import token_create
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='t')[1]}"}


def test_create_an_organisation_through_the_api(client, org_tree):
    region = Region.objects.get(code="140525108")
    response = client.post(
        "/api/v1/organisations",
        {
            "parent_id": org_tree.org_a1.pk,
            "name": "巴公镇新时代文明实践所",
            "kind": "institute",
            "region_id": region.pk,
        },
        content_type="application/json",
        **auth(org_tree.county_a_admin),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_id"] == org_tree.org_a1.pk
    assert body["kind_label"] == "新时代文明实践所"


def test_bad_input_gets_one_error_body_in_chinese(client, org_tree):
    response = client.post(
        "/api/v1/organisations",
        {"parent_id": "x", "kind": "castle"},
        content_type="application/json",
        **auth(org_tree.county_a_admin),
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert {"parent_id", "kind", "name", "region_id"} <= set(body["fields"])


def test_moving_under_a_descendant_answers_409_in_chinese(client, org_tree):
    child = make_org(org_tree.root, org_tree.org_a1, "所", Organisation.Kind.INSTITUTE, "140525108")
    response = client.post(
        f"/api/v1/organisations/{org_tree.org_a1.pk}/move",
        {"new_parent_id": child.pk},
        content_type="application/json",
        **auth(org_tree.county_a_admin),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "move_into_own_subtree"
    assert "不能" in response.json()["message"]


def test_lists_are_paginated(client, org_tree):
    response = client.get("/api/v1/organisations?page=1&page_size=2", **auth(org_tree.city_admin))
    body = response.json()
    assert body["count"] == 5
    assert len(body["items"]) == 2


def test_revoked_tokens_are_refused(client, org_tree):
    row, token = token_create(actor=org_tree.city_admin, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/me", **headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{row.pk}", **headers).status_code == 204
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_me_lists_my_roles(client, org_tree):
    body = client.get("/api/v1/me", **auth(org_tree.county_a_admin)).json()
    assert body["username"] == "county_a_admin"
    assert [r["organisation_name"] for r in body["roles"]] == ["泽州县文明办"]
    assert "admin" in body["roles"][0]["actions"]


def test_grant_a_role_through_the_api(client, org_tree):
    response = client.post(
        "/api/v1/organisations/roles",
        {"login": "a1_staff", "organisation_id": org_tree.org_a1.pk, "role": "reporter"},
        content_type="application/json",
        **auth(org_tree.county_a_admin),
    )
    assert response.status_code == 201
    assert response.json()["role"] == "reporter"
