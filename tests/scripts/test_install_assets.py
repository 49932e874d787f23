"""scripts/install_assets.py without Node.js/npm and without the network.

Every test builds small fake npm tarballs (a ``package/`` folder holding the files
:mod:`maps.assets` takes from each package) and a ``package-lock.json`` whose
``resolved`` URLs are ``file://`` URLs to them, with their real sha512 integrity.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath

import pytest

from maps.assets import GLYPHICONS_SOURCE, INSTALL_RECORD, VENDOR_FILES, installed_paths
from scripts import install_assets
from scripts.install_assets import AssetInstallError, install

SCRIPT = Path(install_assets.__file__).resolve()

#: Real registry name of each aliased node_modules folder.
ALIASES = {"bootstrap3": "bootstrap"}


def bootstrap3_css() -> str:
    """A Bootstrap 3 stylesheet with the Glyphicons @font-face and 120 glyph rules among others."""
    rules = [
        "/*! Bootstrap v3.4.1 (fake) */",
        "html { font-family: sans-serif; }",
        "@font-face { font-family: 'Glyphicons Halflings'; src: url('../fonts/glyphicons-halflings-regular.woff2'); }",
        ".glyphicon { position: relative; font-family: 'Glyphicons Halflings'; }",
    ]
    rules += [f".glyphicon-g{i}:before {{ content: '\\e{i:03d}'; }}" for i in range(120)]
    rules.append(".btn { display: inline-block; }")
    return "\n".join(rules) + "\n"


def package_files() -> dict[str, dict[str, bytes]]:
    """node_modules folder -> {path inside the package: bytes}: the minimal files the table needs."""
    files: dict[str, dict[str, bytes]] = {}
    for item in VENDOR_FILES:
        # Sources with a suffix are files; the others (dist/images, webfonts, dist/fonts) are folders.
        path = item.source if PurePosixPath(item.source).suffix else f"{item.source}/sample.bin"
        files.setdefault(item.package, {})[path] = f"{item.package}:{path}\n".encode()
    files.setdefault(GLYPHICONS_SOURCE.package, {})[GLYPHICONS_SOURCE.source] = bootstrap3_css().encode()
    for folder in files:
        files[folder]["package.json"] = json.dumps({"name": ALIASES.get(folder, folder)}).encode()
    return files


def make_tarball(path: Path, files: dict[str, bytes], extra: list[tarfile.TarInfo] = ()) -> Path:
    """Write a gzipped tarball holding ``files`` under ``package/``, plus ``extra`` raw members."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra:
            archive.addfile(info, io.BytesIO(b"evil\n") if info.isfile() else None)
    return path


def evil_member(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(b"evil\n")
    return info


def sri(data: bytes, algorithm: str = "sha512") -> str:
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def write_lock(project: Path, tarballs: dict[str, Path], integrity: dict[str, str] | None = None) -> None:
    """package-lock.json (v3) pinning each folder to its tarball (file:// URL) and its sha512."""
    integrity = integrity or {}
    packages: dict[str, dict] = {"": {"name": "fake", "version": "1.0.0"}}
    for folder, tarball in sorted(tarballs.items()):
        entry = {
            "version": "1.0.0",
            "resolved": tarball.resolve().as_uri(),
            "integrity": integrity.get(folder) or sri(tarball.read_bytes()),
        }
        if folder in ALIASES:
            entry["name"] = ALIASES[folder]
        packages[f"node_modules/{folder}"] = entry
    lock = {"name": "fake", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    (project / "package-lock.json").write_text(json.dumps(lock, indent=1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a lock file pointing at good fake tarballs in ``tmp_path/registry``."""
    root = tmp_path / "project"
    root.mkdir()
    tarballs = {
        folder: make_tarball(tmp_path / "registry" / f"{folder.replace('/', '-')}-1.0.0.tgz", files)
        for folder, files in package_files().items()
    }
    write_lock(root, tarballs)
    return root


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs the installer downloads, in order (the real downloader still runs)."""
    seen: list[str] = []
    real = install_assets.download

    def counting(url: str) -> bytes:
        seen.append(url)
        return real(url)

    monkeypatch.setattr(install_assets, "download", counting)
    return seen


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_complete(vendor: Path, project: Path) -> None:
    for path in installed_paths():
        assert (vendor / path).exists(), path
    record = json.loads((vendor / INSTALL_RECORD).read_text(encoding="utf-8"))
    assert record["lock_sha256"] == hashlib.sha256((project / "package-lock.json").read_bytes()).hexdigest()
    assert (vendor / "leaflet/leaflet.js").read_bytes() == b"leaflet:dist/leaflet.js\n"
    assert (vendor / "glyphicons/fonts/sample.bin").read_bytes() == b"bootstrap3:dist/fonts/sample.bin\n"
    glyphs = (vendor / GLYPHICONS_SOURCE.target).read_text(encoding="utf-8")
    assert "Glyphicons Halflings" in glyphs and ".btn" not in glyphs


def test_the_asset_installer_works_with_no_npm_on_path(project: Path, tmp_path: Path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python").symlink_to(sys.executable)
    assert shutil.which("npm", path=str(bindir)) is None
    env = {"PATH": str(bindir), "HOME": str(tmp_path / "home"), "LC_ALL": "C.UTF-8"}

    result = subprocess.run(
        ["python", str(SCRIPT), "--project-root", str(project)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "installed into" in result.stdout
    assert_complete(project / "static" / "vendor", project)
    assert len(list((project / "node_modules" / ".tarballs").glob("sha512-*.tgz"))) == len(package_files())
    assert [p.name for p in (project / "static").iterdir()] == ["vendor"]

    check = subprocess.run(
        ["python", str(SCRIPT), "--project-root", str(project), "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_second_run_does_nothing_and_downloads_nothing(project: Path, downloads: list[str]):
    cache = project / "cache"
    assert install(project, cache_dir=cache) is True
    assert len(downloads) == len(package_files())
    vendor = project / "static" / "vendor"
    before = snapshot(vendor)

    assert install(project, cache_dir=cache) is False
    assert install_assets.main(["--project-root", str(project), "--cache-dir", str(cache)]) == 0
    assert len(downloads) == len(package_files())
    assert snapshot(vendor) == before

    # --force reinstalls from the cache, still without downloading.
    assert install(project, cache_dir=cache, force=True) is True
    assert len(downloads) == len(package_files())
    assert_complete(vendor, project)


def test_corrupted_cache_is_verified_and_downloaded_again(project: Path, downloads: list[str]):
    cache = project / "cache"
    install(project, cache_dir=cache)
    cached = sorted(cache.glob("*.tgz"))
    cached[0].write_bytes(b"not the tarball")
    downloads.clear()

    assert install(project, cache_dir=cache, force=True) is True

    assert len(downloads) == 1
    assert cached[0].read_bytes() != b"not the tarball"
    assert_complete(project / "static" / "vendor", project)


def test_mismatching_tarball_is_refused_and_vendor_left_as_it_was(project: Path, tmp_path: Path):
    install(project, cache_dir=tmp_path / "cache-1")
    vendor = project / "static" / "vendor"
    before = snapshot(vendor)

    # The registry now serves other bytes for leaflet than the lock's hash pins.
    files = package_files()
    files["leaflet"]["dist/leaflet.js"] = b"alert('tampered')\n"
    tampered = make_tarball(tmp_path / "registry" / "leaflet-1.0.0.tgz", files["leaflet"])
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    good = make_tarball(tmp_path / "good" / "leaflet.tgz", package_files()["leaflet"])
    lock["packages"]["node_modules/leaflet"]["integrity"] = sri(good.read_bytes())
    lock["packages"]["node_modules/leaflet"]["version"] = "1.0.1"  # a new lock digest: not "already current"
    (project / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    cache = tmp_path / "cache-2"

    with pytest.raises(AssetInstallError, match="leaflet") as raised:
        install(project, cache_dir=cache)

    assert tampered.resolve().as_uri() in str(raised.value)
    assert "integrity" in str(raised.value)
    assert snapshot(vendor) == before
    assert sorted(p.name for p in (project / "static").iterdir()) == ["vendor"]
    leaflet = next(p for p in install_assets.locked_packages(project) if p.folder == "leaflet")
    assert not install_assets.cache_path(leaflet, cache).exists()
    assert tampered.read_bytes() not in [p.read_bytes() for p in cache.glob("*")]
    assert install_assets.main(["--project-root", str(project), "--cache-dir", str(cache)]) == 1


def test_download_failure_names_package_and_url(project: Path, tmp_path: Path):
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    missing = (tmp_path / "registry" / "nowhere.tgz").as_uri()
    lock["packages"]["node_modules/bootstrap3"]["resolved"] = missing
    (project / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")

    with pytest.raises(AssetInstallError, match=r"bootstrap3 \(bootstrap@1\.0\.0\)") as raised:
        install(project, cache_dir=tmp_path / "cache")

    assert missing in str(raised.value)
    assert not (project / "static").exists()


@pytest.mark.parametrize("name", ["../evil", "package/../../evil", "/tmp/ha-tinh-install-assets-evil"])
def test_member_escaping_the_folder_is_refused(project: Path, tmp_path: Path, name: str):
    files = package_files()
    bad = make_tarball(tmp_path / "registry" / "leaflet.heat-1.0.0.tgz", files["leaflet.heat"], [evil_member(name)])
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    lock["packages"]["node_modules/leaflet.heat"]["integrity"] = sri(bad.read_bytes())
    (project / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")

    with pytest.raises(AssetInstallError, match=r"leaflet\.heat.*unsafe member path"):
        install(project, cache_dir=tmp_path / "cache")

    assert not list(tmp_path.rglob("evil"))
    assert not Path("/tmp/ha-tinh-install-assets-evil").exists()
    assert not (project / "static").exists()


def test_links_in_a_tarball_are_not_extracted(project: Path, tmp_path: Path):
    link = tarfile.TarInfo("package/dist/outside")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    files = package_files()
    tarball = make_tarball(tmp_path / "registry" / "leaflet.heat-1.0.0.tgz", files["leaflet.heat"], [link])
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    lock["packages"]["node_modules/leaflet.heat"]["integrity"] = sri(tarball.read_bytes())
    (project / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    package = next(p for p in install_assets.locked_packages(project) if p.folder == "leaflet.heat")

    install_assets.extract_package(tarball, tmp_path / "out", package)

    assert (tmp_path / "out" / "dist" / "leaflet-heat.js").is_file()
    assert not os.path.lexists(tmp_path / "out" / "dist" / "outside")


def test_lock_entries_without_resolved_use_the_registry_tarball_url(project: Path):
    lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
    for entry in lock["packages"].values():
        entry.pop("resolved", None)
    (project / "package-lock.json").write_text(json.dumps(lock), encoding="utf-8")

    urls = {p.folder: p.url for p in install_assets.locked_packages(project, "https://registry.example")}

    assert urls["bootstrap3"] == "https://registry.example/bootstrap/-/bootstrap-1.0.0.tgz"
    assert urls["@fortawesome/fontawesome-free"] == (
        "https://registry.example/@fortawesome/fontawesome-free/-/fontawesome-free-1.0.0.tgz"
    )


def test_lockfile_version_1_and_missing_integrity_are_refused(project: Path):
    lock_path = project / "package-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    del lock["packages"]["node_modules/jquery"]["integrity"]
    lock_path.write_text(json.dumps(lock), encoding="utf-8")
    with pytest.raises(AssetInstallError, match="'jquery' has no integrity"):
        install_assets.locked_packages(project)

    lock_path.write_text(json.dumps({"lockfileVersion": 1, "dependencies": {}}), encoding="utf-8")
    with pytest.raises(AssetInstallError, match="lockfile version 2 or 3"):
        install_assets.locked_packages(project)


def test_parse_integrity_picks_the_strongest_known_hash():
    data = b"tarball"
    combined = f"{sri(data, 'sha1')} md5-xyz {sri(data, 'sha512')}?opt {sri(data, 'sha256')}"
    assert install_assets.parse_integrity(combined) == ("sha512", [hashlib.sha512(data).digest()])
    assert install_assets.parse_integrity(sri(data, "sha256"))[0] == "sha256"
    with pytest.raises(AssetInstallError, match="no supported hash"):
        install_assets.parse_integrity("md5-AAAA")
