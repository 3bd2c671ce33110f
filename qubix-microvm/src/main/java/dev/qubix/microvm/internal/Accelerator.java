package dev.qubix.microvm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.exec.Command;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KVM or TCG. {@code /dev/kvm} existing proves nothing (on some hosts KVM hangs, or aborts with
 * "failed to set MSR"), so KVM is used only after a short real boot: SeaBIOS, run under KVM, must
 * finish its POST within a few seconds. The answer and its reason are cached in
 * {@code <stateDir>/cache/kvm-probe.json}, keyed by kernel release and QEMU binary, so the probe runs
 * once per host and QEMU upgrade. {@code QUBIX_QEMU_ACCEL=kvm|tcg} overrides.
 */
public final class Accelerator {
  private static final Logger LOG = LoggerFactory.getLogger(Accelerator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(50);

  private static boolean biosDone(Path out) {
    try {
      return Files.readString(out, StandardCharsets.ISO_8859_1).contains(BIOS_DONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A working KVM finishes SeaBIOS's POST in well under a second; TCG needs about 0.3 s. */
  private static final long PROBE_SECONDS = 5;
  private static final String BIOS_DONE = "No bootable device";
  /** QEMU's warning when KVM lacks features of the default CPU model: Linux then hangs under KVM. */
  private static final String MISSING_FEATURE = "doesn't support requested feature";

  private Accelerator() {}

  public static String choose(BackendContext context, String qemu, Path cacheDir) {
    return choose(context, qemu, cacheDir, Path.of("/dev/kvm"));
  }

  static String choose(BackendContext context, String qemu, Path cacheDir, Path kvm) {
    String forced = context.host().getenv("QUBIX_QEMU_ACCEL").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("");
    if (forced.equals("kvm") || forced.equals("tcg")) {
      return forced;
    }
    if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
      return "tcg";
    }
    Path cache = cacheDir.resolve("kvm-probe.json");
    String key = cacheKey(qemu);
    try {
      if (Files.isRegularFile(cache)) {
        JsonNode cached = JSON.readTree(cache.toFile());
        if (cached.path("key").asText().equals(key) && cached.path("accel").asText().matches("kvm|tcg")) {
          return cached.path("accel").asText();
        }
      }
      Probe result = kvmBoots(context, qemu, cacheDir);
      ObjectNode out = JSON.createObjectNode().put("key", key).put("accel", result.works() ? "kvm" : "tcg")
          .put("reason", result.reason());
      Path tmp = Files.createTempFile(cacheDir, "kvm-probe", ".tmp");
      Files.writeString(tmp, out.toPrettyString() + "\n");
      Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return result.works() ? "kvm" : "tcg";
    } catch (IOException e) {
      LOG.info("KVM probe failed ({}), using TCG", e.getMessage());
      return "tcg";
    }
  }

  record Probe(boolean works, String reason) {}

  /**
   * Boots SeaBIOS under KVM with a hard time limit. KVM counts as working when the BIOS finishes its
   * POST (it reports "No bootable device" on the debug console) and QEMU warns about no missing CPU
   * feature: on hosts where KVM hangs Linux, QEMU first warns that the host lacks features of the
   * default CPU model (e.g. CPUID.01H:ECX.pni) and SeaBIOS alone takes seconds; where KVM aborts
   * ("failed to set MSR"), QEMU exits. Either way: TCG, decided as soon as the sign appears.
   */
  static Probe kvmBoots(BackendContext context, String qemu, Path dir) throws IOException {
    PrivateFiles.directory(dir);
    Path out = Files.createTempFile(dir, "kvm-probe", ".log");
    StringBuffer said = new StringBuffer();
    Process p = context.runner().start(Command.of(qemu, "-accel", "kvm", "-nodefaults", "-display", "none", "-no-reboot",
        "-m", "64", "-chardev", "file,id=dbg,path=" + out, "-device", "isa-debugcon,iobase=0x402,chardev=dbg")
        .onStdout(l -> said.append(l).append('\n')).onStderr(l -> said.append(l).append('\n')));
    try {
      Probe result = context.await("the KVM probe", Duration.ofSeconds(PROBE_SECONDS), POLL, () -> {
        boolean alive = p.isAlive();
        if (!alive) {
          // an exited QEMU's message reaches the runner's line handlers just after it ends
          context.await("QEMU's last words", Duration.ofSeconds(1), POLL, () -> said.length() > 0 ? Optional.of(true) : Optional.empty());
        }
        String qemuSaid = said.toString().strip();
        String firstLine = qemuSaid.lines().findFirst().orElse("");
        if (qemuSaid.contains(MISSING_FEATURE)) {
          return Optional.of(new Probe(false, firstLine));
        }
        if (!alive) {
          return Optional.of(new Probe(false, "QEMU exited under KVM: " + firstLine));
        }
        return biosDone(out) ? Optional.of(new Probe(true, "SeaBIOS finished its POST under KVM")) : Optional.empty();
      }).orElse(new Probe(false, "SeaBIOS did not finish under KVM within " + PROBE_SECONDS + " s"));
      LOG.info("KVM probe: {} ({})", result.works() ? "KVM works" : "using TCG", result.reason());
      return result;
    } finally {
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Files.deleteIfExists(out);
    }
  }

  private static String cacheKey(String qemu) {
    String kernel;
    try {
      kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      kernel = "unknown";
    }
    // the binary's path and mtime stand for its version: an upgrade replaces the file
    return kernel + "|" + qemu + "|" + Path.of(qemu).toFile().lastModified();
  }
}
