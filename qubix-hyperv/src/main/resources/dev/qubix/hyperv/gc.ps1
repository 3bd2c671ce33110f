# Deletes cached base images (<vmRoot>\images\*.vhdx) that no VM's disk chain uses. When any VM
# disk cannot be inspected, nothing is deleted: a base image in use must never go.
param([Parameter(Mandatory = $true)][string]$Params)
# preferences are per session state: the module's own settings do not reach this script's code
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $raw = ConvertFrom-QubixParams $Params
    $vmRoot = Get-QubixPath $raw 'vmRoot'
    Assert-QubixMayManageHyperV
    $images = Join-Path $vmRoot 'images'
    $inUse = @{}
    $unknown = @()
    foreach ($vm in @(Hyper-V\Get-VM)) {
        foreach ($drive in @(Hyper-V\Get-VMHardDiskDrive -VM $vm)) {
            $path = $drive.Path
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
    }
    $removed = @()
    $kept = @()
    if (Test-Path -LiteralPath $images) {
        foreach ($file in @(Get-ChildItem -LiteralPath $images -Filter '*.vhdx' -File)) {
            if ($unknown.Count -gt 0 -or $inUse.ContainsKey($file.FullName.ToLowerInvariant())) {
                $kept += $file.FullName
            } else {
                Set-ItemProperty -LiteralPath $file.FullName -Name IsReadOnly -Value $false
                Remove-Item -LiteralPath $file.FullName -Force
                $removed += $file.FullName
            }
        }
    }
    Write-QubixResult ([ordered]@{ removed = $removed; kept = $kept; uninspectable = $unknown })
}
