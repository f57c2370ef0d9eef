from lms.testing import login


def test_home_page_renders_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Kaskad" in response.get_data(as_text=True) or "Каскад" in response.get_data(as_text=True)


def test_admin_sees_organisations(client, world):
    login(client, world.people["admin@root"])
    response = client.get("/orgs/")
    assert response.status_code == 200
    assert "UA-18" in response.get_data(as_text=True)
