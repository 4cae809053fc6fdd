"""The rollup job running while hours are credited, and two reviewers deciding one report at
once (PostgreSQL only: SQLite runs one writer at a time). Each thread has its own connection
and transaction; a barrier releases them together.

These tests commit for real, so they use a transactional test database; the rows shipped by data
migrations are restored afterwards.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from conftest import grant
from leifeng.activities.tests.test_concurrency import CROWD_LOCK, at_once
from leifeng.core.errors import DomainError
from leifeng.hours import services as hours_services
from leifeng.reports import rollups, services
from leifeng.reports.models import Report
from leifeng.reports.tests.conftest import at, volunteer_in

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def one_crowd_at_a_time(transactional_db, clock):
    """The same advisory lock as the other apps' crowds keeps connections well below the limit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [CROWD_LOCK])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [CROWD_LOCK])


def crediting(tree, volunteer, organisation, dom: int):
    return lambda: hours_services.manual_credit(
        actor=tree.root,
        organisation=organisation,
        volunteer=volunteer,
        content="社区环境清洁",
        started_at=at(date(2026, 7, dom), 8),
        ended_at=at(date(2026, 7, dom), 10),
        hours=Decimal(2),
    )


def test_the_rollup_job_running_while_hours_are_credited_loses_no_change(org_tree):
    volunteers = [volunteer_in(n, county_b=n % 2 == 0) for n in range(1, 7)]
    rollups.refresh()
    orgs = [org_tree.org_a1, org_tree.org_b1]
    calls = [crediting(org_tree, v, orgs[i % 2], 20 + i % 3) for i, v in enumerate(volunteers)]
    results = at_once([rollups.refresh, rollups.refresh, *calls])
    assert not any(isinstance(r, DomainError) for r in results)
    rollups.refresh()  # for the credits that committed after the first run read its marks
    assert rollups.differences() == []
    total = services.organisation_figures(org_tree.city, date(2026, 7, 20), date(2026, 7, 31))
    assert total[("hours", "")] == 12 and total[("volunteers", "")] == 6


def test_two_reviewers_deciding_one_report_at_once_one_wins(offices):
    tree = offices.tree
    second_admin = type(tree.city_admin).objects.create_user(username="city_admin_2")
    grant(tree.root, second_admin, tree.city, "admin")
    [_first, _second, third] = services.year_create(
        actor=tree.city_admin, organisation=tree.city, year=2026
    )
    report = Report.objects.get(period=third, organisation=tree.county_a)
    report = services.report_save(
        actor=offices.a_reporter,
        report=report,
        narrative="<p>本期开展志愿服务。</p>",
        contact_name="王芳",
        contact_phone="0356-1234567",
    )
    services.report_submit(actor=offices.a_reporter, report=report)

    def mine():
        return Report.objects.get(pk=report.pk)

    results = at_once(
        [
            lambda: services.report_accept(actor=tree.city_admin, report=mine()),
            lambda: services.report_return(actor=second_admin, report=mine(), comment="请补充"),
        ]
    )
    won = [r for r in results if isinstance(r, Report)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].code == "conflict"
    report.refresh_from_db()
    assert report.status == won[0].status
    decisions = report.events.filter(action__in=["accepted", "returned"])
    assert decisions.count() == 1


def test_two_rollup_runs_recomputing_the_same_days_take_turns(org_tree):
    """Without the store lock the second run's INSERT broke the unique constraint."""
    for n in range(1, 4):
        volunteer_in(n)
    for _ in range(10):
        rollups.mark_dirty(date(2026, 7, 1), date(2026, 7, 28))
        rollups.mark_dirty(date(2026, 7, 1), date(2026, 7, 28))
        at_once([rollups.refresh, rollups.refresh])
    assert rollups.differences() == []
