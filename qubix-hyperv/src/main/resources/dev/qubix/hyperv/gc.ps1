# Deletes cached base images (<vmRoot>\images\*.vhdx) that no VM's disk chain uses. When any VM
# disk cannot be inspected, nothing is deleted: a base image in use must never go. Differencing
# disks in the VM folders count as users too (a recreate between its system-disk and create-vm
# steps), and the vmRoot-wide images lock keeps a concurrent recreate's base from going. Stale
# *.partial copies (an interrupted base-image step) are removed. Every kept file says why.
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
    $vmRoot = Get-QubixPath $raw 'vmRoot'
    Assert-QubixMayManageHyperV
    $images = Join-Path $vmRoot 'images'
    if (-not (Test-Path -LiteralPath $images)) {
        Write-QubixResult ([ordered]@{ removed = @(); kept = @(); uninspectable = @() })
        return
    }
    $lock = Lock-QubixImages $vmRoot
    $inUse = @{}
    $unknown = @()
    $disks = @()
    foreach ($vm in @(Hyper-V\Get-VM)) {
        foreach ($drive in @(Hyper-V\Get-VMHardDiskDrive -VM $vm)) {
            # a stopped disposable VM's overlay is gone until its next start; its parent is a home, never a base image
            if ([string]$drive.Path -like '*-home-disposable.vhdx' -and -not (Test-Path -LiteralPath ([string]$drive.Path))) { continue }
            $disks += [string]$drive.Path
        }
    }
    foreach ($folder in @(Get-ChildItem -LiteralPath $vmRoot -Directory | Where-Object { $_.Name -ne 'images' })) {
        foreach ($file in @(Get-ChildItem -LiteralPath $folder.FullName -Filter '*.vhdx' -File)) { $disks += $file.FullName }
    }
    foreach ($disk in $disks) {
        $path = $disk
        while ($path) {
            $inUse[([System.IO.Path]::GetFullPath($path)).ToLowerInvariant()] = $true
            $vhd = Hyper-V\Get-VHD -Path $path -ErrorAction SilentlyContinue
            if (-not $vhd) {
                $unknown += $path
                break
            }
            $path = $vhd.ParentPath
        }
    }
    $removed = @()
    $kept = @()
    foreach ($file in @(Get-ChildItem -LiteralPath $images -Filter '*.partial' -File)) {
        # under the lock no copy is running: a .partial is what an interrupted copy left
        Set-ItemProperty -LiteralPath $file.FullName -Name IsReadOnly -Value $false
        Remove-Item -LiteralPath $file.FullName -Force
        $removed += $file.FullName
    }
    foreach ($file in @(Get-ChildItem -LiteralPath $images -Filter '*.vhdx' -File)) {
        if ($inUse.ContainsKey($file.FullName.ToLowerInvariant())) {
            $kept += [ordered]@{ path = $file.FullName; why = 'a VM disk uses it' }
        } elseif ($unknown.Count -gt 0) {
            $kept += [ordered]@{ path = $file.FullName; why = "some VM disks cannot be inspected ($($unknown[0])): nothing is deleted" }
        } else {
            Set-ItemProperty -LiteralPath $file.FullName -Name IsReadOnly -Value $false
            Remove-Item -LiteralPath $file.FullName -Force
            $removed += $file.FullName
        }
    }
    $lock.Dispose()
    Write-QubixResult ([ordered]@{ removed = $removed; kept = $kept; uninspectable = $unknown })
}
