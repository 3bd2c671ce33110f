# Recreates one VM. The steps and their order come from Java's HyperVPlanner; every step checks
# before it acts, so a recreate interrupted at any point can simply run again. Everything that
# could refuse (rights, another NetNat, a VM Qubix did not make, too many CPUs, a missing image) is
# checked before the first change; only the base image's own readability is checked in its step,
# which still runs before the old VM is touched.
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
    $steps = @(Get-QubixValue $raw 'steps')
    $known = @('switch-default', 'switch-create', 'host-ip', 'netnat', 'private-folders', 'base-image', 'remove-old-vm',
        'backup-home', 'system-disk', 'home-disk-seed', 'home-disk-create', 'home-disposable', 'create-vm', 'rdp-secret', 'start', 'wait-running')
    foreach ($s in $steps) {
        if ($s -isnot [string] -or $known -cnotcontains $s) { Stop-QubixParam 'steps' 'names a step this script does not know' }
    }
    $p = @{
        vmName = Get-QubixName $raw 'vmName'
        vmRoot = Get-QubixPath $raw 'vmRoot'
        switchName = Get-QubixSwitchName $raw 'switchName'
        defaultSwitch = Get-QubixBool $raw 'defaultSwitch'
        network = Get-QubixChoice $raw 'network' @('dhcp', 'static')
        baseImage = Get-QubixPath $raw 'baseImage'
        sourceImage = Get-QubixPath $raw 'sourceImage' -Optional
        homeDisk = Get-QubixBool $raw 'homeDisk'
        homeImage = Get-QubixPath $raw 'homeImage' -Optional
        generation = Get-QubixInt $raw 'generation' 1 2
        secureBoot = Get-QubixBool $raw 'secureBoot'
        cpuCount = Get-QubixInt $raw 'cpuCount' 1 64
        # Hyper-V allocates memory in 2 MiB pages: New-VM/Set-VMMemory refuse other values
        memoryStartupBytes = Get-QubixInt $raw 'memoryStartupBytes' 268435456 1099511627776 -MultipleOf 2097152
        memoryMinimumBytes = Get-QubixInt $raw 'memoryMinimumBytes' 33554432 1099511627776 -MultipleOf 2097152
        maxMemoryBytes = Get-QubixInt $raw 'maxMemoryBytes' 268435456 1099511627776 -MultipleOf 2097152
        waitSeconds = Get-QubixInt $raw 'waitSeconds' 1 3600
        # where the VM's RDP secret comes from: stdin, the only choice (never a parameter value)
        rdpSecret = Get-QubixChoice $raw 'rdpSecret' @('stdin')
    }
    # the integer rules here are mirrored in Java's RecreateParamRules (one call per line, checked by a test)
    if ($p.homeDisk) { $p.homeSizeBytes = Get-QubixInt $raw 'homeSizeBytes' 1048576 70368744177664 }
    if ($p.network -eq 'static') { $p.prefixLength = Get-QubixInt $raw 'prefixLength' 1 30 }
    if ($steps -contains 'backup-home') { $p.backupKeep = Get-QubixInt $raw 'backupKeep' 1 1000 }
    if ($steps -contains 'backup-home') {
        $p.backupName = Get-QubixBackupName $raw 'backupName'
        $p.backupWhen = Get-QubixChoice $raw 'backupWhen' @('image-change', 'always')
    }
    if ($p.network -eq 'static') {
        $p.gateway = Get-QubixIPv4 $raw 'gateway'
        $p.subnet = Get-QubixCidr $raw 'subnet'
    }
    $vmDir = Join-Path $p.vmRoot $p.vmName
    $systemDisk = Join-Path $vmDir "$($p.vmName)-system.vhdx"
    $homeDisk = Join-Path $vmDir "$($p.vmName)-home.vhdx"
    # the drive the VM's home is on: the home disk, or a disposable home's overlay over it
    $disposable = $steps -contains 'home-disposable'
    $homeDrive = $homeDisk
    if ($disposable) { $homeDrive = Get-QubixHomeOverlay $vmDir $p.vmName }
    Assert-QubixUnder $vmDir $p.vmRoot 'vmName'
    Assert-QubixUnder $p.baseImage (Join-Path $p.vmRoot 'images') 'baseImage'

    # ---- preflight: refuse before changing anything
    Assert-QubixMayManageHyperV
    if (-not (Get-Module -ListAvailable -Name 'Hyper-V')) {
        Stop-Qubix -Message 'the Hyper-V PowerShell module is missing' -Category 'hyperv-missing' `
            -Fix 'Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All, then reboot'
    }
    $switch = Resolve-QubixSwitch $p.switchName $p.defaultSwitch
    if ($p.network -eq 'dhcp' -and -not $switch) {
        Stop-Qubix -Message "the Hyper-V switch '$($p.switchName)' does not exist" -Category 'switch-missing' `
            -Fix 'the Default Switch comes with Hyper-V on Windows 10 1709 and later; name an existing switch in hyperv.switchName, or use a static network'
    }
    # the name the switch really has (the Default Switch's is translated)
    $switchName = $p.switchName
    if ($switch) { $switchName = [string]$switch.Name }
    $lp = [long](Hyper-V\Get-VMHost).LogicalProcessorCount
    if ($p.cpuCount -gt $lp) {
        Stop-Qubix -Message "cpuCount $($p.cpuCount) is more than the $lp logical processors of this host" -Category 'cpu-count' `
            -Fix "set cpuCount to $lp or less in the manifest"
    }
    if ($p.network -eq 'static') {
        if ($switch -and (Test-QubixSystemSwitch $switch)) {
            Stop-Qubix -Message "the switch '$switchName' is managed by Windows (Default Switch or WSL): a static network needs its own internal switch" `
                -Category 'switch-conflict' -Fix 'name another switch in hyperv.switchName (Qubix creates it)'
        }
        if ($switch -and [string]$switch.SwitchType -ne 'Internal') {
            Stop-Qubix -Message "the switch '$switchName' is $($switch.SwitchType), not Internal: a static network needs its own internal switch with NAT" `
                -Category 'switch-conflict' -Fix 'name another switch in hyperv.switchName, or remove this one'
        }
        $nats = @(Get-QubixNetNats)
        $natServes = @($nats | Where-Object { Test-QubixPrefixContains ([string]$_.InternalIPInterfaceAddressPrefix) $p.subnet }).Count -gt 0
        foreach ($nat in $nats) {
            if (-not $natServes) {
                Stop-Qubix -Message "the NetNat '$($nat.Name)' owns $($nat.InternalIPInterfaceAddressPrefix) and Windows allows one NetNat per host" `
                    -Category 'netnat-conflict' `
                    -Fix "remove it (Remove-NetNat -Name '$($nat.Name)') or choose a network.natSwitchSubnet inside $($nat.InternalIPInterfaceAddressPrefix)"
            }
        }
        $adapter = $null
        if ($switch) { $adapter = Get-QubixHostAdapter $switchName }
        $hasGateway = $false
        foreach ($addr in @(Get-QubixIPv4Addresses | Where-Object { $_.IPAddress -eq $p.gateway })) {
            if (-not $adapter -or $addr.InterfaceIndex -ne $adapter.ifIndex) {
                Stop-Qubix -Message "the gateway $($p.gateway) is already an address of '$($addr.InterfaceAlias)', not of the switch '$switchName'" `
                    -Category 'address-conflict' -Fix 'choose another static subnet in the manifest, or remove that address'
            }
            $hasGateway = $true
        }
        if (($steps -contains 'host-ip' -and -not $hasGateway) -or ($steps -contains 'netnat' -and -not $natServes)) {
            Assert-QubixElevatedFor 'adding the gateway address and the NetNat of a static network'
        }
    }
    if ($steps -contains 'private-folders') {
        Assert-QubixMayMakePrivate $p.vmRoot
        Assert-QubixMayMakePrivate (Join-Path $p.vmRoot 'images') @($VirtualMachinesSid)
        Assert-QubixMayMakePrivate $vmDir
    }
    # read before the first change: a run without its secret refuses rather than making a VM without one
    $rdpSecret = Read-QubixSecret
    $oldVms = @()
    if ($steps -contains 'remove-old-vm') {
        $oldVms = @(Get-QubixVms $p.vmName)
        foreach ($vm in $oldVms) { Assert-QubixOwnsVm $vm $vmDir }
    }
    if ($steps -contains 'base-image' -and -not (Test-Path -LiteralPath $p.baseImage -PathType Leaf)) {
        if (-not $p.sourceImage -or -not (Test-Path -LiteralPath $p.sourceImage -PathType Leaf)) {
            Stop-Qubix -Message "the built image $($p.sourceImage) cannot be read" -Category 'image-missing' `
                -Fix 'build the appliance first (qubixctl build), and check that the WSL distribution holding /nix/store is installed'
        }
    }
    if ($steps -contains 'home-disk-seed' -and -not (Test-Path -LiteralPath $homeDisk) -and
        (-not $p.homeImage -or -not (Test-Path -LiteralPath $p.homeImage -PathType Leaf))) {
        Stop-Qubix -Message "the home image $($p.homeImage) cannot be read" -Category 'image-missing' `
            -Fix 'build the appliance first (qubixctl build)'
    }

    if ($disposable -and -not (Get-QubixDisposableParent $vmDir $p.vmName) -and $p.homeImage -and
        -not (Test-Path -LiteralPath $p.homeImage -PathType Leaf)) {
        Stop-Qubix -Message "the home image $($p.homeImage) cannot be read" -Category 'image-missing' `
            -Fix 'build the appliance first (qubixctl build)'
    }

    # ---- the steps
    $script:ImagesLock = $null
    $actions = @{
        'switch-default' = { "uses the existing switch '$switchName'" }
        'switch-create' = {
            if (Get-QubixSwitch $p.switchName) { return 'the switch exists' }
            Hyper-V\New-VMSwitch -Name $p.switchName -SwitchType Internal | Out-Null
        }
        'host-ip' = {
            # the vEthernet adapter of a new switch appears a moment after New-VMSwitch returns
            $adapter = Get-QubixHostAdapter $switchName -WaitSeconds 30
            if (-not $adapter) { Stop-Qubix -Message "no host adapter found for the switch '$switchName'" -Category 'host-adapter-missing' }
            $has = @(Get-QubixIPv4Addresses | Where-Object { $_.InterfaceIndex -eq $adapter.ifIndex -and $_.IPAddress -eq $p.gateway })
            if ($has.Count -gt 0) { return 'the host already has the gateway address' }
            NetTCPIP\New-NetIPAddress -InterfaceIndex $adapter.ifIndex -IPAddress $p.gateway -PrefixLength ([byte]$p.prefixLength) -ErrorAction Stop | Out-Null
        }
        'netnat' = {
            $ours = @(Get-QubixNetNats | Where-Object { Test-QubixPrefixContains ([string]$_.InternalIPInterfaceAddressPrefix) $p.subnet })
            if ($ours.Count -gt 0) { return "the NetNat '$($ours[0].Name)' already serves $($p.subnet)" }
            NetNat\New-NetNat -Name $p.switchName -InternalIPInterfaceAddressPrefix $p.subnet -ErrorAction Stop | Out-Null
        }
        'private-folders' = {
            $changed = @(
                (Set-QubixPrivateFolder $p.vmRoot),
                (Set-QubixPrivateFolder (Join-Path $p.vmRoot 'images') @($VirtualMachinesSid)),
                (Set-QubixPrivateFolder $vmDir)
            ) -contains $true
            # purge deletes only folders that carry this mark, and this step may be the one that made the folder
            $mark = Join-Path $vmDir $FolderMark
            if (-not (Test-Path -LiteralPath $mark)) { Set-Content -LiteralPath $mark -Value 'created by Qubix; purge deletes this folder' -Encoding Ascii }
            if (-not $changed) { return 'vmRoot, its images folder and the VM folder are already private' }
        }
        'base-image' = {
            # held until this script ends: gc (which takes the same lock) must not delete the base
            # between this step and the VM that uses it
            $script:ImagesLock = Lock-QubixImages $p.vmRoot
            if (Test-Path -LiteralPath $p.baseImage -PathType Leaf) {
                Assert-QubixReadableVhd $p.baseImage
                return 'the base image is cached'
            }
            $partial = $p.baseImage + '.partial'
            $in = [System.IO.File]::OpenRead($p.sourceImage)
            try {
                $total = $in.Length
                $out = [System.IO.File]::Create($partial)
                try {
                    $buffer = New-Object byte[] 8388608
                    $done = [long]0
                    $next = [long]0
                    while (($read = $in.Read($buffer, 0, $buffer.Length)) -gt 0) {
                        $out.Write($buffer, 0, $read)
                        $done += $read
                        if ($done -ge $next) {
                            Write-QubixBytes -What 'base image' -Done $done -Total $total
                            $next = $done + 134217728
                        }
                    }
                } finally { $out.Dispose() }
            } finally { $in.Dispose() }
            if ((Get-Item -LiteralPath $partial).Length -ne $total) { Stop-Qubix -Message "the copy of $($p.sourceImage) is incomplete" }
            Write-QubixBytes -What 'base image' -Done $total -Total $total
            Assert-QubixReadableVhd $partial
            Move-Item -LiteralPath $partial -Destination $p.baseImage -Force
            # the cached base is the parent of differencing disks: it must never change
            Set-ItemProperty -LiteralPath $p.baseImage -Name IsReadOnly -Value $true
        }
        'remove-old-vm' = {
            if ($oldVms.Count -eq 0) { return "no VM named $($p.vmName)" }
            foreach ($vm in $oldVms) {
                Stop-QubixVmHard $vm
                # Remove-VM unregisters the VM; its disks and folder (with the home disk) stay
                Hyper-V\Remove-VM -VM $vm -Force
            }
        }
        'backup-home' = {
            # after remove-old-vm (the VM is off: the copy is whole) and before system-disk, which
            # replaces the disk whose parent names the image the VM ran
            if (-not (Test-Path -LiteralPath $homeDisk -PathType Leaf)) { return 'no home disk to back up' }
            $current = Get-QubixImageVersion $systemDisk
            $next = [System.IO.Path]::GetFileNameWithoutExtension($p.baseImage)
            if ($p.backupWhen -eq 'image-change' -and (-not $current -or $current -eq $next)) { return "the image stays $($next): no backup" }
            Copy-QubixDisk $homeDisk (Get-QubixPartialBackup $vmDir $p.backupName) 'home backup' | Out-Null
            Complete-QubixBackup $vmDir $p.backupName $current
            Remove-QubixOldRecreateBackups $vmDir ([int]$p.backupKeep)
        }
        'system-disk' = {
            # a plan that found the base cached has no base-image step: the new disk's parent is guarded here then
            if (-not $script:ImagesLock) { $script:ImagesLock = Lock-QubixImages $p.vmRoot }
            New-Item -ItemType Directory -Force -Path $vmDir | Out-Null
            # purge deletes only folders that carry this mark
            $mark = Join-Path $vmDir $FolderMark
            if (-not (Test-Path -LiteralPath $mark)) { Set-Content -LiteralPath $mark -Value 'created by Qubix; purge deletes this folder' -Encoding Ascii }
            if (Test-Path -LiteralPath $systemDisk) { Remove-Item -LiteralPath $systemDisk -Force }
            Hyper-V\New-VHD -Path $systemDisk -ParentPath $p.baseImage -Differencing | Out-Null
        }
        'home-disk-seed' = {
            if (Test-Path -LiteralPath $homeDisk) { return 'the home disk is kept' }
            Copy-Item -LiteralPath $p.homeImage -Destination "$homeDisk.partial" -Force
            Set-ItemProperty -LiteralPath "$homeDisk.partial" -Name IsReadOnly -Value $false
            Move-Item -LiteralPath "$homeDisk.partial" -Destination $homeDisk
        }
        'home-disk-create' = {
            if (Test-Path -LiteralPath $homeDisk) { return 'the home disk is kept' }
            Hyper-V\New-VHD -Path $homeDisk -SizeBytes ([uint64]$p.homeSizeBytes) -Dynamic | Out-Null
        }
        'home-disposable' = {
            $parent = Get-QubixDisposableParent $vmDir $p.vmName
            if (-not $parent) {
                # no home disk: a read-only base, made once; no persistent home is made
                $base = Join-Path $vmDir "$($p.vmName)-home-base.vhdx"
                if ($p.homeImage) {
                    Copy-Item -LiteralPath $p.homeImage -Destination "$base.partial" -Force
                    Set-ItemProperty -LiteralPath "$base.partial" -Name IsReadOnly -Value $false
                    Move-Item -LiteralPath "$base.partial" -Destination $base
                } else {
                    Hyper-V\New-VHD -Path $base -SizeBytes ([uint64]$p.homeSizeBytes) -Dynamic | Out-Null
                }
                Set-ItemProperty -LiteralPath $base -Name IsReadOnly -Value $true
                $parent = $base
            }
            New-QubixHomeOverlay $vmDir $p.vmName $parent | Out-Null
            Set-Content -LiteralPath (Join-Path $vmDir $DisposableMark) -Value 'this VM runs a disposable home' -Encoding Ascii
        }
        'create-vm' = {
            if (-not $disposable) {
                # a persistent VM: whatever a disposable one left goes (the home disk itself stays)
                foreach ($f in @((Join-Path $vmDir $DisposableMark), (Get-QubixHomeOverlay $vmDir $p.vmName))) {
                    if (Test-Path -LiteralPath $f) { Remove-Item -LiteralPath $f -Force }
                }
            }
            $vm = Hyper-V\New-VM -Name $p.vmName -Generation ([int16]$p.generation) -MemoryStartupBytes ([int64]$p.memoryStartupBytes) `
                -VHDPath $systemDisk -SwitchName $switchName -Path $p.vmRoot
            # the mark: destroy, purge and recreate touch no VM without it
            Hyper-V\Set-VM -VM $vm -Notes "$VmMark created by Qubix from $vmDir"
            Hyper-V\Set-VMProcessor -VM $vm -Count ([int64]$p.cpuCount)
            Hyper-V\Set-VMMemory -VM $vm -DynamicMemoryEnabled $true -MinimumBytes ([int64]$p.memoryMinimumBytes) `
                -StartupBytes ([int64]$p.memoryStartupBytes) -MaximumBytes ([int64]$p.maxMemoryBytes)
            # checkpoints would fork the home disk into .avhdx chains. New-VM's automatic stop action is
            # Save, which leaves the VM Saved after a host reboot: shut the guest down instead and start
            # it again when it was running.
            Hyper-V\Set-VM -VM $vm -CheckpointType Disabled -AutomaticCheckpointsEnabled $false `
                -AutomaticStopAction ShutDown -AutomaticStartAction StartIfRunning
            if ($p.homeDisk) {
                if (@(Hyper-V\Get-VMScsiController -VM $vm).Count -eq 0) { Hyper-V\Add-VMScsiController -VM $vm }
                Hyper-V\Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 1 -Path $homeDrive
            }
            if ($p.generation -eq 2) {
                # New-VM puts the VHD of a generation 2 VM on SCSI 0:0
                $system = Hyper-V\Get-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0
                if ($p.secureBoot) {
                    # the default template ("MicrosoftWindows") trusts only Windows boot loaders; Linux
                    # shims are signed by the UEFI CA (learn.microsoft.com: Set-VMFirmware -SecureBootTemplate)
                    Hyper-V\Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate MicrosoftUEFICertificateAuthority -FirstBootDevice $system
                } else {
                    # the NixOS boot loader is not signed for Secure Boot
                    Hyper-V\Set-VMFirmware -VM $vm -EnableSecureBoot Off -FirstBootDevice $system
                }
            }
            # KVP reports the guest's IP; Shutdown makes Stop-VM graceful
            Hyper-V\Get-VMIntegrationService -VM $vm |
                Where-Object { $_.Id -like "*$KvpServiceId" -or $_.Id -like "*$ShutdownServiceId" } |
                Hyper-V\Enable-VMIntegrationService
        }
        'rdp-secret' = {
            # before start: the guest reads the item once, at boot, from the VM's configuration
            Set-QubixKvpItem (Get-QubixVm $p.vmName) $KvpSecretKey $rdpSecret
        }
        'start' = {
            $vm = Get-QubixVm $p.vmName
            if ((Get-QubixStateName $vm) -eq 'Running') { return 'already running' }
            Hyper-V\Start-VM -VM $vm
        }
        'wait-running' = {
            $deadline = (Get-Date).AddSeconds($p.waitSeconds)
            while ((Get-QubixStateName (Get-QubixVm $p.vmName)) -ne 'Running') {
                if ((Get-Date) -gt $deadline) {
                    Stop-Qubix -Message "$($p.vmName) did not reach Running within $($p.waitSeconds) s" -Category 'timeout' `
                        -Fix 'look at the VM in Hyper-V Manager (vmconnect) for a boot error'
                }
                Start-Sleep -Milliseconds 250
            }
        }
    }

    foreach ($step in $steps) {
        Invoke-QubixStep -Id $step -Action $actions[$step]
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; vmDir = $vmDir; systemDisk = $systemDisk; homeDisk = $homeDisk; baseImage = $p.baseImage })
}
