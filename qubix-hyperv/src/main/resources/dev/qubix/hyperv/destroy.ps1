# Removes one VM. Deletes only inside <vmRoot>\<vmName>; the home disk only when purging; never a
# cached base image (those live in <vmRoot>\images; gc.ps1 removes the ones no VM uses).
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
        purge = Get-QubixBool $raw 'purge'
    }
    $vmDir = Join-Path $p.vmRoot $p.vmName
    Assert-QubixUnder $vmDir $p.vmRoot 'vmName'
    Assert-QubixMayManageHyperV
    $vms = @(Get-QubixVms $p.vmName)
    foreach ($vm in $vms) { Assert-QubixOwnsVm $vm $vmDir }
    if ($p.purge -and (Test-Path -LiteralPath $vmDir) -and -not (Test-Path -LiteralPath (Join-Path $vmDir $FolderMark) -PathType Leaf)) {
        Stop-Qubix -Message "$vmDir has no $FolderMark file: Qubix did not create this folder, so purge deletes nothing in it" `
            -Category 'unsafe-path' -Fix "delete it yourself if it is yours to delete, or create $FolderMark in it if Qubix made it"
    }
    if ($p.purge -and (Test-Path -LiteralPath $vmDir)) {
        # Remove-Item -Recurse in Windows PowerShell 5.1 can follow a junction out of the folder
        $links = @(Get-Item -LiteralPath $vmDir -Force) + @(Get-ChildItem -LiteralPath $vmDir -Recurse -Force) |
            Where-Object { $_.Attributes -band [System.IO.FileAttributes]::ReparsePoint }
        if (@($links).Count -gt 0) {
            Stop-Qubix -Message "$vmDir holds a link ($(@($links)[0].FullName)): Qubix deletes nothing outside the VM folder" `
                -Category 'unsafe-path' -Fix 'remove the link yourself, then purge again'
        }
    }
    Invoke-QubixStep -Id 'remove-vm' -Action {
        if ($vms.Count -eq 0) { return "no VM named $($p.vmName)" }
        foreach ($vm in $vms) {
            Stop-QubixVmHard $vm
            Hyper-V\Remove-VM -VM $vm -Force
        }
    }
    Invoke-QubixStep -Id 'remove-system-disk' -Action {
        # a disposable home's overlay goes with the system disk; the home disk stays
        $overlay = Get-QubixHomeOverlay $vmDir $p.vmName
        if (Test-Path -LiteralPath $overlay) { Remove-Item -LiteralPath $overlay -Force }
        $system = Join-Path $vmDir "$($p.vmName)-system.vhdx"
        if (-not (Test-Path -LiteralPath $system)) { return 'no system disk' }
        Remove-Item -LiteralPath $system -Force
    }
    if ($p.purge) {
        Invoke-QubixStep -Id 'remove-home-disk' -Action {
            if (-not (Test-Path -LiteralPath $vmDir)) { return "no folder $vmDir" }
            Remove-Item -LiteralPath $vmDir -Recurse -Force
        }
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; homeKept = (-not $p.purge) })
}
