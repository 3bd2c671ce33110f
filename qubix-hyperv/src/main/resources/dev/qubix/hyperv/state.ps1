# Reads what the planner and status need, changes nothing: switch, host address, NetNats, VM, disks.
param([Parameter(Mandatory = $true)][string]$Params)
# preferences are per session state: the module's own settings do not reach this script's code
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $raw = ConvertFrom-QubixParams $Params
    $vmName = Get-QubixName $raw 'vmName'
    $vmRoot = Get-QubixPath $raw 'vmRoot'
    $switchName = Get-QubixSwitchName $raw 'switchName'
    $baseImage = Get-QubixPath $raw 'baseImage' -Optional
    $gateway = $null
    if ($null -ne (Get-QubixValue $raw 'gateway' -Optional)) { $gateway = Get-QubixIPv4 $raw 'gateway' }
    $homeDisk = Join-Path (Join-Path $vmRoot $vmName) "$vmName-home.vhdx"

    $vm = Get-QubixVm $vmName
    $switch = Get-QubixSwitch $switchName
    $nats = @(NetNat\Get-NetNat -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.Name; prefix = $_.InternalIPInterfaceAddressPrefix } })
    $hostIp = $false
    if ($gateway -and $switch) {
        $adapter = Get-QubixHostAdapter $switchName
        if ($adapter) {
            $hostIp = @(NetTCPIP\Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
                Where-Object { $_.IPAddress -eq $gateway }).Count -gt 0
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
        hostIpExists = $hostIp
        netNats = $nats
        vmExists = [bool]$vm
        vmState = $vmState
        baseImageCached = $cached
        homeDiskExists = (Test-Path -LiteralPath $homeDisk -PathType Leaf)
        ipAddresses = $ips
        uptimeSeconds = $uptime
    })
}
