#!/usr/bin/env python3
"""Copy the vendored front-end assets from node_modules into static/vendor/.

Usage (from anywhere):  python scripts/build_assets.py
Prerequisite:           npm ci   (installs the exact versions pinned in package-lock.json)

Output (git-ignored, rebuilt from scratch on every run, nothing fetched from a CDN):

    static/vendor/kern/kern.min.css                 KERN UX styles (grid + utilities included)
    static/vendor/kern/fonts/fira-sans.css          @font-face rules for Fira Sans (KERN default)
    static/vendor/kern/fonts/fira-sans/*.woff2      only the font files fira-sans.css references
    static/vendor/axe-core/axe.min.js               axe-core, for accessibility checks in e2e tests

Every relative url(...) in a copied stylesheet is resolved against the package, the referenced
file is copied next to it and the url is rewritten relative to the copied stylesheet, so the CSS
works when served from STATIC_URL. A missing reference fails the build. KERN's only JavaScript
(the <kern-kopfzeile> web component) is deliberately not copied: the Kopfzeile is rendered with
plain HTML + CSS instead (no JS, CSP-friendly, no second banner landmark in a shadow root).
Standard library only.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
NODE_MODULES = BASE_DIR / "node_modules"
VENDOR_DIR = BASE_DIR / "static" / "vendor"

KERN_PKG = "@kern-ux/native"
AXE_PKG = "axe-core"

# (package, file inside the package, destination relative to static/vendor/)
STYLESHEETS = [
    (KERN_PKG, "dist/kern.min.css", "kern/kern.min.css"),
    (KERN_PKG, "dist/fonts/fira-sans.css", "kern/fonts/fira-sans.css"),
]
SCRIPTS = [
    (AXE_PKG, "axe.min.js", "axe-core/axe.min.js"),
]
# Top-level directories under static/vendor/ owned (and wiped on rebuild) by this script.
MANAGED_DIRS = ("kern", "axe-core")

URL_RE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")
IMPORT_RE = re.compile(r"@import\b")
EXTERNAL_PREFIXES = ("data:", "http:", "https:", "//", "#")


class BuildError(Exception):
    pass


def package_dir(name: str) -> Path:
    return NODE_MODULES.joinpath(*name.split("/"))


def check_node_modules() -> None:
    """Fail loudly unless node_modules holds exactly the versions pinned in package.json."""
    hint = "run `npm ci` first (in the project root)"
    if not NODE_MODULES.is_dir():
        raise BuildError(f"{NODE_MODULES} does not exist - {hint}.")
    try:
        pinned = json.loads((BASE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    except (OSError, ValueError, KeyError) as exc:
        raise BuildError(f"cannot read dependencies from package.json: {exc}") from exc
    for name in (KERN_PKG, AXE_PKG):
        manifest = package_dir(name) / "package.json"
        if not manifest.is_file():
            raise BuildError(f"package {name!r} is missing from node_modules - {hint}.")
        installed = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        wanted = pinned.get(name)
        if wanted is None:
            raise BuildError(f"package.json does not list {name!r} in dependencies.")
        if installed != wanted:
            raise BuildError(
                f"node_modules has {name}@{installed}, package.json pins {wanted} - {hint}."
            )


def safe_join(root: Path, rel: str) -> Path:
    """Join a relative POSIX path to root, refusing anything that escapes root."""
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BuildError(f"path {rel!r} escapes {root}")
    return path


def copy_file(src: Path, dest: Path) -> None:
    if not src.is_file():
        raise BuildError(f"source file missing: {src} - is the package complete? Try `npm ci`.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def copy_stylesheet(pkg: str, src_rel: str, dest_rel: str, out_root: Path) -> None:
    """Copy one stylesheet plus every local file it references via url(...)."""
    pkg_root = package_dir(pkg).resolve()
    src = safe_join(pkg_root, src_rel)
    dest = safe_join(out_root, dest_rel)
    if not src.is_file():
        raise BuildError(f"source file missing: {src} - is the package complete? Try `npm ci`.")
    css = src.read_text(encoding="utf-8")
    if IMPORT_RE.search(css):
        raise BuildError(f"{src} uses @import, which this script does not resolve.")

    # Referenced assets keep their path relative to the stylesheet's package directory
    # (e.g. dist/fonts/fira-sans/X.woff2 -> kern/fonts/fira-sans/X.woff2 next to the copied css).
    src_base = src.parent
    dest_top_name, _, dest_css_rel = dest_rel.partition("/")
    dest_top = out_root / dest_top_name
    dest_sub = posixpath.dirname(dest_css_rel)

    def rewrite(match: re.Match[str]) -> str:
        ref = next(g for g in match.groups() if g is not None)
        if not ref or ref.startswith(EXTERNAL_PREFIXES):
            if ref.startswith(("http:", "https:", "//")):
                raise BuildError(f"{src} references a remote resource {ref!r} (offline build).")
            return match.group(0)  # data: URIs and fragments stay inline
        path_part = re.split(r"[?#]", ref, maxsplit=1)[0]
        suffix = ref[len(path_part) :]
        if path_part.startswith("/"):
            raise BuildError(f"{src} uses a root-absolute url {ref!r}; cannot relocate it.")
        asset_src = (src_base / path_part).resolve()
        if not asset_src.is_relative_to(pkg_root):
            raise BuildError(f"{src}: url {ref!r} points outside package {pkg}.")
        if not asset_src.is_file():
            raise BuildError(f"{src}: url {ref!r} -> {asset_src} does not exist.")
        # Same position relative to the stylesheet as in the package, but never outside the
        # top-level directory the stylesheet is copied into (e.g. static/vendor/kern/).
        new_ref = Path(os.path.relpath(asset_src, src_base)).as_posix()
        asset_dest = safe_join(dest_top, posixpath.join(dest_sub, new_ref))
        copy_file(asset_src, asset_dest)
        return f'url("{new_ref}{suffix}")'

    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(URL_RE.sub(rewrite, css), encoding="utf-8")


def build(out_root: Path) -> None:
    for pkg, src_rel, dest_rel in STYLESHEETS:
        copy_stylesheet(pkg, src_rel, dest_rel, out_root)
    for pkg, src_rel, dest_rel in SCRIPTS:
        copy_file(safe_join(package_dir(pkg).resolve(), src_rel), safe_join(out_root, dest_rel))


def install(staging: Path) -> None:
    """Replace the managed directories under static/vendor/ with the freshly built ones."""
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    for name in MANAGED_DIRS:
        target = VENDOR_DIR / name
        if target.exists():
            shutil.rmtree(target)
        built = staging / name
        if built.exists():
            built.replace(target)


def report() -> None:
    total = 0
    print(f"Vendored assets in {VENDOR_DIR.relative_to(BASE_DIR)}/:")
    for name in MANAGED_DIRS:
        for path in sorted((VENDOR_DIR / name).rglob("*")):
            if path.is_file():
                size = path.stat().st_size
                total += size
                print(f"  {size:>9,}  {path.relative_to(VENDOR_DIR).as_posix()}")
    print(f"  {total:>9,}  bytes total")


def main() -> int:
    try:
        check_node_modules()
        VENDOR_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".build-", dir=VENDOR_DIR) as tmp:
            staging = Path(tmp)
            build(staging)
            install(staging)
    except BuildError as exc:
        print(f"build_assets: error: {exc}", file=sys.stderr)
        return 1
    report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
