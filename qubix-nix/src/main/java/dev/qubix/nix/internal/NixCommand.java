package dev.qubix.nix.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.exec.Command;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.WslPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to run Nix on this host: directly ({@code nix} on PATH, {@code -Dqubix.nix} or
 * {@code $QUBIX_NIX}), or from Windows through {@code wsl.exe -d <distro> --cd <dir> -- nix …}
 * (also forced with {@code QUBIX_NIX_MODE=wsl}). Maps store paths back to paths this JVM can open.
 */
public record NixCommand(Mode mode, String nix, String distro, Path flake) {

  public enum Mode { LOCAL, WSL }

  /** Always on, so flakes work on Nix 2.8 as on newer versions that still call them experimental. */
  static final List<String> FEATURES = List.of("--extra-experimental-features", "nix-command flakes");

  public static NixCommand forHost(HostInfo host, Path flake) {
    String mode = Optional.ofNullable(System.getProperty("qubix.nix.mode")).or(() -> host.getenv("QUBIX_NIX_MODE"))
        .orElse(host.os() == HostInfo.Os.WINDOWS ? "wsl" : "local");
    String nix = Optional.ofNullable(System.getProperty("qubix.nix")).or(() -> host.getenv("QUBIX_NIX")).orElse("nix");
    if (mode.equalsIgnoreCase("wsl")) {
      String distro = WslPaths.distroOf(flake.toString()).or(() -> host.getenv("QUBIX_WSL_DISTRO"))
          .orElse(WslPaths.DEFAULT_DISTRO);
      return new NixCommand(Mode.WSL, nix, distro, flake);
    }
    if (host.which(nix).isEmpty()) {
      throw new BackendUnavailableException("nix not found (" + nix + "): install Nix (https://nixos.org/download, "
          + "or `apt-get install nix-bin` on Debian/Ubuntu), set QUBIX_NIX to its path, or use a prebuilt manifest "
          + "with --manifest FILE");
    }
    return new NixCommand(Mode.LOCAL, nix, null, flake);
  }

  /**
   * {@code path:} flake references: inside a git work tree a plain path reference sees only tracked
   * files, so a user's new, untracked machine file would silently be missing from the build.
   */
  public String flakeRef(String attribute) {
    return "path:" + flakeDirForNix() + "#" + attribute;
  }

  public Command build(List<String> attributes, List<String> extraOptions) {
    List<String> args = new ArrayList<>(List.of("build", "--no-link", "--json", "--log-format", "internal-json", "-L"));
    args.addAll(FEATURES);
    args.addAll(extraOptions);
    attributes.forEach(a -> args.add(flakeRef(a)));
    return command(args);
  }

  /** {@code nix eval --raw <flake>#<attribute>.outPath}: evaluates, builds nothing. */
  public Command evalOutPath(String attribute) {
    List<String> args = new ArrayList<>(List.of("eval", "--raw"));
    args.addAll(FEATURES);
    args.add(flakeRef(attribute + ".outPath"));
    return command(args);
  }

  private Command command(List<String> nixArgs) {
    List<String> argv = new ArrayList<>();
    if (mode == Mode.WSL) {
      argv.addAll(List.of("wsl.exe", "-d", distro, "--cd", flakeDirForNix(), "--", nix));
      argv.addAll(nixArgs);
      return Command.of(argv);
    }
    argv.add(nix);
    argv.addAll(nixArgs);
    return Command.of(argv).withWorkDir(flake);
  }

  /** The flake directory as Nix sees it. */
  String flakeDirForNix() {
    return mode == Mode.WSL ? WslPaths.toLinux(flake.toString(), distro).linuxPath() : flake.toAbsolutePath().toString();
  }

  /** A store path as this JVM opens it. */
  public Path localPath(String storePath) {
    return mode == Mode.WSL ? Path.of(WslPaths.toWindows(distro, storePath)) : Path.of(storePath);
  }
}
