"""The production stack on loopback, started with the commands of docker-compose.yml.

Debian's nginx with deploy/nginx/jobcenter.conf.template (filled in as the nginx image does)
and a self-signed certificate made by openssl now; gunicorn, Celery workers and RedBeat
beats with jobcenter.settings.production against the test session's PostgreSQL and Redis.
Every process in its own process group, so a test can kill one with its children.
"""

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "jobcenter.conf.template"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compose() -> dict:
    return YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())


def compose_command(service: str) -> list[str]:
    """The service's command from docker-compose.yml, run from this virtualenv."""
    argv = list(compose()["services"][service]["command"])
    argv[0] = sys.executable if argv[0] == "python" else str(BIN / argv[0])
    return argv


def render_proxy_config(values: dict[str, str]) -> str:
    """What the nginx image's envsubst does with NGINX_ENVSUBST_FILTER=^PROXY_."""
    text = TEMPLATE.read_text()
    rendered = re.sub(r"\$\{(PROXY_[A-Z_]+)\}", lambda m: values[m.group(1)], text)
    assert "${" not in rendered, "a ${...} of the template was left unfilled"
    return rendered


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def redis_url(base: str, db: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{db}"))


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Stack:
    tmp: Path
    env: dict
    https_port: int = 0
    http_port: int = 0
    cert: Path | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web_ports: list[int] = field(default_factory=list)
    killed: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], extra_env: dict | None = None):
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.processes[name]

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        """Kill a process with its children; it leaves the processes watched for exits."""
        process = self.processes.pop(name)
        self.killed[name] = process
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def run(self, argv: list[str]) -> None:
        result = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"

    def start_proxy(self, upstream_ports: list[int]) -> None:
        self.cert, key = make_certificate(self.tmp)
        self.https_port, self.http_port = free_port(), free_port()
        site = render_proxy_config(
            {
                "PROXY_UPSTREAM_SERVERS": " ".join(
                    f"server 127.0.0.1:{port};" for port in upstream_ports
                ),
                "PROXY_LISTEN_ADDRESS": "127.0.0.1",
                "PROXY_HTTP_PORT": str(self.http_port),
                "PROXY_HTTPS_PORT": str(self.https_port),
                "PROXY_TLS_CERT": str(self.cert),
                "PROXY_TLS_KEY": str(key),
            }
        )
        (self.tmp / "jobcenter.conf").write_text(site)
        temp = self.tmp / "nginx-temp"
        temp.mkdir()
        (self.tmp / "nginx.conf").write_text(
            f"""daemon off;
worker_processes 2;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.tmp}/jobcenter.conf;
}}
"""
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.start(
            "nginx",
            [nginx, "-p", str(self.tmp), "-e", f"{self.tmp}/nginx-error.log",
             "-c", str(self.tmp / "nginx.conf")],
        )  # fmt: skip

    def wait_for(self, what: str, ready, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(
                        f"{name} exited while waiting for {what}:\n{self.log(name)}"
                    )
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{what} not ready after {seconds} s")


class Client:
    """HTTPS (or plain HTTP) to the proxy, with cookies and CSRF, no redirects followed."""

    def __init__(self, stack: Stack, *, tls: bool = True):
        self.stack = stack
        self.tls = tls
        self.cookies: dict[str, str] = {}
        self._conn = None

    @property
    def origin(self) -> str:
        return f"https://localhost:{self.stack.https_port}"

    def _connection(self):
        if self._conn is None:
            if self.tls:
                context = ssl.create_default_context(cafile=str(self.stack.cert))
                self._conn = http.client.HTTPSConnection(
                    "localhost", self.stack.https_port, context=context, timeout=30
                )
            else:
                self._conn = http.client.HTTPConnection(
                    "localhost", self.stack.http_port, timeout=30
                )
        return self._conn

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        body = urlencode(data, doseq=True) if data is not None else None
        head = dict(headers or {})
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            head["Origin"] = self.origin
            head["Referer"] = self.origin + path
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=head)
                response = conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data=data)

    def login(self, username: str, password: str) -> "Client":
        self.get("/anmelden/")
        response, body = self.post("/anmelden/", {"username": username, "password": password})
        assert response.status == 302 and "sessionid" in self.cookies, (
            f"login of {username}: HTTP {response.status}\n{body[:500]!r}"
        )
        return self
