"""Browser-test fixtures: the real app in a subprocess, driven by Debian's chromium through Playwright.

Nothing here downloads a browser: chromium is the system one (``shutil.which("chromium")``),
installed by the README's test command. Every browser context blocks any request whose
host is not loopback and records every URL it saw, so a test can assert that nothing
left the machine.

Fixtures
--------
demo_store (session)
    A data folder of its own holding the demo database, built with the project's own
    command ``python -m loaders demo --load`` (or copied from ``$HT_BROWSER_DEMO_DB``).
    Returns the environment (``HT_DATA_DIR``, ``DATABASE_URL``) that points the app at it.
accounts (session)
    Local accounts on the demo store, made with ``python -m loaders users add``:
    ``accounts["analyst"]`` (may export) and ``accounts["admin"]`` (sees every page).
app_server_env (session)
    Extra environment for the app server; ``{}`` here. Override it in a test module's
    conftest to start the app differently.
app_server (session)
    ``streamlit run app.py`` on a free loopback port, with ``HT_BASEMAP=none``, on the
    demo store; stopped (its whole process group) at the end. Has ``.url`` and ``.log``.
playwright_instance, browser (session)
    Playwright and a headless Debian chromium.
context_factory
    Makes guarded browser contexts (:class:`GuardedContext`): each records every request
    URL and aborts any request that would leave loopback. All are closed after the test;
    on failure every open page is saved as a screenshot in ``tests/artifacts/``.
guarded, page
    One guarded context and a page in it (the usual case).

Helpers
-------
start_app_server(store_env, extra_env) / AppServer.stop()
    Start another app server (a module-scoped fixture of its own, e.g. on another store).
open_app(page, url, account), wait_idle(page), sign_in(page, user, password), folium_frame(page),
demo_badge(page),
label(key) (a catalogue string in Vietnamese, so wording changes do not break the tests)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = PROJECT_ROOT / "tests" / "artifacts"

#: Set to 1 to skip the browser tests explicitly (otherwise a missing chromium fails them).
SKIP_ENV = "HT_SKIP_BROWSER"
#: Optional: a SQLite demo database built before, copied instead of generating one (saves ~20 s
#: when running the browser tests again and again).
DEMO_DB_ENV = "HT_BROWSER_DEMO_DB"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Schemes that never touch the network.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-error", "javascript"})

DEMO_TIMEOUT_S = 300
SERVER_START_TIMEOUT_S = 90
SERVER_STOP_TIMEOUT_S = 10
#: Default wait for elements; the first load of a page builds its caches (~10-20 s).
DEFAULT_TIMEOUT_MS = 30_000
FIRST_LOAD_TIMEOUT_MS = 90_000
VIEWPORT = {"width": 1600, "height": 1000}

# Assertions wait as long as element look-ups: a rerun on a busy 2-core machine can take seconds.
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


# ------------------------------------------------------------------- reports
@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the item, so fixtures can tell a failed test at teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _failed(node: pytest.Item) -> bool:
    return any(getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


def _artifact_stem(node: pytest.Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid).strip("_")[-150:]


# --------------------------------------------------------------------- server
def is_loopback(url: str) -> bool:
    """True when a URL stays on this machine (loopback host, or a scheme with no network)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """A running ``streamlit run app.py`` subprocess."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server and everything it started (its process group), with bounded waits."""
        if self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, SERVER_STOP_TIMEOUT_S), (signal.SIGKILL, SERVER_STOP_TIMEOUT_S)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_app_server(
    store_env: dict[str, str],
    extra_env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    launcher: tuple[str, ...] = ("streamlit", "run", "app.py"),
) -> AppServer:
    """Start the app on a free loopback port and wait (bounded) until it answers its health check.

    Parameters
    ----------
    store_env : dict
        ``HT_DATA_DIR`` and ``DATABASE_URL`` of the store the app reads.
    extra_env : dict, optional
        More environment (applied last, so it may override ``HT_BASEMAP``).
    log_dir : Path, optional
        Where the server's output goes (default: the store's data folder).
    launcher : tuple of str
        What ``python -m`` runs, before the options: ``("ui.serve",)`` starts it as ``make run`` does.
    """
    port = free_port()
    env = {**os.environ, "HT_BASEMAP": "none", **store_env, **(extra_env or {})}
    # The command line sets the port and address; Streamlit's own variables must not fight it.
    for name in ("STREAMLIT_SERVER_PORT", "STREAMLIT_SERVER_ADDRESS"):
        env.pop(name, None)
    log = (log_dir or Path(store_env["HT_DATA_DIR"])) / f"streamlit-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                *launcher,
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                # The code under test is the code at start: no reloads when files change during the run.
                "--server.fileWatcherType",
                "none",
                "--server.runOnSave",
                "false",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = AppServer(process, port, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The app server exited with status {process.returncode}:\n{server.log_tail()}", pytrace=False)
        if _health(server.url):
            return server
        time.sleep(0.3)
    server.stop()
    pytest.fail(
        f"The app server did not answer /_stcore/health within {SERVER_START_TIMEOUT_S} s:\n{server.log_tail()}",
        pytrace=False,
    )


def store_env_for(data_dir: Path) -> dict[str, str]:
    """Environment pointing the project at a data folder of its own."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return {"HT_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{data_dir / 'hatinh.sqlite3'}"}


def run_loaders(store_env: dict[str, str], *args: str, timeout: float = DEMO_TIMEOUT_S) -> str:
    """Run ``python -m loaders <args>`` on a store; fail the test with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "loaders", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **store_env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"python -m loaders {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
            pytrace=False,
        )
    return result.stdout


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = store_env_for(tmp_path_factory.mktemp("browser-demo") / "data")
    prepared = os.environ.get(DEMO_DB_ENV, "").strip()
    if prepared:
        # A demo database made before (``python -m loaders demo --load``, no accounts): copied, never changed.
        shutil.copyfile(prepared, Path(env["HT_DATA_DIR"]) / "hatinh.sqlite3")
    else:
        run_loaders(env, "demo", "--load", "--user", "browser-tests")
    return env


@dataclass(frozen=True)
class Account:
    user: str
    password: str
    role: str


#: Long enough for the account rules (10 characters at least).
TEST_PASSWORD = "Browser-tests-2026"


def add_account(store_env: dict[str, str], user: str, role: str, password: str = TEST_PASSWORD) -> Account:
    """Create a local account with the project's own command."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "loaders",
            "users",
            "add",
            user,
            "--role",
            role,
            "--password-stdin",
            "--user",
            "browser-tests",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **store_env},
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"python -m loaders users add {user} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
            pytrace=False,
        )
    return Account(user, password, role)


@pytest.fixture(scope="session")
def accounts(demo_store: dict[str, str]) -> dict[str, Account]:
    return {role: add_account(demo_store, f"browser-{role}", role) for role in ("analyst", "admin")}


@pytest.fixture(scope="session")
def app_server_env() -> dict[str, str]:
    return {}


@pytest.fixture(scope="session")
def app_server(
    demo_store: dict[str, str], accounts: dict[str, Account], app_server_env: dict[str, str]
) -> Iterator[AppServer]:
    server = start_app_server(demo_store, app_server_env)
    yield server
    server.stop()


# -------------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def chromium_path() -> str:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"browser tests explicitly disabled with {SKIP_ENV}=1")
    path = shutil.which("chromium")
    if not path:
        pytest.fail(
            "Debian's chromium is not installed (the README's test command installs it; "
            f"set {SKIP_ENV}=1 to skip the browser tests explicitly)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright_instance(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path: str):
    browser = playwright_instance.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class GuardedContext:
    """A browser context that records every request and lets only loopback ones through."""

    context: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def install(self) -> GuardedContext:
        self.context.route("**/*", self._route)
        return self

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if is_loopback(url):
            route.fallback()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _websocket(self, ws) -> None:
        self.requests.append(ws.url)
        if not is_loopback(ws.url):
            self.blocked.append(ws.url)

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.on("websocket", self._websocket)
        return page

    def offsite(self) -> list[str]:
        """Every URL this context tried to reach outside loopback (blocked or not)."""
        return sorted({u for u in self.requests if not is_loopback(u)})


@pytest.fixture
def context_factory(browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], GuardedContext]]:
    made: list[GuardedContext] = []

    def make() -> GuardedContext:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="vi-VN", service_workers="block")
        guarded = GuardedContext(context).install()
        made.append(guarded)
        return guarded

    yield make
    failed = _failed(request.node)
    for index, guarded in enumerate(made):
        if failed:
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            stem = f"{_artifact_stem(request.node)}-{index}"
            for number, page in enumerate(guarded.context.pages):
                if not page.is_closed():
                    page.screenshot(path=str(ARTIFACTS_DIR / f"{stem}-{number}.png"), full_page=True)
            (ARTIFACTS_DIR / f"{stem}-requests.txt").write_text("\n".join(guarded.requests) + "\n", encoding="utf-8")
        guarded.context.close()


@pytest.fixture
def guarded(context_factory: Callable[[], GuardedContext]) -> GuardedContext:
    return context_factory()


@pytest.fixture
def page(guarded: GuardedContext):
    return guarded.new_page()


# -------------------------------------------------------------------- helpers
def wait_idle(page, timeout_ms: int = FIRST_LOAD_TIMEOUT_MS, settle_ms: int = 500) -> None:
    """Wait (bounded) until the app's script has finished running, twice in a row after a pause.

    A component (the map) may ask for one more rerun right after it mounts; the second
    check catches that.
    """
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_selector(idle, state="attached", timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(idle, state="attached", timeout=timeout_ms)


def label(key: str, **params: object) -> str:
    """A Vietnamese UI string from the project's catalogue."""
    from loaders.core.i18n import translate

    return translate(key, "vi", **params)


_PASSWORD_BOX = 'input[type="password"]'
_APP_NAV = '[data-testid="stSidebarNav"]'


def demo_badge(page):
    """The "Dữ liệu minh họa" badge: an alert whose bold title is the badge text."""
    return page.get_by_role("alert").get_by_text(label("demo.badge"), exact=True).first


def sign_in_form_shown(page) -> bool:
    return page.locator(_PASSWORD_BOX).count() > 0


def sign_in(page, user: str, password: str) -> bool:
    """Fill the app's sign-in form when it shows one and wait for the app; returns whether it did."""
    if not sign_in_form_shown(page):
        return False
    page.get_by_label(label("auth.username"), exact=True).fill(user)
    page.get_by_label(label("auth.password"), exact=True).fill(password)
    page.get_by_role("button", name=label("auth.submit")).click()
    # Signed in when the form is gone (a refused sign-in keeps it, and the caller's checks fail).
    page.locator(_PASSWORD_BOX).first.wait_for(state="detached", timeout=DEFAULT_TIMEOUT_MS)
    page.locator(_APP_NAV).wait_for(state="attached", timeout=FIRST_LOAD_TIMEOUT_MS)
    wait_idle(page)
    return True


def open_app(page, url: str, account: Account | None = None) -> None:
    """Go to a URL of the app, sign in when asked (and given an account), wait until the run has finished."""
    page.goto(url, wait_until="domcontentloaded")
    # Either the sign-in form or the signed-in app (its page navigation) appears.
    page.locator(f"{_PASSWORD_BOX}, {_APP_NAV}").first.wait_for(state="attached", timeout=FIRST_LOAD_TIMEOUT_MS)
    wait_idle(page)
    if account is not None:
        sign_in(page, account.user, account.password)


#: The streamlit-folium component's iframes.
MAP_FRAME = 'iframe[title*="streamlit_folium"]'


def folium_frame(page):
    """The streamlit-folium component's iframe (the first one on the page)."""
    return page.frame_locator(MAP_FRAME).first


#: The 2025 communes the home map draws.
N_COMMUNES = 69


def commune_shapes(page):
    """The map's drawn shapes, once the last of the 69 communes is in the frame (overlays add more paths)."""
    shapes = folium_frame(page).locator("path.leaflet-interactive")
    expect(shapes.nth(N_COMMUNES - 1)).to_be_attached(timeout=FIRST_LOAD_TIMEOUT_MS)
    return shapes


def query_param(url: str, name: str) -> str | None:
    """One query parameter of a URL (the last value), or None."""
    from urllib.parse import parse_qs

    values = parse_qs(urlsplit(url).query).get(name)
    return values[-1] if values else None
