"""Photos of an activity: its organiser uploads several at once once it is published, sees them
on the activity's page and removes one; the files are served only after an access check, never
from /media/. Other counties see nothing (404). Units later pick them for their reports."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from PIL import Image

from leifeng.activities import services
from leifeng.activities.models import Activity, ActivityPhoto
from leifeng.activities.tests.conftest import make_activity
from leifeng.audit.models import AuditEntry
from leifeng.core.errors import DomainError
from leifeng.core.tests.apitest import CHINESE, Api, assert_error, auth, ok

BASE = "/api/v1/activities"
API = Api(BASE)


def photo(kind: str = "PNG", name: str = "现场.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 40, 40)).save(out, kind)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{kind.lower()}")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def add(actor, activity, *files, caption: str = ""):
    return services.activity_photos_add(
        actor=actor, activity=activity, photos=list(files), caption=caption
    )


# --- services --------------------------------------------------------------------------------


def test_jpeg_png_and_webp_photos_are_added_together_with_one_caption_and_audited(
    org_tree, activity, media
):
    added = add(
        org_tree.a1_staff,
        activity,
        photo("JPEG", "a.jpg"),
        photo("PNG", "b.png"),
        photo("WEBP", "c.webp"),
        caption="  志愿者在路口劝导  ",
    )
    assert [p.image.name.rsplit(".", 1)[-1] for p in added] == ["jpg", "png", "webp"]
    assert all(p.image.name.startswith("activities/") for p in added)
    assert {p.caption for p in added} == {"志愿者在路口劝导"}
    assert {p.uploaded_by for p in added} == {org_tree.a1_staff}
    assert list(activity.photos.all()) == added
    assert len(stored(media)) == 3
    entries = AuditEntry.objects.filter(object_type="activities.activityphoto")
    assert entries.filter(action=AuditEntry.Action.CREATE).count() == 3
    assert {e.organisation for e in entries} == {org_tree.org_a1}


def test_a_photo_is_read_by_its_bytes_not_its_name(org_tree, activity, media):
    [added] = add(org_tree.a1_staff, activity, photo("JPEG", "名字是png.png"))
    assert added.image.name.endswith(".jpg")


@pytest.mark.parametrize(
    "bad",
    [
        lambda: SimpleUploadedFile("假照片.jpg", "这不是图片".encode()),
        lambda: photo("GIF", "动图.gif"),
        lambda: SimpleUploadedFile("空.png", b""),
        lambda: SimpleUploadedFile("总结.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
    ],
)
def test_files_that_are_not_photos_are_refused_in_chinese_and_nothing_is_saved(
    org_tree, activity, media, bad
):
    with pytest.raises(DomainError) as exc:
        add(org_tree.a1_staff, activity, photo(), bad())
    assert exc.value.code == "invalid" and CHINESE.search(exc.value.fields["photos"])
    assert not ActivityPhoto.objects.exists() and stored(media) == []


def test_a_photo_over_10_mb_is_refused(org_tree, activity, media):
    big = photo(name="大照片.png")
    big.size = 10 * 1024 * 1024 + 1
    with pytest.raises(DomainError) as exc:
        add(org_tree.a1_staff, activity, big)
    assert exc.value.code == "invalid"
    assert "大照片.png" in exc.value.message and "10 MB" in exc.value.message
    assert not ActivityPhoto.objects.exists()


def test_no_files_is_refused(org_tree, activity, media):
    with pytest.raises(DomainError) as exc:
        add(org_tree.a1_staff, activity)
    assert exc.value.code == "invalid" and "photos" in exc.value.fields


def test_an_activity_keeps_at_most_30_photos(org_tree, activity, media):
    add(org_tree.a1_staff, activity, *[photo() for _ in range(28)])
    with pytest.raises(DomainError) as exc:
        add(org_tree.a1_staff, activity, photo(), photo(), photo())
    assert exc.value.code == "invalid" and "30" in exc.value.message
    assert "2" in exc.value.fields["photos"]
    assert activity.photos.count() == 28
    add(org_tree.a1_staff, activity, photo(), photo())
    with pytest.raises(DomainError):
        add(org_tree.a1_staff, activity, photo())
    assert activity.photos.count() == services.PHOTOS_MAX == 30


def test_drafts_and_cancelled_activities_take_no_photos(org_tree, media):
    staff = org_tree.a1_staff
    draft = make_activity(staff, org_tree.org_a1, publish=False, title="草稿活动")
    cancelled = make_activity(staff, org_tree.org_a1, title="取消的活动")
    services.activity_cancel(actor=staff, activity=cancelled, reason="天气原因")
    for refused in (draft, cancelled):
        with pytest.raises(DomainError) as exc:
            add(staff, refused, photo())
        assert exc.value.code == "conflict" and CHINESE.search(exc.value.fields["photos"])
    assert not ActivityPhoto.objects.exists() and stored(media) == []


def test_running_and_finished_activities_take_photos(org_tree, media):
    staff = org_tree.a1_staff
    running = make_activity(staff, org_tree.org_a1, title="进行中的活动")
    Activity.objects.filter(pk=running.pk).update(status=Activity.Status.IN_PROGRESS)
    finished = make_activity(staff, org_tree.org_a1, title="已结束的活动")
    services.activity_finish(actor=staff, activity=finished)
    for activity in (running, finished):
        activity.refresh_from_db()
        assert len(add(staff, activity, photo())) == 1


def test_only_managers_of_the_activitys_subtree_add_or_remove_photos(org_tree, activity, media):
    with pytest.raises(Http404):
        add(org_tree.b1_staff, activity, photo())  # another county: as if it did not exist
    with pytest.raises(Http404):
        add(org_tree.outsider, activity, photo())
    [mine] = add(org_tree.county_a_admin, activity, photo())  # the county above manages it
    with pytest.raises(Http404):
        services.activity_photo_remove(actor=org_tree.county_b_admin, photo=mine)
    assert ActivityPhoto.objects.filter(pk=mine.pk).exists()


def test_view_only_roles_may_not_add_photos(org_tree, activity, media):
    from conftest import grant, make_user
    from leifeng.orgs.models import Membership

    viewer = make_user("viewer")
    grant(org_tree.root, viewer, org_tree.org_a1, Membership.Role.REPORTER)
    with pytest.raises(PermissionDenied):  # sees the activity, may not change it
        add(viewer, activity, photo())
    assert not ActivityPhoto.objects.exists()


def test_a_removed_photo_loses_its_file_once_committed_and_is_audited(
    org_tree, activity, media, django_capture_on_commit_callbacks
):
    [kept, removed] = add(org_tree.a1_staff, activity, photo(), photo())
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_photo_remove(actor=org_tree.a1_staff, photo=removed)
    assert list(activity.photos.all()) == [kept]
    assert [p.name for p in stored(media)] == [kept.image.name.rsplit("/", 1)[-1]]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE)
    assert entry.object_id == str(removed.pk) and entry.before["image"] == removed.image.name


# --- pages -----------------------------------------------------------------------------------


def test_the_organiser_uploads_several_photos_sees_them_and_removes_one(
    client, org_tree, activity, media
):
    client.force_login(org_tree.a1_staff)
    page = reverse("activities:manage-detail", args=[activity.pk])
    response = client.post(
        reverse("activities:photo-add", args=[activity.pk]),
        {"photos": [photo(), photo("JPEG", "b.jpg")], "caption": "路口劝导"},
    )
    assert response.status_code == 302 and response.url == page + "#photos"
    first, second = activity.photos.all()
    text = client.get(page).content.decode()
    for item in (first, second):
        assert reverse("activities:photo", args=[item.pk]) in text
        assert reverse("activities:photo-remove", args=[item.pk]) in text
    assert "/media/" not in text and "路口劝导" in text
    shown = client.get(reverse("activities:photo", args=[second.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content)[:2] == b"\xff\xd8"

    response = client.post(reverse("activities:photo-remove", args=[first.pk]))
    assert response.status_code == 302
    assert list(activity.photos.all()) == [second]


def test_a_wrong_file_is_refused_on_the_page_in_chinese(client, org_tree, activity, media):
    client.force_login(org_tree.a1_staff)
    response = client.post(
        reverse("activities:photo-add", args=[activity.pk]),
        {"photos": [SimpleUploadedFile("假.jpg", b"not an image")]},
        follow=True,
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert "假.jpg" in message and CHINESE.search(message)
    assert not ActivityPhoto.objects.exists()


def test_a_draft_offers_no_upload_form(client, org_tree, media):
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False, title="草稿活动")
    client.force_login(org_tree.a1_staff)
    text = client.get(reverse("activities:manage-detail", args=[draft.pk])).content.decode()
    assert reverse("activities:photo-add", args=[draft.pk]) not in text


def test_another_county_gets_404_for_the_photos_pages(client, org_tree, activity, media):
    [item] = add(org_tree.a1_staff, activity, photo())
    client.force_login(org_tree.county_b_admin)
    assert client.get(reverse("activities:photo", args=[item.pk])).status_code == 404
    assert client.post(reverse("activities:photo-remove", args=[item.pk])).status_code == 404
    response = client.post(
        reverse("activities:photo-add", args=[activity.pk]), {"photos": [photo()]}
    )
    assert response.status_code == 404
    assert list(activity.photos.all()) == [item]


# --- API -------------------------------------------------------------------------------------


def test_the_api_uploads_lists_serves_and_removes_photos(client, org_tree, activity, media):
    staff = auth(org_tree.a1_staff)
    url = f"{BASE}/manage/{activity.pk}/photos"
    added = ok(
        client.post(
            url, {"photos": [photo(), photo("WEBP", "c.webp")], "caption": "劝导"}, **staff
        ),
        201,
    )
    assert [item["caption"] for item in added] == ["劝导", "劝导"]
    listed = ok(API.get(client, f"/manage/{activity.pk}/photos", **staff))
    assert [item["id"] for item in listed] == [item["id"] for item in added]
    assert all(item["activity_id"] == activity.pk for item in listed)
    served = client.get(listed[1]["url"], **staff)
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:4] == b"RIFF"

    response = client.delete(f"{BASE}/manage/photos/{added[0]['id']}", **staff)
    assert response.status_code == 204
    assert [
        item["id"] for item in ok(API.get(client, f"/manage/{activity.pk}/photos", **staff))
    ] == [added[1]["id"]]


def test_the_api_refuses_a_file_that_is_not_a_photo_in_chinese(client, org_tree, activity, media):
    response = client.post(
        f"{BASE}/manage/{activity.pk}/photos",
        {"photos": [SimpleUploadedFile("假.png", b"GIF89a....")]},
        **auth(org_tree.a1_staff),
    )
    assert_error(response, 422, "invalid", "photos")
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False, title="草稿活动")
    response = client.post(
        f"{BASE}/manage/{draft.pk}/photos", {"photos": [photo()]}, **auth(org_tree.a1_staff)
    )
    assert_error(response, 409, "conflict", "photos")
    assert not ActivityPhoto.objects.exists()


def test_another_county_gets_404_from_the_photos_api(client, org_tree, activity, media):
    [item] = add(org_tree.a1_staff, activity, photo())
    theirs = auth(org_tree.county_b_admin)
    assert_error(API.get(client, f"/manage/{activity.pk}/photos", **theirs), 404, "not_found")
    response = client.post(f"{BASE}/manage/{activity.pk}/photos", {"photos": [photo()]}, **theirs)
    assert_error(response, 404, "not_found")
    assert_error(client.get(f"{BASE}/manage/photos/{item.pk}/file", **theirs), 404, "not_found")
    assert_error(client.delete(f"{BASE}/manage/photos/{item.pk}", **theirs), 404, "not_found")
    assert list(activity.photos.all()) == [item]
