# Starts or stops one VM. Stop asks the guest through the Shutdown integration service and turns
# the VM off when it is not off after the grace period (Stop-VM alone can block for minutes). The
# result carries the state the VM really ended in; Java checks it.
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
    $p = @{
        vmName = Get-QubixName $raw 'vmName'
        vmRoot = Get-QubixPath $raw 'vmRoot'
        action = Get-QubixChoice $raw 'action' @('start', 'stop')
        graceSeconds = Get-QubixInt $raw 'graceSeconds' 0 86400
    }
    # a start hands the VM's RDP secret to the guest again: a rotated one takes effect at this boot
    if ($p.action -eq 'start') { $p.rdpSecret = Get-QubixChoice $raw 'rdpSecret' @('stdin') }
    $vmDir = Join-Path $p.vmRoot $p.vmName
    Assert-QubixUnder $vmDir $p.vmRoot 'vmName'
    Assert-QubixMayManageHyperV
    $vm = Get-QubixVm $p.vmName
    if (-not $vm) { Stop-Qubix -Message "no VM named $($p.vmName)" -Category 'not-found' -Fix 'create it with recreate (qubixctl up)' }
    Assert-QubixOwnsVm $vm $vmDir
    $rdpSecret = $null
    if ($p.action -eq 'start') { $rdpSecret = Read-QubixSecret }
    # a hashtable, because the step's script block runs in a child scope
    $outcome = @{ graceful = $true }
    if ($p.action -eq 'start') {
        Invoke-QubixStep -Id 'rdp-secret' -Action {
            if ((Get-QubixStateName $vm) -eq 'Running') { return 'already running: the guest keeps the password it booted with' }
            Set-QubixKvpItem $vm $KvpSecretKey $rdpSecret
        }
        Invoke-QubixStep -Id 'start' -Action {
            $state = Get-QubixStateName $vm
            if ($state -eq 'Running') { return 'already running' }
            if (Test-Path -LiteralPath (Join-Path $vmDir $DisposableMark)) {
                # a disposable home starts from its parent again; attaching the new file lets Hyper-V
                # grant the VM's own account access to it
                $parent = Get-QubixDisposableParent $vmDir $p.vmName
                if (-not $parent) {
                    Stop-Qubix -Message "the disposable home of $($p.vmName) has no parent disk" -Category 'not-found' `
                        -Fix "recreate it: qubixctl recreate --disposable $($p.vmName)"
                }
                $overlay = New-QubixHomeOverlay $vmDir $p.vmName $parent
                $drive = Hyper-V\Get-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 1
                Hyper-V\Set-VMHardDiskDrive -VMHardDiskDrive $drive -Path $overlay
            }
            Hyper-V\Start-VM -VM $vm
        }
    } else {
        Invoke-QubixStep -Id 'stop' -Action {
            $state = Get-QubixStateName $vm
            if ($state -eq 'Off') { return 'already off' }
            if ($state -match '^(Fast)?Saved') {
                # a Saved guest cannot shut down: dropping its saved state is what turning it off means
                Stop-QubixVmHard $vm
                $overlay = Get-QubixHomeOverlay $vmDir $p.vmName
                if (Test-Path -LiteralPath $overlay) { Remove-Item -LiteralPath $overlay -Force }
                return
            }
            $job = Hyper-V\Stop-VM -VM $vm -Force -AsJob
            # Wait-Job also returns for a Failed job (the guest's shutdown service not up yet): the
            # job's state and the VM's state decide, not Wait-Job's return value
            $finished = Wait-Job -Job $job -Timeout ([int]$p.graceSeconds)
            if (-not $finished) { Stop-Job -Job $job }
            Remove-Job -Job $job -Force
            if ((Get-QubixStateName (Hyper-V\Get-VM -Id $vm.Id)) -ne 'Off') {
                $outcome.graceful = $false
                Stop-QubixVmHard $vm
            }
            # what a disposable home wrote goes with the run
            $overlay = Get-QubixHomeOverlay $vmDir $p.vmName
            if (Test-Path -LiteralPath $overlay) { Remove-Item -LiteralPath $overlay -Force }
        }
    }
    $final = Get-QubixStateName (Hyper-V\Get-VM -Id $vm.Id)
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; action = $p.action; state = $final; graceful = $outcome.graceful })
}
