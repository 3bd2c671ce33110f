# The home disk's operations: backup, restore, delete, export, import, and list (which only reads).
# Backups live in <vmRoot>\<vmName>\backups\ (<name>.vhdx and its description <name>.json), kept by
# destroy and deleted with the VM folder by purge. Every copy is written under a temporary name and
# renamed when whole; restore and import keep the current home as a backup before-restore-<time>
# first, then switch homes in one call; the backup they read is never written. Everything that could
# refuse (a running VM, an unknown or taken name, a file that is not a disk) is checked before the
# first step. A running VM's home is not copied: Hyper-V copies a running disk only through a
# checkpoint, which Qubix turns off (it would fork the home into .avhdx files), and Convert-VHD is an
# offline operation (learn.microsoft.com/powershell/module/hyper-v/convert-vhd): "stop it first".
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
        action = Get-QubixChoice $raw 'action' @('backup', 'restore', 'delete', 'export', 'import', 'list')
    }
    if (@('backup', 'restore', 'delete') -contains $p.action) { $p.name = Get-QubixBackupName $raw 'name' }
    if (@('restore', 'import') -contains $p.action) { $p.keepName = Get-QubixBackupName $raw 'keepName' }
    if (@('export', 'import') -contains $p.action) {
        $p.file = Get-QubixPath $raw 'file'
        if ($p.file -notmatch '\.vhdx?$') { Stop-QubixParam 'file' 'must end in .vhdx or .vhd (the format Hyper-V writes or reads)' }
    }
    $vmDir = Join-Path $p.vmRoot $p.vmName
    Assert-QubixUnder $vmDir $p.vmRoot 'vmName'
    $backups = Join-Path $vmDir 'backups'
    $homeDisk = Join-Path $vmDir "$($p.vmName)-home.vhdx"
    $systemDisk = Join-Path $vmDir "$($p.vmName)-system.vhdx"
    # the new home is written beside the current one (one volume: the switch is a rename)
    $newHome = Join-Path $vmDir "$($p.vmName)-home.new.vhdx"
    if ($p.action -eq 'list') {
        Write-QubixResult ([ordered]@{ backups = @(Get-QubixHomeBackups $vmDir) })
        return
    }

    # ---- preflight: refuse before changing anything
    Assert-QubixMayManageHyperV
    $vm = Get-QubixVm $p.vmName
    if ($vm) { Assert-QubixOwnsVm $vm $vmDir }
    $state = 'Off'
    if ($vm) { $state = Get-QubixStateName $vm }
    if ($p.action -ne 'delete' -and $state -notmatch '^(Off|(Fast)?Saved)(Critical)?$') {
        Stop-Qubix -Message "$($p.vmName) is $($state): Hyper-V copies the disk of a running VM only through a checkpoint, which Qubix does not use" `
            -Category 'vm-running' -Fix "stop it first (qubixctl stop $($p.vmName))"
    }
    if (@('restore', 'import') -contains $p.action -and $state -ne 'Off') {
        Stop-Qubix -Message "$($p.vmName) is $($state): its saved memory belongs to the current home" -Category 'vm-running' `
            -Fix "stop it first (qubixctl stop $($p.vmName) turns it off and discards the saved state)"
    }
    if (@('backup', 'export') -contains $p.action -and -not (Test-Path -LiteralPath $homeDisk -PathType Leaf)) {
        Stop-Qubix -Message "$($p.vmName) has no home disk $homeDisk" -Category 'not-found' -Fix 'create the VM with a home disk first (qubixctl up)'
    }
    $backup = $null
    if (@('restore', 'delete') -contains $p.action) {
        $backup = Join-Path $backups "$($p.name).vhdx"
        if (-not (Test-Path -LiteralPath $backup -PathType Leaf)) {
            Stop-Qubix -Message "$($p.vmName) has no backup named $($p.name)" -Category 'invalid-parameter' `
                -Fix "qubixctl home list $($p.vmName) shows its backups"
        }
    }
    if ($p.action -eq 'backup' -and (Test-Path -LiteralPath (Join-Path $backups "$($p.name).vhdx"))) {
        Stop-Qubix -Message "$($p.vmName) already has a backup named $($p.name)" -Category 'invalid-parameter' `
            -Fix "choose another name, or delete it first (qubixctl home delete $($p.name) $($p.vmName))"
    }
    # a retry within the same second (after an interrupted run kept the home already) keeps it again under a new name
    if (@('restore', 'import') -contains $p.action) {
        $keep = $p.keepName
        for ($i = 2; (Test-Path -LiteralPath (Join-Path $backups "$keep.vhdx")); $i++) { $keep = "$($p.keepName)-$i" }
        $p.keepName = $keep
    }
    if ($p.action -eq 'export' -and (Test-Path -LiteralPath $p.file)) {
        Stop-Qubix -Message "$($p.file) exists" -Category 'invalid-parameter' -Fix 'choose a new file name, or delete that file first'
    }
    if ($p.action -eq 'import') {
        if (-not (Test-Path -LiteralPath $p.file -PathType Leaf)) {
            Stop-Qubix -Message "$($p.file) does not exist" -Category 'invalid-parameter' -Fix 'name an existing .vhdx or .vhd file'
        }
        # the declared format first: the extension, then what Hyper-V reads in the file
        $info = $null
        try {
            if (Hyper-V\Test-VHD -Path $p.file) { $info = Hyper-V\Get-VHD -Path $p.file }
        } catch { $info = $null }
        $declared = $(if ($p.file -match '\.vhdx$') { 'VHDX' } else { 'VHD' })
        if (-not $info -or [string]$info.VhdFormat -ne $declared) {
            Stop-Qubix -Message "$($p.file) is not a usable $declared disk image" -Category 'invalid-parameter' `
                -Fix 'import a .vhdx or .vhd file that Hyper-V can open (qubixctl home export writes one)'
        }
        if ([string]$info.VhdType -eq 'Differencing') {
            Stop-Qubix -Message "$($p.file) is a differencing disk: its data lives partly in its parent" -Category 'invalid-parameter' `
                -Fix 'export a whole disk (Convert-VHD, or qubixctl home export) and import that'
        }
    }
    if ($p.action -eq 'backup') { Assert-QubixFreeSpace $homeDisk $backups }
    if ($p.action -eq 'restore') { Assert-QubixFreeSpace $backup $vmDir }
    if ($p.action -eq 'import') { Assert-QubixFreeSpace $p.file $vmDir }
    if ($p.action -eq 'export') { Assert-QubixFreeSpace $homeDisk $p.file }
    $imageVersion = Get-QubixImageVersion $systemDisk

    # ---- the steps
    if ($p.action -eq 'backup') {
        Invoke-QubixStep -Id 'copy-home' -Action { Copy-QubixDisk $homeDisk (Get-QubixPartialBackup $vmDir $p.name) 'home backup' | Out-Null }
        Invoke-QubixStep -Id 'keep-backup' -Action { Complete-QubixBackup $vmDir $p.name $imageVersion }
    }
    if ($p.action -eq 'restore') {
        # Convert-VHD only reads the backup: restoring never changes it
        Invoke-QubixStep -Id 'copy-backup' -Action { Copy-QubixDisk $backup $newHome 'home' | Out-Null }
    }
    if ($p.action -eq 'import') {
        Invoke-QubixStep -Id 'copy-file' -Action { Copy-QubixDisk $p.file $newHome 'home' | Out-Null }
    }
    if (@('restore', 'import') -contains $p.action) {
        Invoke-QubixStep -Id 'keep-current' -Action {
            if (-not (Test-Path -LiteralPath $homeDisk -PathType Leaf)) { return 'no current home to keep' }
            # a second name (an NTFS hard link) of the same file: no copy, and the home stays in place
            New-Item -ItemType Directory -Force -Path $backups | Out-Null
            New-Item -ItemType HardLink -Path (Join-Path $backups "$($p.keepName).vhdx") -Value $homeDisk | Out-Null
            Write-QubixBackupDescription (Join-Path $backups "$($p.keepName).json") $p.keepName ([long](Get-Item -LiteralPath $homeDisk).Length) $imageVersion
        }
        Invoke-QubixStep -Id 'switch-home' -Action {
            if (-not (Test-Path -LiteralPath $homeDisk -PathType Leaf)) {
                Move-Item -LiteralPath $newHome -Destination $homeDisk
                return
            }
            # ReplaceFile: one call, the old home or the new under the home's name, never half; it keeps
            # the replaced file's ACL, which holds the VM's own account (NT VIRTUAL MACHINE\<GUID>)
            [System.IO.File]::Replace($newHome, $homeDisk, [NullString]::Value)
        }
    }
    if ($p.action -eq 'export') {
        Invoke-QubixStep -Id 'export' -Action {
            # the temporary name keeps the extension: Convert-VHD takes the format from it
            $partial = [System.IO.Path]::ChangeExtension($p.file, '.partial' + [System.IO.Path]::GetExtension($p.file))
            Copy-QubixDisk $homeDisk $partial 'home export' | Out-Null
            Move-Item -LiteralPath $partial -Destination $p.file
        }
    }
    if ($p.action -eq 'delete') {
        Invoke-QubixStep -Id 'delete' -Action { Remove-QubixBackup $vmDir $p.name }
    }
    Write-QubixResult ([ordered]@{ vmName = $p.vmName; action = $p.action; homeDisk = $homeDisk })
}
