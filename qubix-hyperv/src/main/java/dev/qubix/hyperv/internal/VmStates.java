package dev.qubix.hyperv.internal;

import dev.qubix.InstanceStatus.State;

/**
 * Hyper-V VM states by number (WMI Msvm_ComputerSystem.EnabledState, and the numeric values of the
 * Hyper-V module's VMState enum) and by enum name (Get-VM's .State): both are the same on every
 * Windows language, unlike the descriptions. The *Critical states (the VM's storage is unreachable)
 * map to their plain state: the VM is still running, off or saved, and the status says which.
 */
public final class VmStates {
  private VmStates() {}

  /**
   * CIM codes 0-10 and the Hyper-V codes from 32768 (learn.microsoft.com, Msvm_ComputerSystem
   * EnabledState; Microsoft.HyperV.PowerShell.VMState for 32779 and up).
   */
  public static State fromEnabledState(int code) {
    return switch (code) {
      case 2, 32785 -> State.RUNNING;                               // Running, RunningCritical
      case 3, 32786 -> State.STOPPED;                               // Off, OffCritical
      case 4, 32774, 32781, 32787 -> State.STOPPING;                // Stopping, ForceShutdown, StoppingCritical
      case 6, 32769, 32773, 32779, 32780, 32783, 32788, 32792, 32795, 32796 -> State.SAVED;  // Saved, Saving, FastSaved(ing), Hibernated, critical
      case 9, 32768, 32776, 32789, 32793 -> State.PAUSED;           // Paused, Pausing, critical
      case 10, 11, 32770, 32777, 32782, 32790, 32791, 32794 -> State.STARTING;  // Starting, Reset, Resuming, ForceReboot, critical
      default -> State.UNKNOWN;
    };
  }

  public static State fromName(String name) {
    if (name == null) {
      return State.UNKNOWN;
    }
    String plain = name.endsWith("Critical") ? name.substring(0, name.length() - "Critical".length()) : name;
    return switch (plain) {
      case "Running" -> State.RUNNING;
      case "Off" -> State.STOPPED;
      case "Stopping", "ForceShutdown" -> State.STOPPING;
      case "Saved", "Saving", "FastSaved", "FastSaving", "Hibernated" -> State.SAVED;
      case "Paused", "Pausing" -> State.PAUSED;
      case "Starting", "Resuming", "Reset", "ForceReboot" -> State.STARTING;
      default -> State.UNKNOWN;
    };
  }
}
