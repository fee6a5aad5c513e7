# -*- coding: utf-8 -*-
"""The install paths of README.md "Install" (issue 11, item 1), each from an unrelated directory.

Every install here runs in a temporary directory outside the checkout, without the checkout's
ansible.cfg (no ANSIBLE_CONFIG, HOME and ANSIBLE_HOME in the temporary directory), with an empty
ANSIBLE_COLLECTIONS_PATH, ``--offline`` and a Galaxy server that does not exist, so nothing can come
from the checkout's .cache/collections or from a network index.

* (b) ``make dist`` (scripts/dist.py): the bundle's content, its installation with
  ``ansible-galaxy collection install --offline -r requirements.yml`` inside a copy of dist/ and with
  the tarballs named on the command line, then ``ansible-playbook sfb.edge.plan`` on a copy of the
  example inventory shipped in the installed collection.
* (a) the PyPI ``ansible`` package + ``ansible-galaxy collection install --offline sfb-edge-*.tar.gz``:
  the dependencies are only where that package puts them, on the Python path
  (site-packages/ansible_collections). Instead of installing the whole package (about 40,000 files)
  the test puts the two collections it carries (.cache/collections, which scripts/bootstrap.sh
  extracted from the same wheel) into a directory on PYTHONPATH and uses the venv's ansible-core;
  the control run without them must fail to resolve the dependencies.
* (c) execution-environment.yml: ``ansible-builder create`` makes the build context, with the
  tarballs and the requirements the Containerfile installs (no container engine here).
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.join(ROOT, ".cache", "collections", "ansible_collections")
DEPENDENCIES = ("ansible.windows", "community.windows")
# Top-level entries a user of the collection gets; anything else in the tarball is a leak of the
# development tree (a new top-level file needs a decision: ship it here or build_ignore it).
SHIPPED_REQUIRED = {"MANIFEST.json", "FILES.json", "README.md", "COPYING", "meta", "plugins", "roles", "playbooks",
                    "docs", "inventories", "changelogs", "requirements.txt", "requirements.yml", "bindep.txt"}
SHIPPED_OPTIONAL = {"CHANGELOG.rst", "CONTRIBUTING.md", "CODE_OF_CONDUCT.md"}
NEVER_SHIPPED = ("Makefile", "scripts/", "ansible.cfg", ".ansible-lint", "requirements-dev.txt",
                 "constraints-dev.txt", "tests/", "extensions/", ".ci/", ".github/", ".venv/", ".cache/", "dist/",
                 "changelogs/fragments/", "execution-environment.yml", "pytest.ini")


def galaxy_meta():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def installed_version(fqcn):
    path = os.path.join(COLLECTIONS, *fqcn.split("."), "MANIFEST.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["collection_info"]["version"]


def clean_env(home, collections_path, **extra):
    """The environment of a user elsewhere: the venv's tools, nothing of the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PYTHON", "MOLECULE_"))}
    env.update(PATH=BIN + os.pathsep + env.get("PATH", ""), HOME=str(home), ANSIBLE_HOME=str(home / ".ansible"),
               ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_NOCOLOR="1", PY_COLORS="0",
               ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
               # a Galaxy that does not exist: an install that tried to reach one would fail
               ANSIBLE_GALAXY_SERVER="http://127.0.0.1:9/")
    env.update(extra)
    return env


def run(args, cwd, env, timeout=300):
    return subprocess.run([os.path.join(BIN, args[0]), *args[1:]], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def manifest_of(root, fqcn):
    with open(os.path.join(str(root), "ansible_collections", *fqcn.split("."), "MANIFEST.json"),
              encoding="utf-8") as handle:
        return json.load(handle)["collection_info"]


def plan_from_installed(tmp, home, collections_path, **extra):
    """ansible-playbook sfb.edge.plan on a copy of the example inventory that ships in the installed
    collection, from an unrelated directory; returns the plan.json of the example pool."""
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    shutil.copytree(os.path.join(str(collections_path), "ansible_collections", "sfb", "edge", "inventories",
                                 "example"), work / "inventory")
    env = clean_env(home, collections_path, **extra)
    result = run(["ansible-playbook", "sfb.edge.plan", "-i", "inventory", "-e", "sfb_edge_plan_dir=%s" % (work / "plan")],
                 work, env)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(work / "plan" / "edgepool.corp.example.com" / "plan.json", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """`make dist` into a temporary directory (scripts/dist.py --output)."""
    out = tmp_path_factory.mktemp("dist") / "dist"
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "dist.py"), "--output", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_dist_bundle_names_every_tarball(dist):
    meta = galaxy_meta()
    own = "sfb-edge-%s.tar.gz" % meta["version"]
    deps = ["%s-%s.tar.gz" % (fqcn.replace(".", "-"), installed_version(fqcn)) for fqcn in DEPENDENCIES]
    assert sorted(os.listdir(dist)) == sorted([own, *deps, "requirements.yml", "requirements.txt", "INSTALL.txt"])
    with open(dist / "requirements.yml", encoding="utf-8") as handle:
        reqs = yaml.safe_load(handle)
    assert reqs == {"collections": [{"name": name, "type": "file"} for name in [own, *deps]]}
    text = (dist / "INSTALL.txt").read_text(encoding="utf-8")
    assert "ansible-galaxy collection install --offline -r requirements.yml" in text
    assert "sfb.edge %s" % meta["version"] in text
    # The dependency tarballs are the collections of the path, unchanged: every file checks out.
    for fqcn, name in zip(DEPENDENCIES, deps):
        with tarfile.open(dist / name) as tar:
            manifest = json.load(tar.extractfile("MANIFEST.json"))
            files = json.load(tar.extractfile("FILES.json"))["files"]
            assert manifest["collection_info"]["name"] == fqcn.split(".")[1]
            checked = 0
            for entry in files:
                if entry["ftype"] == "file":
                    with open(os.path.join(COLLECTIONS, *fqcn.split("."), entry["name"]), "rb") as local:
                        assert tar.extractfile(entry["name"]).read() == local.read(), entry["name"]
                    checked += 1
            assert checked > 50


def test_collection_tarball_ships_only_what_users_need(dist):
    meta = galaxy_meta()
    with tarfile.open(dist / ("sfb-edge-%s.tar.gz" % meta["version"])) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
        keys = [n for n in names if tar.getmember(n).isfile()
                and b"PRIVATE KEY-----" in tar.extractfile(n).read()]
    top = {n.split("/")[0] for n in names}
    assert SHIPPED_REQUIRED <= top, SHIPPED_REQUIRED - top
    assert top <= SHIPPED_REQUIRED | SHIPPED_OPTIONAL, top - SHIPPED_REQUIRED - SHIPPED_OPTIONAL
    leaked = [n for n in names for bad in NEVER_SHIPPED if n == bad.rstrip("/") or n.startswith(bad)]
    assert leaked == []
    assert keys == [] and not [n for n in names if re.search(r"\.(pfx|p12|key)$", n)]
    assert "inventories/example/hosts.yml" in names and "roles/plan/meta/argument_specs.yml" in names
    assert manifest["version"] == meta["version"] == "0.5.0"
    assert manifest["dependencies"] == {"ansible.windows": ">=2.5.0", "community.windows": ">=2.2.0"}
    assert manifest["license"] == ["GPL-3.0-or-later"]
    assert not [v for k, v in manifest.items() if isinstance(v, str) and "example.invalid" in v]
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["requires_ansible"] == ">=2.16.0"


def test_dist_installs_offline_from_requirements_file(dist, tmp_path):
    """(b): a copy of dist/ on a machine with no index; -r requirements.yml inside it, then the plan."""
    media = tmp_path / "media"
    shutil.copytree(dist, media)
    target, home = tmp_path / "collections", tmp_path / "home"
    home.mkdir()
    # The bundle is all there is: no collection on the Python path either.
    env = clean_env(home, target, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    result = run(["ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml", "-p", str(target)],
                 media, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert manifest_of(target, "sfb.edge")["version"] == galaxy_meta()["version"]
    for fqcn in DEPENDENCIES:
        assert manifest_of(target, fqcn)["version"] == installed_version(fqcn)
    data = plan_from_installed(tmp_path, home, target, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    assert data["pool"]["fqdn"] == "edgepool.corp.example.com" and data["public_ips"]["count"] == 9


def test_dist_tarballs_install_from_any_directory(dist, tmp_path):
    """(b), the other form of INSTALL.txt: the tarballs named on the command line, from elsewhere."""
    target, home = tmp_path / "collections", tmp_path / "home"
    home.mkdir()
    env = clean_env(home, target, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    tarballs = sorted(glob.glob(str(dist / "*.tar.gz")))
    result = run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(target), *tarballs], home, env)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = run(["ansible-galaxy", "collection", "list", "--format", "json"], home, env)
    assert listed.returncode == 0, listed.stderr
    found = {fqcn: info["version"] for path, colls in json.loads(listed.stdout).items() if path.startswith(str(target))
             for fqcn, info in colls.items()}
    assert found == {"sfb.edge": galaxy_meta()["version"], **{f: installed_version(f) for f in DEPENDENCIES}}


def test_pypi_ansible_package_then_offline_tarball(dist, tmp_path):
    """(a): the dependencies where `pip install ansible` puts them; only sfb.edge is installed."""
    site = tmp_path / "site-packages"
    for fqcn in DEPENDENCIES:
        shutil.copytree(os.path.join(COLLECTIONS, *fqcn.split(".")), site / "ansible_collections" / fqcn.replace(".", "/"))
    tarball = str(dist / ("sfb-edge-%s.tar.gz" % galaxy_meta()["version"]))
    home = tmp_path / "home"
    home.mkdir()

    # Control: without the package's collections the dependencies cannot be resolved offline.
    target = tmp_path / "without"
    result = run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(target), tarball], home,
                 clean_env(home, target))
    assert result.returncode != 0
    assert "ansible.windows" in result.stderr + result.stdout
    assert not (target / "ansible_collections" / "sfb" / "edge").exists()

    target = tmp_path / "collections"
    env = clean_env(home, target, PYTHONPATH=str(site))
    result = run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(target), tarball], home, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(os.listdir(target / "ansible_collections")) == ["sfb"]  # the dependencies were already there
    data = plan_from_installed(tmp_path, home, target, PYTHONPATH=str(site))
    assert data["pool"]["fqdn"] == "edgepool.corp.example.com" and data["public_ips"]["count"] == 9


def test_execution_environment_build_context(dist, tmp_path):
    """(c): execution-environment.yml with the dist/ it expects beside it, elsewhere. `ansible-builder
    create` writes a context whose Containerfile installs the tarballs through requirements.yml; the
    galaxy stage's install command, run here in the context's build directory, installs all three
    offline, and the builder stage's introspection finds the Python and system requirements."""
    shutil.copy(os.path.join(ROOT, "execution-environment.yml"), tmp_path)
    shutil.copytree(dist, tmp_path / "dist")
    context = tmp_path / "context"
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    result = run(["ansible-builder", "create", "-f", "execution-environment.yml", "-c", str(context),
                  "--output-filename", "Containerfile"], tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    build = context / "_build"
    with open(build / "requirements.yml", encoding="utf-8") as handle:
        reqs = yaml.safe_load(handle)
    names = [entry["name"] for entry in reqs["collections"]]
    assert all(entry["type"] == "file" for entry in reqs["collections"])
    for name in names:  # beside requirements.yml, where the install (WORKDIR /build) looks for them
        assert (build / name).read_bytes() == (dist / name).read_bytes()
    assert sorted(names) == sorted(n for n in os.listdir(dist) if n.endswith(".tar.gz"))
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert "COPY _build /build" in containerfile and "WORKDIR /build" in containerfile
    install = re.search(r"RUN .*ansible-galaxy collection install \$ANSIBLE_GALAXY_CLI_COLLECTION_OPTS "
                        r"(-r requirements.yml) --collections-path", containerfile)
    assert install, containerfile
    assert re.search(r'ANSIBLE_INSTALL_REFS="ansible-core==2\.19\.\d+ ansible-runner==', containerfile)

    # The galaxy stage, without a container: the same command in the same directory, no index.
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "ee-collections"
    result = run(["ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml",
                  "--collections-path", str(target)], build, clean_env(home, target, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert manifest_of(target, "sfb.edge")["version"] == galaxy_meta()["version"]
    # The builder stage's introspection of what was installed (the context's own script).
    out = tmp_path / "introspect"
    result = subprocess.run([sys.executable, str(build / "scripts" / "introspect.py"), "introspect", str(target),
                             "--user-pip", str(build / "requirements.txt"), "--write-pip", str(out / "pip.txt"),
                             "--write-bindep", str(out / "bindep.txt")], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    pip = (out / "pip.txt").read_text(encoding="utf-8")
    system = (out / "bindep.txt").read_text(encoding="utf-8")
    assert "pywinrm>=0.5.0  # from collection sfb.edge" in pip and "cryptography>=42  # from collection sfb.edge" in pip
    assert "pywinrm[kerberos,credssp]>=0.5.0  # from collection user" in pip
    assert "krb5-devel [platform:rpm compile]  # from collection sfb.edge" in system
    assert "ansible-core" not in pip  # the base stage installs the pinned one
