# Removes one VM. Deletes only inside <vmRoot>\<vmName>; the home disk only when purging; never a
# cached base image (gc.ps1 removes those no VM uses).
param([Parameter(Mandatory = $true)][string]$Params)
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $p = ConvertFrom-QubixParams $Params
    Assert-QubixName $p.vmName 'vmName'
    Assert-QubixWindowsPath $p.vmRoot 'vmRoot'
    $vmDir = Join-Path $p.vmRoot $p.vmName
    Assert-QubixUnder $vmDir $p.vmRoot 'vmName'
    Invoke-QubixStep -Id 'remove-vm' -Message "remove $($p.vmName)" -Action {
        $vm = Get-QubixVm $p.vmName
        if ($vm) {
            if ($vm.State -ne 'Off') { Hyper-V\Stop-VM -VM $vm -TurnOff -Force }
            Hyper-V\Remove-VM -VM $vm -Force
        }
    }
    Invoke-QubixStep -Id 'remove-system-disk' -Message 'remove the system disk' -Action {
        $system = Join-Path $vmDir "$($p.vmName)-system.vhdx"
        if (Test-Path -LiteralPath $system) { Remove-Item -LiteralPath $system -Force }
    }
    if ($p.purge) {
        Invoke-QubixStep -Id 'remove-home-disk' -Message 'remove the home disk and the VM folder' -Action {
            if (Test-Path -LiteralPath $vmDir) { Remove-Item -LiteralPath $vmDir -Recurse -Force }
        }
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; homeKept = (-not $p.purge) })
}
