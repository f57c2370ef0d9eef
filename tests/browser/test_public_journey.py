"""A visitor, logged out, on a 320 px phone, finds a hub: with JavaScript off by typing her village on
the landing page, and with JavaScript on by the map (whose tiles come from a stand-in tile server on
127.0.0.1, so nothing leaves the machine). Every page passes axe-core, the map page with its map too."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import BROWSER_LOCALE, PHONE, check_axe, check_no_sideways_scrolling

SHOTS = os.environ.get("KASKAD_SCREENSHOTS", "")  # a folder: keep a screenshot of the map there


def _png(width: int = 256, height: int = 256) -> bytes:
    """A plain light-grey PNG tile."""
    raw = b"".join(b"\x00" + b"\xe8\xe8\xe8" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


class TileServer(ThreadingHTTPServer):
    tile = _png()
    served: list[str]


class _Tiles(BaseHTTPRequestHandler):
    server: TileServer

    def do_GET(self) -> None:
        self.server.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.server.tile)))
        self.end_headers()
        self.wfile.write(self.server.tile)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tile_server() -> Iterator[TileServer]:
    server = TileServer(("127.0.0.1", 0), _Tiles)
    server.served = []
    thread = threading.Thread(target=server.serve_forever, name="tiles", daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def app_config(app_config: dict[str, Any], tile_server: TileServer) -> dict[str, Any]:
    port = tile_server.server_address[1]
    return {**app_config, "LMS_MAP_TILES_URL": f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"}


@pytest.fixture
def hubs(world: Any, make: Any) -> dict[str, Any]:
    region = world.orgs["r1"]
    made = {
        "village": make.org(
            "hub",
            region,
            code="HUB-18-201",
            name="Хаб цифрової освіти в бібліотеці с. Олексіївка",
            settlement="с. Олексіївка",
            address="вул. Шкільна, 3",
            hromada="Олевська міська територіальна громада",
            latitude=51.2125,
            longitude=27.6581,
            opening_hours="Tu-Sa 10:00-17:00",
            services=["e_services", "device_access"],
            phone="+380 4135 2 11 22",
        ),
        "town": make.org(
            "hub",
            region,
            code="HUB-18-202",
            name="Хаб цифрової освіти в Коростенській бібліотеці",
            settlement="м. Коростень",
            latitude=50.95123,
            longitude=28.63872,
            services=["digital_literacy"],
        ),
        "far": make.org(
            "hub",
            world.orgs["r2"],
            code="HUB-46-202",
            name="Хаб цифрової освіти у Львові",
            settlement="м. Львів",
            latitude=49.8397,
            longitude=24.0297,
            services=["digital_literacy"],
        ),
    }
    make.commit()
    return made


@pytest.mark.browser
def test_a_visitor_finds_a_hub_by_her_village_with_javascript_off(journey: Any, hubs: Any) -> None:
    visitor = journey()  # 320 px, JavaScript off, logged out
    visitor.goto("/")
    assert visitor.page.locator("nav a").count() >= 1
    visitor.fill({"#landing-q": "олексіївка"})
    visitor.click('main form[role="search"] button[type="submit"]')
    assert visitor.path.startswith("/hubs/?q=")
    results = visitor.page.locator("main .hub-list > li")
    assert results.count() == 1
    assert not visitor.page.locator("#hub-map-area").is_visible()  # without JavaScript: the list
    visitor.click('main .hub-list a[href="/hubs/HUB-18-201"]')
    page = visitor.page.inner_text("main")
    assert "вул. Шкільна, 3, с. Олексіївка" in page
    assert "Tu-Sa 10:00-17:00" in page
    assert visitor.page.locator('main a[href^="tel:"]').count() == 1
    visitor.click('main a[href="/hubs/"]')  # back to the directory by the breadcrumb
    visitor.click('main a[href="/open-data/"]')
    assert visitor.path == "/open-data/"


@pytest.mark.browser
def test_a_visitor_finds_a_hub_on_the_map_with_tiles_from_the_tile_server(
    browser: Any, live_server: str, hubs: Any, tile_server: TileServer
) -> None:
    context = browser.new_context(
        java_script_enabled=True, viewport=PHONE, locale=BROWSER_LOCALE, base_url=live_server
    )
    tiles = f"http://127.0.0.1:{tile_server.server_address[1]}/"
    elsewhere: list[str] = []
    refused: list[str] = []
    page = context.new_page()
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((live_server, tiles, "data:")) else elsewhere.append(request.url)
        ),
    )
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security" in message.text else None,
    )
    try:
        page.goto("/hubs/?region=UA-18")
        page.locator("#hub-map .leaflet-tile-loaded").first.wait_for()
        target = page.locator('.leaflet-marker-icon[title="Хаб цифрової освіти в бібліотеці с. Олексіївка"]')
        settled = "() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')"
        for _ in range(8):  # zoom into clusters, from the keyboard, until the hub has its own marker
            if target.count():
                break
            page.locator(".hub-cluster").first.focus()
            page.keyboard.press("Enter")
            page.wait_for_function(settled)
        target.focus()
        page.keyboard.press("Enter")
        link = page.locator(".leaflet-popup-content a")
        assert link.inner_text() == "Хаб цифрової освіти в бібліотеці с. Олексіївка"
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/hubs-map-320.png", full_page=True)
        check_axe(page)  # the directory with its map, markers and popup open
        check_no_sideways_scrolling(page)
        with page.expect_navigation():
            link.click()
        assert page.url == live_server + "/hubs/" + quote("HUB-18-201")
        check_axe(page)
    finally:
        context.close()
    assert tile_server.served, "no tile was asked of the tile server"
    assert elsewhere == [], f"the map asked other servers: {elsewhere}"
    assert refused == [], f"the Content-Security-Policy refused: {refused}"
