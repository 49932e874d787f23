"""Install the map's browser assets (Leaflet, plugins, fonts) into ``static/vendor/``.

The versions are pinned in ``package.json`` and ``package-lock.json``. The script
needs Python alone, no Node.js/npm: for every package :mod:`maps.assets` takes
files from, it reads the package's entry in ``package-lock.json`` (lockfile
version 2 or 3, the ``"packages"`` map), downloads the tarball from the npm
registry (the entry's ``"resolved"`` URL, or the registry's standard tarball URL
when the lock omits it), checks it against the entry's ``"integrity"`` hash
(Subresource Integrity, e.g. ``sha512-<base64>``) before opening it, and extracts
it, refusing absolute paths, ``..`` and links, into a temporary
``node_modules``-like folder. It then copies only the files listed in
:mod:`maps.assets` into a staging folder, writes a record of what it installed
and swaps the staging folder in as ``static/vendor/``: a failed download, a
hash mismatch or a missing file leaves an existing ``static/vendor/`` as it was.

Verified tarballs are kept in ``node_modules/.tarballs/`` (git-ignored, or
``--cache-dir``) under their hash, and re-verified when reused, so a reinstall
does not download again. A second run with the same lock file and a complete
``static/vendor/`` does nothing, so setup can call it every time.

Usage::

    python scripts/install_assets.py           # install if missing or outdated
    python scripts/install_assets.py --force   # reinstall
    python scripts/install_assets.py --check   # exit 1 if not installed
    python scripts/install_assets.py --cache-dir DIR   # keep the tarballs in DIR
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Run as a plain script (``python scripts/install_assets.py``), the project root is
# not on sys.path; the asset table lives in the project package ``maps``.
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(_PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(_PROJECT_ROOT))

from maps.assets import (
    GLYPHICONS_SOURCE,
    INSTALL_RECORD,
    ROTATE_CSS_TARGET,
    VENDOR_FILES,
    installed_paths,
)

#: Registry used for lock entries without a ``"resolved"`` URL.
DEFAULT_REGISTRY = "https://registry.npmjs.org"
#: Tarball cache, relative to the project root (``/node_modules/`` is git-ignored).
DEFAULT_CACHE_SUBDIR = Path("node_modules") / ".tarballs"
#: Schemes a tarball URL may use; ``file`` serves local mirrors (and the tests).
ALLOWED_SCHEMES = ("https", "http", "file")
#: Larger downloads are refused (the biggest pinned tarball, Font Awesome, is a few MB).
MAX_TARBALL_BYTES = 100 * 1024 * 1024
#: Seconds to wait for the registry before giving up on a download.
DOWNLOAD_TIMEOUT = 60
#: SRI algorithms understood, strongest first.
_SRI_ALGORITHMS = ("sha512", "sha384", "sha256", "sha1")


class AssetInstallError(Exception):
    """A pinned package cannot be fetched, verified or unpacked, or lacks a file the maps need."""


@dataclass(frozen=True)
class LockedPackage:
    """One package as ``package-lock.json`` pins it.

    Attributes
    ----------
    folder : str
        Folder under ``node_modules`` (the alias for aliased packages, e.g. ``bootstrap3``).
    name : str
        Real package name on the registry (``bootstrap`` for the alias ``bootstrap3``).
    version : str
        Pinned version.
    url : str
        Tarball URL.
    integrity : str
        Subresource Integrity string the tarball must match.
    """

    folder: str
    name: str
    version: str
    url: str
    integrity: str

    @property
    def label(self) -> str:
        """``folder (name@version)`` for messages."""
        if self.folder == self.name:
            return f"{self.name}@{self.version}"
        return f"{self.folder} ({self.name}@{self.version})"


def lock_digest(project_root: Path) -> str:
    """SHA-256 of ``package-lock.json``: changes whenever a pinned version changes."""
    lock = project_root / "package-lock.json"
    if not lock.is_file():
        raise AssetInstallError(f"{lock} is missing; it pins the vendor asset versions.")
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def is_installed(vendor_dir: Path, digest: str) -> bool:
    """Whether ``vendor_dir`` holds a complete install made from the lock file with ``digest``."""
    record_path = vendor_dir / INSTALL_RECORD
    if not record_path.is_file():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return False
    if record.get("lock_sha256") != digest:
        return False
    return all((vendor_dir / path).exists() for path in installed_paths())


def needed_packages() -> list[str]:
    """``node_modules`` folders the asset table takes files from, sorted."""
    return sorted({item.package for item in VENDOR_FILES} | {GLYPHICONS_SOURCE.package})


def tarball_url(name: str, version: str, registry: str = DEFAULT_REGISTRY) -> str:
    """The registry's standard tarball URL, e.g. ``.../@scope/pkg/-/pkg-1.0.0.tgz``."""
    basename = name.rsplit("/", 1)[-1]
    return f"{registry.rstrip('/')}/{name}/-/{basename}-{version}.tgz"


def locked_packages(project_root: Path, registry: str = DEFAULT_REGISTRY) -> list[LockedPackage]:
    """The lock entries of the packages in :func:`needed_packages`.

    Raises
    ------
    AssetInstallError
        If the lock file is unreadable, of lockfile version 1, or lacks a needed
        package, its version or its integrity hash.
    """
    lock_path = project_root / "package-lock.json"
    try:
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise AssetInstallError(f"cannot read {lock_path}: {error}") from error
    entries = lock.get("packages") if isinstance(lock, dict) else None
    if not isinstance(entries, dict):
        raise AssetInstallError(
            f'{lock_path} has no "packages" map (lockfileVersion {lock.get("lockfileVersion")!r}); '
            "lockfile version 2 or 3 is needed."
        )
    packages = []
    for folder in needed_packages():
        entry = entries.get(f"node_modules/{folder}")
        if not isinstance(entry, dict):
            raise AssetInstallError(f"{lock_path} does not pin the package '{folder}'; add it to package.json.")
        version = entry.get("version")
        integrity = entry.get("integrity")
        if not isinstance(version, str) or not version:
            raise AssetInstallError(f"{lock_path}: package '{folder}' has no version.")
        if not isinstance(integrity, str) or not integrity.strip():
            raise AssetInstallError(
                f"{lock_path}: package '{folder}' has no integrity hash; refusing to install it unverified."
            )
        name = entry.get("name") or folder
        url = entry.get("resolved") or tarball_url(name, version, registry)
        packages.append(LockedPackage(folder, name, version, url, integrity.strip()))
    return packages


def parse_integrity(integrity: str) -> tuple[str, list[bytes]]:
    """The strongest algorithm named in an SRI string and its expected digests.

    ``"sha512-<base64> sha1-<base64>"`` gives ``("sha512", [<64 bytes>])``; options
    after ``?`` are ignored, unknown algorithms skipped, as SRI prescribes.

    Raises
    ------
    AssetInstallError
        If no hash of a known algorithm is present.
    """
    found: dict[str, list[bytes]] = {}
    for token in integrity.split():
        algorithm, _, value = token.partition("-")
        algorithm = algorithm.lower()
        if algorithm not in _SRI_ALGORITHMS or not value:
            continue
        value = value.split("?", 1)[0]
        try:
            digest = base64.b64decode(value, validate=True)
        except ValueError:
            continue
        if len(digest) == hashlib.new(algorithm).digest_size:
            found.setdefault(algorithm, []).append(digest)
    for algorithm in _SRI_ALGORITHMS:
        if algorithm in found:
            return algorithm, found[algorithm]
    raise AssetInstallError(f"integrity string {integrity!r} names no supported hash ({', '.join(_SRI_ALGORITHMS)}).")


def verify(data: bytes, package: LockedPackage, source: str) -> None:
    """Raise :class:`AssetInstallError` unless ``data`` matches the package's integrity hash."""
    algorithm, expected = parse_integrity(package.integrity)
    actual = hashlib.new(algorithm, data).digest()
    if actual not in expected:
        raise AssetInstallError(
            f"package {package.label}: the tarball from {source} does not match the integrity hash in "
            f"package-lock.json ({algorithm} {base64.b64encode(actual).decode()} != "
            f"{base64.b64encode(expected[0]).decode()}); refusing to use it."
        )


def download(url: str) -> bytes:
    """The bytes at ``url`` (http(s) or file), at most :data:`MAX_TARBALL_BYTES`.

    Raises
    ------
    AssetInstallError
        If the scheme is not allowed, the request fails or the body is too large.
    """
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise AssetInstallError(f"unsupported URL scheme {scheme!r} in {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "ha-tinh-install-assets"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            data = response.read(MAX_TARBALL_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise AssetInstallError(f"download of {url} failed: {error}") from error
    if len(data) > MAX_TARBALL_BYTES:
        raise AssetInstallError(f"download of {url} failed: larger than {MAX_TARBALL_BYTES} bytes")
    return data


def cache_path(package: LockedPackage, cache_dir: Path) -> Path:
    """Cache file of the package's tarball, named after its integrity hash."""
    algorithm, expected = parse_integrity(package.integrity)
    return cache_dir / f"{algorithm}-{expected[0].hex()}.tgz"


def fetch_tarball(package: LockedPackage, cache_dir: Path) -> Path:
    """A verified copy of the package's tarball in ``cache_dir``, downloaded only if needed.

    A cached file is verified again; if it no longer matches it is discarded and
    downloaded afresh. Downloads are verified before they are written to the cache.

    Raises
    ------
    AssetInstallError
        Naming the package and URL if the download fails or does not match the hash.
    """
    cached = cache_path(package, cache_dir)
    if cached.is_file():
        try:
            verify(cached.read_bytes(), package, str(cached))
            return cached
        except AssetInstallError:
            cached.unlink()
    try:
        data = download(package.url)
    except AssetInstallError as error:
        raise AssetInstallError(f"package {package.label}: {error}") from error
    verify(data, package, package.url)
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".partial-", suffix=".tgz", dir=cache_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, cached)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return cached


def _safe_members(archive: tarfile.TarFile, package: LockedPackage) -> list[tarfile.TarInfo]:
    """Members to extract, with npm's top-level folder (``package/``) stripped.

    Links, devices and other special entries are skipped (npm packages carry plain
    files); an absolute path or a ``..`` component anywhere refuses the whole tarball.
    """
    members = []
    for member in archive.getmembers():
        name = member.name.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise AssetInstallError(
                f"package {package.label}: the tarball from {package.url} has an unsafe member path {member.name!r}; "
                "refusing to extract it."
            )
        if not (member.isfile() or member.isdir()):
            continue
        inner = [part for part in parts[1:] if part not in ("", ".")]
        if not inner:
            continue
        members.append(member.replace(name="/".join(inner), deep=False))
    return members


def extract_package(tarball: Path, destination: Path, package: LockedPackage) -> None:
    """Extract an npm tarball's contents (without its top-level folder) into ``destination``.

    Raises
    ------
    AssetInstallError
        If the tarball is unreadable or has a member path escaping the folder.
    """
    try:
        with tarfile.open(tarball, mode="r:*") as archive:
            members = _safe_members(archive, package)
            destination.mkdir(parents=True, exist_ok=True)
            archive.extractall(destination, members=members, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise AssetInstallError(
            f"package {package.label}: cannot extract the tarball from {package.url}: {error}"
        ) from error


def fetch_packages(
    project_root: Path, node_modules: Path, cache_dir: Path, registry: str = DEFAULT_REGISTRY
) -> list[LockedPackage]:
    """Download, verify and extract every needed package into ``node_modules/<folder>``."""
    packages = locked_packages(project_root, registry)
    for package in packages:
        tarball = fetch_tarball(package, cache_dir)
        extract_package(tarball, node_modules / package.folder, package)
    return packages


def glyphicons_css(bootstrap3_css: str) -> str:
    """Keep only the Glyphicons @font-face and ``.glyphicon*`` rules of Bootstrap 3's CSS.

    Parameters
    ----------
    bootstrap3_css : str
        Text of Bootstrap 3's ``dist/css/bootstrap.css``.

    Returns
    -------
    str
        A stylesheet whose font URLs (``../fonts/...``) resolve next to it.

    Raises
    ------
    AssetInstallError
        If the font face or the glyph rules are not found (a changed Bootstrap 3 layout).
    """
    without_comments = re.sub(r"/\*.*?\*/", "", bootstrap3_css, flags=re.DOTALL)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", without_comments):
        selector = selector.strip()
        glyph_font = selector == "@font-face" and "Glyphicons Halflings" in body
        if glyph_font or selector.startswith(".glyphicon"):
            rules.append(f"{selector} {{{body}}}")
    if not any(rule.startswith("@font-face") for rule in rules) or len(rules) < 100:
        raise AssetInstallError("Bootstrap 3 CSS does not contain the expected Glyphicons rules.")
    return "/* Glyphicons rules extracted from Bootstrap 3.4.1 (MIT) */\n" + "\n".join(rules) + "\n"


def rotate_css() -> str:
    """Rules for folium's ``Icon(angle=...)``, which adds the class ``fa-rotate-<angle>``."""
    rules = [f".fa-rotate-{deg}{{transform:rotate({deg}deg)}}" for deg in range(360)]
    return "/* Generated by scripts/install_assets.py for folium Icon(angle=...) */\n" + "\n".join(rules) + "\n"


def copy_vendor_files(node_modules: Path, staging: Path) -> list[str]:
    """Copy the listed dist files from ``node_modules`` into ``staging`` and write the generated CSS.

    Raises
    ------
    AssetInstallError
        Naming the package and path of a file that is missing.
    """
    for item in VENDOR_FILES:
        source = node_modules / item.package / item.source
        target = staging / item.target
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        elif source.is_file():
            shutil.copy2(source, target)
        else:
            raise AssetInstallError(
                f"package '{item.package}' has no '{item.source}'; check the version pinned in package.json."
            )
    bootstrap3 = node_modules / GLYPHICONS_SOURCE.package / GLYPHICONS_SOURCE.source
    if not bootstrap3.is_file():
        raise AssetInstallError(f"package '{GLYPHICONS_SOURCE.package}' has no '{GLYPHICONS_SOURCE.source}'.")
    glyph_target = staging / GLYPHICONS_SOURCE.target
    glyph_target.parent.mkdir(parents=True, exist_ok=True)
    glyph_target.write_text(glyphicons_css(bootstrap3.read_text(encoding="utf-8")), encoding="utf-8")
    rotate_target = staging / ROTATE_CSS_TARGET
    rotate_target.parent.mkdir(parents=True, exist_ok=True)
    rotate_target.write_text(rotate_css(), encoding="utf-8")
    return installed_paths()


def install(
    project_root: Path = _PROJECT_ROOT,
    *,
    force: bool = False,
    cache_dir: Path | None = None,
    registry: str = DEFAULT_REGISTRY,
) -> bool:
    """Install the vendor assets into ``<project_root>/static/vendor`` unless already current.

    Every package is downloaded, verified and extracted before anything is written
    next to ``static/vendor``; the new tree is then built in a temporary sibling
    folder and swapped in, so a failed or interrupted run never leaves a
    half-filled ``static/vendor/``.

    Parameters
    ----------
    project_root : Path
        Folder holding ``package.json``, ``package-lock.json`` and ``static/``.
    force : bool
        Reinstall even when the record says the install is current.
    cache_dir : Path, optional
        Where verified tarballs are kept; ``<project_root>/node_modules/.tarballs`` by default.
    registry : str
        Registry for lock entries without a ``"resolved"`` URL.

    Returns
    -------
    bool
        ``True`` if files were installed, ``False`` if the install was already current.

    Raises
    ------
    AssetInstallError
        If a download fails, a tarball does not match its integrity hash or is
        unsafe to extract, or a package lacks a listed file.
    """
    vendor_dir = project_root / "static" / "vendor"
    digest = lock_digest(project_root)
    if not force and is_installed(vendor_dir, digest):
        return False
    if cache_dir is None:
        cache_dir = project_root / DEFAULT_CACHE_SUBDIR
    with tempfile.TemporaryDirectory(prefix="ha-tinh-node-modules-") as unpacked:
        node_modules = Path(unpacked)
        packages = fetch_packages(project_root, node_modules, cache_dir, registry)
        vendor_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=vendor_dir.parent))
        try:
            files = copy_vendor_files(node_modules, staging)
            record = {
                "lock_sha256": digest,
                "packages": {
                    p.folder: {"name": p.name, "version": p.version, "integrity": p.integrity} for p in packages
                },
                "files": files,
            }
            (staging / INSTALL_RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")
            staging.chmod(0o755)
            old = vendor_dir.with_name(".vendor-old")
            if old.exists():
                shutil.rmtree(old)
            if vendor_dir.exists():
                vendor_dir.rename(old)
            staging.rename(vendor_dir)
            if old.exists():
                shutil.rmtree(old)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return True


def main(argv: list[str] | None = None) -> int:
    """Command-line entry; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="reinstall even if current")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if not installed")
    parser.add_argument("--project-root", type=Path, default=_PROJECT_ROOT)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="folder for verified tarballs (default: <project-root>/node_modules/.tarballs)",
    )
    args = parser.parse_args(argv)
    vendor_dir = args.project_root / "static" / "vendor"
    try:
        if args.check:
            current = is_installed(vendor_dir, lock_digest(args.project_root))
            print(f"vendor assets {'installed' if current else 'missing or outdated'} in {vendor_dir}")
            return 0 if current else 1
        changed = install(args.project_root, force=args.force, cache_dir=args.cache_dir)
    except AssetInstallError as error:
        print(f"install_assets: {error}", file=sys.stderr)
        return 1
    print(f"vendor assets {'installed into' if changed else 'already current in'} {vendor_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
