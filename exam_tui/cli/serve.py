"""``exam-tui serve``: the same program in a browser tab, for labs whose machines have only a browser.

textual-serve runs a small web server; every browser tab that connects gets its own subprocess running
``COMMAND``, whose screen travels over a websocket to xterm.js in the page. The command is this very
program (``sys.executable -m exam_tui``) in one mode, with the database and language handed over in the
environment, never on the command line: a PostgreSQL URL may carry a password, and a command line is
visible to every user of the machine in ``ps``.

Candidates can reach whatever this serves, so the default is the candidate terminal (``sit``), bound to
the loopback interface. Reaching it from the lab goes through a TLS reverse proxy (docs/deployment.md,
"Browser terminals"); serving plain HTTP to the network needs an explicit ``--insecure-http``.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import shlex
import socket
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from exam_tui.cli.common import MAX_INT, fail, state
from exam_tui.config import TERMINAL_NAME_ENV, Settings
from exam_tui.i18n import t

TEMPLATES = Path(__file__).resolve().parent / "serve_templates"
# A lab of 200 terminals and a margin (docs/deployment.md sizes PostgreSQL for that): every tab is a
# process of its own, so without a cap anyone who reaches the page could start them until memory or the
# database's connections run out.
DEFAULT_MAX_TABS = 250


class Mode(StrEnum):
    """What each browser tab runs."""

    CANDIDATE = "candidate"  # exam-tui sit: sign in, sit, hand in; nothing else reachable
    PRACTICE = "practice"  # exam-tui practice: 练习 and the wrong-answer book
    PROCTOR = "proctor"  # exam-tui proctor: staff sign-in, then the session console
    ADMIN = "admin"  # exam-tui (the home screen): every role after its sign-in


# The modes a candidate may be given; the others show keys, rosters and results after a staff sign-in.
CANDIDATE_MODES = (Mode.CANDIDATE, Mode.PRACTICE)


@dataclass(frozen=True)
class Exposure:
    """Where the server listens and the address browsers use, once checked."""

    public_url: str | None  # None: textual-serve's own http://HOST:PORT
    warnings: tuple[str, ...]


class ExposureRefused(Exception):
    """A listening address or public URL a careful deployer would not want; the message says why."""


def child_command(mode: Mode, session_id: int | None = None, *, python: str | None = None) -> str:
    """The shell command textual-serve runs for each browser tab: this program, in ``mode``.

    textual-serve starts it with ``create_subprocess_shell``, hence one string, quoted for /bin/sh.
    No ``--db`` and no ``--lang`` here: both travel in the environment (``child_environment``).
    """
    argv = [python or sys.executable, "-m", "exam_tui"]
    if mode is Mode.CANDIDATE:
        argv.append("sit")
    elif mode is Mode.PROCTOR:
        argv.append("proctor")
    elif mode is Mode.PRACTICE:
        argv.append("practice")
    if session_id is not None:
        argv += ["--session", str(session_id)]
    return shlex.join(argv)


def child_environment(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment each tab's subprocess inherits: the served database and language, explicitly.

    The settings were resolved from --db/--lang or the environment; writing them back means the child
    opens exactly the database this command checked, whichever way it was given.
    """
    env = dict(os.environ if base is None else base)
    env["EXAM_TUI_DATABASE_URL"] = settings.database_url
    env["EXAM_TUI_LANG"] = settings.language
    return env


# The browser a websocket handler serves. Each handler is a task of its own, and a tab's process is
# started within its handler's task, so the value seen there is that browser's and no other tab's.
_BROWSER: ContextVar[str | None] = ContextVar("exam_tui_serve_browser", default=None)


def browser_address(remote: str | None, forwarded_for: str | None) -> str | None:
    """The browser's address: the peer's, or, when the peer is a reverse proxy on this machine, the
    first address of its X-Forwarded-For (a header only a proxy of our own is trusted to set)."""
    if remote and is_loopback(remote) and forwarded_for:
        first = forwarded_for.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            return remote
    return remote


def tab_environment(environment: dict[str, str]) -> dict[str, str]:
    """A tab process's environment with the name its attempt records for the candidate's machine."""
    browser = _BROWSER.get()
    if browser:
        environment[TERMINAL_NAME_ENV] = f"web:{browser}"
    return environment


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def check_exposure(
    host: str, port: int, mode: Mode, public_url: str | None, *, insecure_http: bool
) -> Exposure:
    """Refuse what exposes the exam by accident; warn about what exposes it on purpose.

    - Loopback (the default): only this machine reaches it, so a reverse proxy here must be in front.
    - A public URL says where browsers reach it (the proxy's ``https://`` address): the page tells
      the browser to open its websocket there. A plain ``http://`` one to another machine carries the
      candidates' keystrokes in clear text: only with ``--insecure-http``.
    - Listening on the network without a public URL means browsers speak plain HTTP to this process:
      only with ``--insecure-http``, and never on a wildcard address (the page would send browsers
      to 0.0.0.0).
    """
    warnings: list[str] = []
    exposed = not is_loopback(host)
    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ExposureRefused(t("serve.bad_public_url", url=public_url))
        if parts.scheme == "http" and not is_loopback(parts.hostname) and not insecure_http:
            raise ExposureRefused(t("serve.http_public_url", url=public_url))
        exposed = exposed or not is_loopback(parts.hostname)
        public_url = public_url.rstrip("/")
    elif exposed:
        if _is_wildcard(host):
            raise ExposureRefused(t("serve.wildcard_needs_url", host=host))
        if not insecure_http:
            raise ExposureRefused(t("serve.exposed_needs_flag", host=host))
    if not is_loopback(host):
        warnings.append(t("serve.warn_exposed", host=host, port=port))
    if insecure_http and exposed:
        warnings.append(t("serve.warn_plain_http"))
    if exposed and mode not in CANDIDATE_MODES:
        warnings.append(t("serve.warn_staff_mode", mode=mode.value))
    return Exposure(public_url=public_url, warnings=tuple(warnings))


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, in one line, or None when it can.

    Checked before serving because textual-serve (aiohttp) prints its banner first and then fails
    with a traceback. SO_REUSEADDR as aiohttp sets it: a port in TIME_WAIT is free, a listener is not.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return t("serve.bad_host", host=host, detail=exc.strerror or str(exc))
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                return bind_message(exc, host, port)
    return None


def bind_message(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return t("serve.port_in_use", host=host, port=port)
    if exc.errno == errno.EACCES:
        return t("serve.port_denied", port=port)
    if exc.errno == errno.EADDRNOTAVAIL:
        return t("serve.host_not_here", host=host)
    return t("serve.cannot_listen", host=host, port=port, detail=exc.strerror or str(exc))


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    mode: Annotated[
        Mode,
        typer.Option(
            "--mode",
            help="What each browser tab runs: candidate (exam-tui sit, the default), practice, "
            "proctor or admin (staff only: never where candidates can reach it).",
            case_sensitive=False,
        ),
    ] = Mode.CANDIDATE,
    session: Annotated[
        int | None,
        typer.Option("--session", help="candidate/proctor: only this session (its id).", min=1, max=MAX_INT),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The address browsers use, e.g. https://exam.example.org (the TLS reverse proxy).",
        ),
    ] = None,
    insecure_http: Annotated[
        bool,
        typer.Option(
            "--insecure-http",
            help="Allow browsers on other machines to reach this server over plain HTTP (no TLS).",
        ),
    ] = False,
    max_tabs: Annotated[
        int,
        typer.Option(
            "--max-tabs",
            help="Terminals open at once; one more is refused (each is a process with its own database "
            "connection).",
            min=1,
            max=10_000,
        ),
    ] = DEFAULT_MAX_TABS,
) -> None:
    """The exam in a browser tab (textual-serve): each tab runs its own exam-tui on the same database."""
    if session is not None and mode not in (Mode.CANDIDATE, Mode.PROCTOR):
        fail(t("serve.session_needs_mode", mode=mode.value))
    try:
        exposure = check_exposure(host, port, mode, public_url, insecure_http=insecure_http)
    except ExposureRefused as exc:
        fail(str(exc))
    cli = state(ctx)
    _check_database(cli.db(), session)
    problem = port_problem(host, port)
    if problem is not None:
        fail(problem)
    for warning in exposure.warnings:
        typer.echo(t("serve.warning", text=warning), err=True)
    command = child_command(mode, session)
    os.environ.update(child_environment(cli.settings))
    server = _make_server(command, host, port, mode, exposure.public_url, max_tabs)
    try:
        server.serve()
    except OSError as exc:  # lost a race for the port since the check
        fail(bind_message(exc, host, port))


def _check_database(db: Any, session_id: int | None) -> None:
    """A wrong --db or --session fails now, not in every browser tab later; then the handle is closed
    (each tab's subprocess opens its own)."""
    try:
        if session_id is not None:
            from exam_tui.services.session_control import session_detail
            from exam_tui.services.sessions import SessionError

            try:
                session_detail(db, session_id)
            except SessionError as exc:
                fail(exc.message())
    finally:
        db.dispose()


def _make_server(
    command: str, host: str, port: int, mode: Mode, public_url: str | None, max_tabs: int
) -> Any:
    # Here, not at the top: textual-serve loads aiohttp and Textual, which no other command needs.
    import aiohttp_jinja2
    import textual_serve.server
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    from exam_tui.i18n import current_language

    title = t("serve.title", mode=t(f"serve.mode.{mode.value}"))
    texts = {
        "lang": "zh-CN" if current_language() == "zh" else "en",
        "start": t("serve.page.start"),
        "ended": t("serve.page.ended"),
        "restart": t("serve.page.restart"),
    }

    class TabService(AppService):
        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            return tab_environment(super()._build_environment(width=width, height=height))

    # The server builds its AppService by this module-level name; textual-serve has no other hook for a
    # tab's environment.
    textual_serve.server.AppService = TabService  # type: ignore[misc]

    class ExamServer(Server):
        """textual-serve with the project's page and one line on start instead of its banner."""

        tabs = 0

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            if self.tabs >= max_tabs:
                typer.echo(t("serve.full", tabs=max_tabs), err=True)
                return web.Response(status=503, text=t("serve.full", tabs=max_tabs))
            self.tabs += 1
            _BROWSER.set(browser_address(request.remote, request.headers.get("X-Forwarded-For")))
            try:
                return await super().handle_websocket(request)
            finally:
                self.tabs -= 1

        async def _make_app(self) -> Any:
            app = await super()._make_app()
            aiohttp_jinja2.get_env(app).globals["text"] = texts
            return app

        async def on_startup(self, app: Any) -> None:
            typer.echo(t("serve.listening", mode=t(f"serve.mode.{mode.value}"), url=self.public_url))

    server = ExamServer(command, host=host, port=port, title=title, public_url=public_url)
    server.templates_path = TEMPLATES
    return server
