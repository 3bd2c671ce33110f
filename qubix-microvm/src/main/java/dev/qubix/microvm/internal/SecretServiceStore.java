package dev.qubix.microvm.internal;

import dev.qubix.CommandFailedException;
import dev.qubix.OperationTimeoutException;
import dev.qubix.QubixException;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.BackendContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The secret in the desktop's Secret Service (GNOME Keyring, KWallet), through {@code secret-tool}
 * (Debian's {@code libsecret-tools}), as the item with the attribute {@code qubix-vm=<absolute VM
 * folder>}: the folder, not the VM name, keeps two state folders with the same VM apart.
 * <ul>
 *   <li>{@code store} reads the secret from stdin, so it is in no process's arguments;</li>
 *   <li>{@code lookup} prints it on stdout, which the command runner would log line by line: a shell
 *       sends it to a 0600 file in the 0700 VM folder instead, read and deleted at once;</li>
 *   <li>{@code lookup} and {@code clear} exit 1 without a word when there is no such item, and with
 *       a message when the service failed (no daemon, a locked keyring nobody unlocked).</li>
 * </ul>
 */
final class SecretServiceStore implements SecretStore {
  static final String ATTRIBUTE = "qubix-vm";
  static final String BUS = "DBUS_SESSION_BUS_ADDRESS";
  /** Long enough for a desktop user to answer the keyring's unlock prompt. */
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String LOOKUP_TO_FILE = "exec \"$0\" lookup " + ATTRIBUTE + " \"$1\" >\"$2\"";

  private final CommandRunner runner;
  private final String tool;
  private final String bus;

  SecretServiceStore(CommandRunner runner, String tool, String bus) {
    this.runner = runner;
    this.tool = tool;
    this.bus = bus;
  }

  /** The Secret Service, where a session bus exists and {@code secret-tool} is on PATH. */
  static Optional<SecretServiceStore> of(BackendContext context) {
    Optional<String> bus = context.host().getenv(BUS);
    Optional<Path> tool = context.host().which("secret-tool");
    if (bus.isEmpty() || tool.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SecretServiceStore(context.runner(), tool.get().toString(), bus.get()));
  }

  /** Why {@link #of} found no Secret Service, for the one fallback message. */
  static String whyNot(BackendContext context) {
    return context.host().getenv(BUS).isEmpty() ? "no session bus: " + BUS + " is not set"
        : "secret-tool is not on PATH (Debian: apt-get install libsecret-tools)";
  }

  static String id(VmFiles f) {
    return f.dir().toAbsolutePath().normalize().toString();
  }

  @Override
  public Optional<String> read(VmFiles f) {
    if (!Files.isDirectory(f.dir())) {
      return Optional.empty();   // no VM folder: nowhere private to receive it, and no VM that needs it
    }
    Path out = null;
    try {
      out = Files.createTempFile(f.dir(), "rdp-password", ".lookup");   // 0600 on POSIX
      CommandResult r = run(Command.of(List.of("/bin/sh", "-c", LOOKUP_TO_FILE, tool, id(f), out.toString()))
          .allowingFailure());
      if (!r.ok()) {
        failedUnlessQuiet(r, "lookup");
        return Optional.empty();
      }
      String s = Files.readString(out, StandardCharsets.US_ASCII).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      throw new QubixException("cannot read the RDP secret of " + f.dir() + " from the Secret Service: "
          + e.getMessage(), e);
    } finally {
      deleteQuietly(out);
    }
  }

  @Override
  public void write(VmFiles f, String secret) {
    run(Command.of(tool, "store", "--label=Qubix RDP password " + f.dir().getFileName(), ATTRIBUTE, id(f))
        .withStdin(secret));
  }

  @Override
  public void delete(VmFiles f) {
    CommandResult r = run(Command.of(tool, "clear", ATTRIBUTE, id(f)).allowingFailure());
    if (!r.ok()) {
      failedUnlessQuiet(r, "clear");
    }
  }

  @Override
  public String describe(VmFiles f) {
    return "the Secret Service (secret-tool, " + ATTRIBUTE + "=" + id(f) + ")";
  }

  private CommandResult run(Command c) {
    try {
      return runner.run(c.withEnv(BUS, bus).withTimeout(TIMEOUT));
    } catch (CommandFailedException | OperationTimeoutException e) {
      throw new Unavailable("secret-tool failed: " + e.getMessage(), e);
    }
  }

  /** A silent exit 1 means "no such item"; anything else is the service failing. */
  private static void failedUnlessQuiet(CommandResult r, String what) {
    if (r.exitCode() != 1 || !r.stderr().isBlank()) {
      throw new Unavailable("secret-tool " + what + " failed (exit " + r.exitCode() + "): "
          + String.join(" ", r.stderrTail(3)), null);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a 0600 file in the 0700 VM folder; recreate's cleanup does not know its name, so say so
      throw new QubixException("cannot delete " + p + " (it holds the VM's RDP secret): delete it by hand", e);
    }
  }
}
