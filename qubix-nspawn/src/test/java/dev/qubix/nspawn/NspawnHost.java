package dev.qubix.nspawn;

import dev.qubix.Availability;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.Requires;
import dev.qubix.testing.TinyContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

/** What the real-container tests need of this host, and what they check it is left without. */
final class NspawnHost {
  private NspawnHost() {}

  /** Root, systemd-nspawn, slirp4netns, ip and namespaces, as the provider's probe sees them; skip or fail (CI) without. */
  static void require() {
    Availability a = new NspawnBackendProvider().probe(HostInfo.current());
    Requires.that(a.isAvailable(), "the nspawn backend cannot run here: " + a);
  }

  /** The network namespaces that exist now: a test compares them before and after. */
  static Set<String> namespaces() {
    try (var names = Files.list(Path.of("/run/netns"))) {
      return names.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    } catch (IOException e) {
      return Set.of();
    }
  }

  /**
   * The namespaces made since {@code before} and still there, described; deleted after being
   * described, so one failing test does not break the next.
   */
  static List<String> namespacesLeft(Set<String> before) {
    List<String> left = namespaces().stream().filter(n -> !before.contains(n)).sorted().toList();
    for (String n : left) {
      try {
        new ProcessBuilder("ip", "netns", "delete", n).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        // described above; the assertion fails anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return left;
  }

  /**
   * The container processes of {@code state} still running, described; they are killed after being
   * described, so one failing test does not break the next.
   */
  static List<String> leftovers(Path state) {
    List<ProcessHandle> left = TinyContainer.processesUnder(state);
    List<String> described = left.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    for (ProcessHandle p : left) {
      p.destroyForcibly();
      try {
        p.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // described above; the assertion fails anyway
      }
    }
    return described;
  }
}
