# Starts or stops one VM. Stop asks the guest (shutdown integration service) and turns it off only
# after the grace period when asked to force.
param([Parameter(Mandatory = $true)][string]$Params)
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $p = ConvertFrom-QubixParams $Params
    Assert-QubixName $p.vmName 'vmName'
    $vm = Get-QubixVm $p.vmName
    if (-not $vm) { throw "no VM named $($p.vmName)" }
    if ($p.action -eq 'start') {
        if ($vm.State -ne 'Running') { Hyper-V\Start-VM -VM $vm }
    } elseif ($p.action -eq 'stop') {
        if ($vm.State -ne 'Off') {
            $job = Start-Job -ScriptBlock { param($n) Hyper-V\Stop-VM -Name $n -Force } -ArgumentList $p.vmName
            if (-not (Wait-Job -Job $job -Timeout ([int]$p.graceSeconds))) {
                Stop-Job -Job $job
                Hyper-V\Stop-VM -Name $p.vmName -TurnOff -Force
            }
            Remove-Job -Job $job -Force
        }
    } else {
        throw "unknown action $($p.action)"
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; state = [string](Get-QubixVm $p.vmName).State })
}
