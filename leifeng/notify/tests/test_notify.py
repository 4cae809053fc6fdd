import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import grant
from leifeng.core.errors import DomainError
from leifeng.notify import senders, services
from leifeng.notify.kinds import EMAIL, JOB_FINISHED, ROLE_GRANTED, SMS, VERIFICATION_CODE
from leifeng.notify.models import ChannelPreference, Delivery, Notification
from leifeng.orgs.models import Membership

CODE_CONTEXT = {"brand": "志爱晋城", "code": "123456", "minutes": 5}


def send_code(mobile: str, n: int) -> Delivery | None:
    return services.sms_send(
        mobile=mobile, kind=VERIFICATION_CODE, context=CODE_CONTEXT, event_key=f"code:{n}"
    )


def send_news(mobile: str, n: int) -> Delivery | None:
    """An SMS that keeps (unlike a code, which expires)."""
    context = {"actor": "王文明", "role": "工作人员", "organisation": "泽州县文明办"}
    return services.sms_send(mobile=mobile, kind=ROLE_GRANTED, context=context, event_key=f"r:{n}")


def test_a_role_grant_reaches_the_inbox_and_email_after_commit(
    org_tree, django_capture_on_commit_callbacks
):
    org_tree.outsider.email = "person@example.org"
    org_tree.outsider.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        grant(org_tree.county_a_admin, org_tree.outsider, org_tree.org_a1, Membership.Role.STAFF)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    notification = Notification.objects.get(recipient=org_tree.outsider)
    assert "泽州县新时代文明实践中心" in notification.title
    assert notification.url == reverse("orgs:detail", args=[org_tree.org_a1.pk])
    assert Delivery.objects.get(channel=EMAIL).status == Delivery.Status.SENT
    assert mail.outbox[0].to == ["person@example.org"]
    assert mail.outbox[0].subject == notification.title


def test_nothing_is_sent_when_the_transaction_rolls_back(
    org_tree, django_capture_on_commit_callbacks
):
    org_tree.outsider.email = "person@example.org"
    org_tree.outsider.save()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        grant(org_tree.county_a_admin, org_tree.outsider, org_tree.org_a1, Membership.Role.STAFF)
        raise RuntimeError("the change fails after the notification was written")
    assert callbacks == []
    assert not Notification.objects.filter(recipient=org_tree.outsider).exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_repeated_event_is_told_once(org_tree, django_capture_on_commit_callbacks):
    org_tree.outsider.email = "person@example.org"
    org_tree.outsider.save()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(
                recipients=[org_tree.outsider],
                kind=JOB_FINISHED,
                context={"job": "导出", "outcome": "完成"},
                event_key="jobs.finished:1:1",
            )
    assert Notification.objects.filter(event_key="jobs.finished:1:1").count() == 1
    assert Delivery.objects.count() == 0  # e-mail is not a default for this kind


def test_people_choose_channels_but_not_required_ones(org_tree):
    user = org_tree.outsider
    user.email, user.mobile = "p@example.org", "13800000099"
    user.save()
    assert services.channels_for(user, ROLE_GRANTED) == {EMAIL}
    services.preferences_save(
        user=user,
        choices={
            (ROLE_GRANTED.key, EMAIL): False,
            (ROLE_GRANTED.key, SMS): True,
            (VERIFICATION_CODE.key, SMS): False,
        },
    )
    assert services.channels_for(user, ROLE_GRANTED) == {SMS}
    assert services.channels_for(user, VERIFICATION_CODE) == {SMS}
    assert not ChannelPreference.objects.filter(kind=VERIFICATION_CODE.key).exists()


def test_the_preferences_page_saves_choices(client, org_tree):
    client.force_login(org_tree.outsider)
    body = client.get(reverse("notify:preferences")).content.decode()
    assert "短信" in body
    client.post(reverse("notify:preferences"), {f"{ROLE_GRANTED.key}:sms": "on"})
    assert services.channels_wanted(org_tree.outsider, ROLE_GRANTED) == {SMS}


class Flaky:
    def __init__(self, error):
        self.error, self.calls = error, 0

    def send(self, message):
        self.calls += 1
        raise self.error


def test_temporary_failures_back_off_then_fail_for_staff_to_see(db, monkeypatch):
    flaky = Flaky(senders.TemporarySendError("provider busy"))
    monkeypatch.setattr(services, "sender_for", lambda channel: flaky)
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        delivery = send_news("13800000001", 1)
        for _ in range(services.MAX_ATTEMPTS):
            services.deliveries_send_due()
            delivery.refresh_from_db()
            if delivery.status == Delivery.Status.PENDING:
                waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds()))
                assert services.delivery_send(delivery.pk) == Delivery.Status.PENDING  # not due
                clock.move_to(delivery.next_attempt_at)
    assert waits == [60, 300, 1500, 7500]
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS == flaky.calls
    assert delivery.last_error == "provider busy"


def test_permanent_failures_are_not_retried(db, monkeypatch):
    flaky = Flaky(senders.PermanentSendError("isv.MOBILE_NUMBER_ILLEGAL"))
    monkeypatch.setattr(services, "sender_for", lambda channel: flaky)
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == Delivery.Status.FAILED
    assert services.deliveries_send_due() == 0
    assert flaky.calls == 1


def test_staff_retry_a_failed_delivery(org_tree, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "sender_for", lambda c: Flaky(senders.PermanentSendError("x")))
    delivery = send_code("13800000001", 1)
    services.delivery_send(delivery.pk)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(delivery=delivery, actor=org_tree.root)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_every_kind_renders_its_chinese_text():
    import re

    from leifeng.notify.kinds import KINDS

    for kind in KINDS.values():
        names = re.findall(r"%\((\w+)\)s", f"{kind.title} {kind.body}")
        title, body = kind.render(dict.fromkeys(names, "某"))
        assert title and body and "%(" not in title + body


def test_a_bad_mobile_number_is_refused_in_chinese(db):
    with pytest.raises(DomainError) as exc:
        services.sms_send(
            mobile="+86 138-0000-0000", kind=VERIFICATION_CODE, context=CODE_CONTEXT, event_key="x"
        )
    assert "mobile" in exc.value.fields
    assert not Delivery.objects.exists()


def test_one_broken_delivery_does_not_stop_the_sweep(db, monkeypatch):
    broken, good = send_news("13800000001", 1), send_news("13800000002", 2)
    real = services._claim

    def claim(delivery_id, now):
        if delivery_id == broken.pk:
            raise RuntimeError("broken row")
        return real(delivery_id, now)

    monkeypatch.setattr(services, "_claim", claim)
    assert services.deliveries_send_due() == 1
    broken.refresh_from_db()
    good.refresh_from_db()
    assert (broken.status, good.status) == ("failed", "sent")


def test_codes_expire_instead_of_being_retried_late(db, monkeypatch):
    monkeypatch.setattr(services, "sender_for", lambda c: Flaky(senders.TemporarySendError("busy")))
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == "pending"
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert services.deliveries_send_due() == 0
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "过期" in delivery.last_error


def test_a_sent_code_is_wiped_from_the_records(db):
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert "123456" not in delivery.body + str(delivery.context)


def test_a_codes_number_is_masked_once_the_hourly_limit_no_longer_needs_it(db):
    code, news = send_code("13800000001", 1), send_news("13800000002", 1)
    for delivery in (code, news):
        services.delivery_send(delivery.pk)
    assert services.deliveries_forget_secrets() == 0  # still counted for the hourly limit
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert services.deliveries_forget_secrets() == 1
        assert services.deliveries_forget_secrets() == 0
    code.refresh_from_db()
    news.refresh_from_db()
    assert code.address == "138****0001"
    assert news.address == "13800000002"  # a message that may be sent again keeps its number


def test_over_the_limit_a_message_that_keeps_waits_for_the_next_hour(db, settings):
    settings.SMS_MAX_PER_HOUR = 1
    assert services.delivery_send(send_news("13800000001", 1).pk) == "sent"
    waiting = send_news("13800000001", 2)
    assert services.delivery_send(waiting.pk) == "pending"
    waiting.refresh_from_db()
    assert waiting.attempts == 0
    assert waiting.next_attempt_at >= timezone.now() + timedelta(minutes=59)
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert services.deliveries_send_due() == 1


def test_sms_are_limited_per_number_per_hour(db, settings):
    settings.SMS_MAX_PER_HOUR = 3
    sent = [services.delivery_send(send_code("13800000001", n).pk) for n in range(4)]
    assert sent == ["sent", "sent", "sent", "failed"]
    assert "3" in Delivery.objects.get(event_key="code:3").last_error
    assert services.delivery_send(send_code("13800000002", 9).pk) == "sent"  # another number
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert services.delivery_send(send_code("13800000001", 5).pk) == "sent"


def test_inbox_lists_marks_read_and_counts_unread(client, org_tree):
    Notification.objects.update(read_at=timezone.now())  # the fixture's role grants
    for n in range(3):
        services.notify(
            recipients=[org_tree.a1_staff],
            kind=JOB_FINISHED,
            context={"job": f"任务{n}", "outcome": "完成"},
            event_key=f"e{n}",
            url="/jobs/",
        )
    client.force_login(org_tree.a1_staff)
    body = client.get(reverse("home")).content.decode()
    assert '<span class="badge"' in body and ">3</span>" in body
    first = Notification.objects.filter(recipient=org_tree.a1_staff).first()
    response = client.post(reverse("notify:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "unread" not in response.content.decode()
    assert client.get(reverse("notify:open", args=[first.pk])).url == "/jobs/"
    client.post(reverse("notify:read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


# ---- The real SMS provider adapter, against a local fake of its HTTP API ----------------------


def rfc3986(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


class FakeAliyun(BaseHTTPRequestHandler):
    """Checks the request the way the provider documents it and answers like it."""

    secret = "fake-secret"
    answer: dict = {}
    seen: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        FakeAliyun.seen.append(params)
        signature = params.pop("Signature")
        query = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in sorted(params.items()))
        to_sign = "POST&%2F&" + rfc3986(query)
        import base64
        import hashlib
        import hmac

        expected = base64.b64encode(
            hmac.new(f"{self.secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if signature != expected:
            status, body = 400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
        else:
            status, body = 200, FakeAliyun.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def aliyun(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAliyun)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_SENDER = "aliyun"
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "fake-id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = FakeAliyun.secret
    settings.ALIYUN_SMS_SIGN_NAME = "志爱晋城"
    settings.ALIYUN_SMS_TEMPLATES = {VERIFICATION_CODE.key: "SMS_000001"}
    FakeAliyun.seen = []
    yield FakeAliyun
    server.shutdown()


def test_aliyun_adapter_sends_a_signed_request(db, aliyun):
    aliyun.answer = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == Delivery.Status.SENT
    delivery.refresh_from_db()
    assert delivery.provider_id == "900619746936498440^0"
    params = aliyun.seen[0]
    assert params["Action"] == "SendSms" and params["PhoneNumbers"] == "13800000001"
    assert params["SignName"] == "志爱晋城" and params["TemplateCode"] == "SMS_000001"
    assert json.loads(params["TemplateParam"]) == {
        "brand": "志爱晋城",
        "code": "123456",
        "minutes": "5",
    }


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", "pending"),
        ("isp.SYSTEM_ERROR", "pending"),
        ("isv.MOBILE_NUMBER_ILLEGAL", "failed"),
        ("isv.SMS_TEMPLATE_ILLEGAL", "failed"),
    ],
)
def test_aliyun_error_codes_decide_whether_to_retry(db, aliyun, code, status):
    aliyun.answer = {"Code": code, "Message": "..."}
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == status
    delivery.refresh_from_db()
    assert delivery.last_error.startswith(code)


def test_aliyun_adapter_with_a_wrong_secret_fails_for_good(db, aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "wrong"
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == Delivery.Status.FAILED
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("SignatureDoesNotMatch")


def test_a_kind_without_a_template_fails_with_a_clear_error(db, aliyun, settings):
    settings.ALIYUN_SMS_TEMPLATES = {}
    delivery = send_code("13800000001", 1)
    assert services.delivery_send(delivery.pk) == Delivery.Status.FAILED
    delivery.refresh_from_db()
    assert "ALIYUN_SMS_TEMPLATES" in delivery.last_error
    assert aliyun.seen == []


# ---- Concurrency: real parallel transactions (PostgreSQL) -------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
)


def in_parallel(func, count: int = 2) -> list:
    from django.db import connections

    barrier, results = threading.Barrier(count), []

    def run():
        try:
            barrier.wait()
            results.append(func())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class Counting:
    def __init__(self):
        self.sent, self.lock = [], threading.Lock()

    def send(self, message):
        with self.lock:
            self.sent.append(message.address)
        return "id"


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sending_the_same_delivery_send_it_once(monkeypatch):
    counting = Counting()
    monkeypatch.setattr(services, "sender_for", lambda channel: counting)
    deliveries = [send_code(f"1380000000{n}", n) for n in range(5)]
    for delivery in deliveries:
        in_parallel(lambda d=delivery: services.delivery_send(d.pk))
    assert sorted(counting.sent) == sorted(d.address for d in deliveries)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sms_to_one_number_respect_the_limit(monkeypatch, settings):
    settings.SMS_MAX_PER_HOUR = 2
    counting = Counting()
    monkeypatch.setattr(services, "sender_for", lambda channel: counting)
    deliveries = [send_code("13800000001", n) for n in range(6)]
    for pair in (deliveries[0:2], deliveries[2:4], deliveries[4:6]):
        iterator = iter(pair)
        in_parallel(lambda it=iterator: services.delivery_send(next(it).pk))
    assert len(counting.sent) == 2
