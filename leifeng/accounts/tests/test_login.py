import subprocess
import sys

import pytest
from django.urls import reverse

from conftest import PASSWORD, make_user
from leifeng.accounts.models import AccessToken
from leifeng.accounts.services import hash_token, token_authenticate, token_create, token_revoke
from leifeng.core.errors import DomainError
from leifeng.orgs.models import Membership


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_log_in_by_user_name_and_log_out(client, org_tree):
    response = login(client, "county_a_admin")
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "泽州县文明办" in home
    assert "城区文明办" not in home
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_log_in_by_mobile_number(client, db):
    make_user("mobile_person", mobile="13812345678")
    assert login(client, "13812345678").status_code == 302
    assert client.session["_auth_user_id"]


def test_wrong_password_gets_a_chinese_message(client, db):
    make_user("someone")
    response = login(client, "someone", "wrong")
    assert response.status_code == 200
    assert "密码" in response.content.decode()


def test_repeated_failures_lock_the_log_in(client, db, settings):
    make_user("target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "target", "wrong")
    response = login(client, "target", PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert "分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_production_settings_hash_passwords_with_argon2():
    import config.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_switching_organisation_changes_the_home_tree(client, org_tree):
    from conftest import grant

    grant(org_tree.root, org_tree.county_a_admin, org_tree.county_b, Membership.Role.STAFF)
    client.force_login(org_tree.county_a_admin)
    second = Membership.objects.get(user=org_tree.county_a_admin, organisation=org_tree.county_b)
    response = client.post(reverse("accounts:switch"), {"membership": second.pk})
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "城区新时代文明实践中心" in home
    assert "泽州县新时代文明实践中心" not in home


def test_switching_to_someone_elses_role_is_not_found(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    theirs = Membership.objects.get(user=org_tree.county_b_admin)
    assert client.post(reverse("accounts:switch"), {"membership": theirs.pk}).status_code == 404


def test_tokens_are_shown_once_and_stored_hashed(db):
    user = make_user("api_user")
    row, token = token_create(actor=user, name="小程序")
    assert token.startswith("lf_")
    assert not AccessToken.objects.filter(token_hash=token).exists()
    assert AccessToken.objects.get(pk=row.pk).token_hash == hash_token(token)
    assert token_authenticate(token) == user
    token_revoke(actor=user, token=row)
    assert token_authenticate(token) is None


def test_tokens_are_only_their_owners(client, db):
    owner, other = make_user("owner"), make_user("other")
    row, _token = token_create(actor=owner, name="x")
    client.force_login(other)
    assert client.post(reverse("accounts:token-revoke", args=[row.pk])).status_code == 404
    with pytest.raises(DomainError):
        token_revoke(actor=other, token=row)
    assert AccessToken.objects.get(pk=row.pk).revoked_at is None


def test_token_page_creates_a_token_and_shows_it_once(client, db):
    client.force_login(make_user("page_user"))
    body = client.post(reverse("accounts:tokens"), {"name": "脚本"}).content.decode()
    row = AccessToken.objects.get(name="脚本")
    assert row.prefix in body
    assert client.get(reverse("accounts:tokens")).content.decode().count("lf_") == 1  # prefix only


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"LOGIN_FAILURE_LIMIT": "five"}, "LOGIN_FAILURE_LIMIT"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"ALIYUN_SMS_TEMPLATES": "[]"}, "ALIYUN_SMS_TEMPLATES"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_SSL"),
        ({"SMS_SENDER": "aliyun"}, "SMS_SENDER"),
    ],
)
def test_bad_settings_stop_the_start_with_a_clear_message(env, message, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env={"PATH": "/usr/bin:/bin", "LEIFENG_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_behind_a_proxy_the_lock_is_per_real_client(client, db, settings):
    settings.PROXY_COUNT = 1
    make_user("shared")
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "shared", "password": "x"}, **attacker)
    owner = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    response = client.post(
        reverse("accounts:login"), {"username": "shared", "password": PASSWORD}, **owner
    )
    assert response.status_code == 302
