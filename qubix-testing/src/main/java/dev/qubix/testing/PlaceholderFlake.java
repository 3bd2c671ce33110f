package dev.qubix.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The tiny guest's flake shape with placeholder images, for build tests that never boot: every
 * derivation's builder is the static busybox copied into the flake ({@link StaticBusybox}), never a
 * host path, so it builds with Nix's sandbox on.
 */
final class PlaceholderFlake {
  private PlaceholderFlake() {}

  /** The manifest (Nix); with store paths, each image names its package's output as a real flake does. */
  static String manifest(boolean withStorePaths) {
    String hv = withStorePaths ? "storePath = out test-vhdx;" : "";
    String dir = withStorePaths ? "storePath = out test-direct;" : "";
    String home = withStorePaths ? "storePath = out test-home;" : "";
    return """
        { schemaVersion = 3; machines.box = {
            hostName = "box"; vmName = "qubix-box"; cpuCount = 1;
            memoryStartupBytes = 268435456; maxMemoryBytes = 536870912;
            network.mode = "dhcp"; rdp.user = "rdp";
            homeDisk = { enable = true; label = "qubix-home"; sizeMiB = 64; };
            images = {
              hyperv = { package = "test-vhdx"; format = "vhdx"; %s };
              microvm = { package = "test-direct"; format = "direct"; %s };
              home = { package = "test-home"; format = "vhdx"; file = "home/qubix-home.vhdx"; %s };
            };
          }; }
        """.formatted(hv, dir, home);
  }

  /** A flake with the manifest, a fake VHDX in a folder, a direct-boot folder and a home image. */
  static Path write(Path dir, String extraPackages, boolean withStorePaths) throws IOException {
    Files.createDirectories(dir);
    StaticBusybox.copyInto(dir);
    Files.writeString(dir.resolve("flake.nix"), """
        {
          outputs = { self }: let
            system = "x86_64-linux";
            nonce = "%s";
            sh = name: script: derivation { inherit name system nonce; builder = %s; args = [ "sh" "-c" script ]; };
            out = drv: builtins.unsafeDiscardStringContext drv.outPath;
            test-vhdx = sh "test-vhdx" "mkdir $out && echo vhdx > $out/nixos-image-hyperv.vhdx";
            test-direct = sh "test-direct" "mkdir $out && echo k > $out/kernel && echo i > $out/initrd && echo console=ttyS0 > $out/kernel-params";
            test-home = sh "test-home" "mkdir -p $out/home && echo h > $out/home/qubix-home.vhdx";
          in {
            packages.${system} = {
              inherit test-vhdx test-direct test-home;
              qubix-manifest-json = sh "qubix-manifest.json"
                "cp ${builtins.toFile "m.json" (builtins.toJSON (%s))} $out";
              %s
            };
          };
        }
        """.formatted(UUID.randomUUID(), StaticBusybox.BUILDER, manifest(withStorePaths), extraPackages));
    return dir;
  }
}
