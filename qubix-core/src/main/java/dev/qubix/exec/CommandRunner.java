package dev.qubix.exec;

/**
 * Runs external programs. Every program Qubix starts (nix, wsl.exe, powershell.exe, qemu) goes
 * through one of these, so tests and wrappers can see each process.
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

  /** The real runner: local processes. */
  static CommandRunner local() {
    return new ProcessCommandRunner(dev.qubix.event.ProgressListener.NONE);
  }
}
