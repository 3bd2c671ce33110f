# Recreates one VM: the steps (and their order) come from Java's HyperVPlanner; each step is
# idempotent, so a recreate interrupted at any point can simply be run again.
param([Parameter(Mandatory = $true)][string]$Params)
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $p = ConvertFrom-QubixParams $Params
    Assert-QubixName $p.vmName 'vmName'
    Assert-QubixWindowsPath $p.vmRoot 'vmRoot'
    $vmDir = Join-Path $p.vmRoot $p.vmName
    $systemDisk = Join-Path $vmDir "$($p.vmName)-system.vhdx"
    $homeDisk = Join-Path $vmDir "$($p.vmName)-home.vhdx"
    Assert-QubixUnder $p.baseImage (Join-Path $p.vmRoot 'images') 'baseImage'

    $actions = @{
        'switch-default' = {
            if (-not (Hyper-V\Get-VMSwitch -Name $p.switchName -ErrorAction SilentlyContinue)) {
                throw "the Hyper-V switch '$($p.switchName)' does not exist (the Default Switch comes with Hyper-V on Windows 10 1709 and later)"
            }
        }
        'switch-create' = {
            if (-not (Hyper-V\Get-VMSwitch -Name $p.switchName -ErrorAction SilentlyContinue)) {
                Hyper-V\New-VMSwitch -Name $p.switchName -SwitchType Internal | Out-Null
            }
        }
        'host-ip' = {
            if (-not (NetTCPIP\Get-NetIPAddress -IPAddress $p.gateway -ErrorAction SilentlyContinue)) {
                $adapter = NetAdapter\Get-NetAdapter -Name "vEthernet ($($p.switchName))"
                NetTCPIP\New-NetIPAddress -IPAddress $p.gateway -PrefixLength $p.prefixLength -InterfaceIndex $adapter.ifIndex | Out-Null
            }
        }
        'netnat' = {
            $existing = @(NetNat\Get-NetNat -ErrorAction SilentlyContinue)
            $ours = $existing | Where-Object { $_.InternalIPInterfaceAddressPrefix -eq $p.subnet }
            if (-not $ours) {
                if ($existing.Count -gt 0) {
                    throw "another NetNat ($($existing[0].Name), $($existing[0].InternalIPInterfaceAddressPrefix)) exists and Windows allows one per host: remove it with Remove-NetNat, or use its prefix"
                }
                NetNat\New-NetNat -Name "$($p.switchName)-nat" -InternalIPInterfaceAddressPrefix $p.subnet | Out-Null
            }
        }
        'remove-old-vm' = {
            $vm = Get-QubixVm $p.vmName
            if ($vm) {
                if ($vm.State -ne 'Off') { Hyper-V\Stop-VM -VM $vm -TurnOff -Force }
                Hyper-V\Remove-VM -VM $vm -Force
            }
        }
        'base-image' = {
            if (-not (Test-Path -LiteralPath $p.baseImage -PathType Leaf)) {
                $dir = Split-Path -Parent $p.baseImage
                New-Item -ItemType Directory -Force -Path $dir | Out-Null
                $partial = "$($p.baseImage).partial"
                $in = [System.IO.File]::OpenRead($p.sourceImage)
                try {
                    $out = [System.IO.File]::Create($partial)
                    try {
                        $buffer = New-Object byte[] 8388608
                        $total = $in.Length
                        $done = 0
                        $next = 0
                        while (($read = $in.Read($buffer, 0, $buffer.Length)) -gt 0) {
                            $out.Write($buffer, 0, $read)
                            $done += $read
                            if ($done -ge $next) {
                                Write-QubixLine -Kind 'bytes' -Data ([ordered]@{ what = 'base image'; done = $done; total = $total })
                                $next = $done + 268435456
                            }
                        }
                    } finally { $out.Dispose() }
                } finally { $in.Dispose() }
                Write-QubixLine -Kind 'bytes' -Data ([ordered]@{ what = 'base image'; done = $total; total = $total })
                Move-Item -LiteralPath $partial -Destination $p.baseImage -Force
                # the cached base is the parent of differencing disks: it must never change
                Set-ItemProperty -LiteralPath $p.baseImage -Name IsReadOnly -Value $true
            }
        }
        'system-disk' = {
            New-Item -ItemType Directory -Force -Path $vmDir | Out-Null
            if (Test-Path -LiteralPath $systemDisk) { Remove-Item -LiteralPath $systemDisk -Force }
            Hyper-V\New-VHD -Path $systemDisk -ParentPath $p.baseImage -Differencing | Out-Null
        }
        'home-disk-seed' = {
            if (-not (Test-Path -LiteralPath $homeDisk)) {
                Copy-Item -LiteralPath $p.homeImage -Destination "$homeDisk.partial" -Force
                Set-ItemProperty -LiteralPath "$homeDisk.partial" -Name IsReadOnly -Value $false
                Move-Item -LiteralPath "$homeDisk.partial" -Destination $homeDisk
            }
        }
        'home-disk-create' = {
            if (-not (Test-Path -LiteralPath $homeDisk)) {
                Hyper-V\New-VHD -Path $homeDisk -SizeBytes ([uint64]$p.homeSizeBytes) -Dynamic | Out-Null
            }
        }
        'create-vm' = {
            $vm = Hyper-V\New-VM -Name $p.vmName -Generation ([int]$p.generation) -MemoryStartupBytes ([int64]$p.memoryStartupBytes) `
                -VHDPath $systemDisk -SwitchName $p.switchName -Path $p.vmRoot
            Hyper-V\Set-VMProcessor -VM $vm -Count ([int]$p.cpuCount)
            Hyper-V\Set-VMMemory -VM $vm -DynamicMemoryEnabled $true -MinimumBytes ([int64]$p.memoryMinimumBytes) `
                -StartupBytes ([int64]$p.memoryStartupBytes) -MaximumBytes ([int64]$p.maxMemoryBytes)
            # checkpoints would fork the home disk into .avhdx chains
            Hyper-V\Set-VM -VM $vm -CheckpointType Disabled -AutomaticCheckpointsEnabled $false
            if ($p.homeDisk) {
                Hyper-V\Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 1 -Path $homeDisk
            }
            $system = Hyper-V\Get-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0
            if ([int]$p.generation -eq 2) {
                $secureBoot = $(if ($p.secureBoot) { 'On' } else { 'Off' })
                Hyper-V\Set-VMFirmware -VM $vm -EnableSecureBoot $secureBoot -FirstBootDevice $system
            }
            Hyper-V\Get-VMIntegrationService -VM $vm | Where-Object { $_.Id -like "*$KvpServiceId*" -or $_.Id -like "*$ShutdownServiceId*" } |
                Hyper-V\Enable-VMIntegrationService
        }
        'start' = { Hyper-V\Start-VM -Name $p.vmName }
        'wait-running' = {
            $deadline = (Get-Date).AddSeconds(120)
            while ((Get-QubixVm $p.vmName).State -ne 'Running') {
                if ((Get-Date) -gt $deadline) { throw "$($p.vmName) did not reach Running within 120 s" }
                Start-Sleep -Milliseconds 500
            }
        }
    }

    foreach ($step in @($p.steps)) {
        if (-not $actions.ContainsKey($step)) { throw "unknown step $step" }
        Invoke-QubixStep -Id $step -Message $step -Action $actions[$step]
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; systemDisk = $systemDisk; homeDisk = $homeDisk })
}
