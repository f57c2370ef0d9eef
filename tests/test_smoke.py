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


def test_the_site_icon_is_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in response.headers["Cache-Control"]
