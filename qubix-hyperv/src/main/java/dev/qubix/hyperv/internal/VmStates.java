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
   * CIM codes 0-11 and the Hyper-V codes from 32768 up to FastSaving (32780). Codes from 32781 on
   * mean different states on different Windows versions (ForceShutdown on newer hosts is
   * RunningCritical on older ones, as eryph's VirtualMachineState notes), so they stay UNKNOWN here and
   * the enum name (fromName) decides.
   */
  public static State fromEnabledState(int code) {
    return switch (code) {
      case 2 -> State.RUNNING;
      case 3 -> State.STOPPED;
      case 4, 32774 -> State.STOPPING;
      case 6, 32769, 32773, 32779, 32780 -> State.SAVED;            // Saved, Saving, FastSaved, FastSaving
      case 9, 32768, 32776 -> State.PAUSED;
      case 10, 11, 32770, 32777 -> State.STARTING;                  // Starting, Reset, Resuming
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
