# Reads what the planner needs to know, changes nothing: switch, host IP, NetNat, VM, disks.
param([Parameter(Mandatory = $true)][string]$Params)
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $p = ConvertFrom-QubixParams $Params
    Assert-QubixName $p.vmName 'vmName'
    Assert-QubixWindowsPath $p.vmRoot 'vmRoot'
    $vm = Get-QubixVm $p.vmName
    $switch = Hyper-V\Get-VMSwitch -Name $p.switchName -ErrorAction SilentlyContinue
    $nats = @(NetNat\Get-NetNat -ErrorAction SilentlyContinue | ForEach-Object {
        [ordered]@{ name = $_.Name; prefix = $_.InternalIPInterfaceAddressPrefix } })
    $hostIp = $false
    if ($p.gateway) {
        $hostIp = [bool](NetTCPIP\Get-NetIPAddress -IPAddress $p.gateway -ErrorAction SilentlyContinue)
    }
    Write-QubixResult ([ordered]@{
        switchExists = [bool]$switch
        hostIpExists = $hostIp
        netNats = $nats
        vmExists = [bool]$vm
        vmState = $(if ($vm) { [string]$vm.State } else { $null })
        baseImageCached = [bool](Test-Path -LiteralPath $p.baseImage -PathType Leaf)
        homeDiskExists = [bool](Test-Path -LiteralPath $p.homeDisk -PathType Leaf)
        ipAddresses = $(if ($vm) { @(Get-QubixGuestIPv4 $vm) } else { @() })
        uptimeSeconds = $(if ($vm) { [int]$vm.Uptime.TotalSeconds } else { 0 })
    })
}
