# Qubix Hyper-V helpers, shared by every operation script.
# Parameters arrive as ONE argument: base64 of a UTF-8 JSON object. Base64 has no quote, space or
# dollar sign, so no value can ever become PowerShell code; values are checked again here.
# Output protocol (the only lines Java reads):
#   ::qubix-step::{"id":"...","phase":"start|done","message":"..."}
#   ::qubix-result::{...}      exactly one, on success
#   ::qubix-error::{"message":"...","category":"...","fix":"..."}   exactly one, on failure
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Integration services by GUID: their display names are localized on non-English Windows.
$script:KvpServiceId = '2A34B1C2-FD73-4043-8A5B-DD2159BC743F'        # Key-Value Pair Exchange
$script:ShutdownServiceId = '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'   # Shutdown

function ConvertFrom-QubixParams {
    param([Parameter(Mandatory = $true)][string]$Encoded)
    if ($Encoded -notmatch '^[A-Za-z0-9+/=]+$') {
        throw 'Params must be base64'
    }
    $json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Encoded))
    return $json | ConvertFrom-Json
}

function Write-QubixLine {
    param([string]$Kind, [object]$Data)
    $json = $Data | ConvertTo-Json -Compress -Depth 8
    [Console]::Out.WriteLine("::qubix-$Kind::$json")
}

function Write-QubixStep {
    param([string]$Id, [string]$Phase, [string]$Message = '')
    Write-QubixLine -Kind 'step' -Data ([ordered]@{ id = $Id; phase = $Phase; message = $Message })
}

function Write-QubixResult {
    param([object]$Data)
    Write-QubixLine -Kind 'result' -Data $Data
}

function Write-QubixError {
    param([string]$Message, [string]$Category = 'error', [string]$Fix = '')
    Write-QubixLine -Kind 'error' -Data ([ordered]@{ message = $Message; category = $Category; fix = $Fix })
}

function Assert-QubixName {
    param([string]$Value, [string]$Field)
    if ($Value -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$') {
        throw "parameter $Field is not a valid name"
    }
}

function Assert-QubixWindowsPath {
    param([string]$Value, [string]$Field)
    if ($Value -notmatch '^([A-Za-z]:\\|\\\\[^\\/]+\\[^\\/]+)') {
        throw "parameter $Field is not an absolute Windows path"
    }
    foreach ($segment in ($Value -split '[\\/]')) {
        if ($segment -eq '..' -or $segment -eq '.') {
            throw "parameter $Field contains a dot segment"
        }
    }
    if ($Value.IndexOfAny([char[]]'<>"|?*') -ge 0) {
        throw "parameter $Field contains a character Windows paths cannot hold"
    }
}

function Assert-QubixUnder {
    param([string]$Path, [string]$Root, [string]$Field)
    $full = [System.IO.Path]::GetFullPath($Path)
    $base = [System.IO.Path]::GetFullPath($Root).TrimEnd('\') + '\'
    if (-not $full.StartsWith($base, [System.StringComparison]::OrdinalIgnoreCase)) {
        throw "parameter $Field is outside $Root"
    }
}

# Runs one step, framed by step lines, so Java can report progress and name the failing step.
function Invoke-QubixStep {
    param([string]$Id, [string]$Message, [scriptblock]$Action)
    Write-QubixStep -Id $Id -Phase 'start' -Message $Message
    & $Action
    Write-QubixStep -Id $Id -Phase 'done'
}

# Top level of every script: run, and turn any error into exactly one error line.
function Invoke-QubixMain {
    param([scriptblock]$Body)
    try {
        & $Body
        exit 0
    } catch {
        $category = 'error'
        $fix = ''
        $message = $_.Exception.Message
        if ($_.Exception -is [System.UnauthorizedAccessException] -or $message -match 'required permission|access is denied') {
            $category = 'permission'
            $fix = 'Run elevated, or join Hyper-V Administrators: Add-LocalGroupMember -SID S-1-5-32-578 -Member $env:USERNAME'
        } elseif ($message -match 'Hyper-V') {
            $fix = 'Enable Hyper-V: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All, then reboot'
        }
        Write-QubixError -Message $message -Category $category -Fix $fix
        exit 1
    }
}

function Get-QubixVm {
    param([string]$Name)
    return Hyper-V\Get-VM -Name $Name -ErrorAction SilentlyContinue
}

# IPv4 addresses the guest reports over KVP; link-local and unspecified ones are not reachable.
function Get-QubixGuestIPv4 {
    param($Vm)
    $adapters = @(Hyper-V\Get-VMNetworkAdapter -VM $Vm)
    $found = @()
    foreach ($adapter in $adapters) {
        foreach ($ip in @($adapter.IPAddresses)) {
            if ($ip -match '^\d{1,3}(\.\d{1,3}){3}$' -and $ip -notlike '169.254.*' -and $ip -ne '0.0.0.0') {
                $found += $ip
            }
        }
    }
    return $found
}

Export-ModuleMember -Function '*' -Variable 'KvpServiceId', 'ShutdownServiceId'
