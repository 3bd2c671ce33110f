package dev.qubix.exec;

/**
 * Runs external programs. Every program Qubix starts (nix, wsl.exe, powershell.exe, qemu, qemu-img,
 * the KVM probe, the RDP client) goes through one of these, so tests and wrappers can see each process.
 */
@FunctionalInterface
public interface CommandRunner {

  /**
   * Runs the command to its end.
   *
   * @throws dev.qubix.CommandFailedException on a non-zero exit when the command checks it
   * @throws dev.qubix.OperationTimeoutException when it ran out of time (its process tree is killed)
   */
  CommandResult run(Command command);

  /**
   * Starts a program that outlives this call: the RDP client (the user's window) or the KVM probe
   * (which its caller watches and ends). Its output lines go to the command's line handlers; the
   * command's timeout and exit-code check do not apply, the caller owns the process.
   */
  default Process start(Command command) {
    return new ProcessCommandRunner(dev.qubix.event.ProgressListener.NONE).start(command);
  }

  /** The real runner: local processes. */
  static CommandRunner local() {
    return new ProcessCommandRunner(dev.qubix.event.ProgressListener.NONE);
  }
}
