# -*- coding: utf-8 -*-
# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE to the collection: the product versions sfb.edge installs, every per-version fact in one
table (issue 22, point 2).

:data:`PRODUCTS` is keyed by ``sfb_edge_version`` (the inventory's keys, in the order the docs list
them). The modules that use a fact read it from here - ``model`` (the choices), ``cs`` (profiles,
services, installed versions), ``prereqs`` (OS / .NET / CU rules), ``certs`` (PFX encryption per
product), ``report``, ``validate`` and ``plan`` (XMPP and OCS 2007 federation), and
scripts/support_matrix.py -; the YAML and Markdown that cannot import it (roles/plan/meta/argument_specs.yml,
docs/inventory.md, docs/cs-roles.md, README.md) are held to it by tests/unit/plugins/plugin_utils/test_products.py.
Adding a version: CONTRIBUTING.md "Add a product version".

Sources (issue 19, point 11): a rule that blocks an installation (severity ``error``, or ``cu``:
enforced through the ``cu`` step) always names one - a page of the MicrosoftDocs repository
OfficeDocs-SkypeForBusiness (its path there, :func:`source_link` makes the link), a Microsoft KB
number, or another Microsoft page (its address); a fact without a Microsoft source is a warning,
never an error (point 10).
"""

from __future__ import annotations

# ----------------------------------------------------------------------------------- sources
DOCS_REPO = "https://github.com/MicrosoftDocs/OfficeDocs-SkypeForBusiness/blob/live/"
SRC_SFB2015 = "Skype/SfbServer/plan-your-deployment/requirements-for-your-environment/server-requirements.md"
SRC_SFB2019 = "Skype/SfBServer2019/plan/system-requirements.md"
# Microsoft's update versions of Skype for Business Server 2015: CU5 6.0.9319.281 ("We first introduced
# support for .NET 4.7 in Skype for Business Server 2015 CU5 (6.0.9319.281)"), CU6 HF2 6.0.9319.516
# (March 2018, KB4086059), CU9 6.0.9319.548 (May 2019) - all named on this page.
SRC_TLS = "Skype/SfbServer/manage/topology/disable-tls-1.0-1.1.md"
# Lync Server 2013: "Server and tools operating system support" (2008 R2 SP1, 2012; "Windows Server 2012
# R2 ... supported with the Cumulative Updates for Lync Server 2013: October 2013") and "Additional
# software requirements" (Edge Servers: Windows PowerShell 3.0, .NET Framework 4.5, Windows Identity
# Foundation; HTTP Activation only for internal server roles).
SRC_LYNC2013 = "Lync/LyncServer/lync-server-2013-server-and-tools-operating-system-support.md"
SRC_LYNC2013_SOFTWARE = "Lync/LyncServer/lync-server-2013-additional-software-requirements.md"
SRC_NETTCPIP = "https://learn.microsoft.com/powershell/module/nettcpip/"
# .NET 4.7.2 from CU6: PR #1519 of the docs repository ("confirmed internally ... 4.7.2 is supported on
# CU6 or later"); 4.8 from CU9: issue #3589 and PR #4919, which removed the note "Skype For Business
# server 2015 does not support .NET Framework 4.8" (PR #3386 had added it).
SRC_SFB2015_DOTNET = SRC_SFB2015 + " (4.7.2: PR #1519; 4.8: issue #3589, PR #4919)"
# The first Windows that reads AES-encrypted PFX files (Export-PfxCertificate -CryptoAlgorithmOption
# AES256_SHA256): Windows Server 2019 / Windows 10 1709 and later.
SRC_PFX_AES = "https://learn.microsoft.com/powershell/module/pki/export-pfxcertificate"


def source_link(source):
    """A rule's source as a Markdown link: a docs path -> the file in the docs repository (live branch),
    ``KBnnnnnnn`` -> support.microsoft.com, an address -> itself; a remark after the path is kept."""
    if not source:
        return "none (warning until a Microsoft source is found)"
    head, _sep, rest = str(source).partition(" ")
    tail = (" " + rest) if rest else ""
    if head.startswith("http"):
        return "[%s](%s)%s" % (head.split("//", 1)[-1].rstrip("/"), head, tail)
    if head.upper().startswith("KB") and head[2:].isdigit():
        return "[%s](https://support.microsoft.com/help/%s)%s" % (head.upper(), head[2:], tail)
    return "[%s](%s%s)%s" % (head.rsplit("/", 1)[-1], DOCS_REPO, head, tail)


# Windows Server releases by build number (computer.os_build): the keys of the ``os`` rules below.
WINDOWS = {
    7601: "Windows Server 2008 R2",
    9200: "Windows Server 2012",
    9600: "Windows Server 2012 R2",
    14393: "Windows Server 2016",
    17763: "Windows Server 2019",
    20348: "Windows Server 2022",
    26100: "Windows Server 2025",
}

# Windows services of an edge server (shared/seeds/002 and the reference): name, what it is. The
# first two come with the local management store (Bootstrapper /BootstrapLocalMgmt), the others
# with the edge roles. RTCCLSAGT (Centralized Logging Service agent) exists on every version since
# Lync Server 2013 and is started by a nameless Start-CsWindowsService like the others. The XMPP
# Translating Gateway Proxy runs on the versions with ``xmpp`` (Lync Server 2013, Skype for Business
# Server 2015) when the pool has sfb_edge_xmpp.
EDGE_SERVICES = (
    ("REPLICA", "Replica Replicator Agent"),
    ("RTCCLSAGT", "Centralized Logging Service Agent"),
    ("RTCSRV", "Access Edge"),
    ("RTCDATAPROXY", "Web Conferencing Edge"),
    ("RTCMEDIARELAY", "A/V Edge"),
    ("RTCMRAUTH", "A/V Authentication"),
)
LOCAL_STORE_SERVICES = ("REPLICA", "RTCCLSAGT")
XMPP_SERVICE = ("RTCXMPPTGWPX", "XMPP proxy")

# Windows features the Edge Server needs, as Microsoft lists them for the Edge (issue 19, point 9):
# - Lync Server 2013 Edge: .NET Framework 4.5, Windows Identity Foundation, Windows PowerShell 3.0
#   ("PowerShell", present on Windows Server 2012 and later). HTTP Activation is for "internal server
#   roles ... except Edge Server"; .NET 3.5 is not in the Edge list (SRC_LYNC2013_SOFTWARE).
# - Skype for Business Server 2015 / 2019, all servers: WCF HTTP Activation (.NET 4.5 features),
#   Windows Identity Foundation 3.5, and .NET 3.5 (2015 only: NET-Framework-Core, which has no payload
#   on the disk: Windows Update or sfb_edge_windows_feature_source). Subscription Edition: as 2019.
# Telnet-Client is in Microsoft's sample command for Front Ends and Directors only, not an Edge
# requirement. Features can be replaced per pool with sfb_edge_windows_features.
_FEATURES_SFB = ("NET-Framework-45-Core", "NET-WCF-HTTP-Activation45", "Windows-Identity-Foundation")

# ----------------------------------------------------------------------------------- the registry
# Per version:
# product            the product name (uninstall entries, messages, the report)
# short_name         the name in README.md's support matrix
# module             the management shell module
# install_dir        the default install folder (sfb_edge_install_dir overrides it)
# common_files       the folder under Common Files the installer puts the module in (fixed by the
#                    installer: it does not follow an overridden install folder)
# update_installer   the update installer of its cumulative updates ("LyncServerUpdateInstaller.exe":
#                    Lync 2013 update topic, KB2809243; "SkypeServerUpdateInstaller.exe": KB3061064)
# entry_pattern      the pattern the names of its uninstall entries match in full (group 1: the
#                    component, "Core Components", "Edge Server"): Lync 2013 "Microsoft Lync Server
#                    2013, Core Components", Skype for Business "Skype for Business Server 2015, Core
#                    Components"
# name_marker        a text that names the product anywhere in an uninstall entry (cs.installed_versions
#                    looks for them newest version first: fail closed on another version installed)
# features           the default Windows features, from ``features_source``
# services           the edge's Windows services (name, what it is)
# xmpp               it has an XMPP gateway (sfb_edge_xmpp; the XMPP_SERVICE)
# ocs2007_federation the A/V 50000-59999 inbound rule for OCS 2007 partners is listed for it
# legacy_csp_key     its certificates need a legacy CSP private key (a CNG/KSP one is refused)
# os                 which Windows Server it installs on, by build: ``support`` "yes"; "cu" = only with
#                    the cumulative update ``minimum`` (``update`` names it; cs.cs_install plans the
#                    ``cu`` step from it, or names sfb_edge_cu_path); "no" = an error saying ``why``;
#                    "unverified" = a warning (not in the requirement pages)
# os_other           a build without a row: (severity, source). The requirement pages list every
#                    supported OS ("If it's not on this list, it won't work properly"); without a page
#                    it is a warning
# dotnet             ``lowest`` .NET Framework release (older: ``severity``, from ``source``); ``cu``: from
#                    a release on, the cumulative update it needs (release, minimum product version,
#                    update, source) - cs.cs_install enforces it through the ``cu`` step; ``notes``: from
#                    a release on, a warning (release, text, source)
# pfx_aes            validation of a PBES2 (AES) PFX before anything is gathered, when the product's
#                    Windows cannot import one: {"severity", "source", "message"}; None: left to the
#                    check against the gathered OS build (drift area ``certificates``)
PRODUCTS = {
    "lync2013": {
        "product": "Lync Server 2013",
        "short_name": "Lync Server 2013",
        "module": "Lync",
        "install_dir": r"C:\Program Files\Microsoft Lync Server 2013",
        "common_files": "Microsoft Lync Server 2013",
        "update_installer": "LyncServerUpdateInstaller.exe",
        "entry_pattern": r"Microsoft Lync Server 2013, (.+)",
        "name_marker": "Lync Server 2013",
        "features": ("NET-Framework-45-Core", "Windows-Identity-Foundation", "PowerShell"),
        "features_source": SRC_LYNC2013_SOFTWARE,
        "services": EDGE_SERVICES,
        "xmpp": True,
        "ocs2007_federation": True,
        "legacy_csp_key": False,
        # Lync Server 2013 also supports Windows Server 2008 R2 SP1, but not this collection: edge_facts and
        # the network roles need the NetTCPIP cmdlets (Windows Server 2012 and later).
        "os": {
            7601: {"support": "no", "source": SRC_NETTCPIP,
                   "why": "Lync Server 2013 supports Windows Server 2008 R2 SP1, but this collection does not: it "
                          "needs the NetTCPIP cmdlets of Windows Server 2012 and later"},
            9200: {"support": "yes", "source": SRC_LYNC2013},
            # 2012 R2 with the October 2013 cumulative update (CU3) or later only
            9600: {"support": "cu", "minimum": "5.0.8308.556", "update": "CU3", "source": SRC_LYNC2013},
        },
        "os_other": ("error", SRC_LYNC2013),
        # .NET Framework 4.5; 4.6.2 only with the November 2016 update or later. That update's Core
        # Components / Edge Server version is not named on a page found (KB3200078 gives 5.0.8308.974 for
        # the Web Components Server only), so it is a warning, not a minimum the cu step enforces.
        "dotnet": {"lowest": 378389, "severity": "error", "source": SRC_LYNC2013_SOFTWARE, "cu": (),
                   "notes": ((394802, "Lync Server 2013 supports .NET Framework 4.6.2 and later only with the "
                              "November 2016 cumulative update or later (KB3200078 lists 5.0.8308.974 for the Web "
                              "Components Server); this collection cannot check the Core Components version of "
                              "that update: set sfb_edge_cu_path to the latest Lync Server 2013 update "
                              "(LyncServerUpdateInstaller.exe)", None),)},
        # Lync Server 2013 runs on Windows Server 2008 R2 - 2012 R2 only: an error.
        "pfx_aes": {"severity": "error", "source": SRC_LYNC2013 + "; " + SRC_PFX_AES,
                    "message": "Lync Server 2013 runs on Windows Server 2008 R2, 2012 or 2012 R2, none of which can "
                               "import it"},
    },
    "sfb2015": {
        "product": "Skype for Business Server 2015",
        "short_name": "Skype for Business Server 2015",
        "module": "SkypeForBusiness",
        "install_dir": r"C:\Program Files\Skype for Business Server 2015",
        "common_files": "Skype for Business Server 2015",
        "update_installer": "SkypeServerUpdateInstaller.exe",
        "entry_pattern": r"Skype for Business Server 2015, (.+)",
        "name_marker": "Skype for Business Server 2015",
        "features": ("NET-Framework-Core",) + _FEATURES_SFB,
        "features_source": SRC_SFB2015,
        "services": EDGE_SERVICES,
        "xmpp": True,
        "ocs2007_federation": False,
        "legacy_csp_key": True,
        "os": {
            7601: {"support": "no", "source": SRC_SFB2015,
                   "why": "Skype for Business Server 2015 supports Windows Server 2008 R2 only for an in-place "
                          "upgrade of a Lync Server 2013 server, not for a new installation"},
            9200: {"support": "yes", "source": SRC_SFB2015},
            9600: {"support": "yes", "source": SRC_SFB2015},
            14393: {"support": "cu", "minimum": "6.0.9319.281", "update": "CU5", "source": SRC_SFB2015 + " (KB4015888)"},
            17763: {"support": "cu", "minimum": "6.0.9319.548", "update": "CU9", "source": SRC_SFB2015},
        },
        "os_other": ("error", SRC_SFB2015),
        # 4.5, 4.6.x; 4.7 from CU5 (disable-tls page), 4.7.1 from CU5, 4.7.2 from CU6, 4.8 from CU9
        # (server-requirements.md and its history). CU6 is required as CU6 HF2 (6.0.9319.516), the first
        # CU6 build Microsoft's pages name.
        "dotnet": {"lowest": 378389, "severity": "error", "source": SRC_SFB2015,
                   "cu": ((460798, "6.0.9319.281", "CU5", SRC_TLS), (461308, "6.0.9319.281", "CU5", SRC_SFB2015),
                          (461808, "6.0.9319.516", "CU6 HF2 (March 2018, KB4086059)", SRC_SFB2015_DOTNET),
                          (528040, "6.0.9319.548", "CU9", SRC_SFB2015_DOTNET)),
                   "notes": ((533320, "Microsoft's list for Skype for Business Server 2015 ends at .NET Framework "
                              "4.8; 4.8.1 is not in it (treated as 4.8: CU9 or later)", None),)},
        # 2012 R2 / 2016 and, from CU9 on, 2019: a warning.
        "pfx_aes": {"severity": "warning", "source": SRC_SFB2015 + "; " + SRC_PFX_AES,
                    "message": "Skype for Business Server 2015 usually runs on Windows Server 2012 R2 or 2016, which "
                               "cannot import it (only Windows Server 2019, supported from CU9 on, can)"},
    },
    "sfb2019": {
        "product": "Skype for Business Server 2019",
        "short_name": "Skype for Business Server 2019",
        "module": "SkypeForBusiness",
        "install_dir": r"C:\Program Files\Skype for Business Server 2019",
        "common_files": "Skype for Business Server 2019",
        "update_installer": "SkypeServerUpdateInstaller.exe",
        "entry_pattern": r"Skype for Business Server 2019, (.+)",
        "name_marker": "Skype for Business Server 2019",
        "features": _FEATURES_SFB,
        "features_source": SRC_SFB2019,
        "services": EDGE_SERVICES,
        "xmpp": False,
        "ocs2007_federation": False,
        "legacy_csp_key": True,
        "os": {
            14393: {"support": "yes", "source": SRC_SFB2019},
            17763: {"support": "yes", "source": SRC_SFB2019},
            20348: {"support": "unverified", "source": None},
        },
        "os_other": ("error", SRC_SFB2019),
        # "requires Microsoft .NET Framework 4.7 or 4.8"
        "dotnet": {"lowest": 460798, "severity": "error", "source": SRC_SFB2019, "cu": (), "notes": ()},
        "pfx_aes": None,  # 2016 or 2019+: the check against the gathered OS build
    },
    # Subscription Edition: no Microsoft requirement page was found - its rules are warnings (point 10);
    # the install folder is best knowledge, not verified on a server.
    "sfbse": {
        "product": "Skype for Business Server Subscription Edition",
        "short_name": "Subscription Edition",
        "module": "SkypeForBusiness",
        "install_dir": r"C:\Program Files\Skype for Business Server",
        "common_files": "Skype for Business Server",
        "update_installer": "SkypeServerUpdateInstaller.exe",
        "entry_pattern": r"Skype for Business Server Subscription Edition, (.+)",
        "name_marker": "Subscription Edition",
        "features": _FEATURES_SFB,
        "features_source": None,
        "services": EDGE_SERVICES,
        "xmpp": False,
        "ocs2007_federation": False,
        "legacy_csp_key": True,
        "os": {
            17763: {"support": "yes", "source": None},
            20348: {"support": "yes", "source": None},
            26100: {"support": "unverified", "source": None},
        },
        "os_other": ("warning", None),
        "dotnet": {"lowest": 460798, "severity": "warning", "source": None, "cu": (), "notes": ()},
        "pfx_aes": None,  # 2019+: the check against the gathered OS build
    },
}
DEFAULT = "sfb2019"  # sfb_edge_version when the inventory does not set it

# ----------------------------------------------------------------------------------- views
VERSIONS = tuple(PRODUCTS)
XMPP_VERSIONS = tuple(v for v, p in PRODUCTS.items() if p["xmpp"])
OCS2007_VERSIONS = tuple(v for v, p in PRODUCTS.items() if p["ocs2007_federation"])
OS_SUPPORT = {v: p["os"] for v, p in PRODUCTS.items()}
OS_OTHER = {v: p["os_other"] for v, p in PRODUCTS.items()}
DOTNET_SUPPORT = {v: p["dotnet"] for v, p in PRODUCTS.items()}
PFX_PRODUCT_OS = {v: p["pfx_aes"] for v, p in PRODUCTS.items() if p["pfx_aes"]}
