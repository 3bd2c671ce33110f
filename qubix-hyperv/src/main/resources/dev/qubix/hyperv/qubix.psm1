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
    try {
        try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { }
        & $Body
        exit 0
    } catch {
        $ex = $_.Exception
        $category = 'error'
        $fix = ''
        if ($ex.Data.Contains('qubixCategory')) {
            $category = [string]$ex.Data['qubixCategory']
            $fix = [string]$ex.Data['qubixFix']
        } elseif ($ex -is [System.UnauthorizedAccessException] -or $_.CategoryInfo.Category -eq 'PermissionDenied') {
            $category = 'permission'
            $fix = 'Run elevated, or join Hyper-V Administrators: Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME (then sign out and in)'
        } elseif ($ex -is [System.Management.Automation.CommandNotFoundException]) {
            $category = 'hyperv-missing'
            $fix = 'Enable Hyper-V: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All, then reboot'
        }
        Write-QubixLine -Kind 'error' -Data ([ordered]@{ message = $ex.Message; category = $category; fix = $fix; step = $script:CurrentStep })
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

function Assert-QubixUnder {
    param([string]$Path, [string]$Root, [string]$Name)
    $full = [System.IO.Path]::GetFullPath($Path)
    $base = [System.IO.Path]::GetFullPath($Root).TrimEnd('\') + '\'
    if (-not $full.StartsWith($base, [System.StringComparison]::OrdinalIgnoreCase)) {
        Stop-QubixParam $Name "is outside $Root"
    }
}

# ---------------------------------------------------------------- host

# Mutating cmdlets need an elevated token or Hyper-V Administrators (checked by SID: the name is
# localized). Java checks this too on Windows; from WSL this is the first place that can.
function Assert-QubixMayManageHyperV {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal $identity
    $admin = $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
    $member = @($identity.Groups | Where-Object { $_.Value -eq $script:HyperVAdministratorsSid }).Count -gt 0
    if (-not $admin -and -not $member) {
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

# The host side of an internal switch, by MAC address: the "vEthernet (...)" adapter name is not
# something to rely on across Windows languages and versions.
function Get-QubixHostAdapter {
    param([string]$SwitchName)
    $vnic = @(Hyper-V\Get-VMNetworkAdapter -ManagementOS | Where-Object { $_.SwitchName -eq $SwitchName }) | Select-Object -First 1
    if (-not $vnic) { return $null }
    $mac = ($vnic.MacAddress -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
    return @(NetAdapter\Get-NetAdapter -IncludeHidden | Where-Object { ($_.MacAddress -replace '[^0-9A-Fa-f]', '').ToUpperInvariant() -eq $mac }) |
        Select-Object -First 1
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

function Stop-QubixVmHard {
    param($Vm)
    if ((Get-QubixStateName $Vm) -ne 'Off') { Hyper-V\Stop-VM -VM $Vm -TurnOff -Force }
}

Export-ModuleMember -Function '*' -Variable 'KvpServiceId', 'ShutdownServiceId'
