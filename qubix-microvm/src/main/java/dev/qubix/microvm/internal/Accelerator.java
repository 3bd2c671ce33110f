package dev.qubix.microvm.internal;

import dev.qubix.spi.HostInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KVM or TCG. {@code /dev/kvm} existing proves nothing (on some hosts KVM hangs, or aborts with
 * "failed to set MSR"), so KVM is used only after a short real boot: SeaBIOS, run under KVM, must
 * write to the debug console within a few seconds. The answer is cached per kernel and QEMU binary.
 * {@code QUBIX_QEMU_ACCEL=kvm|tcg} overrides.
 */
public final class Accelerator {
  private static final Logger LOG = LoggerFactory.getLogger(Accelerator.class);
  private static final long PROBE_SECONDS = 5;

  private Accelerator() {}

  public static String choose(HostInfo host, String qemu, Path cacheDir) {
    String forced = host.getenv("QUBIX_QEMU_ACCEL").map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
    if (forced.equals("kvm") || forced.equals("tcg")) {
      return forced;
    }
    Path kvm = Path.of("/dev/kvm");
    if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
      return "tcg";
    }
    Path cache = cacheDir.resolve("kvm-probe-" + cacheKey(qemu));
    try {
      if (Files.isRegularFile(cache)) {
        return Files.readString(cache).strip();
      }
      String result = kvmBoots(qemu, cacheDir) ? "kvm" : "tcg";
      Files.createDirectories(cacheDir);
      Files.writeString(cache, result);
      return result;
    } catch (IOException e) {
      return "tcg";
    }
  }

  /**
   * Boots SeaBIOS under KVM with a hard time limit. KVM counts as working when the BIOS finishes its
   * POST (it reports "No bootable device" on the debug console) and QEMU warns about no missing CPU
   * feature: on hosts where KVM hangs Linux, SeaBIOS still runs but QEMU first warns that the host
   * lacks features of the default CPU model (e.g. CPUID.01H:ECX.pni); where it aborts ("failed to set
   * MSR"), QEMU exits. Either way: TCG.
   */
  static boolean kvmBoots(String qemu, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path out = Files.createTempFile(dir, "kvm-probe", ".log");
    Path err = Files.createTempFile(dir, "kvm-probe", ".err");
    Process p = new ProcessBuilder(List.of(qemu, "-accel", "kvm", "-nodefaults", "-display", "none", "-no-reboot",
        "-m", "64", "-chardev", "file,id=dbg,path=" + out, "-device", "isa-debugcon,iobase=0x402,chardev=dbg"))
        .redirectErrorStream(true).redirectOutput(err.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROBE_SECONDS);
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).contains("No bootable device")) {
          break;
        }
        Thread.sleep(100);
      }
      String bios = Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1);
      String qemuSaid = Files.readString(err, java.nio.charset.StandardCharsets.ISO_8859_1);
      boolean ok = p.isAlive() && bios.contains("No bootable device") && !qemuSaid.contains("doesn't support requested feature");
      LOG.info("KVM probe: {}", ok ? "KVM works" : "KVM does not work here, using TCG ("
          + (qemuSaid.isBlank() ? "BIOS did not finish in " + PROBE_SECONDS + " s" : qemuSaid.strip().lines().findFirst().orElse("")) + ")");
      return ok;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String cacheKey(String qemu) {
    String kernel;
    try {
      kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      kernel = "unknown";
    }
    long stamp = Path.of(qemu).toFile().lastModified();
    return Integer.toHexString((kernel + "|" + qemu + "|" + stamp).hashCode());
  }
}
