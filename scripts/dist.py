# -*- coding: utf-8 -*-
"""Offline distribution of sfb.edge (issue 11, item 1b): ``make dist``.

Writes into dist/ (or --output DIR), without any network access:

* ``sfb-edge-<version>.tar.gz``, built by ``ansible-galaxy collection build`` (galaxy.yml's
  build_ignore keeps the development files and the test keys out; a tarball that still holds a
  private key is refused);
* one tarball per collection sfb.edge depends on, directly or through another dependency, repacked
  from the copy on the collections path (.cache/collections made by scripts/bootstrap.sh from the
  PyPI ``ansible`` package, ANSIBLE_COLLECTIONS_PATH, or a pip-installed ``ansible``): its own
  MANIFEST.json and FILES.json, every file checked against FILES.json first;
* ``requirements.yml`` naming those tarballs (``type: file``, relative to dist/), for
  ``ansible-galaxy collection install -r requirements.yml --offline`` run inside dist/ and for the
  execution environment (execution-environment.yml);
* ``requirements.txt`` (the controller's Python requirements) and ``INSTALL.txt``.

    .venv/bin/python scripts/dist.py [--output DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
# Names and contents that must never ship (the test certificates carry private keys).
SECRET_NAMES = re.compile(r"\.(pfx|p12|key)$", re.IGNORECASE)
SECRET_CONTENT = re.compile(rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")
# A fixed timestamp for repacked members: the same input gives the same tarball.
MTIME = 0


class DistError(Exception):
    """A problem the user can fix; printed without a traceback."""


def ansible_env():
    """Environment for the ansible-galaxy calls: the checkout's configuration and collections path
    unless the caller chose another one."""
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    env.setdefault("ANSIBLE_CONFIG", os.path.join(ROOT, "ansible.cfg"))
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, ".cache", "collections"))
    return env


def galaxy(*args):
    exe = os.path.join(BIN, "ansible-galaxy")
    if not os.path.exists(exe):
        exe = shutil.which("ansible-galaxy") or "ansible-galaxy"
    proc = subprocess.run([exe, *args], cwd=ROOT, env=ansible_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DistError("ansible-galaxy %s failed (exit %d):\n%s%s"
                        % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def installed_collections():
    """{'ns.name': directory} of every collection on the collections path, the first one found winning
    (the order in which Ansible itself looks)."""
    listing = json.loads(galaxy("collection", "list", "--format", "json") or "{}")
    found = {}
    for path, collections in listing.items():
        for fqcn in collections:
            found.setdefault(fqcn, os.path.join(path, *fqcn.split(".")))
    return found


def read_manifest(directory):
    with open(os.path.join(directory, "MANIFEST.json"), encoding="utf-8") as handle:
        return json.load(handle)["collection_info"]


def dependency_closure(dependencies, installed):
    """[(fqcn, directory, version)] for the dependencies and theirs, in a stable order; an error naming
    the collection, the requirement and where it was looked for when one is missing or too old."""
    result = {}
    pending = sorted(dependencies.items())
    while pending:
        fqcn, requirement = pending.pop(0)
        directory = installed.get(fqcn)
        if directory is None or not os.path.isfile(os.path.join(directory, "MANIFEST.json")):
            raise DistError("%s (%s) is not on the collections path (ANSIBLE_COLLECTIONS_PATH=%s, and the Python "
                            "path): run `make bootstrap`, which extracts it from the PyPI ansible package, or "
                            "pip install ansible" % (fqcn, requirement, ansible_env()["ANSIBLE_COLLECTIONS_PATH"]))
        info = read_manifest(directory)
        if not meets_requirements(info["version"], requirement):
            raise DistError("%s %s at %s does not meet the requirement %s: install a version that does (bootstrap's "
                            "ANSIBLE_BUNDLE)" % (fqcn, info["version"], directory, requirement))
        if fqcn in result:
            continue
        result[fqcn] = (directory, info["version"])
        pending.extend(sorted((info.get("dependencies") or {}).items()))
    return [(fqcn, path, version) for fqcn, (path, version) in sorted(result.items())]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add(tar, directory, name, kind):
    info = tarfile.TarInfo(name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
    if kind == "dir":
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        return
    path = os.path.join(directory, name)
    info.size = os.path.getsize(path)
    info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
    with open(path, "rb") as handle:
        tar.addfile(info, handle)


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
    info.size, info.mode = len(data), 0o644
    tar.addfile(info, io.BytesIO(data))


def repack(directory, fqcn, version, output):
    """Tarball of an installed collection, in the layout ``ansible-galaxy collection build`` makes:
    MANIFEST.json, FILES.json and the files FILES.json lists. Every file present must match its
    checksum there (else the copy was changed: refused). Files the installed copy lacks (the PyPI
    ``ansible`` package leaves out e.g. the collections' CI files) are dropped from FILES.json, and
    MANIFEST.json gets the new FILES.json's checksum, so that ansible-galaxy's checks pass."""
    with open(os.path.join(directory, "FILES.json"), encoding="utf-8") as handle:
        files_json = json.load(handle)
    with open(os.path.join(directory, "MANIFEST.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    kept = []
    for entry in files_json["files"]:
        path = os.path.join(directory, entry["name"])
        if entry["ftype"] == "dir":
            if os.path.isdir(path):
                kept.append(entry)
        elif os.path.isfile(path):
            if _sha256(path) != entry["chksum_sha256"]:
                raise DistError("%s at %s: %s changed since the collection was built; reinstall it "
                                "(BOOTSTRAP_FORCE=1 make bootstrap)" % (fqcn, directory, entry["name"]))
            kept.append(entry)
    files_data = json.dumps(dict(files_json, files=kept), indent=4).encode("utf-8")
    manifest["file_manifest_file"] = dict(manifest.get("file_manifest_file") or {}, name="FILES.json",
                                          ftype="file", chksum_type="sha256",
                                          chksum_sha256=hashlib.sha256(files_data).hexdigest(), format=1)
    name = "%s-%s.tar.gz" % (fqcn.replace(".", "-"), version)
    with open(os.path.join(output, name), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=MTIME) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.GNU_FORMAT) as tar:
        _add_bytes(tar, "MANIFEST.json", json.dumps(manifest, indent=4).encode("utf-8"))
        _add_bytes(tar, "FILES.json", files_data)
        for entry in kept:
            if entry["name"] != ".":
                _add(tar, directory, entry["name"], entry["ftype"])
    return name


def secrets_in(tarball):
    """Members of a tarball that are, or hold, private keys."""
    found = []
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            if SECRET_NAMES.search(member.name):
                found.append(member.name)
                continue
            data = tar.extractfile(member).read()
            if SECRET_CONTENT.search(data):
                found.append(member.name)
    return found


def install_text(own, deps):
    names = "\n".join("  %-44s %s %s" % (tarball, fqcn, version) for fqcn, version, tarball in [own] + deps)
    return """sfb.edge {version}: offline installation bundle (made by `make dist`)

{names}
  requirements.yml                             the tarballs above (type: file, relative to this directory)
  requirements.txt                             the controller's Python requirements

Needs ansible-core 2.16 to 2.19 and the Python packages of requirements.txt (pywinrm,
cryptography: `pip install -r requirements.txt`, from your index or from wheels brought along).
No Galaxy and no other index is contacted:

  cd <this directory>
  ansible-galaxy collection install --offline -r requirements.yml -p ~/.ansible/collections

or, from any directory:

  ansible-galaxy collection install --offline -p ~/.ansible/collections <this directory>/*.tar.gz

(-p: any directory on your collections path, ANSIBLE_COLLECTIONS_PATH.) Then, with a copy of the
example inventory that ships in the collection (ansible_collections/sfb/edge/inventories/example):

  ansible-playbook sfb.edge.plan -i my-inventory -e sfb_edge_plan_dir=$PWD/plan

The dependencies ({deps}) were repacked unchanged from the collections path of the machine that
ran `make dist`; where the PyPI `ansible` package is installed they are already there and only
{own} is needed.
""".format(version=own[1], names=names, deps=", ".join(fqcn for fqcn, _v, _t in deps), own=own[2])


def build(output):
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        meta = yaml.safe_load(handle)
    fqcn, version = "%s.%s" % (meta["namespace"], meta["name"]), meta["version"]
    os.makedirs(output, exist_ok=True)
    for old in os.listdir(output):
        if old.endswith(".tar.gz") or old in ("requirements.yml", "requirements.txt", "INSTALL.txt"):
            os.remove(os.path.join(output, old))

    galaxy("collection", "build", "--force", "--output-path", output, ROOT)
    own = "%s-%s-%s.tar.gz" % (meta["namespace"], meta["name"], version)
    leaked = secrets_in(os.path.join(output, own))
    if leaked:
        os.remove(os.path.join(output, own))
        raise DistError("the collection tarball would ship private keys: %s; add them to build_ignore in galaxy.yml"
                        % ", ".join(leaked))

    installed = installed_collections()
    deps = []
    for dep, directory, dep_version in dependency_closure(meta.get("dependencies") or {}, installed):
        deps.append((dep, dep_version, repack(directory, dep, dep_version, output)))

    requirements = {"collections": [{"name": tarball, "type": "file"}
                                    for _f, _v, tarball in [(fqcn, version, own)] + deps]}
    with open(os.path.join(output, "requirements.yml"), "w", encoding="utf-8") as handle:
        handle.write("---\n# Made by `make dist`: install with, inside this directory,\n"
                     "#   ansible-galaxy collection install --offline -r requirements.yml\n")
        yaml.safe_dump(requirements, handle, default_flow_style=False, sort_keys=False)
    shutil.copyfile(os.path.join(ROOT, "requirements.txt"), os.path.join(output, "requirements.txt"))
    with open(os.path.join(output, "INSTALL.txt"), "w", encoding="utf-8") as handle:
        handle.write(install_text((fqcn, version, own), deps))
    return [own] + [tarball for _f, _v, tarball in deps]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", default=os.path.join(ROOT, "dist"), help="directory to write (default: dist/)")
    args = parser.parse_args(argv)
    output = os.path.abspath(args.output)
    try:
        tarballs = build(output)
    except DistError as exc:
        print("dist: ERROR: %s" % exc, file=sys.stderr)
        return 1
    print("dist: wrote %s/" % output)
    for name in tarballs + ["requirements.yml", "requirements.txt", "INSTALL.txt"]:
        print("  %s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
