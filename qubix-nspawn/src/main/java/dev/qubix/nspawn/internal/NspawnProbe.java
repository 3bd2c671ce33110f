package dev.qubix.nspawn.internal;

import dev.qubix.Availability;
import dev.qubix.spi.HostInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether containers can run here, and exactly why not: Linux, root (systemd-nspawn sets up mounts
 * and namespaces, and Qubix runs it without user namespaces), the programs ({@link NspawnTools}), and
 * whether the kernel lets this process make namespaces at all (a container inside an unprivileged
 * container cannot).
 */
public final class NspawnProbe {
  /** Why a microvm is preferred when both run: a VM has its own kernel. */
  public static final String RANK = "ranked below microvm: a VM isolates better than a container";

  private final Supplier<Optional<Long>> uid;
  private final Supplier<Optional<String>> namespaces;

  public NspawnProbe() {
    this(NspawnProbe::effectiveUid, NspawnProbe::tryNamespaces);
  }

  /** For tests: the effective uid and the namespace check's refusal (empty when namespaces work). */
  public NspawnProbe(Supplier<Optional<Long>> uid, Supplier<Optional<String>> namespaces) {
    this.uid = uid;
    this.namespaces = namespaces;
  }

  public Availability probe(HostInfo host) {
    if (host.os() != HostInfo.Os.LINUX) {
      return Availability.unavailable("the nspawn backend needs Linux (systemd-nspawn)", "use hyperv on Windows");
    }
    Optional<Long> id = uid.get();
    if (id.isEmpty() || id.get() != 0) {
      return Availability.unavailable("not root (uid " + id.map(String::valueOf).orElse("unknown")
          + "): systemd-nspawn needs root to make the container's mounts and namespaces",
          "run qubixctl as root (sudo), or use microvm");
    }
    NspawnTools tools = NspawnTools.of(host);
    Optional<String> missing = tools.missing();
    if (missing.isPresent()) {
      return Availability.unavailable(missing.get(), "or use microvm");
    }
    Optional<String> refused = namespaces.get();
    if (refused.isPresent()) {
      return Availability.unavailable("the kernel refused new namespaces (" + refused.get() + ")",
          "run Qubix on the host or in a privileged container, or use microvm");
    }
    return Availability.available("systemd-nspawn " + tools.nspawn() + " as root, network by slirp4netns"
        + (tools.systemdIsPid1() ? ", registered with machined" : ", unregistered (systemd is not PID 1)") + "; " + RANK);
  }

  /** The effective uid from /proc (Java has no getuid without an extra module). */
  static Optional<Long> effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Optional.of(Long.parseLong(line.substring(4).trim().split("\\s+")[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc not mounted
    }
    return Optional.empty();
  }

  /**
   * {@code unshare} the namespaces a container gets, running {@code true} inside: a few milliseconds,
   * and nothing is left behind (the namespaces die with the process).
   */
  static Optional<String> tryNamespaces() {
    try {
      Process p = new ProcessBuilder(List.of("unshare", "--mount", "--net", "--pid", "--uts", "--ipc", "--fork", "true"))
          .redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("unshare did not finish within 10 s");
      }
      String out = new String(p.getInputStream().readAllBytes()).strip();
      return p.exitValue() == 0 ? Optional.empty() : Optional.of(out.isEmpty() ? "unshare exited " + p.exitValue() : out);
    } catch (IOException e) {
      return Optional.of("cannot run unshare: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }
}
