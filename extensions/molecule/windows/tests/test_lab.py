# -*- coding: utf-8 -*-
"""What the gathering and the Lync / Skype for Business modules assume about Windows and the product
(docs/lab-checklist.md, section "Gathering and Lync/SfB state"), checked on the real edge over WinRM
(testinfra) after `molecule converge -s windows`, with the connection of test_edge.py.

Read-only: nothing is installed, assigned or started (the TCP probe opens and closes connections to
the host's own loopback and to a TEST-NET address). Where a test runs a function of a module
(edge_facts.ps1, tcp_probe.ps1), it is taken from the module's source, so the lab checks the code
that ships. Tests that need an installed edge server skip, saying so, when the product is not there.
The replication test needs the Front End connection of test_frontend.py (SFB_EDGE_FE_WINRM_*).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from test_edge import as_list, desired, host, powershell  # noqa: F401  # pylint: disable=unused-import
from test_frontend import frontend  # noqa: F401  # pylint: disable=unused-import  # the Front End fixture

MODULES = Path(__file__).resolve().parents[4] / "plugins" / "modules"
IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
EPHEMERAL = 49152  # sockets from here on come and go: not compared
# The Set-CsCertificate -Type names edge_cs accepts (its $spec): Get-CsCertificate must report the same.
CS_USES = {"Internal", "AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication", "XmppServer"}
# Every Windows feature of the four version profiles (plugins/plugin_utils/_cs.py), copied on purpose.
PROFILE_FEATURES = ("NET-Framework-Core", "NET-Framework-45-Core", "NET-WCF-HTTP-Activation45",
                    "Windows-Identity-Foundation", "PowerShell")
# The full names of a version's uninstall entries (cs.PROFILES entry_pattern), copied on purpose: Lync
# Server 2013 writes "Microsoft Lync Server 2013, Core Components" (issue 19, point 5).
ENTRY_PATTERNS = {"lync2013": r"Microsoft Lync Server 2013, (.+)", "sfb2015": r"Skype for Business Server 2015, (.+)",
                  "sfb2019": r"Skype for Business Server 2019, (.+)",
                  "sfbse": r"Skype for Business Server Subscription Edition, (.+)"}
NO_FEATURE = "SfbEdge-No-Such-Feature"
# CNG key storage providers; every other provider name is a CryptoAPI CSP ("... Cryptographic Provider").
KSP_SUFFIX = "Key Storage Provider"
KSP_OTHER = {"Microsoft Platform Crypto Provider"}


def _function(module, name):
    """The source of ``function <name> { ... }`` of a module, without comment lines (command-line length)."""
    source = (MODULES / module).read_text(encoding="utf-8")
    match = re.search(r"^function %s \{.*?^\}$" % re.escape(name), source, re.M | re.S)
    assert match, "%s has no function %s" % (module, name)
    lines = [line.strip() for line in match.group(0).splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("#"))


def _version_of(name):
    """Copy of cs.installed_versions for one DisplayName, on purpose: a wrong rule there must not hide here."""
    for part, version in (("Subscription Edition", "sfbse"), ("Skype for Business Server 2019", "sfb2019"),
                          ("Skype for Business Server 2015", "sfb2015"), ("Lync Server 2013", "lync2013")):
        if part in name:
            return version
    return None


@pytest.fixture(scope="module")
def cs_want(desired):  # noqa: F811
    return desired["cs"]


PS_INSTALLED = r"""
@{ module = Test-Path -LiteralPath $want.module_path -PathType Leaf
   rtclocal = [bool](Get-Service -Name 'MSSQL$RTCLOCAL' -ErrorAction SilentlyContinue)
   rtcsrv = [bool](Get-Service -Name 'RTCSRV' -ErrorAction SilentlyContinue) }
"""


@pytest.fixture(scope="module")
def installed(host, cs_want):  # noqa: F811
    """Skips the test unless the Lync / SfB edge is installed (module, local store, Access Edge service)."""
    out = powershell(host, PS_INSTALLED, module_path=cs_want["module_path"])
    missing = [what for what, key in (("the management module %s" % cs_want["module_path"], "module"),
                                      ("the service MSSQL$RTCLOCAL", "rtclocal"), ("the service RTCSRV", "rtcsrv"))
               if not out[key]]
    if missing:
        pytest.skip("needs an installed %s edge server; missing: %s" % (cs_want["product"], ", ".join(missing)))
    return out


# As the connecting account, without become (edge_facts now runs with setup's become, runas SYSTEM by default:
# test_the_local_store_reads_and_writes_as_the_setup_account_system).
PS_CS = r"""
Import-Module -Name $want.module_path -DisableNameChecking -ErrorAction Stop
$raw = Get-CsTopology -LocalStore -AsXml -ErrorAction Stop
$topology = @{ raw_type = $raw.GetType().FullName }
try {
    $xml = [xml]$raw.ToString()
    $topology.root = $xml.DocumentElement.LocalName
    $topology.machines = @($xml.SelectNodes("//*[local-name()='Machine']") | ForEach-Object { [string]$_.GetAttribute('Fqdn') })
} catch { $topology.error = $_.Exception.Message }
$svc = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f 'MSSQL$RTCLOCAL')
try { $databases = @(Test-CsDatabase -LocalService -ErrorAction Stop | ForEach-Object {
        @{ instance = [string]$_.SqlInstanceName; name = [string]$_.DatabaseName } }) }
catch { $databases = @{ error = $_.Exception.Message } }
@{
    topology = $topology
    certificates = @(Get-CsCertificate -ErrorAction Stop | ForEach-Object {
        $e = $_.EffectiveDate
        $t = ([string]$_.Thumbprint).ToUpperInvariant()
        @{ use = [string]$_.Use; thumbprint = ([string]$_.Thumbprint).ToUpperInvariant()
           effective_date = if ($null -eq $e) { $null } else { '{0} {1}' -f $e.GetType().Name, ([datetime]$e).ToString('o') }
           not_after = if ($null -eq $_.NotAfter) { $null } else { $_.NotAfter.GetType().Name }
           not_after_utc = if ($null -eq $_.NotAfter) { $null } else { ([datetime]$_.NotAfter).ToUniversalTime().ToString('s') }
           store_not_after_utc = @(Get-ChildItem -LiteralPath Cert:\LocalMachine\My | Where-Object { $_.Thumbprint -eq $t } |
               ForEach-Object { $_.NotAfter.ToUniversalTime().ToString('s') }) } })
    databases = $databases
    rtclocal_start_mode = [string]$svc.StartMode
    services = @(foreach ($n in $want.services) {
        $c = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $n)
        @{ name = $n; start_mode = if ($c) { [string]$c.StartMode } else { $null } } })
    my = @(Get-ChildItem -LiteralPath Cert:\LocalMachine\My | Where-Object { $_.HasPrivateKey } | ForEach-Object { $_.Thumbprint })
    lync_log = [string](Get-WinEvent -ListLog 'Lync Server' -ErrorAction SilentlyContinue).LogName
}
"""


@pytest.fixture(scope="module")
def cs_read(host, cs_want, installed):  # noqa: F811  # pylint: disable=unused-argument
    return powershell(host, PS_CS, module_path=cs_want["module_path"], services=cs_want["services"])


# ------------------------------------------------------------------------------ topology, local store
def test_local_store_topology_xml_has_machine_elements_with_fqdn(cs_read, cs_want):
    """edge_facts and edge_cs: [xml](Get-CsTopology -LocalStore -AsXml).ToString(), Machine elements of any
    namespace, attribute Fqdn; read by the connecting account without become."""
    topology = cs_read["topology"]
    assert "error" not in topology, "the output (%s) is not XML text: %s" % (topology["raw_type"], topology["error"])
    machines = as_list(topology["machines"])
    assert all(machines), "a Machine element without Fqdn: %s" % machines
    assert cs_want["fqdn"].lower() in [m.lower() for m in machines], machines
    assert len(machines) >= 2, "only %s: the published topology has a Front End too" % machines


def test_rtclocal_service_means_the_local_store_exists(cs_read):
    """cs.local_management is the existence of MSSQL$RTCLOCAL: the instance holds the store (xds) and starts
    with Windows, so the store reads of edge_facts (gated on it) do not fail after a reboot."""
    databases = cs_read["databases"]
    assert not (isinstance(databases, dict) and "error" in databases), "Test-CsDatabase -LocalService: %s" % databases
    databases = as_list(databases)
    assert [d for d in databases if d["instance"].upper().endswith("RTCLOCAL") and d["name"].lower() == "xds"], databases
    assert cs_read["rtclocal_start_mode"] == "Auto", cs_read["rtclocal_start_mode"]


PS_SHARES = r"""
$missing = $null
try { $missing = @(Get-SmbShare -Name 'sfb-edge-no-such-share' -ErrorAction SilentlyContinue).Count } catch { $missing = $_.Exception.Message }
@{ server = [string](Get-Service -Name LanmanServer).Status
   missing = $missing
   smb = [bool](Get-SmbShare -Name 'xds-replica' -ErrorAction SilentlyContinue)
   cim = [string](Get-CimInstance -ClassName Win32_Share -Filter "Name='xds-replica'").Path }
"""


def test_get_smbshare_finds_xds_replica_and_nothing_for_a_missing_name(host, installed):  # noqa: F811  # pylint: disable=unused-argument
    """cs.replica.enabled is Get-SmbShare -Name xds-replica -ErrorAction SilentlyContinue: no error, no object for
    a missing share; the Server service runs (else every run would plan Enable-CsReplica); Win32_Share agrees."""
    out = powershell(host, PS_SHARES)
    assert out["missing"] == 0, "a missing share gave: %s" % out["missing"]
    assert out["server"] == "Running", "LanmanServer is %s: Get-SmbShare cannot list shares" % out["server"]
    assert out["smb"] is True and out["cim"], out


# ------------------------------------------------------------------------------ Get-CsCertificate
def test_get_cscertificate_uses_are_the_set_cscertificate_types(cs_read, cs_want):
    """Get-CsCertificate's Use is one of the -Type names edge_cs passes to Set-CsCertificate, its Thumbprint a
    certificate of LocalMachine\\My with its key (cs.cs_certificates compares by use and thumbprint)."""
    certificates = as_list(cs_read["certificates"])
    if not certificates:
        pytest.skip("no certificate is assigned (sfb_edge_certificates not set in the inventory)")
    assert {c["use"] for c in certificates} <= CS_USES, certificates
    planned = {u for uses in cs_want["certificate_uses"].values() for u in uses}
    assigned = {u for c in cs_want["certificates"] for u in c["uses"]}
    assert assigned <= {c["use"] for c in certificates} <= planned | {"XmppServer"}, certificates
    my = set(as_list(cs_read["my"]))
    assert [c["thumbprint"] for c in certificates if c["thumbprint"] not in my] == []
    assert {c["not_after"] for c in certificates} <= {"DateTime"}


def test_get_cscertificate_effective_date_marks_only_a_rolled_certificate(cs_read):
    """A plain assignment has EffectiveDate null; after Set-CsCertificate -Roll -EffectiveDate the use is listed
    twice and the new certificate carries the date (a DateTime) - cs.cs_certificates notes the roll-over so."""
    certificates = as_list(cs_read["certificates"])
    by_use = {}
    for cert in certificates:
        by_use.setdefault(cert["use"], []).append(cert)
    single = [c for entries in by_use.values() if len(entries) == 1 for c in entries]
    assert [c for c in single if c["effective_date"] is not None] == [], single
    rolled = {u: e for u, e in by_use.items() if len(e) > 1}
    if not rolled:
        pytest.skip("no roll-over on this host: converge with sfb_edge_certificate_roll_date in the future to check "
                    "the rolled half (EffectiveDate on the second entry of a use)")
    for use, entries in rolled.items():
        dated = [e for e in entries if e["effective_date"] is not None]
        assert len(dated) >= 1 and all(e["effective_date"].startswith("DateTime ") for e in dated), (use, entries)


def test_get_cscertificate_not_after_is_the_store_certificates(cs_read):
    """Get-CsCertificate's NotAfter of an assigned certificate, in UTC, is the NotAfter of the certificate with that
    thumbprint in LocalMachine\\My: certificate expiry (plugins/plugin_utils/_expiry.py) judges an assigned
    certificate by ``cs.certificates[].not_after`` and falls back to the store's date."""
    certificates = as_list(cs_read["certificates"])
    if not certificates:
        pytest.skip("no certificate is assigned (sfb_edge_certificates not set in the inventory)")
    for cert in certificates:
        assert as_list(cert["store_not_after_utc"]) == [cert["not_after_utc"]], cert


# ------------------------------------------------------------------------------ products, features, services
PS_PRODUCTS = r"""
$keys = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*'
$all = @(Get-ItemProperty -Path $keys -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName })
@{ matched = @($all | Where-Object { $_.DisplayName -match 'Lync Server|Skype for Business Server' } | ForEach-Object {
       @{ name = [string]$_.DisplayName; version = $_.DisplayVersion } })
   near = @($all | Where-Object { $_.DisplayName -match 'Lync|Skype' -and $_.DisplayName -notmatch 'Lync Server|Skype for Business Server' } |
       ForEach-Object { [string]$_.DisplayName }) }
"""


def test_uninstall_display_names_classify_as_the_installed_version(host, cs_want, installed):  # noqa: F811  # pylint: disable=unused-argument
    """edge_facts keeps the uninstall entries whose DisplayName matches 'Lync Server|Skype for Business Server';
    cs.installed_versions must see only the planned version in them (another one is a problem that stops the
    host), and cs.product_versions finds the components by the version's entry pattern (full match), with a
    DisplayVersion."""
    out = powershell(host, PS_PRODUCTS)
    matched = as_list(out["matched"])
    assert matched, "no uninstall entry matches; entries naming Lync/Skype otherwise: %s" % as_list(out["near"])
    assert {_version_of(p["name"]) for p in matched} == {cs_want["version"]}, matched
    assert [p for p in matched if not re.fullmatch(ENTRY_PATTERNS[cs_want["version"]], p["name"].strip(), re.I)] == [], matched
    assert [p for p in matched if not isinstance(p["version"], str) or not p["version"]] == [], matched


PS_FEATURES = r"""
$names = @($want.features) + $want.unknown
try { $found = @(Get-WindowsFeature -Name $names -ErrorAction Stop | ForEach-Object { @{ name = $_.Name; installed = [bool]$_.Installed } }); $err = $null }
catch { $found = @(); $err = $_.Exception.Message }
@{ found = $found; error = $err; build = [int](Get-CimInstance -ClassName Win32_OperatingSystem).BuildNumber }
"""


def test_get_windowsfeature_knows_every_profile_feature_and_omits_unknown_names(host, desired):  # noqa: F811
    """edge_facts: Get-WindowsFeature -Name <list> -ErrorAction Stop gives one object per known name, Name as
    requested; an unknown name gives no object and no error (reported false: win_feature then names it)."""
    names = sorted(set(PROFILE_FEATURES) | set(desired["cs"]["features"]))
    out = powershell(host, PS_FEATURES, features=names, unknown=NO_FEATURE)
    assert out["error"] is None, "an unknown name made Get-WindowsFeature fail: %s" % out["error"]
    found = sorted(f["name"] for f in as_list(out["found"]))
    assert [n.lower() for n in found] == [n.lower() for n in names], "on build %s" % out["build"]
    assert found == names, "names differ in case: %s" % found


def test_edge_services_start_mode_is_auto_in_win32_service(cs_read):
    """edge_facts reports Win32_Service.StartMode (Auto | Manual | Disabled, not Get-Service's Automatic);
    cs_install plans Enable-CsComputer only for 'Disabled'. A converged edge has every service on Auto."""
    modes = {s["name"]: s["start_mode"] for s in as_list(cs_read["services"])}
    assert modes == {name: "Auto" for name in modes}, modes


# ------------------------------------------------------------------------------ listeners
PS_LISTENERS = r"""
@{ tcp = @(Get-NetTCPConnection -State Listen -ErrorAction Stop | ForEach-Object { '{0}|{1}|{2}' -f $_.LocalAddress, $_.LocalPort, $_.OwningProcess })
   udp = @(Get-NetUDPEndpoint -ErrorAction Stop | ForEach-Object { '{0}|{1}|{2}' -f $_.LocalAddress, $_.LocalPort, $_.OwningProcess })
   netstat_tcp = @(netstat.exe -ano -p TCP)
   netstat_udp = @(netstat.exe -ano -p UDP) }
"""


def _cmdlet_sockets(lines):
    found = set()
    for line in as_list(lines):
        address, port, pid = line.split("|")
        found.add((address, int(port), int(pid)))
    return found


def _netstat_sockets(lines, protocol):
    found = set()
    for line in as_list(lines):
        fields = line.split()
        if len(fields) < 4 or fields[0] != protocol or fields[1].startswith("["):
            continue
        if protocol == "TCP" and fields[2] != "0.0.0.0:0":  # listening sockets only (state text is localized)
            continue
        address, port = fields[1].rsplit(":", 1)
        found.add((address, int(port), int(fields[-1])))
    return found


@pytest.fixture(scope="module")
def sockets(host):  # noqa: F811
    return powershell(host, PS_LISTENERS)


def test_listen_cmdlets_agree_with_netstat(sockets):
    """edge_facts' listeners: Get-NetTCPConnection -State Listen and Get-NetUDPEndpoint list the IPv4 sockets
    netstat -ano lists (LocalAddress a dotted quad, 0.0.0.0 for every address; OwningProcess the PID)."""
    for protocol, mine in (("TCP", sockets["tcp"]), ("UDP", sockets["udp"])):
        got = {s for s in _cmdlet_sockets(mine) if IPV4.match(s[0]) and s[1] < EPHEMERAL}
        want = {s for s in _netstat_sockets(sockets["netstat_%s" % protocol.lower()], protocol) if s[1] < EPHEMERAL}
        assert got == want, "%s: only the cmdlet %s, only netstat %s" % (protocol, sorted(got - want), sorted(want - got))


def test_edge_services_listen_on_ipv4_sockets(sockets, cs_want, installed):  # pylint: disable=unused-argument
    """Every planned socket is an IPv4 socket on the server's address or 0.0.0.0, not a dual-mode IPv6 one
    ('::'), which edge_facts leaves out and the validation would report as not listening."""
    have = {"TCP": {(a, p) for a, p, _pid in _cmdlet_sockets(sockets["tcp"])},
            "UDP": {(a, p) for a, p, _pid in _cmdlet_sockets(sockets["udp"])}}
    missing = [s for s in cs_want["listening"] if (s["address"], s["port"]) not in have[s["protocol"]]
               and ("0.0.0.0", s["port"]) not in have[s["protocol"]]]
    dual = [s for s in missing if ("::", s["port"]) in have[s["protocol"]]]
    assert dual == [], "listening on '::' only (dual mode): %s" % dual
    assert missing == [], missing


# ------------------------------------------------------------------------------ certificate stores
PS_KEYS = r"""
$module = New-Object -TypeName psobject | Add-Member -MemberType ScriptMethod -Name Warn -Value { param ($m) } -PassThru
@FUNCTION@
@{ certificates = @(Get-ChildItem -LiteralPath Cert:\LocalMachine\My | Where-Object { $_.HasPrivateKey } | ForEach-Object {
    $c = $_
    $p = Get-KeyProvider -Cert $c
    $line = @(certutil.exe -silent -store My $c.Thumbprint) | Where-Object { $_ -match '^\s*Provider = ' } | Select-Object -First 1
    @{ thumbprint = $c.Thumbprint; name = if ($p) { $p.name } else { $null }; legacy = if ($p) { $p.legacy } else { $null }
       certutil = if ($line) { ($line -replace '^\s*Provider = ', '').Trim() } else { $null } } }) }
"""


@pytest.fixture(scope="module")
def keys(host):  # noqa: F811
    script = PS_KEYS.replace("@FUNCTION@", _function("edge_facts.ps1", "Get-KeyProvider"))
    return as_list(powershell(host, script)["certificates"])


def test_key_provider_detection_agrees_with_certutil(keys):
    """edge_facts' Get-KeyProvider: $cert.PrivateKey is an ICspAsymmetricAlgorithm for a CryptoAPI key (legacy_csp
    true) and throws for a CNG key, whose RSACng.Key.Provider names the KSP (false); certutil names the same."""
    if not keys:
        pytest.skip("no certificate with a private key in LocalMachine\\My")
    if all(k["certutil"] is None for k in keys):
        pytest.skip("certutil printed no 'Provider = ' line (a non-English Windows): compare by hand")
    for key in keys:
        if key["certutil"] is None:
            continue
        assert key["name"] == key["certutil"], key
        assert key["legacy"] is not (key["certutil"].endswith(KSP_SUFFIX) or key["certutil"] in KSP_OTHER), key


def test_planned_pfx_keys_are_in_a_legacy_csp(keys, desired):  # noqa: F811
    """edge_certificates imports a PFX (X509Certificate2, MachineKeySet | PersistKeySet, no provider asked) into a
    CryptoAPI CSP when the PFX names none, which SfB 2015+ needs (cs_certificates refuses a CNG key)."""
    planned = [c["thumbprint"] for c in desired["certificates"] if c["pfx"]]
    if not planned:
        pytest.skip("the inventory configures no PFX (sfb_edge_certificates)")
    found = {k["thumbprint"]: k for k in keys}
    assert [t for t in planned if found.get(t, {}).get("legacy") is not True] == [], [found.get(t) for t in planned]


PS_CERT_INFO = r"""
function Get-KeyProvider { param ($Cert) $null }
@FUNCTIONS@
$certs = @(Get-ChildItem -LiteralPath Cert:\LocalMachine\My) + @(foreach ($w in @($want.extra)) {
    Get-Item -LiteralPath ('Cert:\LocalMachine\{0}\{1}' -f $w.store, $w.thumbprint) -ErrorAction SilentlyContinue })
@{ certificates = @(foreach ($c in $certs) { $i = Get-CertificateInfo -Cert $c; $i.der = [Convert]::ToBase64String($c.RawData); $i }) }
"""


def _utc(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_certificate_info_matches_the_der(host, desired):  # noqa: F811
    """edge_facts' Get-CertificateInfo against the certificate's DER read by cryptography: thumbprint, dates in
    UTC, key size, EKU OIDs (X509EnhancedKeyUsageExtension), and dns_names (PowerShell's DnsNameList): every SAN
    DNS name, plus at most the subject CN."""
    x509 = pytest.importorskip("cryptography.x509")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    functions = "\n".join(_function("edge_facts.ps1", name) for name in ("ConvertTo-UtcText", "Get-CertificateInfo"))
    extra = [{"store": c["store"], "thumbprint": c["thumbprint"]} for c in desired["certificates"] if c["store"] != "My"]
    infos = as_list(powershell(host, PS_CERT_INFO.replace("@FUNCTIONS@", functions), extra=extra)["certificates"])
    if not infos:
        pytest.skip("LocalMachine\\My is empty and no CA certificate is planned")
    for info in infos:
        cert = x509.load_der_x509_certificate(base64.b64decode(info["der"]))
        assert info["thumbprint"] == cert.fingerprint(hashes.SHA1()).hex().upper()  # nosec: Windows thumbprint
        assert info["not_before"] == _utc(cert.not_valid_before_utc), info["thumbprint"]
        assert info["not_after"] == _utc(cert.not_valid_after_utc), info["thumbprint"]
        key_size = getattr(cert.public_key(), "key_size", None)
        assert info["key_size"] == key_size, info["thumbprint"]
        try:
            eku = [oid.dotted_string for oid in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value]
        except x509.ExtensionNotFound:
            eku = []
        assert as_list(info["eku"]) == eku, info["thumbprint"]
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            san = []
        cn = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
        names = [n.lower() for n in as_list(info["dns_names"])]
        assert {n.lower() for n in san} <= set(names), (info["thumbprint"], san, names)
        assert set(names) <= {n.lower() for n in san + cn}, (info["thumbprint"], san, cn, names)


# ------------------------------------------------------------------------------ identity registry values
PS_NAMES = r"""
$t = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters'
$n = 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName'
$g = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()
@{ nv_hostname = [string]$t.'NV Hostname'; hostname = [string]$t.Hostname; nv_domain = [string]$t.'NV Domain'; domain = [string]$t.Domain
   machine = [Environment]::MachineName; active = [string](Get-ItemProperty "$n\ActiveComputerName").ComputerName
   pending = [string](Get-ItemProperty "$n\ComputerName").ComputerName; ip_host = $g.HostName; ip_domain = $g.DomainName }
"""


def test_nv_values_are_the_names_after_the_next_reboot(host):  # noqa: F811
    """edge_facts: pending_hostname is 'NV Hostname', dns_suffix 'NV Domain' (Tcpip\\Parameters). win_hostname
    writes NV Hostname with ComputerName\\ComputerName, so ComputerRename (ActiveComputerName differs) is set
    exactly when NV Hostname is not the active name; the active values are Hostname / Domain."""
    out = powershell(host, PS_NAMES)
    rename_pending = out["active"].upper() != out["pending"].upper()
    assert out["active"].upper() == out["machine"].upper(), out
    assert out["pending"].upper() == out["nv_hostname"].upper()[:15], out
    assert (out["nv_hostname"].upper()[:15] != out["machine"].upper()) is rename_pending, out
    if not rename_pending:
        assert out["nv_hostname"].lower() == out["hostname"].lower() == out["ip_host"].lower(), out
    assert out["ip_domain"].lower() == out["domain"].lower(), out
    if out["nv_domain"].lower() != out["domain"].lower():
        pytest.skip("the primary DNS suffix changes from %r to %r at the next reboot (no pending-reboot indicator "
                    "shows it): reboot and verify again" % (out["domain"], out["nv_domain"]))


# ------------------------------------------------------------------------------ last_error events
PS_EVENTS = r"""
$none = $null
$scm = @{ LogName = 'System'; ProviderName = 'Service Control Manager' }
try { $none = @(Get-WinEvent -FilterHashtable ($scm + @{ Id = 65001 }) -MaxEvents 1 -ErrorAction SilentlyContinue).Count }
catch { $none = $_.Exception.Message }
$display = @{}
Get-Service | ForEach-Object { $display[$_.DisplayName] = $_.Name }
@{ none = $none
   templates = @((Get-WinEvent -ListProvider 'Service Control Manager' -ErrorAction Stop).Events |
       Where-Object { $_.Id -in 7000, 7009, 7023, 7024, 7031, 7034 } | ForEach-Object { @{ id = [int]$_.Id; text = [string]$_.Description } })
   changes = @(Get-WinEvent -FilterHashtable ($scm + @{ Id = 7036 }) -MaxEvents 50 -ErrorAction SilentlyContinue |
       ForEach-Object { $d = [string]$_.Properties[0].Value
           @{ display = $d; known = $display.ContainsKey($d); in_message = ([string]$_.Message).IndexOf($d, [StringComparison]::OrdinalIgnoreCase) -ge 0 } }) }
"""


def test_service_control_manager_events_name_services_by_display_name(host):  # noqa: F811
    """Get-SfbEdgeServiceError (SfbEdge.psm1): Get-WinEvent -FilterHashtable (System, 'Service Control Manager',
    Level 1,2) with -ErrorAction SilentlyContinue gives nothing and no error when nothing matches; the SCM error
    events (7000, 7023, 7024, 7031, 7034; 7009: %2) name the service as %1, which is its display name (as in 7036)."""
    out = powershell(host, PS_EVENTS)
    assert out["none"] == 0, out["none"]
    templates = {t["id"]: t["text"] for t in as_list(out["templates"])}
    assert sorted(templates) == [7000, 7009, 7023, 7024, 7031, 7034]
    assert [i for i, text in templates.items() if ("%2" if i == 7009 else "%1") not in text] == [], templates
    changes = as_list(out["changes"])
    if not changes:
        pytest.skip("no service state change (7036) in the System log to compare with")
    assert all(c["in_message"] for c in changes), changes
    assert sum(1 for c in changes if c["known"]) * 2 > len(changes), "7036 %%1 is not the display name: %s" % changes


def test_lync_server_event_log_exists(cs_read):
    """Get-SfbEdgeServiceError's fallback reads the 'Lync Server' event log (also on Skype for Business)."""
    assert cs_read["lync_log"] == "Lync Server"


# ------------------------------------------------------------------------------ Front End: replication status
PS_REPLICATION = r"""
foreach ($name in 'SkypeForBusiness', 'Lync') {
    if (Get-Module -ListAvailable -Name $name) { Import-Module -Name $name -DisableNameChecking; break }
}
try { $all = @(Get-CsManagementStoreReplicationStatus -ErrorAction Stop) } catch { return @{ ok = $false; message = ($_ | Out-String) } }
function Get-TypeName { param ($Value) if ($null -eq $Value) { $null } else { $Value.GetType().Name } }
@{ ok = $true; replicas = @($all | ForEach-Object {
    @{ fqdn = [string]$_.ReplicaFqdn; up_to_date = Get-TypeName $_.UpToDate
       last_status_report = Get-TypeName $_.LastStatusReport; last_update_creation = Get-TypeName $_.LastUpdateCreation } }) }
"""


def test_replication_status_has_the_fields_cs_replication_reads(frontend, cs_want):  # noqa: F811
    """cs_replication: Get-CsManagementStoreReplicationStatus lists the edge with ReplicaFqdn (matched case-
    insensitively), UpToDate a Boolean, LastStatusReport and LastUpdateCreation a DateTime or null."""
    out = powershell(frontend, PS_REPLICATION)
    if not out["ok"]:
        pytest.skip("Get-CsManagementStoreReplicationStatus failed in a plain WinRM logon (see "
                    "test_frontend.py::test_double_hop_error_text_is_the_one_recognised): %s" % out["message"])
    replicas = {r["fqdn"].lower(): r for r in as_list(out["replicas"])}
    mine = replicas.get(cs_want["fqdn"].lower())
    assert mine, "the Central Management Store has no replica %s: %s" % (cs_want["fqdn"], sorted(replicas))
    assert mine["up_to_date"] == "Boolean", mine
    assert mine["last_status_report"] in (None, "DateTime") and mine["last_update_creation"] in (None, "DateTime"), mine


# ------------------------------------------------------------------------------ tcp_probe
def _probe_block():
    source = (MODULES / "tcp_probe.ps1").read_text(encoding="utf-8")
    start, end = source.index("$probes = @("), source.index("$module.Result.changed")
    lines = [line.strip() for line in source[start:end].splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("#"))


PS_PROBE = r"""
$timeout = [int]$want.timeout
$module = @{ Params = @{ targets = @($want.targets | ForEach-Object { @{ host = [string]$_.host; port = [int]$_.port } }) }; Result = @{} }
@BLOCK@
@{ results = $module.Result.results
   tnc = @(foreach ($t in @($want.compare)) {
       [bool](Test-NetConnection -ComputerName $t.host -Port $t.port -InformationLevel Quiet -WarningAction SilentlyContinue) }) }
"""


def _timeout_guard():
    """The module's timeout_ms check (the ``if`` right after AnsibleModule::Create), its FailJson recorded."""
    source = (MODULES / "tcp_probe.ps1").read_text(encoding="utf-8")
    start = source.index("if ($timeout -lt 1")
    end = source.index("}", start) + 1
    return source[start:end].replace("$module.FailJson(", "$null = $failed.Add(")


PS_TIMEOUT = r"""
$out = @(foreach ($value in @($want.values)) {
    $failed = New-Object System.Collections.ArrayList
    $timeout = [int]$value  # Ansible.Basic converts an option of type int to [int] before the module reads it
@GUARD@
    @{ value = $value; failed = @($failed) } })
@{ results = $out }
"""


def test_tcp_probe_refuses_a_timeout_outside_1_to_60000_ms(host):  # noqa: F811
    """tcp_probe: with timeout_ms an [int] (Ansible.Basic's type int), -lt / -gt compare numbers, not text:
    100000 and 60001 are refused ("100000" -gt "60000" would be false as strings), 60000 and 1 pass."""
    out = powershell(host, PS_TIMEOUT.replace("@GUARD@", _timeout_guard()), values=[0, 1, 60000, 60001, 100000])
    refused = {int(r["value"]): bool(as_list(r["failed"])) for r in as_list(out["results"])}
    assert refused == {0: True, 1: False, 60000: False, 60001: True, 100000: True}


def test_tcp_probe_reports_open_refused_and_silent_ports_as_test_netconnection_does(host):  # noqa: F811
    """tcp_probe: TcpClient.ConnectAsync for every target, then Task.WaitAll(tasks, timeout) (which throws once all
    ended when one failed): RanToCompletion = open, faulted = refused (with the socket error), still running =
    no answer. With the default 3000 ms a refused port is faulted in time (Windows retries a connect after a
    reset); open and refused agree with Test-NetConnection -Port."""
    listening, refused, silent = ("127.0.0.1", 135), ("127.0.0.1", 1), ("192.0.2.1", 443)  # RPC, tcpmux, TEST-NET-1
    targets = [{"host": h, "port": p} for h, p in (listening, refused, silent)]
    out = powershell(host, PS_PROBE.replace("@BLOCK@", _probe_block()), timeout=3000, targets=targets,
                     compare=targets[:2])
    results = as_list(out["results"])
    assert [(r["host"], r["port"]) for r in results] == [listening, refused, silent]
    assert results[0]["open"] is True and results[0]["error"] is None, results[0]
    assert results[1]["open"] is False and results[1]["error"] and "no answer" not in results[1]["error"], results[1]
    assert results[2]["open"] is False and results[2]["error"], results[2]
    assert as_list(out["tnc"]) == [True, False]


# ------------------------------------------------------------------ issue 19, point 15: the store's account
# Runs the CS cmdlets as SYSTEM - the account setup runs as (cs_install_become_user) and the state read,
# cs_certificates and cs_services now run as - through a one-off scheduled task (plain PowerShell over WinRM
# cannot runas); the result comes back through a file under ProgramData.
PS_AS_SYSTEM = r"""
$out = Join-Path $env:ProgramData ('sfbedge-system-' + [guid]::NewGuid().ToString('N') + '.json')
$inner = "Import-Module -Name '" + $want.module_path + "' -DisableNameChecking -ErrorAction Stop; " +
  '$r = @{ user = [Security.Principal.WindowsIdentity]::GetCurrent().Name }; ' +
  'try { $null = Get-CsTopology -LocalStore -AsXml -ErrorAction Stop; $r.topology = "ok" } catch { $r.topology = $_.Exception.Message }; ' +
  'try { $r.certificates = @(Get-CsCertificate -ErrorAction Stop).Count } catch { $r.certificates = $_.Exception.Message }; ' +
  "ConvertTo-Json `$r | Set-Content -LiteralPath '" + $out + "' -Encoding UTF8"
$encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($inner))
$name = 'sfb.edge lab read as SYSTEM'
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument ('-NoProfile -NonInteractive -EncodedCommand ' + $encoded)
$null = Register-ScheduledTask -TaskName $name -Action $action -User 'NT AUTHORITY\SYSTEM' -RunLevel Highest -Force
try {
    Start-ScheduledTask -TaskName $name
    $deadline = (Get-Date).AddSeconds(180)
    while (-not (Test-Path -LiteralPath $out) -and (Get-Date) -lt $deadline) { Start-Sleep -Seconds 2 }
    Start-Sleep -Seconds 1
    $result = if (Test-Path -LiteralPath $out) { Get-Content -LiteralPath $out -Raw | ConvertFrom-Json } else { @{ error = 'no result within 180 s' } }
}
finally {
    Unregister-ScheduledTask -TaskName $name -Confirm:$false -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $out -Force -ErrorAction SilentlyContinue
}
$result
"""


def test_the_local_store_reads_and_writes_as_the_setup_account_system(host, cs_want, installed):  # noqa: F811  # pylint: disable=unused-argument
    """SYSTEM, which ran setup and so created RTCLOCAL, reads the local store (Get-CsTopology -LocalStore) and
    the assignments (Get-CsCertificate) without a permission error: what edge_facts, cs_certificates
    (Set-CsCertificate) and cs_services rely on now that they run with setup's become."""
    out = powershell(host, PS_AS_SYSTEM, module_path=cs_want["module_path"])
    assert "error" not in out, out
    assert out["user"].upper().endswith("SYSTEM"), out
    assert out["topology"] == "ok", out
    assert isinstance(out["certificates"], int), out
