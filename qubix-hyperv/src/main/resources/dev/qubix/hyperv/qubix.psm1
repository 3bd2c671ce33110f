# Qubix Hyper-V helpers, shared by every operation script.
#
# Parameters arrive as ONE argument: base64 of a UTF-8 JSON object. Base64 has no quote, space or
# dollar sign, so no value can ever become PowerShell code. Java validated every value already;
# the Get-Qubix* readers below check them again, because this file must be safe on its own.
#
# Output protocol (the only lines Java reads; JSON is escaped to pure ASCII so that the console
# code page of a non-English Windows cannot garble it):
#   ::qubix-step::{"id":"...","phase":"start|done|skip","message":"..."}
#   ::qubix-bytes::{"what":"...","done":N,"total":N}
#   ::qubix-result::{...}                                              exactly one, on success
#   ::qubix-error::{"message":"...","category":"...","fix":"...","step":"..."}  exactly one, on failure
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Integration services by GUID: their display names are localized on non-English Windows.
$script:KvpServiceId = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'        # Key-Value Pair Exchange
$script:ShutdownServiceId = '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'   # Shutdown
$script:HyperVAdministratorsSid = 'S-1-5-32-578'                     # the group name is localized
# Well-known SIDs of the private folders' ACL ([MS-DTYP] 2.4.2.4): never by name, which is localized
# ("Administratoren", "Administrateurs"); a name lookup on another language fails or finds nothing.
$script:SystemSid = 'S-1-5-18'                                       # NT AUTHORITY\SYSTEM (vmms runs as it)
$script:AdministratorsSid = 'S-1-5-32-544'                           # BUILTIN\Administrators
$script:VirtualMachinesSid = 'S-1-5-83-0'                            # NT VIRTUAL MACHINE\Virtual Machines
# The host-to-guest KVP item that carries the VM's RDP secret (the guest reads it from pool 0).
$script:KvpSecretKey = 'qubix.rdp-password'
# The Default Switch's name is translated ("Standardswitch", ...), its ID is fixed (docker/machine#4429,
# crc-org/crc#579, canonical/multipass#1833).
$script:DefaultSwitchId = 'c08cb7b8-9b3c-408e-8e30-5e16a3aeb444'
# Written into the Notes of every VM Qubix creates; nothing without it is turned off or removed.
$script:VmMark = '[qubix-managed]'
# Written into <vmRoot>\<vmName> when Qubix creates it; purge deletes no folder without it.
$script:FolderMark = '.qubix-vm'
$script:CurrentStep = ''

# ---------------------------------------------------------------- protocol

function Write-QubixLine {
    param([string]$Kind, [object]$Data)
    $json = $Data | ConvertTo-Json -Compress -Depth 8
    $ascii = [regex]::Replace($json, '[^\x20-\x7E]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
    [Console]::Out.WriteLine('::qubix-' + $Kind + '::' + $ascii)
    [Console]::Out.Flush()
}

function Write-QubixStep {
    param([string]$Id, [string]$Phase, [string]$Message = '')
    Write-QubixLine -Kind 'step' -Data ([ordered]@{ id = $Id; phase = $Phase; message = $Message })
}

function Write-QubixResult {
    param([object]$Data)
    Write-QubixLine -Kind 'result' -Data $Data
}

function Write-QubixBytes {
    param([string]$What, [long]$Done, [long]$Total)
    Write-QubixLine -Kind 'bytes' -Data ([ordered]@{ what = $What; done = $Done; total = $Total })
}

# Throws an error that carries its category and fix to the single error line.
function Stop-Qubix {
    param([string]$Message, [string]$Category = 'error', [string]$Fix = '')
    $e = New-Object System.InvalidOperationException $Message
    $e.Data['qubixCategory'] = $Category
    $e.Data['qubixFix'] = $Fix
    throw $e
}

# Runs one step, framed by step lines, so Java reports progress and names the failing step.
# The action returns a string when it found nothing to do (the step is then reported as skipped).
function Invoke-QubixStep {
    param([string]$Id, [scriptblock]$Action)
    $script:CurrentStep = $Id
    Write-QubixStep -Id $Id -Phase 'start'
    $skipped = & $Action
    if ($skipped -is [string] -and $skipped) {
        Write-QubixStep -Id $Id -Phase 'skip' -Message $skipped
    } else {
        Write-QubixStep -Id $Id -Phase 'done'
    }
    $script:CurrentStep = ''
}

# Top level of every script: run, and turn any error into exactly one error line.
function Invoke-QubixMain {
    param([scriptblock]$Body)
    # No [Console]::OutputEncoding here: it would change the caller's console code page, and the
    # protocol is ASCII anyway.
    try {
        & $Body
        exit 0
    } catch {
        $ex = $_.Exception
        $category = 'error'
        $fix = ''
        # the cmdlet that failed, named in the message; not for Stop-Qubix's own errors, which say what failed
        $command = ''
        if (-not $ex.Data.Contains('qubixCategory') -and $null -ne $_.InvocationInfo -and $null -ne $_.InvocationInfo.MyCommand) {
            $command = [string]$_.InvocationInfo.MyCommand.Name
        }
        if ($ex.Data.Contains('qubixCategory')) {
            $category = [string]$ex.Data['qubixCategory']
            $fix = [string]$ex.Data['qubixFix']
        } elseif ($ex -is [System.UnauthorizedAccessException] -or $_.CategoryInfo.Category -eq 'PermissionDenied') {
            # access denied to a member of Hyper-V Administrators is about a file or a network cmdlet, not the group
            if (Test-QubixMayManageHyperV) {
                $category = 'access-denied'
                $fix = "$command was denied access although this user may manage Hyper-V: check the permissions of vmRoot and the image files, or run elevated"
            } else {
                $category = 'permission'
                $fix = 'Run elevated, or join Hyper-V Administrators: Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME (then sign out and in)'
            }
        } elseif ($ex -is [System.Management.Automation.CommandNotFoundException]) {
            $command = [string]$ex.CommandName
            if ($command -like 'Hyper-V\*' -or -not (Get-Module -ListAvailable -Name 'Hyper-V')) {
                $category = 'hyperv-missing'
                $fix = 'Enable Hyper-V: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All, then reboot'
            } else {
                $category = 'command-missing'
                $fix = "this Windows has no command $command (its module is missing or not loadable): install the Windows feature that provides it"
            }
        }
        Write-QubixLine -Kind 'error' -Data ([ordered]@{ message = $ex.Message; category = $category; fix = $fix; step = $script:CurrentStep; command = $command })
        exit 1
    }
}

# ---------------------------------------------------------------- parameters

function ConvertFrom-QubixParams {
    param([Parameter(Mandatory = $true)][string]$Encoded)
    if ($Encoded.Length -gt 65536 -or $Encoded -notmatch '^[A-Za-z0-9+/]+={0,2}$') {
        Stop-Qubix -Message 'Params must be one base64 string' -Category 'invalid-parameter'
    }
    $json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Encoded))
    $p = $json | ConvertFrom-Json
    if ($p -isnot [System.Management.Automation.PSCustomObject]) {
        Stop-Qubix -Message 'Params must be a JSON object' -Category 'invalid-parameter'
    }
    return $p
}

function Get-QubixValue {
    param($Params, [string]$Name, [switch]$Optional)
    $prop = $Params.PSObject.Properties[$Name]
    if ($null -eq $prop -or $null -eq $prop.Value) {
        if ($Optional) { return $null }
        Stop-Qubix -Message "parameter $Name is missing" -Category 'invalid-parameter'
    }
    return $prop.Value
}

function Stop-QubixParam {
    param([string]$Name, [string]$Why)
    Stop-Qubix -Message "parameter $Name $Why" -Category 'invalid-parameter'
}

function Get-QubixName {
    param($Params, [string]$Name)
    $v = Get-QubixValue $Params $Name
    if ($v -isnot [string] -or $v -cnotmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$') { Stop-QubixParam $Name 'is not a valid name' }
    if ($v -eq 'images') { Stop-QubixParam $Name 'must not be images (the folder of the cached base images)' }
    return $v
}

function Get-QubixSwitchName {
    param($Params, [string]$Name)
    $v = Get-QubixValue $Params $Name
    if ($v -isnot [string] -or $v.Length -lt 1 -or $v.Length -gt 100 -or $v -match '[\x00-\x1F<>"|?*]') {
        Stop-QubixParam $Name 'is not a switch name'
    }
    return $v
}

function Get-QubixPath {
    param($Params, [string]$Name, [switch]$Optional)
    $v = Get-QubixValue $Params $Name -Optional:$Optional
    if ($null -eq $v) { return $null }
    if ($v -isnot [string] -or $v.Length -gt 1024 -or $v -cnotmatch '^([A-Za-z]:\\|\\\\[^\\/]+\\[^\\/]+)') {
        Stop-QubixParam $Name 'is not an absolute Windows path'
    }
    foreach ($segment in ($v -split '[\\/]')) {
        if ($segment -eq '..' -or $segment -eq '.') { Stop-QubixParam $Name 'contains a dot segment' }
    }
    if ($v.Substring(2) -match '[\x00-\x1F<>"|?*:]') { Stop-QubixParam $Name 'contains a character Windows paths cannot hold' }
    if ($v.Length -gt 3) { return $v.TrimEnd('\') }
    return $v
}

function Get-QubixIPv4 {
    param($Params, [string]$Name)
    $v = Get-QubixValue $Params $Name
    $ip = $null
    if ($v -isnot [string] -or $v -cnotmatch '^\d{1,3}(\.\d{1,3}){3}$' -or -not [System.Net.IPAddress]::TryParse($v, [ref]$ip)) {
        Stop-QubixParam $Name 'is not an IPv4 address'
    }
    return $v
}

function Get-QubixCidr {
    param($Params, [string]$Name)
    $v = Get-QubixValue $Params $Name
    if ($v -isnot [string] -or $v -cnotmatch '^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$') { Stop-QubixParam $Name 'is not an IPv4 prefix' }
    return $v
}

function Get-QubixInt {
    param($Params, [string]$Name, [long]$Min, [long]$Max, [long]$MultipleOf = 1)
    $v = Get-QubixValue $Params $Name
    if (-not ($v -is [int] -or $v -is [long]) -or $v -lt $Min -or $v -gt $Max) { Stop-QubixParam $Name "must be a whole number from $Min to $Max" }
    if ($v % $MultipleOf -ne 0) { Stop-QubixParam $Name "must be a multiple of $MultipleOf" }
    return [long]$v
}

function Get-QubixBool {
    param($Params, [string]$Name)
    $v = Get-QubixValue $Params $Name
    if ($v -isnot [bool]) { Stop-QubixParam $Name 'must be true or false' }
    return $v
}

function Get-QubixChoice {
    param($Params, [string]$Name, [string[]]$Allowed)
    $v = Get-QubixValue $Params $Name
    if ($v -isnot [string] -or $Allowed -cnotcontains $v) { Stop-QubixParam $Name ('must be one of ' + ($Allowed -join ', ')) }
    return $v
}

# Whole path segments, case-insensitive: C:\HyperV\Qubix is not a prefix of C:\HyperV\Qubix-old.
function Test-QubixSamePath {
    param([string]$A, [string]$B)
    if (-not $A -or -not $B) { return $false }
    return [System.IO.Path]::GetFullPath($A).TrimEnd('\') -ieq [System.IO.Path]::GetFullPath($B).TrimEnd('\')
}

# IPv4 prefixes as [network, length]: a NetNat for 192.168.0.0/16 also serves 192.168.250.0/24.
function ConvertTo-QubixPrefix {
    param([string]$Cidr)
    $parts = $Cidr -split '/'
    $bytes = ([System.Net.IPAddress]::Parse($parts[0])).GetAddressBytes()
    [array]::Reverse($bytes)
    return @([uint64][System.BitConverter]::ToUInt32($bytes, 0), [int]$parts[1])
}

function Test-QubixPrefixContains {
    param([string]$Outer, [string]$Inner)
    $o = ConvertTo-QubixPrefix $Outer
    $i = ConvertTo-QubixPrefix $Inner
    if ($i[1] -lt $o[1]) { return $false }
    $size = [uint64][math]::Pow(2, 32 - $o[1])
    return [math]::Floor($o[0] / $size) -eq [math]::Floor($i[0] / $size)
}

function Assert-QubixUnder {
    param([string]$Path, [string]$Root, [string]$Name)
    $full = [System.IO.Path]::GetFullPath($Path)
    $base = [System.IO.Path]::GetFullPath($Root).TrimEnd('\') + '\'
    if (-not $full.StartsWith($base, [System.StringComparison]::OrdinalIgnoreCase)) {
        Stop-QubixParam $Name "is outside $Root"
    }
}

# The VM's RDP secret arrives as one line on stdin: never in -Params, which is an argument (other
# processes read it) and what plan --json shows. Checked like a parameter; never echoed, not even
# in an error.
function Read-QubixSecret {
    $line = [Console]::In.ReadLine()
    if ($null -eq $line -or $line -cnotmatch '^[A-Za-z0-9_-]{22,128}$') {
        Stop-Qubix -Message 'stdin did not carry the RDP secret (one line of URL-safe Base64)' -Category 'invalid-parameter' `
            -Fix 'run the script through Qubix, which writes the secret to its stdin'
    }
    return $line
}

# ---------------------------------------------------------------- private folders

function New-QubixAccessRule {
    param([string]$Sid, [string]$Rights)
    $id = New-Object System.Security.Principal.SecurityIdentifier $Sid
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    return New-Object System.Security.AccessControl.FileSystemAccessRule $id, ([System.Security.AccessControl.FileSystemRights]$Rights), `
        $inherit, ([System.Security.AccessControl.PropagationFlags]::None), ([System.Security.AccessControl.AccessControlType]::Allow)
}

# The ACL a private folder gets: inheritance from the drive removed (C:\ lets local Users read), full
# control for SYSTEM, Administrators, Hyper-V Administrators and the user running Qubix, all by SID.
# Rules for the VMs' own accounts (NT VIRTUAL MACHINE\<VM GUID>, S-1-5-83-1-...) that Hyper-V added
# are kept: a VM whose account lost its access no longer starts ("General access denied error").
function Get-QubixPrivateAcl {
    param([string]$Path, [string[]]$ReadSids = @())
    $wanted = New-Object System.Security.AccessControl.DirectorySecurity
    $wanted.SetAccessRuleProtection($true, $false)
    $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    foreach ($sid in @($script:SystemSid, $script:AdministratorsSid, $script:HyperVAdministratorsSid, $me)) {
        $wanted.AddAccessRule((New-QubixAccessRule $sid 'FullControl'))
    }
    foreach ($sid in $ReadSids) { $wanted.AddAccessRule((New-QubixAccessRule $sid 'ReadAndExecute')) }
    if (Test-Path -LiteralPath $Path -PathType Container) {
        $current = (Get-Item -LiteralPath $Path -Force).GetAccessControl('Access')
        foreach ($rule in $current.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier])) {
            if ($rule.IdentityReference.Value -like 'S-1-5-83-1-*') { $wanted.AddAccessRule($rule) }
        }
    }
    return $wanted
}

function Test-QubixPrivateFolder {
    param([string]$Path, [string[]]$ReadSids = @())
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) { return $false }
    $current = (Get-Item -LiteralPath $Path -Force).GetAccessControl('Access')
    $wanted = Get-QubixPrivateAcl $Path $ReadSids
    return $current.AreAccessRulesProtected -and
        ($current.GetSecurityDescriptorSddlForm('Access') -eq $wanted.GetSecurityDescriptorSddlForm('Access'))
}

# Preflight: an existing folder that is not private yet must be one this user may re-ACL (its owner,
# or an elevated administrator), or the recreate would stop half-way.
function Assert-QubixMayMakePrivate {
    param([string]$Path, [string[]]$ReadSids = @())
    if (-not (Test-Path -LiteralPath $Path -PathType Container) -or (Test-QubixPrivateFolder $Path $ReadSids)) { return }
    $owner = (Get-Item -LiteralPath $Path -Force).GetAccessControl('Owner').GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    if ($owner -ne $me -and -not (Test-QubixElevated)) {
        Stop-Qubix -Message "$Path is owned by $owner, not by this user ($me), and is not private yet: Qubix cannot give it its ACL" `
            -Category 'acl-denied' -Fix 'run qubixctl up once from an elevated shell (it makes the folder private), or choose a vmRoot this user created'
    }
}

# Returns $true when the ACL had to change.
function Set-QubixPrivateFolder {
    param([string]$Path, [string[]]$ReadSids = @())
    New-Item -ItemType Directory -Force -Path $Path | Out-Null
    if (Test-QubixPrivateFolder $Path $ReadSids) { return $false }
    (Get-Item -LiteralPath $Path -Force).SetAccessControl((Get-QubixPrivateAcl $Path $ReadSids))
    return $true
}

# ---------------------------------------------------------------- KVP

# Hyper-V answers 4096 and a job for work it does asynchronously: wait for the job's end.
function Wait-QubixWmiJob {
    param($Result, [string]$What)
    if ($Result.ReturnValue -eq 0) { return }
    if ($Result.ReturnValue -ne 4096) {
        Stop-Qubix -Message "$What failed: WMI return value $($Result.ReturnValue)" -Category 'kvp' `
            -Fix 'check that the Data Exchange integration service of the VM is enabled'
    }
    $job = [WMI]$Result.Job
    # JobState 3 Starting, 4 Running; 7 Completed (CIM_ConcreteJob)
    while ($job.JobState -eq 3 -or $job.JobState -eq 4) {
        Start-Sleep -Milliseconds 100
        $job = [WMI]$Result.Job
    }
    if ($job.JobState -ne 7) {
        Stop-Qubix -Message "$What failed: $($job.ErrorDescription)" -Category 'kvp' `
            -Fix 'check that the Data Exchange integration service of the VM is enabled'
    }
}

# Whether the VM's configuration holds a host-to-guest item $Name (Msvm_KvpExchangeComponentSettingData
# .HostExchangeItems: embedded Msvm_KvpExchangeDataItem instances, one XML text each).
function Test-QubixKvpItem {
    param($System, [string]$Name)
    foreach ($settings in @($System.GetRelated('Msvm_VirtualSystemSettingData'))) {
        foreach ($kvp in @($settings.GetRelated('Msvm_KvpExchangeComponentSettingData'))) {
            foreach ($text in @($kvp.HostExchangeItems)) {
                if ($null -eq $text) { continue }
                $node = ([xml]$text).SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
                if ($null -ne $node -and $node.InnerText -ceq $Name) { return $true }
            }
        }
    }
    return $false
}

# Puts one host-to-guest KVP item into the VM's configuration (learn.microsoft.com, "Data Exchange:
# Using key-value pairs to share information between the host and guest on Hyper-V"; AddKvpItems and
# ModifyKvpItems of Msvm_VirtualSystemManagementService). Source 0 is the host's pool, which a Linux
# guest's hv_kvp_daemon keeps in /var/lib/hyperv/.kvp_pool_0. AddKvpItems fails for a key that
# exists, so an existing item is modified instead. The VM is found by its GUID, not its name.
function Set-QubixKvpItem {
    param($Vm, [string]$Name, [string]$Value)
    $namespace = 'root\virtualization\v2'
    $service = Get-WmiObject -Namespace $namespace -Class Msvm_VirtualSystemManagementService
    $system = Get-WmiObject -Namespace $namespace -Class Msvm_ComputerSystem -Filter ("Name='" + ([guid]$Vm.Id).ToString() + "'")
    if ($null -eq $system) {
        Stop-Qubix -Message "WMI has no Msvm_ComputerSystem for the VM $($Vm.Name) ($($Vm.Id))" -Category 'kvp'
    }
    $item = ([WMIClass]('\\.\' + $namespace + ':Msvm_KvpExchangeDataItem')).CreateInstance()
    $item.Name = $Name
    $item.Data = $Value
    $item.Source = 0
    $text = $item.PSBase.GetText([System.Management.TextFormat]::WmiDtd20)
    if (Test-QubixKvpItem $system $Name) {
        Wait-QubixWmiJob ($service.ModifyKvpItems($system, @($text))) "replacing the KVP item $Name"
    } else {
        Wait-QubixWmiJob ($service.AddKvpItems($system, @($text))) "adding the KVP item $Name"
    }
}

# ---------------------------------------------------------------- host

# Mutating cmdlets need an elevated token or Hyper-V Administrators (checked by SID: the name is
# localized). Java checks this too on Windows; from WSL this is the first place that can.
function Test-QubixElevated {
    $principal = New-Object System.Security.Principal.WindowsPrincipal ([System.Security.Principal.WindowsIdentity]::GetCurrent())
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Test-QubixMayManageHyperV {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $member = @($identity.Groups | Where-Object { $_.Value -eq $script:HyperVAdministratorsSid }).Count -gt 0
    return $member -or (Test-QubixElevated)
}

# New-NetIPAddress and New-NetNat are not covered by Hyper-V Administrators: they need a full, elevated administrator.
function Assert-QubixElevatedFor {
    param([string]$What)
    if (-not (Test-QubixElevated)) {
        Stop-Qubix -Message "$What needs an elevated administrator: Hyper-V Administrators may change VMs but not host addresses or NAT" `
            -Category 'elevation' `
            -Fix 'run qubixctl once from an elevated shell (Run as administrator) to set up the static network; later recreates then run without elevation'
    }
}

function Assert-QubixMayManageHyperV {
    if (-not (Test-QubixMayManageHyperV)) {
        Stop-Qubix -Message 'changing Hyper-V VMs needs an elevated shell or membership in Hyper-V Administrators' `
            -Category 'permission' `
            -Fix 'run as administrator, or Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME (then sign out and in)'
    }
}

# Hyper-V allows several VMs with one name: operations that remove act on all of them.
function Get-QubixVms {
    param([string]$Name)
    return @(Hyper-V\Get-VM | Where-Object { $_.Name -eq $Name })
}

function Get-QubixVm {
    param([string]$Name)
    return @(Get-QubixVms $Name) | Select-Object -First 1
}

# By exact name: -Name of Get-VMSwitch takes wildcards, and switch names may hold [ or ].
function Get-QubixSwitch {
    param([string]$Name)
    return @(Hyper-V\Get-VMSwitch | Where-Object { $_.Name -eq $Name }) | Select-Object -First 1
}

# The manifest's "Default Switch" is found by its ID, whatever this Windows calls it.
function Get-QubixDefaultSwitch {
    return @(Hyper-V\Get-VMSwitch | Where-Object { [string]$_.Id -eq $script:DefaultSwitchId }) | Select-Object -First 1
}

function Resolve-QubixSwitch {
    param([string]$Name, [bool]$Default)
    if ($Default) { return Get-QubixDefaultSwitch }
    return Get-QubixSwitch $Name
}

# Switches Windows manages itself (the Default Switch, WSL's): a gateway address or NetNat on them
# breaks Windows' own NAT and is undone by Windows after a reboot.
function Test-QubixSystemSwitch {
    param($Switch)
    return ([string]$Switch.Id -eq $script:DefaultSwitchId) -or ([string]$Switch.Name -match '^WSL( \(.*\))?$')
}

# The host side of an internal switch. The management-OS vNIC's DeviceId ("{GUID}", Hyper-V strips
# its "Microsoft:" prefix) is MSFT_NetAdapter.DeviceID; names ("vEthernet (...)") and MAC formatting
# differ across Windows versions and languages. Right after New-VMSwitch the adapter may not exist yet.
function Get-QubixHostAdapter {
    param([string]$SwitchName, [int]$WaitSeconds = 0)
    $deadline = (Get-Date).AddSeconds($WaitSeconds)
    while ($true) {
        $vnic = @(Hyper-V\Get-VMNetworkAdapter -ManagementOS | Where-Object { $_.SwitchName -eq $SwitchName }) | Select-Object -First 1
        if ($vnic -and $vnic.DeviceId) {
            $adapter = @(NetAdapter\Get-NetAdapter -IncludeHidden -ErrorAction Stop | Where-Object { $_.DeviceID -eq $vnic.DeviceId }) |
                Select-Object -First 1
            if ($adapter) { return $adapter }
        }
        if ((Get-Date) -ge $deadline) { return $null }
        Start-Sleep -Milliseconds 500
    }
}

# Get-NetIPAddress with a filter that matches nothing is an error: read all, filter here.
function Get-QubixIPv4Addresses {
    return @(NetTCPIP\Get-NetIPAddress -AddressFamily IPv4 -ErrorAction Stop)
}

function Get-QubixNetNats {
    return @(NetNat\Get-NetNat -ErrorAction Stop)
}

# A VM is Qubix's when it lives in <vmRoot>\<vmName> exactly and carries the mark in its Notes.
function Assert-QubixOwnsVm {
    param($Vm, [string]$VmDir)
    if (-not (Test-QubixSamePath ([string]$Vm.Path) $VmDir)) {
        Stop-Qubix -Message "a VM named $($Vm.Name) lives in $($Vm.Path), not in $($VmDir): Qubix did not create it" `
            -Category 'vm-conflict' -Fix 'rename or remove that VM yourself, or change vmName in the manifest'
    }
    if (([string]$Vm.Notes).IndexOf($script:VmMark) -lt 0) {
        Stop-Qubix -Message "the VM $($Vm.Name) in $VmDir has no $($script:VmMark) mark in its Notes: Qubix did not create it, or an older Qubix did" `
            -Category 'vm-conflict' `
            -Fix "if it is Qubix's, mark it: Hyper-V\Set-VM -Name '$($Vm.Name)' -Notes '$($script:VmMark)'; otherwise change vmName in the manifest"
    }
}

# One lock for <vmRoot>\images across processes: gc holds it while it decides and deletes, recreate
# from its base-image step to its end (Java's locks are per machine, a base image is shared by all).
# The OS releases it when the process ends, however it ends.
function Lock-QubixImages {
    param([string]$VmRoot, [int]$WaitSeconds = 600)
    $dir = Join-Path $VmRoot 'images'
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $path = Join-Path $dir '.qubix-lock'
    $deadline = (Get-Date).AddSeconds($WaitSeconds)
    while ($true) {
        try {
            return [System.IO.File]::Open($path, [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
        } catch [System.IO.IOException] {
            if ((Get-Date) -gt $deadline) {
                Stop-Qubix -Message "another Qubix process has held $path for $WaitSeconds s (a recreate or gc of a VM under $VmRoot)" `
                    -Category 'locked' -Fix 'wait for it to finish, then run again'
            }
            Start-Sleep -Milliseconds 500
        }
    }
}

# A base image Hyper-V cannot open fails here, in the base-image step, before the old VM is touched.
function Assert-QubixReadableVhd {
    param([string]$Path)
    try {
        Hyper-V\Get-VHD -Path $Path | Out-Null
    } catch {
        Stop-Qubix -Message "Hyper-V cannot read the image $($Path): $($_.Exception.Message)" -Category 'image-invalid' `
            -Fix 'build the appliance again (qubixctl build); delete a damaged cached copy under vmRoot\images by hand'
    }
}

# Enum names of VMState are the same on every Windows language (their descriptions are not).
function Get-QubixStateName {
    param($Vm)
    return [string]$Vm.State
}

# IPv4 addresses the guest reports over KVP; link-local and unspecified ones are not reachable.
function Get-QubixGuestIPv4 {
    param($Vm)
    $found = @()
    foreach ($adapter in @(Hyper-V\Get-VMNetworkAdapter -VM $Vm)) {
        foreach ($ip in @($adapter.IPAddresses)) {
            if ($ip -match '^\d{1,3}(\.\d{1,3}){3}$' -and $ip -notlike '169.254.*' -and $ip -ne '0.0.0.0') {
                $found += $ip
            }
        }
    }
    return $found
}

# Brings a VM to Off whatever its state. Stop-VM -TurnOff is undefined for a Saved VM (New-VM's
# automatic stop action is Save, so after a host reboot VMs are often Saved): its saved state is
# removed instead. Transitional states are waited out; *Critical states (storage unreachable) are
# acted on like their plain state, and whatever is left is reported by name.
function Stop-QubixVmHard {
    param($Vm)
    $deadline = (Get-Date).AddSeconds(60)
    while ($true) {
        $Vm = Hyper-V\Get-VM -Id $Vm.Id
        $state = Get-QubixStateName $Vm
        if ($state -eq 'Off' -or $state -eq 'OffCritical') { return }
        if ((Get-Date) -gt $deadline) {
            Stop-Qubix -Message "the VM $($Vm.Name) stays $state and cannot be turned off" -Category 'vm-state' `
                -Fix 'turn it off in Hyper-V Manager, then run again'
        }
        if ($state -match '^(Fast)?Saved(Critical)?$') {
            Hyper-V\Remove-VMSavedState -VM $Vm
        } elseif ($state -match '^(Running|Paused)(Critical)?$') {
            Hyper-V\Stop-VM -VM $Vm -TurnOff -Force
        } else {
            Start-Sleep -Milliseconds 500
        }
    }
}

# ---------------------------------------------------------------- homes

# A backup name is a file name in <vmDir>\backups: the rule of Java's HomeRequest.requireValidName
# (never a dot segment, never a separator), checked again here.
function Get-QubixBackupName {
    param($Params, [string]$Name)
    $v = Get-QubixValue $Params $Name
    if ($v -isnot [string] -or $v -cnotmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' -or $v.Contains('..')) {
        Stop-QubixParam $Name 'is not a backup name (letters, digits, ., _ and -; no ..)'
    }
    return $v
}

# UTC to the second, the same text on every Windows language (the time separator is culture-dependent).
function Format-QubixTime {
    param([datetime]$Time)
    return $Time.ToUniversalTime().ToString('yyyy-MM-dd''T''HH:mm:ss''Z''', [System.Globalization.CultureInfo]::InvariantCulture)
}

# The version of the image a VM runs: its system disk differences the cached base named by store hash.
function Get-QubixImageVersion {
    param([string]$SystemDisk)
    if (-not (Test-Path -LiteralPath $SystemDisk -PathType Leaf)) { return $null }
    $parent = [string](Hyper-V\Get-VHD -Path $SystemDisk).ParentPath
    if (-not $parent) { return $null }
    return [System.IO.Path]::GetFileNameWithoutExtension($parent)
}

# Backups Qubix makes itself (Java's HomeRequest.isAutomatic): before a recreate, a restore or an import.
function Test-QubixAutomaticBackup {
    param([string]$Name)
    return ($Name -clike 'before-recreate-*') -or ($Name -clike 'before-restore-*')
}

# A backup's description beside it (<name>.json): its time, size and image version.
function Write-QubixBackupDescription {
    param([string]$Path, [string]$Name, [long]$Size, [string]$ImageVersion)
    $description = [ordered]@{ name = $Name; time = (Format-QubixTime (Get-Date)); sizeBytes = $Size; imageVersion = $ImageVersion
        automatic = (Test-QubixAutomaticBackup $Name) }
    Set-Content -LiteralPath $Path -Value ($description | ConvertTo-Json -Compress) -Encoding Ascii
}

# Copies the used blocks of a disk no running VM holds to $Destination, whose extension gives the
# format (.vhdx or .vhd). Convert-VHD is an offline operation, the disk must not be attached
# (learn.microsoft.com/powershell/module/hyper-v/convert-vhd); it reads the source and never writes it.
function Copy-QubixDisk {
    param([string]$Source, [string]$Destination, [string]$What)
    if (Test-Path -LiteralPath $Destination) { Remove-Item -LiteralPath $Destination -Force }
    # a copy that fails part-way (a full disk) leaves no half-written file
    try {
        # as a job, so its progress (percent of the source's used blocks) becomes bytes lines while it runs
        $total = [long](Hyper-V\Get-VHD -Path $Source).FileSize
        $job = Hyper-V\Convert-VHD -Path $Source -DestinationPath $Destination -VHDType Dynamic -AsJob
        while (@('NotStarted', 'Running') -contains [string]$job.State) {
            $last = @($job.ChildJobs | ForEach-Object { @($_.Progress) } | Where-Object { $_.PercentComplete -ge 0 }) | Select-Object -Last 1
            if ($last) { Write-QubixBytes -What $What -Done ([long]($total * $last.PercentComplete / 100)) -Total $total }
            Start-Sleep -Milliseconds 500
        }
        # a failed conversion's error is thrown here, with the step still open
        Receive-Job -Job $job -Wait | Out-Null
        if ([string]$job.State -ne 'Completed') { Stop-Qubix -Message "Convert-VHD of $Source ended $($job.State)" -Category 'copy-failed' }
        Remove-Job -Job $job -Force
    } catch {
        if (Test-Path -LiteralPath $Destination) { Remove-Item -LiteralPath $Destination -Force -ErrorAction SilentlyContinue }
        throw
    }
    $size = [long](Get-Item -LiteralPath $Destination).Length
    Write-QubixBytes -What $What -Done $size -Total $size
    return $size
}

# Preflight: the drive $Destination is on has room for a copy of $Source's used blocks. A share
# reports no free space here; a copy that fills it anyway removes what it wrote (Copy-QubixDisk).
function Assert-QubixFreeSpace {
    param([string]$Source, [string]$Destination)
    $root = [System.IO.Path]::GetPathRoot($Destination)
    if ($root -notmatch '^[A-Za-z]:\\$') { return }
    $need = [long](Hyper-V\Get-VHD -Path $Source).FileSize
    $free = [long](New-Object System.IO.DriveInfo $root).AvailableFreeSpace
    if ($free -lt $need) {
        Stop-Qubix -Message "$root has $free bytes free, and the copy of $Source needs up to $need" -Category 'disk-full' `
            -Fix 'free space on that drive, or delete old backups (qubixctl home list, qubixctl home delete)'
    }
}

# The temporary name of backup $Name: backups\.partial\<name>.vhdx (no backup name starts with a dot).
function Get-QubixPartialBackup {
    param([string]$VmDir, [string]$Name)
    $partialDir = Join-Path (Join-Path $VmDir 'backups') '.partial'
    New-Item -ItemType Directory -Force -Path $partialDir | Out-Null
    return Join-Path $partialDir "$Name.vhdx"
}

# Describes the whole copy and renames it into backups\. A backup exists when its .vhdx does: a
# description a crash left without one is never listed.
function Complete-QubixBackup {
    param([string]$VmDir, [string]$Name, [string]$ImageVersion)
    $dir = Join-Path $VmDir 'backups'
    $partial = Get-QubixPartialBackup $VmDir $Name
    Write-QubixBackupDescription (Join-Path $dir "$Name.json") $Name ([long](Get-Item -LiteralPath $partial).Length) $ImageVersion
    Move-Item -LiteralPath $partial -Destination (Join-Path $dir "$Name.vhdx")
}

# The backups of one VM, oldest first: each .vhdx in backups\ with its description.
function Get-QubixHomeBackups {
    param([string]$VmDir)
    $dir = Join-Path $VmDir 'backups'
    if (-not (Test-Path -LiteralPath $dir -PathType Container)) { return @() }
    $found = @()
    foreach ($file in @(Get-ChildItem -LiteralPath $dir -File -Filter '*.vhdx')) {
        $name = [System.IO.Path]::GetFileNameWithoutExtension($file.Name)
        $time = Format-QubixTime $file.LastWriteTimeUtc
        $version = $null
        $json = Join-Path $dir "$name.json"
        if (Test-Path -LiteralPath $json -PathType Leaf) {
            $d = Get-Content -LiteralPath $json -Raw | ConvertFrom-Json
            if ($d.PSObject.Properties['time'] -and $d.time) { $time = [string]$d.time }
            if ($d.PSObject.Properties['imageVersion'] -and $d.imageVersion) { $version = [string]$d.imageVersion }
        }
        $found += [ordered]@{ name = $name; time = $time; sizeBytes = [long]$file.Length; imageVersion = $version
            automatic = (Test-QubixAutomaticBackup $name) }
    }
    return @($found | Sort-Object { $_.time }, { $_.name })
}

# Deletes a backup and its description.
function Remove-QubixBackup {
    param([string]$VmDir, [string]$Name)
    foreach ($ext in @('.vhdx', '.json')) {
        $f = Join-Path (Join-Path $VmDir 'backups') ($Name + $ext)
        if (Test-Path -LiteralPath $f) { Remove-Item -LiteralPath $f -Force }
    }
}

# Keeps the newest $Keep before-recreate-* backups.
function Remove-QubixOldRecreateBackups {
    param([string]$VmDir, [int]$Keep)
    $automatic = @(Get-QubixHomeBackups $VmDir | Where-Object { $_.name -clike 'before-recreate-*' })
    for ($i = 0; $i -lt $automatic.Count - $Keep; $i++) { Remove-QubixBackup $VmDir $automatic[$i].name }
}

# ---------------------------------------------------------------- disposable homes

# A disposable home: the VM runs on a differencing VHDX (the overlay) over the home disk, made anew at
# each start and deleted at stop and destroy. Hyper-V opens a differencing disk's parent read-only,
# so the persistent home is never written. The mark in the VM folder says the VM runs one.
$script:DisposableMark = '.qubix-home-disposable'

function Get-QubixHomeOverlay {
    param([string]$VmDir, [string]$VmName)
    return Join-Path $VmDir "$VmName-home-disposable.vhdx"
}

# The overlay's parent: the home disk, or without one the read-only base a disposable recreate made.
function Get-QubixDisposableParent {
    param([string]$VmDir, [string]$VmName)
    $homeDisk = Join-Path $VmDir "$VmName-home.vhdx"
    if (Test-Path -LiteralPath $homeDisk -PathType Leaf) { return $homeDisk }
    $base = Join-Path $VmDir "$VmName-home-base.vhdx"
    if (Test-Path -LiteralPath $base -PathType Leaf) { return $base }
    return $null
}

# A fresh overlay over $Parent: whatever the last run wrote is gone.
function New-QubixHomeOverlay {
    param([string]$VmDir, [string]$VmName, [string]$Parent)
    $overlay = Get-QubixHomeOverlay $VmDir $VmName
    if (Test-Path -LiteralPath $overlay) { Remove-Item -LiteralPath $overlay -Force }
    Hyper-V\New-VHD -Path $overlay -ParentPath $Parent -Differencing | Out-Null
    return $overlay
}

Export-ModuleMember -Function '*' -Variable 'KvpServiceId', 'ShutdownServiceId', 'DefaultSwitchId', 'VmMark', 'FolderMark', 'KvpSecretKey', 'VirtualMachinesSid', 'DisposableMark'
