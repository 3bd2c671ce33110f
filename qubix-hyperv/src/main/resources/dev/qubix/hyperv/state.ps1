# Reads what the planner and status need, changes nothing: switch, host address, NetNats, VM, disks.
param([Parameter(Mandatory = $true)][string]$Params)
# preferences are per session state: the module's own settings do not reach this script's code
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# Constrained Language Mode (WDAC/AppLocker) blocks [Console], New-Object and [System.IO.*], so the
# module could not even print its error line: say so in plain output first (as Vagrant's
# VagrantWinCLM.psm1 checks LanguageMode before anything else).
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') { Write-Output ('::qubix-error::{"message":"PowerShell runs in ' + $ExecutionContext.SessionState.LanguageMode + ' mode (WDAC/Device Guard or AppLocker), in which the Qubix scripts cannot run","category":"language-mode","fix":"ask your administrator to allow scripts under %LOCALAPPDATA%\\Qubix\\scripts in the WDAC/AppLocker policy","step":""}'); exit 1 }
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $raw = ConvertFrom-QubixParams $Params
    $vmName = Get-QubixName $raw 'vmName'
    $vmRoot = Get-QubixPath $raw 'vmRoot'
    $switchName = Get-QubixSwitchName $raw 'switchName'
    $defaultSwitch = Get-QubixBool $raw 'defaultSwitch'
    $baseImage = Get-QubixPath $raw 'baseImage' -Optional
    $gateway = $null
    if ($null -ne (Get-QubixValue $raw 'gateway' -Optional)) { $gateway = Get-QubixIPv4 $raw 'gateway' }
    $homeDisk = Join-Path (Join-Path $vmRoot $vmName) "$vmName-home.vhdx"

    $vm = Get-QubixVm $vmName
    # Hyper-V shows a user who may not manage it no VMs rather than an error (containers/libhvee#224):
    # "absent" would be a guess
    if (-not $vm) { Assert-QubixMayManageHyperV }
    $switch = Resolve-QubixSwitch $switchName $defaultSwitch
    $nats = @(Get-QubixNetNats | ForEach-Object {
        [ordered]@{ name = $_.Name; prefix = [string]$_.InternalIPInterfaceAddressPrefix } })
    $hostIp = $false
    if ($gateway -and $switch) {
        $adapter = Get-QubixHostAdapter ([string]$switch.Name)
        if ($adapter) {
            $hostIp = @(Get-QubixIPv4Addresses | Where-Object { $_.InterfaceIndex -eq $adapter.ifIndex -and $_.IPAddress -eq $gateway }).Count -gt 0
        }
    }
    $vmState = $null
    $ips = @()
    $uptime = 0
    if ($vm) {
        $vmState = Get-QubixStateName $vm
        $ips = @(Get-QubixGuestIPv4 $vm)
        $uptime = [long]$vm.Uptime.TotalSeconds
    }
    $cached = $false
    if ($baseImage) { $cached = Test-Path -LiteralPath $baseImage -PathType Leaf }
    Write-QubixResult ([ordered]@{
        switchExists = [bool]$switch
        switchName = $(if ($switch) { [string]$switch.Name } else { $null })
        systemSwitch = $(if ($switch) { [bool](Test-QubixSystemSwitch $switch) } else { $false })
        hostIpExists = $hostIp
        netNats = $nats
        vmExists = [bool]$vm
        vmState = $vmState
        baseImageCached = $cached
        homeDiskExists = (Test-Path -LiteralPath $homeDisk -PathType Leaf)
        homeDisposable = (Test-Path -LiteralPath (Join-Path (Join-Path $vmRoot $vmName) $DisposableMark) -PathType Leaf)
        ipAddresses = $ips
        uptimeSeconds = $uptime
    })
}
