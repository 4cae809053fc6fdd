"""The organisation pages as an official uses them: forms, Chinese errors, nothing half-saved."""

from django.urls import reverse

from conftest import make_org
from leifeng.accounts.models import User
from leifeng.audit.models import AuditEntry
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region


def test_create_a_sub_organisation_from_its_page(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    township = Region.objects.get(code="140525108")
    response = client.post(
        reverse("orgs:create", args=[org_tree.org_a1.pk]),
        {"name": "巴公镇新时代文明实践所", "kind": "institute", "region": township.pk},
    )
    org = Organisation.objects.get(name="巴公镇新时代文明实践所")
    assert response.url == reverse("orgs:detail", args=[org.pk])
    assert org.parent == org_tree.org_a1
    assert AuditEntry.objects.filter(object_id=str(org.pk), action="create").exists()


def test_a_bad_credit_code_is_shown_on_the_form_and_nothing_is_saved(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    before = Organisation.objects.count()
    response = client.post(
        reverse("orgs:create", args=[org_tree.org_a1.pk]),
        {
            "name": "某协会",
            "kind": "volunteer_org",
            "region": org_tree.org_a1.region_id,
            "credit_code": "91350100M000100Y44",
        },
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert Organisation.objects.count() == before


def test_the_region_list_offers_only_the_parents_region(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    page = client.get(reverse("orgs:create", args=[org_tree.org_a1.pk])).content.decode()
    assert "巴公镇" in page and "西上庄街道" not in page


def test_edit_saves_and_audits(client, org_tree):
    client.force_login(org_tree.a1_staff)
    org = org_tree.org_a1
    response = client.post(
        reverse("orgs:edit", args=[org.pk]),
        {
            "name": org.name,
            "kind": org.kind,
            "region": org.region_id,
            "contact_name": "李四",
            "contact_phone": "0356-2566216",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.contact_phone == "0356-2566216"
    assert AuditEntry.objects.filter(object_id=str(org.pk), action="update").exists()


def test_the_move_page_offers_no_place_inside_the_moved_subtree(client, org_tree):
    child = make_org(org_tree.root, org_tree.org_a1, "所", Organisation.Kind.INSTITUTE, "140525108")
    other = make_org(
        org_tree.root, org_tree.county_a, "第二中心", Organisation.Kind.CENTER, "140525"
    )
    client.force_login(org_tree.county_a_admin)
    url = reverse("orgs:move", args=[org_tree.org_a1.pk])
    page = client.get(url).content.decode()
    assert f'value="{other.pk}"' in page and f'value="{child.pk}"' not in page
    response = client.post(url, {"new_parent": child.pk})
    assert response.status_code == 200  # refused on the form
    org_tree.org_a1.refresh_from_db()
    assert org_tree.org_a1.parent == org_tree.county_a
    client.post(url, {"new_parent": other.pk})
    child.refresh_from_db()
    assert child.path.startswith(other.path)


def test_admins_create_accounts_with_a_role_on_the_people_page(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    url = reverse("orgs:members", args=[org_tree.county_a.pk])
    response = client.post(
        url,
        {
            "new-username": "bagong_staff",
            "new-name": "赵所长",
            "new-mobile": "13912340000",
            "new-password": "a-long-pass-phrase",
            "new-organisation": org_tree.org_a1.pk,
            "new-role": "staff",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="bagong_staff")
    assert Membership.objects.filter(user=user, organisation=org_tree.org_a1, role="staff").exists()


def test_a_weak_password_and_a_taken_mobile_are_explained_and_nothing_is_saved(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    org_tree.b1_staff.mobile = "13912340000"
    org_tree.b1_staff.save()
    response = client.post(
        reverse("orgs:members", args=[org_tree.county_a.pk]),
        {
            "new-username": "someone",
            "new-name": "某人",
            "new-mobile": "13912340000",
            "new-password": "123",
            "new-organisation": org_tree.org_a1.pk,
            "new-role": "staff",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "该手机号已被其他账号使用。" in body
    assert "密码太短：至少需要 8 个字符。" in body
    assert not User.objects.filter(username="someone").exists()


def test_revoking_a_role_from_the_people_page(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    staff_role = Membership.objects.get(user=org_tree.a1_staff)
    response = client.post(reverse("orgs:role-revoke", args=[staff_role.pk]))
    assert response.url == reverse("orgs:members", args=[org_tree.org_a1.pk])
    assert not Membership.objects.filter(pk=staff_role.pk).exists()
