package dev.qubix.hyperv.internal;

import dev.qubix.InstanceStatus.State;

/**
 * Hyper-V VM states by number (WMI Msvm_ComputerSystem.EnabledState) and by enum name (Get-VM's
 * .State): both are the same on every Windows language, unlike the descriptions.
 */
public final class VmStates {
  private VmStates() {}

  public static State fromEnabledState(int code) {
    return switch (code) {
      case 2 -> State.RUNNING;
      case 3 -> State.STOPPED;
      case 4 -> State.STOPPING;
      case 6 -> State.SAVED;
      case 9 -> State.PAUSED;
      case 10 -> State.STARTING;
      case 32768, 32769, 32770, 32771, 32772, 32773, 32774, 32776, 32777 -> State.UNKNOWN;
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
      case "Stopping", "ShuttingDown" -> State.STOPPING;
      case "Saved" -> State.SAVED;
      case "Paused" -> State.PAUSED;
      case "Starting" -> State.STARTING;
      default -> State.UNKNOWN;
    };
  }
}
