"""Who may see which report: scope is enforced on every page, drill-down and download, server-side."""

import io

import pytest
from openpyxl import load_workbook

from lms import roles
from lms.models import ManagerScope
from tests.lms.report_scenario import DISTRICT, SITE, Scenario, manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(home_page):
    return Scenario(home_page)


@pytest.fixture
def ashby_manager(s, client):
    user = manager("ashby-manager", roles.SITE_MANAGER, (SITE, s.org.ashby))
    client.force_login(user)
    return user


def report_urls(s, site, district) -> list[str]:
    """Every way of asking for ``site`` or ``district``: page, drill-down, heat map; HTML, CSV and XLSX."""
    urls = []
    for fmt in ("", "csv", "xlsx"):
        suffix = f"&format={fmt}" if fmt else ""
        urls += [
            f"/reports/sites/{site.pk}/?item={s.film.pk}{suffix}",
            f"/reports/sites/{site.pk}/?x=1{suffix}",
            f"/reports/?item={s.film.pk}&district={district.pk}{suffix}",
            f"/reports/?district={district.pk}{suffix}",
            f"/reports/heat-map/?district={district.pk}{suffix}",
        ]
    return urls


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_a_site_manager_cannot_reach_another_site_in_any_way(s, client, ashby_manager):
    for url in report_urls(s, s.org.erith, s.org.kent):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        text = body(response)
        assert "Erith" not in text and "Kent" not in text, url


def test_a_site_manager_sees_only_their_site_even_when_filtering_by_its_district(s, client, ashby_manager):
    page = client.get(f"/reports/?item={s.film.pk}&district={s.org.tyne.pk}")
    assert page.status_code == 200
    assert [row.jobcentre.name for row in page.context["report"].sites] == ["Ashby"]
    assert "Byker" not in page.content.decode()

    csv_text = body(client.get(f"/reports/?item={s.film.pk}&district={s.org.tyne.pk}&format=csv"))
    assert "Ashby" in csv_text
    assert "Byker" not in csv_text and "Cullercoats" not in csv_text

    xlsx = client.get(f"/reports/?item={s.film.pk}&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert "Ashby" in values and "Byker" not in values and "Erith" not in values

    heatmap = client.get(f"/reports/heat-map/?district={s.org.tyne.pk}")
    assert [j.name for j in heatmap.context["heatmap"].jobcentres] == ["Ashby"]


def test_a_learner_is_refused_everywhere(s, client):
    client.force_login(s.a1)
    for url in ["/reports/", *report_urls(s, s.org.ashby, s.org.tyne), "/reports/assignments/"]:
        assert client.get(url).status_code == 403, url


def test_an_anonymous_visitor_is_sent_to_sign_in(s, client):
    for url in ["/reports/", *report_urls(s, s.org.ashby, s.org.tyne)[:5], "/reports/assignments/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=/reports/"), url


def test_a_change_of_scope_takes_effect_at_once(s, client, ashby_manager):
    byker = f"/reports/sites/{s.org.byker.pk}/?item={s.film.pk}"
    assert client.get(byker).status_code == 403

    ManagerScope.objects.filter(user=ashby_manager).update(level=DISTRICT, jobcentre=None, district=s.org.tyne)
    assert client.get(byker).status_code == 200
    page = client.get(f"/reports/?item={s.film.pk}")
    assert [row.jobcentre.name for row in page.context["report"].sites] == ["Ashby", "Byker", "Cullercoats"]

    ManagerScope.objects.filter(user=ashby_manager).delete()
    assert client.get(byker).status_code == 403
    assert client.get(f"/reports/?item={s.film.pk}").context.get("report") is None


def test_several_scopes_are_a_union(s, client):
    user = manager("two-places", roles.DISTRICT_MANAGER, (SITE, s.org.erith), (DISTRICT, s.org.wear))
    client.force_login(user)
    page = client.get(f"/reports/?item={s.film.pk}")
    assert [row.jobcentre.name for row in page.context["report"].sites] == ["Deptford", "Erith"]
    assert client.get(f"/reports/sites/{s.org.ashby.pk}/").status_code == 403
    assert client.get(f"/reports/sites/{s.org.deptford.pk}/").status_code == 200


def test_unknown_jobcentre_or_district_is_not_found(s, client, ashby_manager):
    assert client.get("/reports/sites/999999/").status_code == 404
    assert client.get("/reports/?district=999999").status_code == 404
    assert client.get("/reports/?district=tyne").status_code == 404


def test_a_manager_with_no_scope_sees_an_empty_state(s, client):
    user = manager("no-scope", roles.SITE_MANAGER)
    client.force_login(user)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert "You have not been given any jobcentres to report on" in response.content.decode()
    assert client.get(f"/reports/sites/{s.org.ashby.pk}/").status_code == 403
