# Is the Hyper-V PowerShell module there? Used when no cheaper check can tell.
param([Parameter(Mandatory = $true)][string]$Params)
Import-Module (Join-Path $PSScriptRoot 'qubix.psm1') -Force
Invoke-QubixMain {
    $module = Get-Module -ListAvailable -Name Hyper-V
    Write-QubixResult ([ordered]@{ hyperVModule = [bool]$module })
}
