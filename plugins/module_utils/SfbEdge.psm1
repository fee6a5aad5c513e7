# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Helpers shared by the sfb.edge PowerShell modules (edge_facts, edge_cs, cs_config_export,
# cs_replication). A module uses them with
#   #AnsibleRequires -PowerShell ansible_collections.sfb.edge.plugins.module_utils.SfbEdge

Function ConvertTo-SfbEdgeUtcText {
    # yyyy-MM-ddTHH:mm:ssZ (UTC), $null for $null.
    param ($Date)
    if ($null -eq $Date) { return $null }
    ([datetime]$Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

Function Import-SfbEdgeCsModule {
    # Imports the Lync / Skype for Business management module: the manifest at $Path when given,
    # else the module named SkypeForBusiness, then Lync (found through PSModulePath). -Global
    # because an import from inside a script module would only be seen by that module. Throws
    # with every reason when nothing could be imported.
    param ([string]$Path)
    if ($Path -and -not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        throw "The management module $Path does not exist"
    }
    $candidates = if ($Path) { @($Path) } else { @('SkypeForBusiness', 'Lync') }
    $reasons = @()
    foreach ($name in $candidates) {
        try {
            Import-Module -Name $name -Global -DisableNameChecking -ErrorAction Stop
            return
        }
        catch { $reasons += "${name}: $($_.Exception.Message)" }
    }
    throw "Could not import the Lync / Skype for Business management module ($($reasons -join '; '))"
}

Function Get-SfbEdgeServiceError {
    # Why a service is not running, as far as the event logs tell: the newest error (level 1 or 2)
    # of the last 7 days from the Service Control Manager in the System log whose message names
    # the service (name or display name), else the newest error of the last hour in the
    # 'Lync Server' log. An ordered dictionary (time, source, id, message), $null when none.
    param ([string]$Name, [string]$DisplayName)
    $names = @($Name, $DisplayName) | Where-Object { $_ }
    $filter = @{ LogName = 'System'; ProviderName = 'Service Control Manager'; Level = 1, 2; StartTime = (Get-Date).AddDays(-7) }
    $record = Get-WinEvent -FilterHashtable $filter -MaxEvents 500 -ErrorAction SilentlyContinue | Where-Object {
        $message = [string]$_.Message
        @($names | Where-Object { $message.IndexOf($_, [System.StringComparison]::OrdinalIgnoreCase) -ge 0 }).Count -gt 0
    } | Select-Object -First 1
    if (-not $record) {
        $filter = @{ LogName = 'Lync Server'; Level = 1, 2; StartTime = (Get-Date).AddHours(-1) }
        $record = Get-WinEvent -FilterHashtable $filter -MaxEvents 1 -ErrorAction SilentlyContinue | Select-Object -First 1
    }
    if (-not $record) { return $null }
    $text = (([string]$record.Message) -split "`r?`n")[0].Trim()
    if ($text.Length -gt 300) { $text = $text.Substring(0, 300) }
    [ordered]@{
        time = ConvertTo-SfbEdgeUtcText $record.TimeCreated
        source = $record.ProviderName
        id = [int]$record.Id
        message = $text
    }
}

Export-ModuleMember -Function ConvertTo-SfbEdgeUtcText, Import-SfbEdgeCsModule, Get-SfbEdgeServiceError
