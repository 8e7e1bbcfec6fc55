#!/usr/bin/env python3
"""Write the schemalint-cli wheel for a prebuilt binary, as `maturin build` with
`bindings = "bin"` lays it out (the binary in <name>.data/scripts/, so pip puts `schemalint` on
PATH), without compiling anything: releases package the binaries the release workflow built.
Metadata comes from python/pyproject.toml, the version from Cargo.toml.

    scripts/wheel.py BINARY OUTDIR PLATFORM_TAG      (prints the wheel's path)
"""
import base64
import hashlib
import os
import re
import sys
import zipfile

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cargo_version():
    text = open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8").read()
    package = text.split("[package]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', package, re.M).group(1)


def project_table():
    path = os.path.join(ROOT, "python", "pyproject.toml")
    if tomllib is None:
        sys.exit("scripts/wheel.py needs Python 3.11+ (tomllib) to read python/pyproject.toml")
    with open(path, "rb") as f:
        return tomllib.load(f)["project"]


def metadata(project, version):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
        f"License: {project['license']['text']}",
        f"Keywords: {','.join(project.get('keywords', []))}",
    ]
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + readme


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, outdir, platform_tag = sys.argv[1:]
    project = project_table()
    version = cargo_version()
    dist = project["name"].replace("-", "_")
    tag = f"py3-none-{platform_tag}"
    exe = "schemalint.exe" if binary.lower().endswith(".exe") else "schemalint"
    info = f"{dist}-{version}.dist-info"
    # One Tag line per platform of a compressed tag set (manylinux_...x86_64.musllinux_...).
    wheel_text = (
        "Wheel-Version: 1.0\nGenerator: schemalint scripts/wheel.py\nRoot-Is-Purelib: false\n"
        + "".join(f"Tag: py3-none-{p}\n" for p in platform_tag.split("."))
    )
    files = [
        (f"{dist}-{version}.data/scripts/{exe}", open(binary, "rb").read(), 0o755),
        (f"{info}/METADATA", metadata(project, version).encode(), 0o644),
        (f"{info}/WHEEL", wheel_text.encode(), 0o644),
    ]
    record = [record_line(name, data) for name, data, _ in files]
    record.append(f"{info}/RECORD,,")
    files.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode(), 0o644))

    os.makedirs(outdir, exist_ok=True)
    wheel = os.path.join(outdir, f"{dist}-{version}-{tag}.whl")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            entry = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    print(wheel)


if __name__ == "__main__":
    main()
