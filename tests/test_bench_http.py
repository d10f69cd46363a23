"""The pieces of bench/http_pages.py that decide its figures: reading wrk's report and the Python stand-in client."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.http_clients import parse_wrk, run_python_client

WRK_REPORT = """Running 10s test @ http://127.0.0.1:8000/kk/
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    28.51ms   10.21ms 301.20ms   90.12%
    Req/Sec   350.12     40.10   420.00     70.00%
  Latency Distribution
     50%   27.00ms
     75%   30.10ms
     90%   35.90ms
     99%    1.02s
  6990 requests in 10.00s, 25.10MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    699.00
Transfer/sec:      2.51MB
"""


def test_parse_wrk_reads_rate_p99_in_ms_and_every_kind_of_error():
    result = parse_wrk(WRK_REPORT)
    assert result.rps == 699.0
    assert result.p99_ms == pytest.approx(1020.0)
    assert result.errors == 3 + 2 + 4
    assert result.requests == 6990


def test_parse_wrk_without_errors_and_p99_in_microseconds():
    clean = WRK_REPORT.replace("1.02s", "850.00us").split("  Socket errors")[0] + "Requests/sec:   7018.10\n"
    result = parse_wrk(clean)
    assert (result.rps, result.p99_ms, result.errors) == (7018.1, pytest.approx(0.85), 0)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.send_response(200 if self.path == "/ok" else 500)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_python_client_counts_answers_and_errors_apart(server_port):
    good = run_python_client(server_port, "/ok", 0.3)
    assert good.requests > 0 and good.rps > 0 and good.errors == 0 and good.p99_ms > 0
    broken = run_python_client(server_port, "/broken", 0.3)
    assert broken.requests == 0 and broken.errors > 0
