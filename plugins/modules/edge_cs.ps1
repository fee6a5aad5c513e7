#!powershell

# Copyright: sfb.edge contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil Ansible.Process
#AnsibleRequires -PowerShell ansible_collections.sfb.edge.plugins.module_utils.SfbEdge

# Runs the Lync / Skype for Business installation steps the controller decided on, always in the
# order of $order. It decides nothing itself: every step given runs, and what an installer's exit code
# means is the controller's exit_codes (success / reboot per installer; it has no list of its own). It
# reports the exit code of each installer and stops after the first step whose installer asked for a
# reboot, with reboot_required; the controller reboots (opt-in) and decides the rest from the state
# gathered then. The services stopped for the update are started again on every way out of the step loop
# unless a reboot follows (services_restarted).
# The management shell module is imported when the first step that needs it runs: a fresh server has
# it only after the step core.

$spec = @{
    options = @{
        steps = @{
            type = 'list'
            elements = 'str'
            required = $true
            choices = 'core', 'cu', 'local_management', 'import_configuration', 'enable_replica', 'start_replica',
            'edge_roles', 'enable_computer', 'certificates', 'start_services'
        }
        media_path = @{ type = 'path' }
        cu_installer = @{ type = 'path' }
        install_dir = @{ type = 'path' }
        module_path = @{ type = 'path' }
        configuration = @{ type = 'path' }
        fqdn = @{ type = 'str' }
        certificates = @{
            type = 'list'
            elements = 'dict'
            options = @{
                uses = @{
                    type = 'list'
                    elements = 'str'
                    required = $true
                    choices = 'Internal', 'AccessEdgeExternal', 'DataEdgeExternal', 'AudioVideoAuthentication', 'XmppServer'
                }
                thumbprint = @{ type = 'str'; required = $true }
                roll = @{ type = 'bool'; default = $false }
                effective_date = @{ type = 'str' }
            }
        }
        services = @{ type = 'list'; elements = 'str'; default = @() }
        timeout = @{ type = 'int'; default = 600 }
        run = @{
            type = 'list'
            elements = 'str'
            choices = 'core', 'cu', 'local_management', 'import_configuration', 'enable_replica', 'start_replica',
            'edge_roles', 'cu_databases', 'enable_computer', 'certificates', 'start_services'
        }
        log_dir = @{ type = 'path' }
        exit_codes = @{
            type = 'dict'
            options = @{
                core_prerequisites = @{
                    type = 'dict'
                    options = @{
                        success = @{ type = 'list'; elements = 'int'; required = $true }
                        reboot = @{ type = 'list'; elements = 'int'; required = $true }
                    }
                }
                core = @{
                    type = 'dict'
                    options = @{
                        success = @{ type = 'list'; elements = 'int'; required = $true }
                        reboot = @{ type = 'list'; elements = 'int'; required = $true }
                    }
                }
                cu = @{
                    type = 'dict'
                    options = @{
                        success = @{ type = 'list'; elements = 'int'; required = $true }
                        reboot = @{ type = 'list'; elements = 'int'; required = $true }
                    }
                }
                local_management = @{
                    type = 'dict'
                    options = @{
                        success = @{ type = 'list'; elements = 'int'; required = $true }
                        reboot = @{ type = 'list'; elements = 'int'; required = $true }
                    }
                }
                edge_roles = @{
                    type = 'dict'
                    options = @{
                        success = @{ type = 'list'; elements = 'int'; required = $true }
                        reboot = @{ type = 'list'; elements = 'int'; required = $true }
                    }
                }
            }
        }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

$order = 'core', 'cu', 'local_management', 'import_configuration', 'enable_replica', 'start_replica',
'edge_roles', 'enable_computer', 'certificates', 'start_services'
$steps = @($order | Where-Object { $p.steps -contains $_ })
$module.Result.steps = [System.Collections.Generic.List[object]]@()
$module.Result.services = [System.Collections.Generic.List[object]]@()
$module.Result.reboot_required = $false
# The running services the update stopped (Stop-SfbCsService), and those this call started again - after
# the update, or in the finally of the step loop after a failure; a reboot that follows starts them instead.
$module.Result.services_stopped = [System.Collections.Generic.List[object]]@()
$module.Result.services_restarted = [System.Collections.Generic.List[object]]@()
# The run steps this call started, in order, each with its duration (name, seconds): the controller
# prints a line per step with it after the call.
$module.Result.run_steps = [System.Collections.Generic.List[object]]@()
# The installers each step runs, by their entry in exit_codes (the controller's policy, cs.EXIT_CODES):
# the codes that mean success and those that mean "installed, reboot needed". cu_databases runs the
# update installer again when edge_roles is in the call.
$installers = @{
    core = 'core_prerequisites', 'core'
    cu = @('cu')
    local_management = @('local_management')
    edge_roles = @('edge_roles')
    cu_databases = @('cu')
}
# Set while the update's second half (cu_databases: Install-CsDatabase -Update) is still due, read by
# edge_facts (cs.cu_databases_pending), so that a run stopped for a reboot between the halves plans cu again.
$pendingKey = 'HKLM:\SOFTWARE\sfb.edge'
$pendingName = 'CuDatabasesPending'
# True while the step loop runs: Exit-Step then fails through the loop's catch (see there).
$script:inSteps = $false
# Steps that call the management shell module (Import-SfbEdgeCsModule when the first one runs).
$moduleSteps = 'import_configuration', 'enable_replica', 'start_replica', 'enable_computer', 'certificates', 'start_services'

# The steps of this call: all (no run given), or the ones the controller announced (one call per step;
# run names cu_databases, the second half of cu, on its own). Only their inputs are checked.
$checkSteps = @($steps | Where-Object { -not $p.run -or $p.run -contains $_ -or ($_ -eq 'cu' -and $p.run -contains 'cu_databases') })
# The installers write their logs here (msiexec /l*v, vcredist /log; Bootstrapper and the update
# installer into their TEMP, set to it): the controller names these paths before each step runs.
$logDir = if ($p.log_dir) { $p.log_dir.TrimEnd('\') } else { $env:TEMP }

# ------------------------------------------------------------------------------ checks
$setup = $null
$bootstrapper = $null
# Plain strings: Join-Path would throw for a drive that does not exist.
if ($p.media_path) { $setup = $p.media_path.TrimEnd('\') + '\Setup\amd64' }
if ($p.install_dir) { $bootstrapper = $p.install_dir.TrimEnd('\') + '\Deployment\Bootstrapper.exe' }
foreach ($step in $checkSteps) {
    if ($step -in 'core', 'local_management', 'edge_roles') {
        if (-not $p.media_path) { $module.FailJson("The step $step needs media_path (the root of the installation media)") }
        if (-not (Test-Path -LiteralPath $setup -PathType Container)) {
            $module.FailJson("The step ${step}: media_path $($p.media_path) has no Setup\amd64 folder")
        }
        if (-not $p.install_dir) { $module.FailJson("The step $step needs install_dir") }
    }
    if ($step -eq 'core' -and -not (Test-Path -LiteralPath "$setup\Setup\ocscore.msi" -PathType Leaf)) {
        $module.FailJson("The step core: media_path $($p.media_path) has no Setup\amd64\Setup\ocscore.msi")
    }
    if ($step -eq 'cu' -and -not $p.cu_installer) { $module.FailJson('The step cu needs cu_installer (SkypeServerUpdateInstaller.exe)') }
    if ($step -eq 'cu' -and -not (Test-Path -LiteralPath $p.cu_installer -PathType Leaf)) {
        $module.FailJson("The step cu: $($p.cu_installer) does not exist on the host (sfb_edge_cu_path names a local folder with SkypeServerUpdateInstaller.exe, or the file itself)")
    }
    if (($step -in $moduleSteps -or $step -eq 'cu') -and -not $p.module_path) {
        $module.FailJson("The step $step needs module_path (the management shell module)")
    }
    if ($step -eq 'import_configuration' -and -not ($p.configuration -and (Test-Path -LiteralPath $p.configuration -PathType Leaf))) {
        $module.FailJson("The step import_configuration needs configuration, an existing file (given: '$($p.configuration)')")
    }
    if ($step -eq 'certificates' -and -not $p.certificates) { $module.FailJson('The step certificates needs certificates') }
    if ($step -eq 'certificates' -and @($p.certificates | Where-Object { $_.roll -and -not $_.effective_date }).Count -gt 0) {
        $module.FailJson('A certificate with roll=true needs effective_date')
    }
    if ($step -eq 'start_services' -and -not $p.services) { $module.FailJson('The step start_services needs services') }
    foreach ($key in $installers[$step]) {
        if (-not ($p.exit_codes -and $p.exit_codes[$key])) {
            $module.FailJson("The step $step needs exit_codes.$key (the exit codes of its installer that mean success or reboot, decided by the controller)")
        }
    }
}

if ($module.CheckMode) {
    foreach ($step in $checkSteps) { $module.Result.steps.Add([ordered]@{ name = $step; rc = $null; output = $null }) }
    $module.Result.changed = $checkSteps.Count -gt 0
    $module.ExitJson()
}

# ------------------------------------------------------------------------------ helpers
function Get-ShortText {
    # The last lines of a command's output, at most 2000 characters.
    param ($Text)
    $text = ([string]$Text).Trim()
    if ($text.Length -gt 2000) { $text = '...' + $text.Substring($text.Length - 2000) }
    $text
}

function Add-Step {
    # Records what a step did, with the run step it belongs to; the run step's time so far goes into
    # run_steps (so a step that fails after this still reports its duration).
    param ([string]$Name, $Rc, $Output)
    $module.Result.steps.Add([ordered]@{ name = $Name; rc = $Rc; output = Get-ShortText $Output; run = $script:runStep.name })
    $script:runStep.seconds = [math]::Round($script:clock.Elapsed.TotalSeconds, 1)
    $module.Result.changed = $true
}

function Use-SfbCsModule {
    # Imports the management shell module once, when the first step that needs it runs (not before:
    # on a fresh server the step core installs it). Fails the task naming the step.
    param ([string]$Step)
    if ($script:csModuleLoaded) { return }
    $failure = $null
    try { Import-SfbEdgeCsModule -Path $p.module_path }
    catch { $failure = $_ }
    if ($failure) { Exit-Step "The step ${Step}: $($failure.Exception.Message)" $failure }
    $script:csModuleLoaded = $true
}

function Exit-Step {
    # Fails the task. Inside the step loop it goes through the loop's catch, so that its finally starts
    # the services stopped for the update again before the result is written (FailJson ends the module).
    param ([string]$Message, $ErrorRecord)
    if ($script:inSteps) {
        $script:stepFailure = @{ message = $Message; record = $ErrorRecord }
        throw $Message
    }
    if ($ErrorRecord) { $module.FailJson($Message, $ErrorRecord) }
    $module.FailJson($Message)
}

function Set-CuDatabasesPending {
    # Marks (or clears) the update's second half as due, for edge_facts (cs.cu_databases_pending).
    param ([string]$Step, [bool]$Pending)
    $failure = $null
    try {
        if ($Pending) {
            if (-not (Test-Path -LiteralPath $pendingKey)) { $null = New-Item -Path $pendingKey -Force -ErrorAction Stop }
            $null = New-ItemProperty -LiteralPath $pendingKey -Name $pendingName -PropertyType DWord -Value 1 -Force -ErrorAction Stop
        }
        elseif (Get-ItemProperty -LiteralPath $pendingKey -Name $pendingName -ErrorAction SilentlyContinue) {
            Remove-ItemProperty -LiteralPath $pendingKey -Name $pendingName -ErrorAction Stop
        }
    }
    catch { $failure = $_ }
    if ($failure) {
        $what = if ($Pending) { 'set' } else { 'clear' }
        Exit-Step "The step ${Step}: could not $what $pendingKey\$pendingName (the mark that the update's second half is due): $($failure.Exception.Message)" $failure
    }
}

function Stop-SfbCsService {
    # Stops the running Lync / Skype for Business services (REPLICA, RTC*; not the SQL Express
    # instance) before the update installer, which fails on files in use; remembers them so that
    # Start-SfbCsServiceAgain (after the update) or Restore-SfbCsService (after a failure) starts them.
    param ([string]$Step)
    $running = @(Get-Service -Name 'REPLICA', 'RTC*' -ErrorAction SilentlyContinue | Where-Object { [string]$_.Status -eq 'Running' })
    foreach ($service in $running) {
        if ($script:cuStopped -notcontains $service.Name) {
            $script:cuStopped += $service.Name
            $module.Result.services_stopped.Add($service.Name)
        }
        $failure = $null
        try { Stop-Service -InputObject $service -Force -ErrorAction Stop }
        catch { $failure = $_ }
        if ($failure) { Exit-Step "The step ${Step}: could not stop $($service.Name) for the update: $($failure.Exception.Message)" $failure }
    }
}

function Start-SfbCsServiceAgain {
    # Starts the services Stop-SfbCsService stopped (they ran before the update).
    param ([string]$Step)
    foreach ($name in @($script:cuStopped)) {
        $failure = $null
        try { Start-Service -Name $name -ErrorAction Stop }
        catch { $failure = $_ }
        if ($failure) { Exit-Step "The step ${Step}: $name ran before the update and does not start after it: $($failure.Exception.Message)" $failure }
        $script:cuStopped = @($script:cuStopped | Where-Object { $_ -ne $name })
        $module.Result.services_restarted.Add($name)
    }
}

function Restore-SfbCsService {
    # The finally of the step loop: starts the services the update stopped that still wait for it (a
    # step failed between the halves of cu), unless a reboot follows. Never throws; returns what did not
    # start as "name (why)".
    $notStarted = @()
    if ($module.Result.reboot_required) { return $notStarted }
    foreach ($name in @($script:cuStopped)) {
        try {
            Start-Service -Name $name -ErrorAction Stop
            $module.Result.services_restarted.Add($name)
        }
        catch { $notStarted += "$name ($($_.Exception.Message))" }
    }
    $script:cuStopped = @()
    $notStarted
}

function Invoke-Program {
    # Runs a program and waits for it: @{ rc; output; reboot }. $Policy names its entry in exit_codes: an
    # exit code of its success list is success, one of its reboot list is success with a reboot needed
    # (reboot = $true); any other records the step and fails the task.
    # $Temp: the TEMP and TMP of the program (where Bootstrapper and the update installer write their logs).
    param ([string]$Step, [string]$Path, [string]$Arguments, [string]$Log, [string]$Temp, [string]$Policy)
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { Exit-Step "The step ${Step}: $Path does not exist" }
    $success = [long[]]@($p.exit_codes[$Policy].success)
    $reboot = [long[]]@($p.exit_codes[$Policy].reboot)
    $environment = $null
    if ($Temp) {
        $environment = @{}
        foreach ($variable in Get-ChildItem -Path env:) { $environment[$variable.Name] = $variable.Value }
        $environment['TEMP'] = $Temp
        $environment['TMP'] = $Temp
    }
    $failure = $null
    try {
        $result = [Ansible.Process.ProcessUtil]::CreateProcess($null, ('"{0}" {1}' -f $Path, $Arguments), (Split-Path -Path $Path), $environment)
    }
    catch { $failure = $_ }
    if ($failure) { Exit-Step "The step ${Step}: could not start ${Path}: $($failure.Exception.Message)" $failure }
    $rc = [long]$result.ExitCode
    $output = $result.StandardOut + $result.StandardError
    if ($rc -notin $success -and $rc -notin $reboot) {
        Add-Step -Name $Step -Rc $rc -Output $output
        Exit-Step "The step $Step failed: $Path exited with $rc (success: $($success -join ', '); reboot: $($reboot -join ', ')); log: $Log; output: $(Get-ShortText $output)"
    }
    @{ rc = $rc; output = $output; reboot = $rc -in $reboot }
}

function Invoke-Cmdlet {
    # Runs a management shell command, records the step; fails the task on an error.
    param ([string]$Step, [scriptblock]$Script)
    $failure = $null
    try { $output = & $Script | Out-String }
    catch { $failure = $_ }
    if ($failure) {
        Add-Step -Name $Step -Rc $null -Output $failure.Exception.Message
        Exit-Step "The step $Step failed: $($failure.Exception.Message)" $failure
    }
    Add-Step -Name $Step -Rc $null -Output $output
}

function Wait-SfbService {
    # Waits until every service runs or the timeout passes; the state of each, failing the task
    # when one does not run. $StartErrors: service name -> why starting it failed.
    param ([string[]]$Names, [hashtable]$StartErrors)
    $deadline = (Get-Date).AddSeconds($p.timeout)
    do {
        $notRunning = @($Names | Where-Object { [string](Get-Service -Name $_ -ErrorAction SilentlyContinue).Status -ne 'Running' })
        if (-not $notRunning -or (Get-Date) -ge $deadline) { break }
        Start-Sleep -Seconds 5
    } while ($true)
    $problems = @()
    foreach ($name in $Names) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        $status = if ($service) { [string]$service.Status } else { 'Missing' }
        $lastError = $null
        if ($status -ne 'Running') {
            $lastError = Get-SfbEdgeServiceError -Name $name -DisplayName $(if ($service) { $service.DisplayName })
            $why = @($StartErrors[$name], $(if ($lastError) { $lastError.message })) | Where-Object { $_ }
            $problems += "$name is $status ($(if ($why) { $why -join '; ' } else { 'no error logged' }))"
        }
        $module.Result.services.Add([ordered]@{ name = $name; status = $status; last_error = $lastError })
    }
    if ($problems) {
        Exit-Step "Not running after $($p.timeout) seconds: $($problems -join '; ')"
    }
}

function Start-SfbService {
    # Start-CsWindowsService for each service that does not run yet, then waits until all run. A service an
    # earlier step of the same call started (RTCCLSAGT after local_management, when setup starts it) is left as
    # it is: the controller decided the list from the state read before the call (cs.folded).
    param ([string]$Step, [string[]]$Names)
    $startErrors = @{}
    foreach ($name in $Names) {
        if ([string](Get-Service -Name $name -ErrorAction SilentlyContinue).Status -eq 'Running') { continue }
        try { $null = Start-CsWindowsService -Name $name -ErrorAction Stop }
        catch { $startErrors[$name] = $_.Exception.Message }
    }
    Add-Step -Name $Step -Rc $null -Output (($startErrors.Keys | ForEach-Object { "${_}: $($startErrors[$_])" }) -join "`n")
    Wait-SfbService -Names $Names -StartErrors $startErrors
}

# ------------------------------------------------------------------------------ steps
$script:csModuleLoaded = $false
$script:cuStopped = @()
# The second half of cu runs after edge_roles (before enable_computer): the role components and the
# local databases are updated once they exist.
$runSteps = @(foreach ($step in $steps) {
        if ($step -eq 'enable_computer' -and $steps -contains 'cu') { 'cu_databases' }
        $step
    })
if ($steps -contains 'cu' -and $runSteps -notcontains 'cu_databases') {
    $runSteps = @($runSteps | Where-Object { $_ -notin 'certificates', 'start_services' }) + 'cu_databases' +
    @($runSteps | Where-Object { $_ -in 'certificates', 'start_services' })
}
$source = '"/SourceDirectory:{0}"' -f $setup
$bootstrapLogs = "the files Bootstrapper names in its output (under $logDir)"
$cuLogs = "$logDir\LCSSetup_Commands.log; the log of each package: in the folder of $($p.cu_installer)"
if ($p.run) { $runSteps = @($runSteps | Where-Object { $p.run -contains $_ }) }
if ($runSteps -and -not (Test-Path -LiteralPath $logDir -PathType Container)) {
    $failure = $null
    try { $null = New-Item -Path $logDir -ItemType Directory -Force -ErrorAction Stop }
    catch { $failure = $_ }
    if ($failure) { $module.FailJson("Cannot create the log folder ${logDir} (cs_install_log_dir): $($failure.Exception.Message)", $failure) }
}
$script:clock = [System.Diagnostics.Stopwatch]::StartNew()
# Every way out of the loop - the end, a reboot request, a failed step (Exit-Step) or an unexpected error -
# goes through its finally, which starts the services the update stopped again unless a reboot follows.
$script:inSteps = $true
$script:stepFailure = $null
$failed = $null
$notStarted = @()
try {
    foreach ($step in $runSteps) {
        if ($module.Result.reboot_required) { break }
        $script:runStep = [ordered]@{ name = $step; seconds = $null }
        $module.Result.run_steps.Add($script:runStep)
        $script:clock.Restart()
        switch ($step) {
            'core' {
                # As public deployment scripts do, silently: the Visual C++ runtime and the SQL CLR types and
                # management objects of the media when it has them, then the Core Components (OCSCore.msi,
                # which installs Deployment\Bootstrapper.exe and the management shell).
                # Each package's exit code is in the output; a reboot code (exit_codes) from any of them ends
                # the run after this step with reboot_required (the Bootstrapper's SQL Express setup refuses to
                # run then): the step's rc is that code, else 0.
                $msiexec = "$env:SystemRoot\System32\msiexec.exe"
                $done = @()
                $rc = 0
                $reboot = $false
                $vcredist = "$setup\vcredist_x64.exe"
                if (Test-Path -LiteralPath $vcredist -PathType Leaf) {
                    $log = Join-Path $logDir 'sfb-edge-vcredist_x64.log'
                    $run = Invoke-Program -Step $step -Path $vcredist -Arguments ('/install /quiet /norestart /log "{0}"' -f $log) -Log $log -Policy 'core_prerequisites'
                    $done += "vcredist_x64.exe: $($run.rc)"
                    if ($run.reboot) { $rc = $run.rc; $reboot = $true }
                }
                foreach ($msi in 'SQLSysClrTypes.msi', 'SharedManagementObjects.msi') {
                    if (-not (Test-Path -LiteralPath "$setup\$msi" -PathType Leaf)) { continue }
                    $log = Join-Path $logDir "sfb-edge-$msi.log"
                    $run = Invoke-Program -Step $step -Path $msiexec -Arguments ('/i "{0}\{1}" /qn /norestart /l*v "{2}"' -f $setup, $msi, $log) -Log $log -Policy 'core_prerequisites'
                    $done += "${msi}: $($run.rc)"
                    if ($run.reboot) { $rc = $run.rc; $reboot = $true }
                }
                $log = Join-Path $logDir 'sfb-edge-ocscore.msi.log'
                $msiArguments = '/i "{0}\Setup\ocscore.msi" /qn /norestart REBOOT=ReallySuppress ADDLOCAL=Feature_OcsCore INSTALLDIR="{1}" /l*v "{2}"' -f $setup, $p.install_dir.TrimEnd('\'), $log
                $run = Invoke-Program -Step $step -Path $msiexec -Arguments $msiArguments -Log $log -Policy 'core'
                $done += "ocscore.msi: $($run.rc)"
                if ($run.reboot) { $rc = $run.rc; $reboot = $true }
                Add-Step -Name $step -Rc $rc -Output ($done -join "`n")
                if ($reboot) { $module.Result.reboot_required = $true }
            }
            'cu' {
                # The cumulative update: patches every installed component (after core: the Core
                # Components, so that Bootstrapper runs on the newer OS). The role components and the local
                # databases are updated after edge_roles (below, 'cu_databases'); until that half ran, the mark
                # says it is due (a reboot between the halves must not lose it).
                Set-CuDatabasesPending -Step $step -Pending $true
                Stop-SfbCsService -Step $step
                $run = Invoke-Program -Step $step -Path $p.cu_installer -Arguments '/silentmode' -Log $cuLogs -Temp $logDir -Policy 'cu'
                Add-Step -Name $step -Rc $run.rc -Output $run.output
                if ($run.reboot) { $module.Result.reboot_required = $true }
            }
            'local_management' {
                $run = Invoke-Program -Step $step -Path $bootstrapper -Arguments "/BootstrapLocalMgmt $source" -Log $bootstrapLogs -Temp $logDir -Policy 'local_management'
                Add-Step -Name $step -Rc $run.rc -Output $run.output
                if ($run.reboot) { $module.Result.reboot_required = $true }
            }
            'import_configuration' {
                Use-SfbCsModule -Step $step
                Invoke-Cmdlet -Step $step -Script { Import-CsConfiguration -FileName $p.configuration -LocalStore -ErrorAction Stop }
                if ($p.fqdn) {
                    # An export without this server imports fine and breaks the next steps: stop here.
                    $failure = $null
                    try {
                        $xml = [xml](Get-CsTopology -LocalStore -AsXml -ErrorAction Stop).ToString()
                        $names = @($xml.SelectNodes("//*[local-name()='Machine']") | ForEach-Object { "$($_.Fqdn)".ToLowerInvariant() })
                    }
                    catch { $failure = $_ }
                    if ($failure) {
                        Exit-Step "The configuration was imported, but the local store's topology could not be read to check that it holds $($p.fqdn) (Get-CsTopology -LocalStore -AsXml: $($failure.Exception.Message)); run again" $failure
                    }
                    if ($names -notcontains $p.fqdn.ToLowerInvariant()) {
                        Exit-Step "The imported topology has no edge server $($p.fqdn): publish the topology with this edge server on a Front End, then run again"
                    }
                }
            }
            'enable_replica' {
                Use-SfbCsModule -Step $step
                Invoke-Cmdlet -Step $step -Script { Enable-CsReplica -Confirm:$false -ErrorAction Stop }
            }
            'start_replica' {
                Use-SfbCsModule -Step $step
                Start-SfbService -Step $step -Names 'REPLICA'
            }
            'edge_roles' {
                $run = Invoke-Program -Step $step -Path $bootstrapper -Arguments $source -Log $bootstrapLogs -Temp $logDir -Policy 'edge_roles'
                Add-Step -Name $step -Rc $run.rc -Output $run.output
                if ($run.reboot) { $module.Result.reboot_required = $true }
            }
            'cu_databases' {
                # Second half of cu: the roles Bootstrapper just installed come from the media, so the
                # update installer runs again for them; then the local databases get the update's schema,
                # once the local store exists (the service of its SQL Express instance RTCLOCAL).
                if ($steps -contains 'edge_roles') {
                    Stop-SfbCsService -Step 'cu'
                    $run = Invoke-Program -Step 'cu' -Path $p.cu_installer -Arguments '/silentmode' -Log $cuLogs -Temp $logDir -Policy 'cu'
                    Add-Step -Name 'cu' -Rc $run.rc -Output $run.output
                    if ($run.reboot) { $module.Result.reboot_required = $true }
                }
                if (-not $module.Result.reboot_required -and (Get-Service -Name 'MSSQL$RTCLOCAL' -ErrorAction SilentlyContinue)) {
                    Use-SfbCsModule -Step $step
                    Invoke-Cmdlet -Step $step -Script { Install-CsDatabase -Update -LocalDatabases -Confirm:$false -ErrorAction Stop }
                    Set-CuDatabasesPending -Step $step -Pending $false
                    Start-SfbCsServiceAgain -Step $step
                }
            }
            'enable_computer' {
                Use-SfbCsModule -Step $step
                Invoke-Cmdlet -Step $step -Script { Enable-CsComputer -ErrorAction Stop }
            }
            'certificates' {
                Use-SfbCsModule -Step $step
                Invoke-Cmdlet -Step $step -Script {
                    foreach ($certificate in $p.certificates) {
                        $assign = @{
                            Type = [string[]]$certificate.uses
                            Thumbprint = ($certificate.thumbprint -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
                            Confirm = $false
                            ErrorAction = 'Stop'
                        }
                        if ($certificate.roll) {
                            $assign.Roll = $true
                            if ($certificate.effective_date) { $assign.EffectiveDate = $certificate.effective_date }
                        }
                        Set-CsCertificate @assign
                    }
                }
            }
            'start_services' {
                Use-SfbCsModule -Step $step
                Start-SfbService -Step $step -Names ([string[]]$p.services)
            }
        }
        $script:runStep.seconds = [math]::Round($script:clock.Elapsed.TotalSeconds, 1)
    }
}
catch {
    $failed = $script:stepFailure
    if (-not $failed) { $failed = @{ message = "The step $($script:runStep.name) failed: $($_.Exception.Message)"; record = $_ } }
}
finally {
    $script:inSteps = $false
    $notStarted = @(Restore-SfbCsService)
}
$restart = ''
if ($failed -and $module.Result.services_restarted.Count) {
    $restart = "; the services stopped for the update were started again: $($module.Result.services_restarted -join ', ')"
}
if ($notStarted) { $restart += "; the services stopped for the update do not start again: $($notStarted -join '; ')" }
if ($failed -and $failed.record) { $module.FailJson($failed.message + $restart, $failed.record) }
if ($failed) { $module.FailJson($failed.message + $restart) }
if ($notStarted) { $module.FailJson("The steps ran$restart") }
$module.ExitJson()
