package dev.qubix.testing;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tiny test guest (Debian cloud kernel + busybox initramfs, see {@code testing/tiny-guest}), the
 * one guest every end-to-end test boots: its input-free flake, an {@link Appliance} on it, its
 * prebuilt image folder and a manifest for it, and what a test reads back (the boot counter on the
 * home disk, the QEMU processes left). Built from Debian packages at test time; without nix or
 * qemu a test skips locally and fails under CI ({@link Requires}).
 *
 * <p>For build tests that never boot, {@link #placeholderFlake} makes a flake of the same shape whose
 * images are placeholder files, built with only nix and a static busybox.
 */
public final class TinyGuest {
  /** The flake's bootable machine (kernel + initrd, format {@code direct}). */
  public static final String MACHINE = "tiny";
  /** The same guest booted from a qcow2 system disk (format {@code qcow2}); absent when syslinux could not be had. */
  public static final String DISK_MACHINE = "tiny-disk";
  /** The backend that boots it. */
  public static final String BACKEND = "microvm";
  /**
   * Where {@link SharedFlake} makes the flake, relative to the module directory, so annotation
   * attributes (constants) can name it: {@code @QubixAppliance(flake = TinyGuest.SHARED_FLAKE_DIR)}.
   */
  public static final String SHARED_FLAKE_DIR = "target/tiny-flake";
  /** Environment for nix in tests: the binary cache is unreachable here and would make nix wait for DNS. */
  public static final String NIX_CONFIG = "substituters =\nexperimental-features = nix-command flakes";

  private static boolean sharedMade;

  private TinyGuest() {}

  /** Writes the tiny guest's flake into {@code dir} (kernel + initrd cached across runs) and returns {@code dir}. */
  public static Path flake(Path dir) {
    TestNix.binary();
    Requires.tool("qemu-system-x86_64");
    Path script = Requires.repoRoot().resolve("testing/tiny-guest/make-tiny-flake.sh");
    Path log = dir.resolveSibling(dir.getFileName() + ".make.log");
    try {
      Files.createDirectories(dir);
      Process p = new ProcessBuilder(List.of("bash", script.toString(), dir.toString()))
          .redirectErrorStream(true).redirectOutput(log.toFile())
          .start();
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        String made = Files.readString(log);
        if (made.contains("E: ") || made.contains("Unable to locate")) {
          Requires.missing("the tiny guest could not be made from Debian packages:\n" + made);
        }
        throw new IllegalStateException("make-tiny-flake.sh failed:\n" + made);
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The flake in {@link #SHARED_FLAKE_DIR}, made once per JVM: for tests whose appliances name a fixed path. */
  public static synchronized Path sharedFlake() {
    Path dir = Path.of(SHARED_FLAKE_DIR).toAbsolutePath();
    if (!sharedMade) {
      flake(dir);
      sharedMade = true;
    }
    return dir;
  }

  /** Machine {@link #MACHINE} of {@code flake} on the microvm backend, its VMs under {@code state}. */
  public static Appliance appliance(Path flake, Path state) {
    return appliance(MACHINE, flake, state);
  }

  /** {@code machine} ({@link #MACHINE} or {@link #DISK_MACHINE}) of {@code flake} on the microvm backend. */
  public static Appliance appliance(String machine, Path flake, Path state) {
    return Qubix.appliance(machine).withFlake(flake).withBackend(BACKEND).withStateDir(state);
  }

  /**
   * The prebuilt image folder of machine {@link #MACHINE} (kernel, initrd, kernel-params): built
   * from {@code flake} once, for manifests that name an image by path and run no Nix.
   */
  public static Path prebuiltImage(Path flake, Path state) {
    return appliance(flake, state).build().images().get(BACKEND).file();
  }

  /**
   * A manifest for the tiny guest booted from a prebuilt image folder ({@link #prebuiltImage}): the
   * machine the flake declares, with its microvm image given by path instead of a package.
   */
  public static TestManifest manifest(Path imageFolder) {
    return TestManifest.machine(MACHINE).with("mode", "\"debug\"").withHomeDisk("qubix-home", 64).withRdpPort(3389)
        .withMdnsName(MACHINE + ".local").withImage(BACKEND, "direct", imageFolder);
  }

  /** The VM name (state folder) of {@code machine}: {@code qubix-<machine>}. */
  public static String vmName(String machine) {
    return "qubix-" + machine;
  }

  /**
   * Every boot counter the guest printed ({@code QUBIX-BOOT-COUNT=n}), oldest first: serial.log is
   * appended across boots of one VM and removed by destroy.
   */
  public static List<Integer> bootCounts(Path state, String vmName) throws IOException {
    return SerialLog.bootCounts(state.resolve(vmName).resolve("serial.log"));
  }

  /** The latest boot counter, 0 when the guest has not booted yet. */
  public static int lastBootCount(Path state, String vmName) throws IOException {
    List<Integer> all = bootCounts(state, vmName);
    return all.isEmpty() ? 0 : all.get(all.size() - 1);
  }

  /** QEMU processes whose command line mentions {@code dir}: a test checks there are none left. */
  public static List<ProcessHandle> qemuUnder(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("qemu-system") && c.contains(dir.toString())).orElse(false))
        .toList();
  }

  /**
   * A flake of the tiny guest's shape for build tests that never boot: machine {@code box}, a
   * placeholder VHDX folder ({@code test-vhdx}), a direct-boot folder ({@code test-direct}) and a home
   * image ({@code test-home}), plus {@code extraPackages} (Nix attributes; {@code sh name script}
   * makes a derivation). A fresh nonce makes every call's derivations new, so Nix really builds them.
   * Built with Nix's sandbox on: every builder is the static busybox copied into the flake.
   *
   * @param withStorePaths whether the manifest names each image's store path (as a real flake's does)
   */
  public static Path placeholderFlake(Path dir, String extraPackages, boolean withStorePaths) throws IOException {
    return PlaceholderFlake.write(dir, extraPackages, withStorePaths);
  }

  /** {@link #placeholderFlake(Path, String, boolean)} with store paths in the manifest. */
  public static Path placeholderFlake(Path dir, String extraPackages) throws IOException {
    return placeholderFlake(dir, extraPackages, true);
  }

  /**
   * Makes {@link #sharedFlake()} before the test class starts. Registered before
   * {@code QubixExtension} (or {@code @Testcontainers}), its {@code beforeAll} runs first, so an
   * appliance the test declares with {@link #SHARED_FLAKE_DIR} finds the flake.
   */
  public static final class SharedFlake implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      sharedFlake();
    }
  }
}
