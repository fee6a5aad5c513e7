# -*- coding: utf-8 -*-
"""plugins/plugin_utils/_files.py and its users: no file written or read outside its folder (issue 18, points 2-5).

Each attack of the issue is reproduced in a temporary directory: a planted pool folder symlink, a planted CSR symlink
to a root-only file, a snapshot symlinked to /dev/zero, FIFOs as a snapshot and in the drift folder, host names that
leave their folder, folders of another user, and a report folder inside an inventory source. What could hang or
exhaust memory on the old code runs in a child process with a time and memory limit."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))

import inventory_data  # noqa: E402
from ansible.errors import AnsibleActionFail  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.playbook.play_context import PlayContext  # noqa: E402
from ansible.playbook.task import Task  # noqa: E402
from ansible.template import Templar  # noqa: E402
from ansible_collections.sfb.edge.plugins.action import report_files  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _report_files  # noqa: E402
from ansible_collections.sfb.edge.plugins.filter.plan import plan as plan_filter  # noqa: E402
from ansible_collections.sfb.edge.plugins.plugin_utils import _files
from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr
from ansible_collections.sfb.edge.plugins.plugin_utils import _hoststate as hoststate
from ansible_collections.sfb.edge.plugins.plugin_utils import _html_report as html_report
from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs
from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state  # noqa: E402

SNAPSHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "snapshots")
POOL = "edgepool.corp.example.com"
OTHER_UID = 54321  # no such user: a folder "of another user" without useradd
BAD_NAMES = ["../../x/edge01", "../edge01", "/tmp/x/edge01", "x/edge01", "x\\edge01", "edge\x0001", ".", "..",
             ".edge01", "-edge01", "edge01\n", "edge\t01", "edge\u202e10", "edge\u200b01", "\u2028edge", ""]
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the folder is given to uid 54321 with chown "
                                                       "(no useradd on the CI machine)")


def isolated(code, timeout=20):
    """Run ``code`` in a child Python (the collection importable) limited to 1 GiB of memory and ``timeout``
    seconds: what hung or exhausted memory before fails the test instead of the test run."""
    prelude = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        sys.path[:0] = %r
    """) % ([p for p in sys.path if p],)
    try:
        return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("still running after %d s: it blocked" % timeout)


def snapshot_text(host="edge01"):
    with open(os.path.join(SNAPSHOTS, "converged", "%s.json" % host), encoding="utf-8") as handle:
        return handle.read()


# ------------------------------------------------------------------------------------------------ names
@pytest.mark.parametrize("name", BAD_NAMES)
def test_child_refuses_a_name_that_is_not_a_plain_file_name(tmp_path, name):
    with pytest.raises(_files.FilesError) as caught:
        _files.child(str(tmp_path), name, ".json")
    message = str(caught.value)
    assert repr(name)[:60] in message or _files.short(name)[:60] in message
    assert str(tmp_path) in message and "rename it in the inventory" in message


@pytest.mark.parametrize("name, suffix", [("edge01", ".json"), ("edge01.corp.example.com", ""), ("EDGE_01", ".md"),
                                          ("édge-01", "-external.csr"), ("edgepool.corp.example.com", "")])
def test_child_takes_plain_names(tmp_path, name, suffix):
    assert _files.child(str(tmp_path), name, suffix) == os.path.join(str(tmp_path), name + suffix)


def reference_problem(name):
    """The rules of docs/security.md, written out again."""
    if not name or name in (".", "..") or name[0] in ".-":
        return True
    if any(c in "/\\\x00" for c in name):
        return True
    if any(ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 or c in "\u2028\u2029" or 0xd800 <= ord(c) < 0xe000 for c in name):
        return True
    return len(name.encode("utf-8", "surrogatepass")) > 255


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cf",)), max_size=12)
       | st.text(alphabet="./\\-ab\x00\n", max_size=6))
def test_names_against_the_reference(name):
    folder = "/nonexistent-sfb-edge-folder"
    if reference_problem(name):
        with pytest.raises(_files.FilesError):
            _files.child(folder, name)
    else:
        path = _files.child(folder, name)
        assert os.path.dirname(path) == folder and os.path.basename(path) == name


def test_child_refuses_a_symlink_leaving_the_folder(tmp_path):
    (tmp_path / "edge01.json").symlink_to("/etc/passwd")
    with pytest.raises(_files.FilesError, match="resolves to /etc/passwd, outside its folder"):
        _files.child(str(tmp_path), "edge01", ".json")


# ------------------------------------------------------------------------------------------------ point 4
def test_snapshot_of_a_host_name_leaving_the_folder_is_refused(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "edge01.json").write_text(snapshot_text())
    folder = tmp_path / "snapshots" / "set"
    folder.mkdir(parents=True)
    expected = (r"no snapshot for \.\./\.\./x/edge01: the name '\.\./\.\./x/edge01' cannot be a file name in "
                r".*snapshots/set: it contains '/'")
    with pytest.raises(state.StateError, match=expected):
        state.load_snapshot(str(folder), "../../x/edge01")
    with pytest.raises(state.StateError, match="cannot be a file name"):
        state.load_snapshot(str(folder), str(tmp_path / "x" / "edge01"))  # absolute: the old code read it


@pytest.mark.parametrize("name", ["../../x/edge01", "/tmp/edge01", "edge01/../../x"])
def test_report_paths_of_a_bad_host_or_pool_are_refused(tmp_path, name):
    with pytest.raises(AnsibleActionFail, match="cannot be a file name"):
        hoststate.HostAction.report_base(str(tmp_path), POOL, "drift", name)
    with pytest.raises(AnsibleActionFail, match="cannot be a file name"):
        hoststate.HostAction.report_base(str(tmp_path), name, "drift", "edge01")
    assert os.listdir(tmp_path) == []


def test_certificate_request_files_of_a_bad_host_are_refused(tmp_path):
    plans = plan_filter(inventory_data.example(), read_certificates=False)
    plans[POOL]["pool"]["servers"] = ["../../x/edge01"]
    with pytest.raises(csr.CsrError, match="'../../x/edge01' cannot be a file name"):
        csr.requests(plans, str(tmp_path))
    plans = {"../pool": plans[POOL]}
    plans["../pool"]["pool"]["servers"] = ["edge01"]
    with pytest.raises(csr.CsrError, match="'../pool' cannot be a file name"):
        csr.requests(plans, str(tmp_path))


def test_plan_folder_of_a_bad_pool_is_refused(tmp_path):
    plans = plan_filter(inventory_data.example(), read_certificates=False)
    with pytest.raises(AnsibleActionFail, match="'../x' cannot be a file name"):
        _report_files.plan_files({"../x": plans[POOL]}, str(tmp_path))


def test_report_parts_are_plain_names(tmp_path):
    with pytest.raises(AnsibleActionFail, match="'../../x/edge01.json' cannot be a file name"):
        _report_files.place([{"parts": [POOL, "firewall-proof", "../../x/edge01.json"], "content": "x"}], str(tmp_path))
    with pytest.raises(AnsibleActionFail, match="needs base_dir"):
        _report_files.place([{"parts": ["edge01.json"], "content": "x"}], None)
    assert _report_files.place([{"parts": [POOL, "edge01.json"], "content": "x"}], str(tmp_path)) == [
        {"path": str(tmp_path / POOL / "edge01.json"), "content": "x"}]
    with pytest.raises(outputs.OutputError, match="outside the folder"):
        outputs.write_files([{"path": str(tmp_path / "plan" / ".." / "x.json"), "content": "x"}], base=str(tmp_path / "plan"))


# ------------------------------------------------------------------------------------------------ point 2
def test_a_planted_pool_folder_symlink_is_refused(tmp_path):
    plan, elsewhere = tmp_path / "plan", tmp_path / "elsewhere"
    plan.mkdir()
    elsewhere.mkdir()
    (plan / POOL).symlink_to(elsewhere)
    files = [{"path": str(plan / POOL / name), "content": "x\n"} for name in ("plan.json", "plan.md")]
    with pytest.raises(outputs.OutputError, match=r"plan/%s is a symbolic link, not a folder" % POOL.replace(".", r"\.")):
        outputs.write_files(files, base=str(plan))
    assert list(elsewhere.iterdir()) == []
    # deeper: plan/<pool>/drift planted
    (plan / POOL).unlink()
    (plan / POOL).mkdir()
    (plan / POOL / "drift").symlink_to(elsewhere)
    with pytest.raises(outputs.OutputError, match="drift is a symbolic link"):
        outputs.write_files([{"path": str(plan / POOL / "drift" / "edge01.json"), "content": "{}\n"}], base=str(plan))
    assert list(elsewhere.iterdir()) == []


def test_the_named_plan_folder_may_be_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "plan").symlink_to(real)
    written, _same = outputs.write_files([{"path": str(tmp_path / "plan" / POOL / "plan.md"), "content": "x\n"}],
                                         base=str(tmp_path / "plan"))
    assert written == [str(tmp_path / "plan" / POOL / "plan.md")]
    assert (real / POOL / "plan.md").read_text() == "x\n"


def test_a_planted_csr_symlink_does_not_chmod_or_copy_its_target(tmp_path):
    secret = tmp_path / "root-only.key"
    secret.write_text("-----BEGIN NEW CERTIFICATE REQUEST-----\nsecret\n-----END NEW CERTIFICATE REQUEST-----\n")
    secret.chmod(0o600)
    folder = tmp_path / "plan" / POOL / "certificates"
    folder.mkdir(parents=True)
    link = folder / "edge01-external.csr"
    link.symlink_to(secret)
    # the same content as the target: the old writer found it "unchanged" and chmod-ed the path (the target)
    with pytest.raises(outputs.OutputError, match="edge01-external.csr is a symbolic link: the collection never writes "
                                                  "through one; remove it"):
        outputs.write_files([{"path": str(link), "content": secret.read_text()}], base=str(tmp_path / "plan"))
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert link.is_symlink()
    # read back by the review, the CSR is not read through the link: the secret is not copied anywhere
    request = {"kind": "external", "pool": POOL, "host": "edge01", "files": {
        "inf": str(folder / "edge01-external.inf"), "csr": str(link), "cer": str(folder / "edge01-external.cer")}}
    result = csr._review(request, None, None)
    assert result["csr"] is None
    assert [f["code"] for f in result["findings"]] == ["certificate_request_unreadable"]
    assert "is a symbolic link, not a regular file" in result["findings"][0]["message"]


def test_an_unchanged_file_gets_its_mode_on_its_descriptor(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("same\n")
    path.chmod(0o600)
    assert outputs.write_file(str(path), "same\n") is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_hard_linked_file_is_replaced_not_changed(tmp_path):
    other = tmp_path / "other"
    other.write_text("same\n")
    other.chmod(0o600)
    os.link(other, tmp_path / "r.md")
    assert outputs.write_file(str(tmp_path / "r.md"), "same\n") is True
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
    assert os.stat(tmp_path / "r.md").st_ino != other.stat().st_ino


def test_a_fifo_as_the_file_to_write_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "plan.md")
    result = isolated("""
        from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs
        try:
            outputs.write_file(%r, "x")
        except outputs.OutputError as exc:
            print(exc)
    """ % str(tmp_path / "plan.md"))
    assert "plan.md is a FIFO (named pipe): the collection never writes through one" in result.stdout, result.stderr


@AS_ROOT
@pytest.mark.parametrize("owner, mode, words", [
    (OTHER_UID, 0o755, "is owned by uid 54321, not by you (uid 0) or root"),
    (0, 0o777, "is writable by group and others (mode 0777)"),
    (0, 0o775, "is writable by group (mode 0775)"),
])
def test_a_folder_another_user_controls_is_refused(tmp_path, owner, mode, words):
    plan = tmp_path / "plan"
    (plan / POOL).mkdir(parents=True)
    os.chown(plan / POOL, owner, 0)
    os.chmod(plan / POOL, mode)
    with pytest.raises(outputs.OutputError, match="plan/%s %s" % (POOL.replace(".", r"\."), words.replace("(", r"\(")
                                                                  .replace(")", r"\)"))):
        outputs.write_files([{"path": str(plan / POOL / "plan.md"), "content": "x\n"}], base=str(plan))
    assert list((plan / POOL).iterdir()) == []


@AS_ROOT
def test_a_sticky_shared_folder_is_taken(tmp_path):
    plan = tmp_path / "plan"
    (plan / POOL).mkdir(parents=True)
    os.chmod(plan / POOL, 0o1777)
    outputs.write_files([{"path": str(plan / POOL / "plan.md"), "content": "x\n"}], base=str(plan))
    assert (plan / POOL / "plan.md").read_text() == "x\n"


@AS_ROOT
def test_another_user_cannot_redirect_the_reports(tmp_path):
    """The two-user case end to end: a folder of uid 54321 where it may write (its own pool folder), where it plants
    a link; the writer running as root refuses."""
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / POOL).mkdir()
    os.chown(plan / POOL, OTHER_UID, OTHER_UID)
    target = tmp_path / "root-only"
    target.mkdir(mode=0o700)
    pid = os.fork()
    if pid == 0:  # the other user
        try:
            os.chdir(plan / POOL)  # the test's folders above are root's own (0700): enter before giving up root
            os.setgid(OTHER_UID)
            os.setuid(OTHER_UID)
            os.symlink(str(target), "drift")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert (plan / POOL / "drift").is_symlink()
    with pytest.raises(outputs.OutputError, match="is owned by uid 54321"):
        outputs.write_files([{"path": str(plan / POOL / "drift" / "edge01.json"), "content": "{}\n"}], base=str(plan))
    assert list(target.iterdir()) == []


# ------------------------------------------------------------------------------------------------ point 3
def test_a_snapshot_symlinked_to_dev_zero_is_refused_quickly(tmp_path):
    (tmp_path / "edge01.json").symlink_to("/dev/zero")
    result = isolated("""
        from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state
        try:
            state.load_snapshot(%r, "edge01")
        except state.StateError as exc:
            print(exc)
    """ % str(tmp_path))
    assert "resolves to /dev/zero, outside its folder" in result.stdout, result.stderr[-2000:]


def test_a_snapshot_symlink_inside_its_folder_is_refused_too(tmp_path):
    (tmp_path / "real.json").write_text(snapshot_text())
    (tmp_path / "edge01.json").symlink_to(tmp_path / "real.json")
    with pytest.raises(state.StateError, match="edge01.json is a symbolic link, not a regular file"):
        state.load_snapshot(str(tmp_path), "edge01")


def test_a_fifo_snapshot_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "edge01.json")
    result = isolated("""
        from ansible_collections.sfb.edge.plugins.plugin_utils import _state as state
        try:
            state.load_snapshot(%r, "edge01")
        except state.StateError as exc:
            print(exc)
    """ % str(tmp_path))
    assert "edge01.json is a FIFO (named pipe), not a regular file" in result.stdout, result.stderr[-2000:]


def test_a_snapshot_over_the_limit_is_refused(tmp_path, monkeypatch):
    (tmp_path / "edge01.json").write_text(snapshot_text())
    monkeypatch.setattr(_files, "SNAPSHOT_LIMIT", 1000)
    with pytest.raises(state.StateError, match="edge01.json is larger than 1000 bytes, the limit for this file"):
        state.load_snapshot(str(tmp_path), "edge01")


def test_the_limits_are_the_documented_ones():
    assert _files.SNAPSHOT_LIMIT == 64 * 1024 * 1024
    assert _files.REPORT_LIMIT == 64 * 1024 * 1024
    assert _files.CERTIFICATE_LIMIT == 1024 * 1024
    doc = open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))), "docs", "security.md"),
               encoding="utf-8").read()
    assert "64 MiB" in doc and "1 MiB" in doc


def test_read_regular_is_bounded_on_a_growing_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    with mock.patch.object(_files.os, "fstat", return_value=os.stat_result((stat.S_IFREG | 0o644,) + (0,) * 9)):
        with pytest.raises(_files.FilesError, match="larger than 5 bytes"):
            _files.read_regular(str(path), 5)
    assert _files.read_regular(str(path), 10) == b"x" * 10


def test_a_fifo_in_the_drift_folder_does_not_hang_the_report(tmp_path):
    pool_dir = tmp_path / "plan" / POOL
    (pool_dir / "drift").mkdir(parents=True)
    os.mkfifo(pool_dir / "drift" / "edge01.json")
    result = isolated("""
        from ansible_collections.sfb.edge.plugins.plugin_utils import _html_report as html_report
        print(html_report.load_reports(%r, ["edge01", "edge02"]))
    """ % str(pool_dir))
    assert "drift/edge01.json: the drift report could not be read (" in result.stdout, result.stderr[-2000:]
    assert "is a FIFO (named pipe), not a regular file" in result.stdout


def test_a_fifo_in_the_drift_folder_does_not_hang_the_plan(tmp_path):
    """What plan.yml does (sfb.edge.plan_files): report.html of each pool reads the drift folder."""
    plan = tmp_path / "plan"
    (plan / POOL / "drift").mkdir(parents=True)
    os.mkfifo(plan / POOL / "drift" / "edge01.json")
    result = isolated("""
        import sys
        sys.path.insert(0, %r)
        import inventory_data
        from ansible_collections.sfb.edge.plugins.action import report_files
        from ansible_collections.sfb.edge.plugins.filter.plan import plan
        from ansible_collections.sfb.edge.plugins.plugin_utils import _outputs as outputs
        plans = plan(inventory_data.example(), read_certificates=False)
        print(outputs.write_files(report_files.plan_files(plans, %r), base=%r))
    """ % (os.path.dirname(os.path.dirname(os.path.dirname(__file__))), str(plan), str(plan)), timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (plan / POOL / "report.html").read_text()
    assert "drift/edge01.json: the drift report could not be read" in page


def test_issued_certificate_that_is_a_fifo_or_a_link_is_refused(tmp_path):
    folder = tmp_path / "certificates"
    folder.mkdir()
    request = {"kind": "external", "pool": POOL, "host": "edge01", "files": {
        "inf": str(folder / "edge01-external.inf"), "csr": str(folder / "edge01-external.csr"),
        "cer": str(folder / "edge01-external.cer")}}
    os.mkfifo(folder / "edge01-external.cer")
    result = isolated("""
        import json
        from ansible_collections.sfb.edge.plugins.plugin_utils import _csr as csr
        print(json.dumps(csr._review(%r, None, None)["findings"]))
    """ % (request,))
    found = json.loads(result.stdout)
    assert [f["code"] for f in found] == ["issued_certificate_unreadable"], result.stderr[-2000:]
    assert "edge01-external.cer is a FIFO (named pipe), not a regular file" in found[0]["message"]
    os.unlink(folder / "edge01-external.cer")
    (folder / "edge01-external.cer").symlink_to("/etc/hostname")
    found = csr._review(request, None, None)["findings"]
    assert [f["code"] for f in found] == ["issued_certificate_unreadable"]
    assert "is a symbolic link, not a regular file" in found[0]["message"]


# ------------------------------------------------------------------------------------------------ point 5
def run_report_files(args, sources, check_mode=False):
    task = Task()
    task.args = args
    task.check_mode = check_mode
    loader = DataLoader()
    action = report_files.ActionModule(task, mock.MagicMock(), PlayContext(), loader, Templar(loader), None)
    return action.run(task_vars={"inventory_hostname": "edge01", "ansible_inventory_sources": sources})


def inventory_folder(tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))), "inventories", "example"),
                    inventory)
    return inventory


# The report_files tasks of every writer, as the roles and playbooks give them.
WRITERS = {
    "certificate_request INF": lambda d: {"base_dir": d, "files": [
        {"path": os.path.join(os.path.realpath(d), POOL, "certificates", "edge01-external.inf"), "content": "[x]\n"}]},
    "firewall proof": lambda d: {"base_dir": d, "files": [
        {"parts": [POOL, "firewall-proof", "edge01.json"], "content": "{}\n"}]},
    "capture": lambda d: {"base_dir": d, "files": [{"parts": ["edge01.json"], "content": "{}\n"}]},
    "drift/validate report.html": lambda d: {"base_dir": d, "files": [{"parts": [POOL, "report.html"], "content": "x"}]},
    "a file without base_dir": lambda d: {"files": [{"path": os.path.join(d, "x.md"), "content": "x"}]},
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_report_files_writer_refuses_a_folder_inside_an_inventory_source(tmp_path, writer):
    inventory = inventory_folder(tmp_path)
    inside = str(inventory / "reports")
    with pytest.raises(AnsibleActionFail, match="is inside the inventory source directory %s: Ansible would read"
                                                % str(inventory).replace(".", r"\.")):
        run_report_files(WRITERS[writer](inside), [str(inventory)])
    assert not os.path.exists(inside)
    # the same task outside the inventory writes
    outside = str(tmp_path / "reports")
    result = run_report_files(WRITERS[writer](outside), [str(inventory)])
    assert result["written"] and not result.get("failed")


def test_report_files_plans_refuse_a_plan_dir_inside_an_inventory_source(tmp_path):
    inventory = inventory_folder(tmp_path)
    plans = plan_filter(inventory_data.example(), read_certificates=False)
    with pytest.raises(AnsibleActionFail, match="is inside the inventory source directory"):
        run_report_files({"plans": plans, "plan_dir": str(inventory / "plan")}, [str(inventory / "hosts.yml"),
                                                                                 str(inventory)])
    assert not (inventory / "plan").exists()


def test_host_reports_refuse_a_report_dir_inside_an_inventory_source(tmp_path):
    inventory = inventory_folder(tmp_path)
    path = hoststate.HostAction.report_base(str(inventory / "plan"), POOL, "drift", "edge01") + ".json"
    with pytest.raises(AnsibleActionFail, match="edge01: .* is inside the inventory source directory"):
        hoststate.write_reports([{"path": path, "content": "{}\n"}], "edge01", str(inventory / "plan"),
                                {"ansible_inventory_sources": [str(inventory)]})
    assert not (inventory / "plan").exists()


def test_a_symlinked_report_folder_into_the_inventory_is_refused(tmp_path):
    inventory = inventory_folder(tmp_path)
    (tmp_path / "plan").symlink_to(inventory)
    with pytest.raises(outputs.OutputError, match="is inside the inventory source directory"):
        outputs.write_files([{"path": str(tmp_path / "plan" / "x.md"), "content": "x"}], base=str(tmp_path / "plan"),
                            sources=[str(inventory)])


def test_html_refresh_pages_check_the_pool_folder(tmp_path):
    plan = tmp_path / "plan"
    plan.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    plans = plan_filter(inventory_data.example(), read_certificates=False)
    (elsewhere / "plan.json").write_text(_report_files.plan_json(plans[POOL]))
    (plan / POOL).symlink_to(elsewhere)
    with pytest.raises(outputs.OutputError, match="is a symbolic link, not a folder"):
        _report_files.refresh_pages([str(plan / POOL / "report.html")])
    assert sorted(p.name for p in elsewhere.iterdir()) == ["plan.json"]


def test_html_report_pool_report_reads_plan_json_as_a_regular_file(tmp_path):
    (tmp_path / "plan.json").symlink_to("/dev/zero")
    with pytest.raises(OSError, match="plan.json is a symbolic link"):
        html_report.pool_report(str(tmp_path))


def test_streamed_content_the_same_is_left_alone(tmp_path):
    path = tmp_path / "firewall.csv"
    assert outputs.write_file(str(path), iter(["a,b\n", "c,d\n"])) is True
    os.utime(path, (1, 1))
    path.chmod(0o600)
    assert outputs.write_file(str(path), iter(["a,b\n", "c,d\n"])) is False
    assert path.stat().st_mtime == 1 and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert outputs.write_file(str(path), iter(["a,b\n", "c,e\n"])) is True
    assert path.read_text() == "a,b\nc,e\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["firewall.csv"]
