package dev.qubix.testing;

import dev.qubix.Appliance;
import dev.qubix.Qubix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The tiny test container (see {@code testing/tiny-container}): a busybox rootfs whose init counts
 * its boots in {@code /home} and answers X.224 on port 3389, built by an input-free flake in Nix's
 * sandbox (the builder is a static busybox copied into the flake). Its appliance runs on the nspawn
 * backend. Without nix or a static busybox a test skips locally and fails under CI.
 */
public final class TinyContainer {
  /** The flake's machine: vmName {@code qubix-tiny}. */
  public static final String MACHINE = "tiny";
  public static final String VM_NAME = "qubix-tiny";
  public static final String BACKEND = "nspawn";
  /** The image key and the flake output of the rootfs. */
  public static final String IMAGE = "nspawn";
  public static final String PACKAGE = "tiny-rootfs";

  private TinyContainer() {}

  /** Writes the flake into {@code dir} (busybox, init.sh, answer.sh, flake.nix) and returns {@code dir}. */
  public static Path flake(Path dir) {
    TestNix.binary();
    try {
      Files.createDirectories(dir);
      StaticBusybox.copyInto(dir);
      Path root = Requires.repoRoot();
      Files.copy(root.resolve("testing/tiny-container/init.sh"), dir.resolve("init.sh"), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(root.resolve("testing/tiny-guest/answer.sh"), dir.resolve("answer.sh"), StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(dir.resolve("flake.nix"), FLAKE);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the tiny container's flake in " + dir, e);
    }
  }

  /** Machine {@link #MACHINE} of {@code flake} on the nspawn backend, its containers under {@code state}. */
  public static Appliance appliance(Path flake, Path state) {
    return Qubix.appliance(MACHINE).withFlake(flake).withBackend(BACKEND).withStateDir(state);
  }

  /** The built rootfs (a store path), for manifests that name it by path and run no Nix. */
  public static Path prebuiltRootfs(Path flake, Path state) {
    return appliance(flake, state).build().images().get(IMAGE).file();
  }

  /** The flake's machine with its rootfs given by path: no Nix needed to run it. */
  public static TestManifest manifest(Path rootfs) {
    return TestManifest.machine(MACHINE).with("mode", "\"debug\"").withHomeDisk(64).withRdpPort(3389)
        .withImage(IMAGE, "rootfs", rootfs);
  }

  /** Every boot counter the container printed, oldest first (its console log is appended across boots). */
  public static List<Integer> bootCounts(Path state, String vmName) throws IOException {
    return SerialLog.bootCounts(state.resolve(vmName).resolve("console.log"));
  }

  /** The boot counter in the kept home folder, 0 when there is none. */
  public static int homeBootCount(Path state, String vmName) throws IOException {
    Path counter = state.resolve(vmName).resolve("home/qubix-boot-count");
    return Files.exists(counter) ? Integer.parseInt(Files.readString(counter).strip()) : 0;
  }

  /**
   * systemd-nspawn and slirp4netns processes whose command line mentions {@code dir}: a test checks
   * there are none left when it ends.
   */
  public static List<ProcessHandle> processesUnder(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> (c.contains("systemd-nspawn") || c.contains("slirp4netns"))
            && c.contains(dir.toString())).orElse(false))
        .toList();
  }

  private static final String FLAKE = """
      {
        description = "Qubix tiny test container (written by dev.qubix.testing.TinyContainer)";

        outputs = { self }:
          let
            system = "x86_64-linux";
            # the sandbox has no /bin/sh: the static busybox copied into the flake builds everything
            sh = name: script: env: derivation ({
              inherit name system;
              builder = "${./tools}/busybox";
              args = [ "sh" "-c" script ];
            } // env);

            tiny-rootfs = sh "qubix-tiny-rootfs" ''
              set -e
              mkdir -p $out/bin $out/sbin $out/usr/bin $out/usr/sbin $out/etc $out/home $out/var $out/tmp \\
                $out/proc $out/sys $out/dev $out/run
              busybox=${./tools}/busybox
              cp $busybox $out/bin/busybox
              for a in $($busybox --list-full); do
                [ -e $out/$a ] || [ -L $out/$a ] || ln -s /bin/busybox $out/$a
              done
              rm $out/sbin/init
              cp $init $out/sbin/init
              cp $answer $out/bin/answer
              chmod 755 $out/sbin/init $out/bin/answer
              echo 'root:x:0:0:root:/root:/bin/sh' > $out/etc/passwd
            '' { init = ./init.sh; answer = ./answer.sh; };

            manifest = {
              schemaVersion = 3;
              machines.tiny = {
                hostName = "tiny";
                vmName = "qubix-tiny";
                mode = "debug";
                cpuCount = 1;
                memoryStartupBytes = 268435456;
                maxMemoryBytes = 268435456;
                network = { mode = "dhcp"; };
                homeDisk = { enable = true; label = "qubix-home"; sizeMiB = 64; };
                rdp = { user = "rdp"; port = 3389; };
                images.nspawn = {
                  package = "tiny-rootfs";
                  format = "rootfs";
                  storePath = builtins.unsafeDiscardStringContext tiny-rootfs.outPath;
                };
              };
            };

            qubix-manifest-json = sh "qubix-manifest.json" "printf '%s\\\\n' \\"$json\\" > $out"
              { json = builtins.toJSON manifest; };
          in {
            packages.${system} = { inherit tiny-rootfs qubix-manifest-json; default = tiny-rootfs; };
          };
      }
      """;
}
