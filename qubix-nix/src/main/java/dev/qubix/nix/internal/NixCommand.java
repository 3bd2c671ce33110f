package dev.qubix.nix.internal;

import dev.qubix.BackendUnavailableException;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
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
public record NixCommand(Mode mode, String nix, String distro, Path flake, boolean forwardNixConfig, String wslEnv) {

  public enum Mode { LOCAL, WSL }

  /** Always on, so flakes work on Nix 2.8 as on newer versions that still call them experimental. */
  static final List<String> FEATURES = List.of("--extra-experimental-features", "nix-command flakes");

  public static NixCommand forHost(HostInfo host, Path flake) {
    return forHost(host, flake, Optional.empty());
  }

  /**
   * @param manifestDistro the machine's {@code hyperv.wslDistro}, once a manifest is known. The
   *     distribution is the one a {@code \\wsl.localhost\<distro>\…} flake path lies in, else
   *     {@code $QUBIX_WSL_DISTRO} (an explicit override of this run), else the manifest's, else NixOS.
   */
  public static NixCommand forHost(HostInfo host, Path flake, Optional<String> manifestDistro) {
    String mode = Optional.ofNullable(System.getProperty("qubix.nix.mode")).or(() -> host.getenv("QUBIX_NIX_MODE"))
        .orElse(host.os() == HostInfo.Os.WINDOWS ? "wsl" : "local");
    String nix = Optional.ofNullable(System.getProperty("qubix.nix")).or(() -> host.getenv("QUBIX_NIX")).orElse("nix");
    if (mode.equalsIgnoreCase("wsl")) {
      String distro = WslPaths.distroOf(flake.toString()).or(() -> host.getenv("QUBIX_WSL_DISTRO"))
          .or(() -> manifestDistro.filter(d -> !d.isBlank())).orElse(WslPaths.DEFAULT_DISTRO);
      if (host.os() == HostInfo.Os.WINDOWS && host.which("wsl.exe").isEmpty()) {
        throw new BackendUnavailableException("wsl.exe not found: Qubix runs Nix inside WSL on Windows. Install WSL "
            + "(`wsl --install --no-distribution`) and a distribution with Nix and flakes, e.g. NixOS-WSL imported as "
            + "'" + distro + "'; or set QUBIX_NIX_MODE=local with a Windows nix, or use --manifest FILE");
      }
      return new NixCommand(Mode.WSL, nix, distro, flake, host.getenv("NIX_CONFIG").isPresent(),
          host.getenv("WSLENV").orElse(""));
    }
    if (host.which(nix).isEmpty()) {
      throw new BackendUnavailableException("nix not found (" + nix + "): install Nix (https://nixos.org/download, "
          + "or `apt-get install nix-bin` on Debian/Ubuntu), set QUBIX_NIX to its path, or use a prebuilt manifest "
          + "with --manifest FILE");
    }
    return new NixCommand(Mode.LOCAL, nix, null, flake, false, "");
  }

  /**
   * The flake reference as a person reads it, for messages. Nix itself gets {@link #installable}.
   */
  public String flakeRef(String attribute) {
    return "path:" + flakeDirForNix() + "#" + attribute;
  }

  /**
   * What nix is given: {@code path:.#attribute}, with the flake folder as nix's working directory
   * (LOCAL) or {@code --cd} (WSL). A {@code path:} URL with the folder in it would have to be
   * URL-escaped, and Nix versions disagree on that: 2.8 rejects a space ("is not a valid URL"),
   * newer ones percent-decode, and {@code #}, {@code ?} or {@code %} in a folder name break both.
   * {@code path:} rather than a plain path: inside a git work tree a plain reference sees only
   * tracked files, so a user's new, untracked machine file would silently be missing.
   */
  String installable(String attribute) {
    return "path:.#" + attribute;
  }

  public Command build(List<String> attributes, List<String> extraOptions) {
    return build(attributes, extraOptions, null);
  }

  /**
   * One {@code nix build} of every attribute. With {@code outLink}, nix itself makes each result an
   * indirect GC root ({@code outLink}, {@code outLink-1}, … in argument order), so what it built is
   * rooted from the moment it exists, with no window for a concurrent garbage collection.
   */
  public Command build(List<String> attributes, List<String> extraOptions, String outLink) {
    // -L must come BEFORE --log-format: Nix 2.8 implements -L as "log format bar-with-logs", so the
    // last of the two wins; in this order Nix prints @nix JSON lines, build output included.
    List<String> args = new ArrayList<>(outLink == null ? List.of("build", "--no-link") : List.of("build", "--out-link", outLink));
    args.addAll(List.of("--json", "-L", "--log-format", "internal-json"));
    args.addAll(FEATURES);
    args.addAll(extraOptions);
    attributes.forEach(a -> args.add(installable(a)));
    return command(args);
  }

  /**
   * {@code nix eval --raw <flake>#<attribute>.outPath}: evaluates, builds nothing. Takes the same
   * extra options as the build, since options like {@code --override-input} change the path.
   */
  public Command evalOutPath(String attribute, List<String> extraOptions) {
    List<String> args = new ArrayList<>(List.of("eval", "--raw"));
    args.addAll(FEATURES);
    args.addAll(extraOptions);
    args.add(installable(attribute + ".outPath"));
    return command(args);
  }

  /**
   * {@code nix build --out-link <link> <store path>}: makes an existing store path an indirect GC
   * root at {@code link} (the same kind of root as a build's out-link; nix-store --add-root would
   * need the separate nix-store binary). Builds nothing when the path is valid.
   */
  public Command root(Path link, String storePath, List<String> extraOptions) {
    List<String> args = new ArrayList<>(List.of("build", "--out-link", link.toString()));
    args.addAll(FEATURES);
    args.addAll(extraOptions);
    args.add(storePath);
    return command(args);
  }

  /** {@code nix --version}. */
  public Command version() {
    return command(List.of("--version"));
  }

  /** The flake's lock file as this JVM opens it. */
  public Path lockFile() {
    return flake.resolve("flake.lock");
  }

  private Command command(List<String> nixArgs) {
    List<String> argv = new ArrayList<>();
    if (mode == Mode.WSL) {
      // everything after "--" is re-parsed by the distribution's shell: see WslShellWords
      argv.addAll(List.of("wsl.exe", "-d", distro, "--cd", flakeDirForNix(), "--", WslShellWords.quote(nix)));
      nixArgs.forEach(a -> argv.add(WslShellWords.quote(a)));
      // wsl.exe's own messages ("no distribution with the supplied name") in UTF-8, not UTF-16
      Command c = Command.of(argv).withEnv("WSL_UTF8", "1");
      if (forwardNixConfig && !List.of(wslEnv.split(":")).contains("NIX_CONFIG")) {
        // a Windows variable reaches Linux only when WSLENV names it
        c = c.withEnv("WSLENV", wslEnv.isEmpty() ? "NIX_CONFIG" : wslEnv + ":NIX_CONFIG");
      }
      return c;
    }
    argv.add(nix);
    argv.addAll(nixArgs);
    return Command.of(argv).withWorkDir(flake);
  }

  /**
   * Exit 127 through wsl.exe is the distribution shell's "command not found": that distribution
   * has no nix on its PATH. Says so, instead of a build failure.
   */
  public void checkNixFound(CommandResult r) {
    if (mode == Mode.WSL && r.exitCode() == 127) {
      throw new BackendUnavailableException("nix not found in the WSL distribution '" + distro + "' ("
          + String.join(" ", r.stderrTail(3)) + "): install Nix there with flakes enabled (NixOS-WSL has it), pick "
          + "another distribution with hyperv.wslDistro or QUBIX_WSL_DISTRO, or set QUBIX_NIX to nix's path inside it");
    }
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
