package dev.qubix.hyperv.internal;

import dev.qubix.InstanceStatus.State;

/**
 * Hyper-V VM states by number (WMI Msvm_ComputerSystem.EnabledState) and by enum name (Get-VM's
 * .State): both are the same on every Windows language, unlike the descriptions.
 */
public final class VmStates {
  private VmStates() {}

  /** CIM codes 0-10, and the Hyper-V codes from 32768 that older hosts report for transitions. */
  public static State fromEnabledState(int code) {
    return switch (code) {
      case 2 -> State.RUNNING;
      case 3 -> State.STOPPED;
      case 4, 32774 -> State.STOPPING;
      case 6, 32769, 32773 -> State.SAVED;
      case 9, 32768, 32776 -> State.PAUSED;
      case 10, 32770, 32777 -> State.STARTING;
      default -> State.UNKNOWN;
    };
  }

  public static State fromName(String name) {
    if (name == null) {
      return State.UNKNOWN;
    }
    return switch (name) {
      case "Running" -> State.RUNNING;
      case "Off" -> State.STOPPED;
      case "Stopping" -> State.STOPPING;
      case "Saved", "Saving", "FastSaved", "FastSaving" -> State.SAVED;
      case "Paused", "Pausing" -> State.PAUSED;
      case "Starting", "Resuming" -> State.STARTING;
      default -> State.UNKNOWN;
    };
  }
}
