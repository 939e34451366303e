"""Request lines reach the log without their query string, for every status (issue 9)."""

import logging

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from jobcenter.logfilters import StripQueryString


def _runserver_line(requestline: str, status: str) -> None:
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.requestline = requestline
    handler.log_message('"%s" %s %s', requestline, status, "123")


@pytest.mark.parametrize("status", ["200", "302", "400", "403", "404", "500"])
@pytest.mark.rule("R-DS-01")
def test_runserver_logs_no_query_string(caplog, status):
    caplog.set_level(logging.DEBUG, logger="django.server")
    _runserver_line("GET /kunden/?q=Mustermann&date_of_birth=1985-03-27 HTTP/1.1", status)
    assert "Mustermann" not in caplog.text
    assert "1985" not in caplog.text
    if status[0] in "45":
        assert "GET /kunden/?… HTTP/1.1" in caplog.text


@pytest.mark.rule("R-DS-01")
def test_gunicorn_access_atoms_lose_the_query_string():
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(r)s" %(s)s %(q)s',
        None,
        None,
    )
    record.args = {
        "h": "10.0.0.1",
        "r": "GET /kunden/?q=Mustermann HTTP/1.1",
        "s": "404",
        "q": "q=Mustermann",
    }
    StripQueryString().filter(record)
    assert "Mustermann" not in record.getMessage()
