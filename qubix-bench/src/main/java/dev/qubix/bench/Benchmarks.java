package dev.qubix.bench;

import dev.qubix.Appliance;
import dev.qubix.BuiltAppliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Endpoint;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.spi.X224Probe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole-operation benchmarks (1-4 of BENCHMARKS.md) on the tiny guest, each side by side with
 * what a user would otherwise run. Ratios are the claims. Run with qubix-bench/run.sh.
 */
public final class Benchmarks {
  private static final Map<String, String> NIX_ENV = Map.of("NIX_CONFIG", "substituters =\nexperimental-features = nix-command flakes");
  private final Path work;
  private final Path flake;
  private final Path nixLog;
  private final Path nixWrapper;
  private final List<String> table = new ArrayList<>();

  private Benchmarks(Path work) throws Exception {
    this.work = work;
    this.flake = work.resolve("tiny-flake");
    Harness.run(List.of("bash", Harness.repoRoot().resolve("testing/tiny-guest/make-tiny-flake.sh").toString(), flake.toString()), Map.of());
    // every nix process Qubix starts goes through this wrapper, which counts it
    this.nixLog = work.resolve("nix-calls.log");
    // named nix and put first on PATH for child processes, so a nix run by any other route counts too
    String realNix = Harness.run(List.of("sh", "-c", "command -v nix"), Map.of()).strip();
    this.nixWrapper = Files.createDirectories(work.resolve("counting-bin")).resolve("nix");
    Files.writeString(nixWrapper, "#!/bin/sh\necho \"$*\" >> '" + nixLog + "'\nexec '" + realNix + "' \"$@\"\n");
    Files.setPosixFilePermissions(nixWrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    System.setProperty("qubix.nix", nixWrapper.toString());
  }

  public static void main(String[] args) throws Exception {
    if (System.getenv("NIX_CONFIG") == null) {
      System.err.println("set NIX_CONFIG='substituters =' (qubix-bench/run.sh does)");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("qubix-bench");
    Benchmarks b = new Benchmarks(work);
    List<String> only = List.of(args);
    if (only.isEmpty() || only.contains("status")) {
      b.statusWithoutNix();
    }
    if (only.isEmpty() || only.contains("cli")) {
      b.cliStartup();
    }
    if (only.isEmpty() || only.contains("statcache")) {
      b.statusWithStatCache();
    }
    if (only.isEmpty() || only.contains("build")) {
      b.nixProcessesPerBuild();
    }
    if (only.isEmpty() || only.contains("recreate")) {
      b.recreateCostVsImageSize();
    }
    if (only.isEmpty() || only.contains("boot")) {
      b.bootToReadyOverhead();
    }
    if (only.isEmpty() || only.contains("homebackup")) {
      b.homeBackupCost();
    }
    if (only.isEmpty() || only.contains("nspawn")) {
      b.nspawnVsMicrovm();
    }
    System.out.println();
    b.table.forEach(System.out::println);
  }

  private long nixCalls() throws IOException {
    return Files.exists(nixLog) ? Files.readAllLines(nixLog).size() : 0;
  }

  private Appliance tiny(String machine, Path state) {
    return Qubix.appliance(machine).withFlake(flake).withBackend("microvm").withStateDir(state);
  }

  /**
   * 1. status with a valid manifest cache vs a nix evaluation of the manifest, which the original
   * controller runs for every command. Qubix is timed in-process (the library call) and as a
   * qubixctl process (JVM start included), against a running VM so status really asks QEMU.
   */
  void statusWithoutNix() throws Exception {
    Path state = work.resolve("state-status");
    tiny("tiny", state).build().recreate().connect(ConnectOptions.defaults().withoutClient());
    long before = nixCalls();
    List<Double> inProcess = Harness.time(20, () -> tiny("tiny", state).status().orElseThrow());
    // what the ./qubixctl launcher execs
    Path jar = Harness.repoRoot().resolve("qubix-examples/target/qubixctl.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it with mvn -B -q -DskipTests -pl qubix-bench -am package");
    }
    List<String> cli = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--flake", flake.toString(), "--backend", "microvm", "--state-dir", state.toString(), "status", "tiny"));
    List<Double> process = Harness.time(10, () -> Harness.run(cli, Map.of("QUBIX_NIX", nixWrapper.toString(),
        "PATH", nixWrapper.getParent() + ":" + System.getenv("PATH"))));
    long calls = nixCalls() - before;
    tiny("tiny", state).destroy(Purge.EVERYTHING);
    // the floor of any qubixctl process: JVM start, class loading, argument parsing
    List<String> help = new ArrayList<>(cli.subList(0, 3));
    help.add("--help");
    List<Double> floor = Harness.time(10, () -> Harness.run(help, Map.of()));
    List<String> eval = List.of("nix", "eval", "--raw", "path:" + flake + "#qubix-manifest-json.json");
    List<Double> nix = Harness.time(10, () -> Harness.run(eval, NIX_ENV));
    double ratio = Harness.median(nix) / Harness.median(inProcess);
    double cliRatio = Harness.median(nix) / Harness.median(process);
    Harness.write("status-without-nix", Harness.result("status runs no nix while the manifest cache is valid",
        "nixProcessesDuringStatus", calls, "statusRuns", inProcess.size() + process.size(),
        "apiStatusMedianMs", Harness.round(Harness.median(inProcess)),
        "qubixctlStatusMedianMs", Harness.round(Harness.median(process)),
        "qubixctlHelpMedianMs", Harness.round(Harness.median(floor)),
        "nixEvalMedianMs", Harness.round(Harness.median(nix)),
        "nixEvalVsApi", Harness.round(ratio), "nixEvalVsQubixctl", Harness.round(cliRatio),
        "qubixctlCommand", "java -jar qubix-examples/target/qubixctl.jar --flake F --backend microvm --state-dir S status tiny",
        "nixCommand", "nix eval --raw path:F#qubix-manifest-json.json"));
    table.add(String.format("1 status without nix      | %d nix processes in %d status calls; API %.1f ms, qubixctl process %.0f ms"
        + " (--help alone %.0f ms) | nix eval of the manifest %.0f ms | nix eval / API %.1fx, nix eval / qubixctl %.2fx",
        calls, inProcess.size() + process.size(), Harness.median(inProcess), Harness.median(process), Harness.median(floor),
        Harness.median(nix), ratio, cliRatio));
  }

  /**
   * 7. qubixctl's start-up through the ./qubixctl launcher (AppCDS archive, C1, serial GC) against
   * plain {@code java -jar} and {@code java -version}, in one run, medians of 7: warm status of a
   * running tiny guest and --version. The goal (issue 18): status <= 7x java -version, --version <= 4x.
   */
  void cliStartup() throws Exception {
    Path state = work.resolve("state-cli");
    tiny("tiny", state).build().recreate().connect(ConnectOptions.defaults().withoutClient());
    Path root = Harness.repoRoot();
    Path jar = root.resolve("qubix-examples/target/qubixctl.jar");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> args = List.of("--flake", flake.toString(), "--backend", "microvm", "--state-dir", state.toString(), "status", "tiny");
    Map<String, String> env = Map.of("JAVA", java);
    // the launcher's first run makes the archive; a status run, so it holds the status path's classes
    try (var old = Files.newDirectoryStream(jar.getParent(), "qubixctl-*.jsa")) {
      for (Path p : old) {
        Files.delete(p);
      }
    }
    List<String> launcherStatus = new ArrayList<>(List.of(root.resolve("qubixctl").toString()));
    launcherStatus.addAll(args);
    Harness.run(launcherStatus, env);
    List<String> plainStatus = new ArrayList<>(List.of(java, "-jar", jar.toString()));
    plainStatus.addAll(args);
    List<String> launcherVersion = List.of(root.resolve("qubixctl").toString(), "--version");
    List<String> plainVersion = List.of(java, "-jar", jar.toString(), "--version");
    List<String> javaVersion = List.of(java, "-version");
    int n = 7;
    List<Double> jv = Harness.time(n, () -> Harness.run(javaVersion, Map.of()));
    List<Double> ls = Harness.time(n, () -> Harness.run(launcherStatus, env));
    List<Double> ps = Harness.time(n, () -> Harness.run(plainStatus, Map.of()));
    List<Double> lv = Harness.time(n, () -> Harness.run(launcherVersion, env));
    List<Double> pv = Harness.time(n, () -> Harness.run(plainVersion, Map.of()));
    tiny("tiny", state).destroy(Purge.EVERYTHING);
    double base = Harness.median(jv);
    Harness.write("cli-startup", Harness.result("qubixctl starts from an AppCDS archive: warm status <= 7x java -version, --version <= 4x",
        "javaVersionMedianMs", Harness.round(base),
        "statusLauncherMedianMs", Harness.round(Harness.median(ls)), "statusPlainJarMedianMs", Harness.round(Harness.median(ps)),
        "versionLauncherMedianMs", Harness.round(Harness.median(lv)), "versionPlainJarMedianMs", Harness.round(Harness.median(pv)),
        "statusLauncherVsJavaVersion", Harness.round(Harness.median(ls) / base),
        "statusPlainJarVsJavaVersion", Harness.round(Harness.median(ps) / base),
        "versionLauncherVsJavaVersion", Harness.round(Harness.median(lv) / base),
        "versionPlainJarVsJavaVersion", Harness.round(Harness.median(pv) / base),
        "runs", n, "launcherCommand", "./qubixctl --flake F --backend microvm --state-dir S status tiny",
        "plainCommand", "java -jar qubix-examples/target/qubixctl.jar … status tiny"));
    table.add(String.format("7 qubixctl start-up       | java -version %.0f ms | status: launcher %.0f ms (%.1fx), java -jar %.0f ms (%.1fx)"
        + " | --version: launcher %.0f ms (%.1fx), java -jar %.0f ms (%.1fx)", base,
        Harness.median(ls), Harness.median(ls) / base, Harness.median(ps), Harness.median(ps) / base,
        Harness.median(lv), Harness.median(lv) / base, Harness.median(pv), Harness.median(pv) / base));
  }

  /**
   * 6. warm status on a flake with 100 MB of files: the manifest cache key from the stat cache (only
   * stats read) vs the full hash every earlier status computed (every byte read), and the whole
   * Appliance.status() call with the stat cache.
   */
  void statusWithStatCache() throws Exception {
    Path big = work.resolve("big-flake");
    try (var all = Files.walk(flake)) {
      for (Path p : all.toList()) {
        Path t = big.resolve(flake.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.createLink(t, p);
        }
      }
    }
    long tiny = Harness.bytesUnder(big);
    java.util.Random random = new java.util.Random(42);
    byte[] mib = new byte[1 << 20];
    Path data = Files.createDirectories(big.resolve("data"));
    long target = 100L << 20;
    for (int i = 0; Harness.bytesUnder(big) < target; i++) {
      random.nextBytes(mib);
      Files.write(data.resolve("blob-" + i + ".bin"), mib);
    }
    long bytes = Harness.bytesUnder(big);
    java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(60));
    try (var all = Files.walk(big)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, old);   // older than the racy window, as a flake is between two commands
      }
    }
    Path state = work.resolve("state-statcache");
    Appliance a = Qubix.appliance("tiny").withFlake(big).withBackend("microvm").withStateDir(state);
    a.manifest();                                   // cold: nix once, stat cache written
    long before = nixCalls();
    List<Double> status = Harness.time(20, () -> a.status());
    long calls = nixCalls() - before;
    List<Double> full = Harness.time(10, () -> dev.qubix.nix.internal.FlakeHash.of(big));
    dev.qubix.nix.internal.FlakeHash cached = dev.qubix.nix.internal.FlakeHash.cachedIn(state.resolve("cache"));
    List<Double> warm = Harness.time(20, () -> cached.key(big));
    double ratio = Harness.median(full) / Harness.median(warm);
    double before100 = Harness.median(status) - Harness.median(warm) + Harness.median(full);
    Harness.write("status-stat-cache", Harness.result("warm status re-reads no flake file whose stat is unchanged",
        "flakeBytes", bytes, "tinyFlakeBytes", tiny, "nixProcessesDuringStatus", calls,
        "statusMedianMs", Harness.round(Harness.median(status)),
        "fullHashMedianMs", Harness.round(Harness.median(full)),
        "statCacheKeyMedianMs", Harness.round(Harness.median(warm)),
        "fullHashVsStatCache", Harness.round(ratio),
        "statusWithFullHashMs", Harness.round(before100),
        "statusSpeedup", Harness.round(before100 / Harness.median(status)),
        "command", "qubix-bench/run.sh statcache"));
    table.add(String.format("6 status, 100 MB flake    | status %.1f ms, %d nix processes | manifest key: full hash %.0f ms vs stat cache"
        + " %.1f ms (%.0fx) | status with the full hash would be %.0f ms (%.1fx slower)",
        Harness.median(status), calls, Harness.median(full), Harness.median(warm), ratio, before100,
        before100 / Harness.median(status)));
  }

  /** 3. nix processes per build: cold vs warm cache, vs the original controller's three nix runs. */
  void nixProcessesPerBuild() throws Exception {
    List<Double> cold = new ArrayList<>();
    List<Long> coldCalls = new ArrayList<>();
    List<Double> warm = new ArrayList<>();
    List<Long> warmCalls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Path state = work.resolve("state-build-" + i);
      long c0 = nixCalls();
      cold.addAll(Harness.time(1, () -> tiny("tiny", state).build()));
      coldCalls.add(nixCalls() - c0);
      long w0 = nixCalls();
      warm.addAll(Harness.time(1, () -> tiny("tiny", state).build()));
      warmCalls.add(nixCalls() - w0);
    }
    String ref = "path:" + flake;
    List<Double> original = Harness.time(5, () -> {
      Harness.run(List.of("nix", "build", "--no-link", ref + "#tiny-direct"), NIX_ENV);
      // the original's `nix build --print-out-paths` (absent from Nix 2.8): the same work with --json
      Harness.run(List.of("nix", "build", "--no-link", "--json", ref + "#tiny-direct"), NIX_ENV);
      Harness.run(List.of("nix", "build", "--no-link", "--json", ref + "#qubix-manifest-json"), NIX_ENV);
    });
    Harness.write("nix-processes-per-build", Harness.result("one nix process per warm build, two cold",
        "coldNixProcesses", coldCalls, "coldMedianMs", Harness.round(Harness.median(cold)),
        "warmNixProcesses", warmCalls, "warmMedianMs", Harness.round(Harness.median(warm)),
        "originalNixProcesses", 3, "originalMedianMs", Harness.round(Harness.median(original)),
        "warmVsOriginal", Harness.round(Harness.median(original) / Harness.median(warm))));
    table.add(String.format("3 nix processes per build | cold %d (%.0f ms), warm %d (%.0f ms) | original 3 (%.0f ms) | warm %.1fx faster",
        coldCalls.get(0), Harness.median(cold), warmCalls.get(0), Harness.median(warm), Harness.median(original),
        Harness.median(original) / Harness.median(warm)));
  }

  /** 2. microvm recreate with a 64 MiB and a 4 GiB (sparse) base image, vs copying the image. */
  void recreateCostVsImageSize() throws Exception {
    Harness.run(List.of("nix", "build", "--no-link", "path:" + flake + "#tiny-qcow2"), NIX_ENV);
    String store = Harness.run(List.of("nix", "eval", "--raw", "path:" + flake + "#tiny-qcow2.outPath"), NIX_ENV).strip();
    Map<String, Object> res = new LinkedHashMap<>();
    Map<String, Double> recreate = new LinkedHashMap<>();
    Map<String, Double> copy = new LinkedHashMap<>();
    for (String size : List.of("64M", "4G")) {
      Path raw = work.resolve("base-" + size + ".img");
      Harness.run(List.of("qemu-img", "convert", "-O", "raw", store + "/tiny.qcow2", raw.toString()), Map.of());
      Harness.run(List.of("truncate", "-s", size, raw.toString()), Map.of());
      Path manifest = work.resolve("m-" + size + ".json");
      Files.writeString(manifest, """
          {"schemaVersion": 3, "machines": {"tiny-disk": {"hostName": "tiny-disk", "vmName": "qubix-tiny-disk",
            "cpuCount": 1, "memoryStartupBytes": 268435456, "maxMemoryBytes": 268435456, "network": {"mode": "dhcp"},
            "homeDisk": {"enable": true, "sizeMiB": 64}, "rdp": {"user": "rdp"},
            "images": {"microvm": {"package": "tiny-disk", "format": "raw", "path": "%s"}}}}}
          """.formatted(raw));
      Path state = work.resolve("state-size-" + size);
      BuiltAppliance built = Qubix.appliance("tiny-disk").withManifest(manifest).withBackend("microvm").withStateDir(state).build();
      built.recreate().connect(ConnectOptions.defaults().withoutClient());
      List<Double> times = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        // timed: the recreate of a ready VM; untimed: waiting for the guest, so the next
        // recreate's ACPI shutdown finds a guest that listens for it
        times.addAll(Harness.time(1, built::recreate));
        built.appliance().instance().orElseThrow().connect(ConnectOptions.defaults().withoutClient());
      }
      recreate.put(size, Harness.median(times));
      built.appliance().destroy(Purge.EVERYTHING);
      Path target = work.resolve("copy-" + size + ".img");
      List<Double> cp = Harness.time(3, () -> {
        Harness.run(List.of("cp", "--sparse=never", raw.toString(), target.toString()), Map.of());
        Files.delete(target);
      });
      copy.put(size, Harness.median(cp));
      Files.delete(raw);
    }
    double ratio = recreate.get("4G") / recreate.get("64M");
    double cpRatio = copy.get("4G") / copy.get("64M");
    res.put("recreateMedianMs", recreate);
    res.put("recreateRatio4GVs64M", Harness.round(ratio));
    res.put("copyMedianMs", copy);
    res.put("copyRatio4GVs64M", Harness.round(cpRatio));
    Map<String, Object> r = Harness.result("recreate cost does not grow with the image (claim: ratio <= 1.2)");
    r.putAll(res);
    Harness.write("recreate-vs-image-size", r);
    table.add(String.format("2 recreate vs image size  | 64 MiB %.0f ms, 4 GiB %.0f ms: ratio %.2f | cp: %.0f ms vs %.0f ms: ratio %.1f",
        recreate.get("64M"), recreate.get("4G"), ratio, copy.get("64M"), copy.get("4G"), cpRatio));
  }

  /**
   * 8. A backup of a 1 GiB home disk holding little (the tiny guest's ext2 and its boot counter)
   * costs its used blocks, not its virtual size: Qubix's backup of the stopped VM (qemu-img convert)
   * and of the running VM (QEMU's blockdev-backup), against cp of the qcow2 file (exactly the used
   * blocks) and a copy of the whole 1 GiB disk (qemu-img convert -O raw -S 0, what dd would write).
   */
  void homeBackupCost() throws Exception {
    Path state = work.resolve("state-home-backup");
    Appliance a = tiny("tiny", state).withOverrides("{\"homeDisk\":{\"sizeMiB\":1024}}");
    a.up().connect(ConnectOptions.defaults().withoutClient());   // the first boot formats the 1 GiB home
    Path home = state.resolve("qubix-tiny/home.qcow2");
    int[] n = {0};
    List<Double> live = Harness.time(5, () -> a.home().backup("live-" + n[0]++));
    a.instance().orElseThrow().stop();
    List<Double> stopped = Harness.time(5, () -> a.home().backup("stopped-" + n[0]++));
    long backupBytes = Files.size(state.resolve("qubix-tiny/backups/stopped-5.qcow2"));
    Path target = work.resolve("copy.img");
    List<Double> cp = Harness.time(5, () -> {
      Harness.run(List.of("cp", home.toString(), target.toString()), Map.of());
      Files.delete(target);
    });
    List<Double> whole = Harness.time(3, () -> {
      Harness.run(List.of("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", "-S", "0", home.toString(), target.toString()),
          Map.of());
      Files.delete(target);
    });
    long homeBytes = Files.size(home);
    a.destroy(Purge.EVERYTHING);
    double vsUsed = Harness.median(stopped) / Harness.median(cp);
    double vsWhole = Harness.median(whole) / Harness.median(stopped);
    Harness.write("home-backup-cost", Harness.result("a backup of a 1 GiB home with little data costs its used blocks, "
            + "not the disk's virtual size",
        "homeVirtualMiB", 1024, "homeFileBytes", homeBytes, "backupFileBytes", backupBytes,
        "backupStoppedMedianMs", Harness.round(Harness.median(stopped)), "backupRunningMedianMs", Harness.round(Harness.median(live)),
        "cpOfTheQcow2MedianMs", Harness.round(Harness.median(cp)), "wholeDiskCopyMedianMs", Harness.round(Harness.median(whole)),
        "backupVsCpOfUsedBlocks", Harness.round(vsUsed), "wholeDiskCopyVsBackup", Harness.round(vsWhole),
        "backupCommand", "Appliance.home().backup(name) (qubixctl home backup --name NAME tiny)",
        "wholeCopyCommand", "qemu-img convert -f qcow2 -O raw -S 0 home.qcow2 copy.img"));
    table.add(String.format("9 home backup, 1 GiB home | stopped %.0f ms, running %.0f ms (%d MiB file of a %d MiB qcow2) | "
            + "cp of the qcow2 %.0f ms; whole 1 GiB copy %.0f ms | backup / cp %.2f; whole copy / backup %.1fx",
        Harness.median(stopped), Harness.median(live), backupBytes >> 20, homeBytes >> 20, Harness.median(cp),
        Harness.median(whole), vsUsed, vsWhole));
  }

  /** 4. boot-to-ready of the tiny guest through Qubix vs the same qemu command by hand. */
  void bootToReadyOverhead() throws Exception {
    Path state = work.resolve("state-boot");
    BuiltAppliance built = tiny("tiny", state).build();
    built.recreate().connect(ConnectOptions.defaults().withoutClient());   // first boot formats the home disk
    String qubixQemu = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains("qemu-system") && c.contains(state.toString())).findFirst().orElse("?");
    List<Double> qubix = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // boot-to-ready only: the old VM is stopped first, untimed, as the by-hand run has none to stop
      built.appliance().instance().orElseThrow().stop();
      qubix.addAll(Harness.time(1, () -> built.recreate().connect(ConnectOptions.defaults().withoutClient())));
    }
    built.appliance().destroy(Purge.EVERYTHING);

    Path direct = built.images().get("microvm").file();
    Path home = work.resolve("home-by-hand.qcow2");
    Harness.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", home.toString(), "64M"), Map.of());
    bootByHand(direct, home);   // formats the home disk, like Qubix's first boot above
    List<Double> byHand = Harness.time(5, () -> bootByHand(direct, home));
    double ratio = Harness.median(qubix) / Harness.median(byHand);
    Harness.write("boot-to-ready", Harness.result("Qubix adds little to a plain qemu boot (claim: ratio <= 1.10)",
        "qubixMedianMs", Harness.round(Harness.median(qubix)), "byHandMedianMs", Harness.round(Harness.median(byHand)),
        "ratio", Harness.round(ratio), "qubixRunsMs", qubix, "byHandRunsMs", byHand,
        "qubixQemuCommand", qubixQemu.replace(work.toString(), "<work>"),
        "byHandCommand", "testing/tiny-guest/boot-by-hand.sh <tiny-direct> <home.qcow2> <port> <serial.log>"));
    table.add(String.format("4 boot-to-ready           | Qubix recreate+connect %.0f ms | qemu by hand %.0f ms | ratio %.2f",
        Harness.median(qubix), Harness.median(byHand), ratio));
  }

  /**
   * 8. The same tiny guest (busybox init that counts boots in /home and answers X.224) as a microvm
   * (kernel + initrd under QEMU) and as an nspawn container (a busybox rootfs): boot-to-ready
   * (recreate + connect of a stopped instance) and the cost of a recreate of a ready one.
   */
  void nspawnVsMicrovm() throws Exception {
    Path containerFlake = dev.qubix.testing.TinyContainer.flake(work.resolve("tiny-container-flake"));
    BuiltAppliance vm = tiny("tiny", work.resolve("state-vm")).build();
    BuiltAppliance container = dev.qubix.testing.TinyContainer.appliance(containerFlake, work.resolve("state-ct")).build();
    Map<String, Object> res = new LinkedHashMap<>();
    Map<String, Double> boot = new LinkedHashMap<>();
    Map<String, Double> recreate = new LinkedHashMap<>();
    Map<String, BuiltAppliance> both = new LinkedHashMap<>();
    both.put("microvm", vm);
    both.put("nspawn", container);
    for (Map.Entry<String, BuiltAppliance> e : both.entrySet()) {
      BuiltAppliance built = e.getValue();
      built.recreate().connect(ConnectOptions.defaults().withoutClient());   // the first boot makes the home
      List<Double> boots = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        built.appliance().instance().orElseThrow().stop();   // untimed: boot-to-ready only
        boots.addAll(Harness.time(1, () -> built.recreate().connect(ConnectOptions.defaults().withoutClient())));
      }
      List<Double> recreates = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        // timed: the recreate of a ready instance (its stop included); untimed: waiting for the guest
        recreates.addAll(Harness.time(1, built::recreate));
        built.appliance().instance().orElseThrow().connect(ConnectOptions.defaults().withoutClient());
      }
      built.appliance().destroy(Purge.EVERYTHING);
      boot.put(e.getKey(), Harness.median(boots));
      recreate.put(e.getKey(), Harness.median(recreates));
      res.put(e.getKey() + "BootRunsMs", boots);
      res.put(e.getKey() + "RecreateRunsMs", recreates);
    }
    double bootRatio = boot.get("microvm") / boot.get("nspawn");
    double recreateRatio = recreate.get("microvm") / recreate.get("nspawn");
    Map<String, Object> r = Harness.result("nspawn boots the same tiny guest an order of magnitude faster than microvm",
        "bootToReadyMedianMs", boot, "recreateMedianMs", recreate,
        "bootRatioMicrovmVsNspawn", Harness.round(bootRatio), "recreateRatioMicrovmVsNspawn", Harness.round(recreateRatio),
        "command", "qubix-bench/run.sh nspawn");
    r.putAll(res);
    Harness.write("nspawn-vs-microvm", r);
    table.add(String.format("10 nspawn vs microvm      | boot-to-ready nspawn %.0f ms, microvm %.0f ms: ratio %.1f | recreate nspawn %.0f ms, microvm %.0f ms: ratio %.1f",
        boot.get("nspawn"), boot.get("microvm"), bootRatio, recreate.get("nspawn"), recreate.get("microvm"), recreateRatio));
  }

  /** Starts boot-by-hand.sh, waits for X.224, then stops QEMU. */
  private void bootByHand(Path direct, Path home) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process qemu = new ProcessBuilder("bash", Harness.repoRoot().resolve("testing/tiny-guest/boot-by-hand.sh").toString(),
        direct.toString(), home.toString(), Integer.toString(port), work.resolve("by-hand-serial.log").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      X224Probe.awaitReady(new Endpoint("127.0.0.1", port), Duration.ofMinutes(2), e -> { });
    } finally {
      qemu.destroy();   // SIGTERM: QEMU exits at once
      qemu.waitFor();
    }
  }
}
