import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import make_org, make_user
from leifeng.audit.models import AuditEntry
from leifeng.core.errors import DomainError
from leifeng.orgs import services
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region

K, R = Organisation.Kind, Membership.Role


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_created_organisation_gets_a_path_under_its_parent(org_tree):
    assert org_tree.org_a1.path == f"{org_tree.county_a.path}{org_tree.org_a1.pk}/"
    assert org_tree.city.path == f"/{org_tree.city.pk}/"


def test_valid_credit_code_is_accepted_and_normalised(org_tree):
    org = services.org_create(
        actor=org_tree.county_a_admin,
        parent=org_tree.county_a,
        name="泽州县某协会",
        kind=K.VOLUNTEER_ORG,
        region=region("140525"),
        credit_code=" 91350100m000100y43 ",
    )
    assert org.credit_code == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [("91350100M000100Y44", "校验"), ("91350100M00010", "18"), ("91350100M000100YI3", "I")],
)
def test_bad_credit_code_is_refused_in_chinese(org_tree, code, fragment):
    with pytest.raises(DomainError) as exc:
        services.org_create(
            actor=org_tree.county_a_admin,
            parent=org_tree.county_a,
            name="某单位",
            kind=K.UNIT,
            region=region("140525"),
            credit_code=code,
        )
    assert exc.value.code == "invalid"
    assert fragment in exc.value.fields["credit_code"]
    assert not Organisation.objects.filter(name="某单位").exists()


def test_credit_code_is_unique(org_tree):
    kwargs = {"kind": K.UNIT, "region": region("140525"), "credit_code": "91350100M000100Y43"}
    services.org_create(actor=org_tree.root, parent=org_tree.county_a, name="甲", **kwargs)
    with pytest.raises(DomainError) as exc:
        services.org_create(actor=org_tree.root, parent=org_tree.county_a, name="乙", **kwargs)
    assert exc.value.code == "duplicate_credit_code"


def test_sibling_names_are_unique(org_tree):
    with pytest.raises(DomainError) as exc:
        make_org(org_tree.root, org_tree.county_a, "泽州县新时代文明实践中心", K.CENTER, "140525")
    assert exc.value.code == "duplicate_name"


def test_region_must_lie_within_the_parents_region(org_tree):
    with pytest.raises(DomainError) as exc:
        make_org(org_tree.root, org_tree.county_a, "城区的所", K.INSTITUTE, "140502007")
    assert exc.value.code == "region_outside_parent"


def test_creating_outside_scope_is_not_found(org_tree):
    with pytest.raises(Http404):
        make_org(org_tree.county_a_admin, org_tree.county_b, "越权", K.STATION, "140502")


def test_moving_keeps_the_whole_subtree_consistent(org_tree):
    institute = make_org(
        org_tree.root, org_tree.org_a1, "巴公镇新时代文明实践所", K.INSTITUTE, "140525108"
    )
    station = make_org(org_tree.root, institute, "巴公一站", K.STATION, "140525108")
    other_center = make_org(org_tree.root, org_tree.county_a, "泽州县第二中心", K.CENTER, "140525")
    services.org_move(actor=org_tree.county_a_admin, org=institute, new_parent=other_center)
    institute.refresh_from_db()
    station.refresh_from_db()
    assert institute.parent == other_center
    assert institute.path == f"{other_center.path}{institute.pk}/"
    assert station.path == f"{institute.path}{station.pk}/"
    for org in Organisation.objects.all():
        expected_path = f"{org.parent.path if org.parent else '/'}{org.pk}/"
        assert org.path == expected_path
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.MOVE).get()
    assert entry.before["parent"] == org_tree.org_a1.pk
    assert entry.after["parent"] == other_center.pk
    assert entry.actor == org_tree.county_a_admin


@pytest.mark.parametrize("into", ["itself", "child", "grandchild"])
def test_moving_under_its_own_descendant_is_refused_in_chinese(org_tree, into):
    child = make_org(org_tree.root, org_tree.org_a1, "所", K.INSTITUTE, "140525108")
    grandchild = make_org(org_tree.root, child, "站", K.STATION, "140525108")
    target = {"itself": org_tree.org_a1, "child": child, "grandchild": grandchild}[into]
    with pytest.raises(DomainError) as exc:
        services.org_move(actor=org_tree.root, org=org_tree.org_a1, new_parent=target)
    assert exc.value.code == "move_into_own_subtree"
    assert "不能" in exc.value.message
    org_tree.org_a1.refresh_from_db()
    assert org_tree.org_a1.parent == org_tree.county_a


def test_moving_to_another_subtree_needs_rights_on_both_ends(org_tree):
    with pytest.raises(Http404):
        services.org_move(
            actor=org_tree.county_a_admin, org=org_tree.org_a1, new_parent=org_tree.county_b
        )
    org_tree.org_a1.refresh_from_db()
    assert org_tree.org_a1.parent == org_tree.county_a


def test_update_is_audited_with_before_and_after(org_tree):
    services.org_update(actor=org_tree.a1_staff, org=org_tree.org_a1, contact_name="李四")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert entry.before["contact_name"] == ""
    assert entry.after["contact_name"] == "李四"
    assert entry.organisation == org_tree.org_a1
    assert entry.actor_name == "a1_staff"


def test_an_update_that_changes_nothing_writes_no_audit(org_tree):
    services.org_update(actor=org_tree.a1_staff, org=org_tree.org_a1, name=org_tree.org_a1.name)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).exists()


def test_staff_cannot_grant_roles(org_tree):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=org_tree.a1_staff,
            user=org_tree.outsider,
            organisation=org_tree.org_a1,
            role=R.STAFF,
        )


def test_admin_grants_and_revokes_inside_the_subtree_with_audit(org_tree):
    membership = services.membership_grant(
        actor=org_tree.county_a_admin,
        user=org_tree.outsider,
        organisation=org_tree.org_a1,
        role=R.JUDGE,
    )
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.GRANT, object_id=str(membership.pk)
    ).exists()
    with pytest.raises(DomainError) as exc:
        services.membership_grant(
            actor=org_tree.county_a_admin,
            user=org_tree.outsider,
            organisation=org_tree.org_a1,
            role=R.JUDGE,
        )
    assert exc.value.code == "duplicate"
    services.membership_revoke(actor=org_tree.county_a_admin, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVOKE).count() == 1


def test_an_admin_cannot_remove_their_own_last_admin_role(org_tree):
    own = Membership.objects.get(user=org_tree.county_a_admin)
    with pytest.raises(DomainError) as exc:
        services.membership_revoke(actor=org_tree.county_a_admin, membership=own)
    assert exc.value.code == "self_revoke"


def test_member_create_checks_every_field_and_saves_nothing_on_error(org_tree):
    make_user("taken", mobile="13900000000")
    with pytest.raises(DomainError) as exc:
        services.member_create(
            actor=org_tree.county_a_admin,
            organisation=org_tree.org_a1,
            role=R.STAFF,
            username="taken",
            name="",
            mobile="13900000000",
            password="123",
        )
    assert set(exc.value.fields) == {"username", "name", "mobile", "password"}
    assert Membership.objects.filter(organisation=org_tree.org_a1).count() == 1


def test_member_create_makes_an_account_with_a_role(org_tree):
    membership = services.member_create(
        actor=org_tree.county_a_admin,
        organisation=org_tree.org_a1,
        role=R.TEAM_LEADER,
        username="new_leader",
        name="王队长",
        mobile="13911112222",
        password="a-long-pass-phrase",
    )
    assert membership.user.check_password("a-long-pass-phrase")
    assert membership.granted_by == org_tree.county_a_admin


def test_grant_by_login_finds_people_by_mobile(org_tree):
    person = make_user("person", mobile="13933334444")
    services.membership_grant(
        actor=org_tree.root, user=person, organisation=org_tree.org_a1, role=R.STAFF
    )
    membership = services.membership_grant_by_login(
        actor=org_tree.county_a_admin,
        login="13933334444",
        organisation=org_tree.org_a1,
        role=R.REPORTER,
    )
    assert membership.user == person
    with pytest.raises(DomainError) as exc:
        services.membership_grant_by_login(
            actor=org_tree.county_a_admin,
            login="nobody",
            organisation=org_tree.org_a1,
            role=R.REPORTER,
        )
    assert "login" in exc.value.fields


def test_grant_by_login_cannot_reach_people_of_other_subtrees(org_tree):
    for login in ["b1_staff", "outsider"]:
        with pytest.raises(DomainError) as exc:
            services.membership_grant_by_login(
                actor=org_tree.county_a_admin,
                login=login,
                organisation=org_tree.org_a1,
                role=R.JUDGE,
            )
        assert "login" in exc.value.fields
    assert not Membership.objects.filter(organisation=org_tree.org_a1, role=R.JUDGE).exists()


@pytest.mark.parametrize(("field", "value"), [("region", "140500"), ("is_active", False)])
def test_only_the_level_above_changes_a_nodes_region_or_switches_it_off(org_tree, field, value):
    if field == "region":
        value = region(value)
    with pytest.raises(DomainError) as exc:  # on the node their own role sits on
        services.org_update(actor=org_tree.county_a_admin, org=org_tree.county_a, **{field: value})
    assert exc.value.code == "forbidden"
    org_tree.county_a.refresh_from_db()
    assert org_tree.county_a.is_active and org_tree.county_a.region.code == "140525"


def test_a_county_admin_switches_off_an_organisation_below(org_tree):
    services.org_update(actor=org_tree.county_a_admin, org=org_tree.org_a1, is_active=False)
    org_tree.org_a1.refresh_from_db()
    assert not org_tree.org_a1.is_active


def test_a_region_must_still_hold_the_whole_subtree(org_tree):
    make_org(org_tree.root, org_tree.org_a1, "巴公所", K.INSTITUTE, "140525108")
    with pytest.raises(DomainError) as exc:
        services.org_update(
            actor=org_tree.county_a_admin, org=org_tree.org_a1, region=region("140525100")
        )
    assert exc.value.code == "region_outside_subtree"


def test_the_audit_log_reads_in_chinese_without_bookkeeping(org_tree):
    services.org_update(actor=org_tree.a1_staff, org=org_tree.org_a1, contact_name="李四")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert entry.changes() == [("联系人", "", "李四")]
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).first()
    labels = [label for label, _old, _new in created.changes()]
    assert "名称" in labels and "path" not in labels and "id" not in labels
