"""The URL fetcher reports render with: the project's static files and data: URLs, nothing else."""

from __future__ import annotations

import http.server
import threading

import pytest

from aims.reports.fetcher import STATIC_BASE, RefusedURL, locked_down_fetcher
from aims.reports.rendering import html_to_pdf
from tests.reports.pdftext import pdf_text


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_it_refuses_local_files() -> None:
    with pytest.raises(RefusedURL):
        locked_down_fetcher().fetch("file:///etc/passwd")


def test_it_refuses_http_to_the_local_host_without_connecting(local_server) -> None:
    with pytest.raises(RefusedURL):
        locked_down_fetcher().fetch(f"{local_server}/secret")
    with pytest.raises(RefusedURL):
        locked_down_fetcher().fetch("https://127.0.0.1/")
    assert _Recorder.hits == []


def test_it_refuses_other_schemes_and_climbing_out_of_the_static_files() -> None:
    fetcher = locked_down_fetcher()
    for url in (
        "ftp://example.org/x",
        f"{STATIC_BASE}../../../../etc/passwd",
        f"{STATIC_BASE}%2e%2e/%2e%2e/etc/passwd",
        f"{STATIC_BASE}reports/no-such-file.css",
        "https://static.aims.invalid.evil.example/reports/print.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_it_serves_the_project_static_files_and_data_urls() -> None:
    fetcher = locked_down_fetcher()
    css = fetcher.fetch(f"{STATIC_BASE}reports/print.css")
    assert b"@font-face" in css.read()
    font = fetcher.fetch(f"{STATIC_BASE}reports/fonts/LiberationSans-Regular.ttf")
    assert len(font.read()) > 100_000
    data = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"


def test_a_rendered_document_loads_nothing_from_outside(local_server) -> None:
    html = (
        f'<html><head><link rel="stylesheet" href="{local_server}/style.css"></head><body>'
        '<p>Visible text</p><img src="file:///etc/passwd" alt="x">'
        f'<img src="{local_server}/pixel.png" alt="y"><iframe src="file:///etc/hostname"></iframe>'
        "</body></html>"
    )
    pdf, pages = html_to_pdf(html)
    assert pages == 1
    assert "Visible text" in pdf_text(pdf)
    assert b"root:" not in pdf
    assert _Recorder.hits == []
