# Starts or stops one VM. Stop asks the guest through the Shutdown integration service and turns
# the VM off when it is not off after the grace period (Stop-VM alone can block for minutes).
param([Parameter(Mandatory = $true)][string]$Params)
# preferences are per session state: the module's own settings do not reach this script's code
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $raw = ConvertFrom-QubixParams $Params
    $p = @{
        vmName = Get-QubixName $raw 'vmName'
        action = Get-QubixChoice $raw 'action' @('start', 'stop')
        graceSeconds = Get-QubixInt $raw 'graceSeconds' 0 86400
    }
    Assert-QubixMayManageHyperV
    $vm = Get-QubixVm $p.vmName
    if (-not $vm) { Stop-Qubix -Message "no VM named $($p.vmName)" -Category 'not-found' -Fix 'create it with recreate (qubixctl up)' }
    if ($p.action -eq 'start') {
        Invoke-QubixStep -Id 'start' -Action {
            if ((Get-QubixStateName $vm) -eq 'Running') { return 'already running' }
            Hyper-V\Start-VM -VM $vm
        }
    } else {
        Invoke-QubixStep -Id 'stop' -Action {
            if ((Get-QubixStateName $vm) -eq 'Off') { return 'already off' }
            $job = Hyper-V\Stop-VM -VM $vm -Force -AsJob
            if (-not (Wait-Job -Job $job -Timeout ([int]$p.graceSeconds))) {
                Stop-Job -Job $job
                Hyper-V\Stop-VM -VM $vm -TurnOff -Force
            }
            Remove-Job -Job $job -Force
        }
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; state = (Get-QubixStateName (Get-QubixVm $p.vmName)) })
}
