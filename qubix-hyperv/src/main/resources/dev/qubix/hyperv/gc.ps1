# Deletes cached base images (<vmRoot>\images\*.vhdx) that no VM's disk chain uses.
param([Parameter(Mandatory = $true)][string]$Params)
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $p = ConvertFrom-QubixParams $Params
    Assert-QubixWindowsPath $p.vmRoot 'vmRoot'
    $images = Join-Path $p.vmRoot 'images'
    $inUse = @{}
    foreach ($vm in @(Hyper-V\Get-VM)) {
        foreach ($drive in @(Hyper-V\Get-VMHardDiskDrive -VM $vm)) {
            $vhd = Hyper-V\Get-VHD -Path $drive.Path -ErrorAction SilentlyContinue
            while ($vhd -and $vhd.ParentPath) {
                $inUse[$vhd.ParentPath.ToLowerInvariant()] = $true
                $vhd = Hyper-V\Get-VHD -Path $vhd.ParentPath -ErrorAction SilentlyContinue
            }
        }
    }
    $removed = @()
    if (Test-Path -LiteralPath $images) {
        foreach ($file in @(Get-ChildItem -LiteralPath $images -Filter '*.vhdx' -File)) {
            if (-not $inUse.ContainsKey($file.FullName.ToLowerInvariant())) {
                Set-ItemProperty -LiteralPath $file.FullName -Name IsReadOnly -Value $false
                Remove-Item -LiteralPath $file.FullName -Force
                $removed += $file.FullName
            }
        }
    }
    Write-QubixResult ([ordered]@{ removed = $removed })
}
