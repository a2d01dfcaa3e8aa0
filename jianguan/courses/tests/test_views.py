"""课程与班级 pages: the institution's self-service page, the staff's read pages, who may and who may not."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jianguan.courses.models import ClassGroup, Course


def test_institution_page_shows_the_weekly_pattern_and_times(district, client_for, class_group):
    response = client_for("institution").get(reverse("courses:institution", args=[district.institutions["a"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "周一、周三、周五" in html
    assert "18:00–19:30" in html
    assert "王老师" in html
    assert 'data-testid="class-new"' in html  # the institution keeps its own


def test_readers_see_the_page_without_the_buttons(district, client_for, class_group):
    response = client_for("edu_officer").get(reverse("courses:institution", args=[district.institutions["a"].pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "周末提高班" in html
    assert 'data-testid="course-new"' not in html
    assert reverse("courses:class_edit", args=[class_group.pk]) not in html


def test_street_officer_of_another_street_gets_404(district, client_for, class_group):
    url = reverse("courses:institution", args=[district.institutions["a"].pk])
    assert client_for("street_b").get(url).status_code == 404


def test_district_list_is_scoped_and_filtered(district, client_for, class_group):
    from jianguan.courses import services

    other_course = services.course_create(
        actor=district.users["admin"], institution=district.institutions["b"], name="午间托管", subject="托管"
    )
    today = timezone.localdate()
    services.class_create(
        actor=district.users["admin"], institution=district.institutions["b"], course=other_course, name="午托一班",
        capacity=30, start_date=today - timedelta(days=100), end_date=today - timedelta(days=1), weekdays="12345",
        start_time=class_group.start_time, end_time=class_group.end_time,
    )  # fmt: skip
    url = reverse("courses:class_list")
    lead = client_for("lead").get(url).content.decode()
    assert "周末提高班" in lead and "午托一班" in lead
    assert "周一、周二、周三、周四、周五" in lead
    street_b = client_for("street_b").get(url).content.decode()
    assert "午托一班" in street_b and "周末提高班" not in street_b
    institution = client_for("institution").get(url).content.decode()
    assert "周末提高班" in institution and "午托一班" not in institution
    assert "周末提高班" not in client_for("lead").get(url, {"academic": "0"}).content.decode()
    assert "午托一班" not in client_for("lead").get(url, {"state": "current"}).content.decode()
    assert "午托一班" in client_for("lead").get(url, {"state": "ended", "q": "午托"}).content.decode()
    assert client_for("lead").get(url, {"state": "nonsense"}).status_code == 400
    assert client_for("lead").get(url, {"street": "x"}).status_code == 400


def test_institution_adds_a_course_and_a_class_from_its_phone(district, client_for, teacher):
    client = client_for("institution")
    pk = district.institutions["a"].pk
    response = client.post(
        reverse("courses:course_new", args=[pk]), {"name": "少儿美术", "subject": "美术", "mode": "offline"}
    )
    assert response.status_code == 302
    course = Course.objects.get(name="少儿美术")
    assert course.academic is False
    response = client.post(reverse("courses:class_new", args=[pk]), {
        "course": course.pk, "name": "周六班", "teacher": teacher.pk, "capacity": "12", "start_date": "2026-09-01",
        "end_date": "2027-01-15", "weekdays": ["6"], "start_time": "09:00", "end_time": "10:30",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ClassGroup.objects.get(name="周六班").weekdays == "6"


def test_a_bad_class_form_comes_back_with_chinese_errors(district, client_for, course):
    response = client_for("institution").post(reverse("courses:class_new", args=[district.institutions["a"].pk]), {
        "course": course.pk, "name": "坏班", "capacity": "-1", "start_date": "2026-02-30", "end_date": "2026-01-01",
        "weekdays": ["9"], "start_time": "19:00", "end_time": "18:00",
    })  # fmt: skip
    assert response.status_code == 400
    assert not ClassGroup.objects.exists()
    html = response.content.decode()
    for message in ("确保该值大于或等于1", "输入一个有效的日期", "不在可用的选项中", "下课时间应晚于上课时间"):
        assert message in html


def test_another_institutions_course_is_not_offered_or_accepted(district, client_for, course):
    from jianguan.courses import services

    other = services.course_create(
        actor=district.users["admin"], institution=district.institutions["b"], name="午间托管", subject="托管"
    )
    client = client_for("institution")
    page = client.get(reverse("courses:class_new", args=[district.institutions["a"].pk])).content.decode()
    assert "午间托管" not in page
    response = client.post(reverse("courses:class_new", args=[district.institutions["a"].pk]), {
        "course": other.pk, "name": "偷班", "capacity": "10", "start_date": "2026-09-01", "end_date": "2026-10-01",
        "weekdays": ["1"], "start_time": "18:00", "end_time": "19:00",
    })  # fmt: skip
    assert response.status_code == 400 and not ClassGroup.objects.exists()
    assert client.get(reverse("courses:course_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("courses:class_new", args=[district.institutions["b"].pk])).status_code == 404


def test_stale_class_form_is_refused_with_a_message(district, client_for, class_group):
    client = client_for("institution")
    url = reverse("courses:class_edit", args=[class_group.pk])
    data = {
        "version": "1", "course": class_group.course_id, "name": "改名班", "capacity": "21",
        "start_date": class_group.start_date.isoformat(), "end_date": class_group.end_date.isoformat(),
        "weekdays": ["2", "4"], "start_time": "18:00", "end_time": "19:30",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert ClassGroup.objects.get(pk=class_group.pk).weekdays == "24"
    response = client.post(url, {**data, "name": "再改"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert ClassGroup.objects.get(pk=class_group.pk).name == "改名班"


def test_end_and_delete_buttons(district, client_for, class_group):
    client = client_for("institution")
    client.post(reverse("courses:class_end", args=[class_group.pk]), {"version": "1"})
    assert ClassGroup.objects.get(pk=class_group.pk).end_date == timezone.localdate()
    response = client.post(reverse("courses:class_delete", args=[class_group.pk]), {"version": "1"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    client.post(reverse("courses:class_delete", args=[class_group.pk]), {"version": "2"})
    assert not ClassGroup.objects.filter(pk=class_group.pk).exists()


def test_institution_detail_links_to_courses_and_fees(district, client_for):
    html = (
        client_for("institution")
        .get(reverse("registry:institution_detail", args=[district.institutions["a"].pk]))
        .content.decode()
    )
    assert reverse("courses:institution", args=[district.institutions["a"].pk]) in html
    assert reverse("fees:institution", args=[district.institutions["a"].pk]) in html


def test_a_teacher_who_left_stays_on_the_class_form(district, client_for, class_group, teacher):
    from datetime import date

    teacher.end_date = date(2026, 1, 31)
    teacher.save()
    html = client_for("institution").get(reverse("courses:class_edit", args=[class_group.pk])).content.decode()
    assert f'<option value="{teacher.pk}" selected>' in html
    assert 'name="teacher"' in html
    new_form = client_for("institution").get(reverse("courses:class_new", args=[district.institutions["a"].pk]))
    assert "王老师" not in new_form.content.decode()


def test_the_lists_query_count_does_not_grow_with_rows(district, client_for, course, teacher):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jianguan.courses import services

    from .conftest import class_fields

    def count(url: str) -> int:
        client = client_for("lead")
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            services.class_create(
                actor=district.users["admin"], institution=district.institutions["a"],
                **class_fields(course, name=f"班{i}-{ClassGroup.objects.count()}", teacher=teacher),
            )  # fmt: skip

    add(1)
    urls = [reverse("courses:class_list"), reverse("courses:institution", args=[district.institutions["a"].pk])]
    few = [count(u) for u in urls]
    add(6)
    assert [count(u) for u in urls] == few
