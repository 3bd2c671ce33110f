package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.Plan;
import dev.qubix.QubixException;
import dev.qubix.Step;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.WslPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the static scripts: one {@code powershell.exe} process per operation, parameters as one
 * base64(JSON) argument. The scripts are copied from the jar to
 * {@code %LOCALAPPDATA%\Qubix\scripts\<hash>\} (UTF-8 with BOM: PowerShell 5.1 reads BOM-less files as
 * ANSI) and reused while unchanged. Never from a UNC path such as {@code \\wsl.localhost\…}: those count
 * as remote, and a Group Policy RemoteSigned/AllSigned policy overrides {@code -ExecutionPolicy Bypass}.
 */
public final class PowerShell {
  /** Every script the product can run. */
  public static final List<String> SCRIPTS = List.of("qubix.psm1", "state.ps1", "recreate.ps1", "power.ps1",
      "destroy.ps1", "gc.ps1", "home.ps1");
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_PARAMS = 30_000;
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final CommandRunner runner;
  private final ProgressListener listener;
  private final Path stateDir;
  private final HostInfo host;
  private final Duration timeout;

  public PowerShell(CommandRunner runner, ProgressListener listener, Path stateDir, HostInfo host, Duration timeout) {
    this.runner = runner;
    this.listener = listener;
    this.stateDir = stateDir;
    this.host = host;
    this.timeout = timeout;
  }

  /** How long a script that only reads (state.ps1) may take: status must answer in seconds. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Windows PowerShell 5.1 ships the Hyper-V module; pwsh has had breakages with it. Override:
   * QUBIX_POWERSHELL. On Windows by full path, not from PATH: a 32-bit JVM is redirected from System32
   * to SysWOW64, whose PowerShell has no Hyper-V module; Sysnative is the 64-bit System32 seen from a
   * 32-bit process (learn.microsoft.com, "File System Redirector"). From WSL, interop starts the
   * 64-bit powershell.exe on the Windows PATH.
   */
  String executable() {
    Optional<String> override = host.getenv("QUBIX_POWERSHELL");
    if (override.isPresent() || host.os() != HostInfo.Os.WINDOWS) {
      return override.orElse("powershell.exe");
    }
    String root = host.getenv("SystemRoot").orElse("C:\\Windows");
    boolean wow64 = host.getenv("PROCESSOR_ARCHITEW6432").isPresent();
    return root + (wow64 ? "\\Sysnative" : "\\System32") + "\\WindowsPowerShell\\v1.0\\powershell.exe";
  }

  /** The argument vector for one run: no value of {@code params} appears in it except inside the base64. */
  public List<String> argv(String script, Map<String, Object> params) {
    String encoded = encode(params);
    if (encoded.length() > MAX_PARAMS) {
      // Windows cuts a command line at 32 767 characters; a cut base64 would fail far less clearly
      throw new QubixException("the parameters of " + script + " are " + encoded.length() + " characters of base64, more "
          + "than a Windows command line holds: shorten the paths in the manifest");
    }
    return List.of(executable(), "-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
        "-File", scriptPathForPowerShell(script), "-Params", encoded);
  }

  public static String encode(Map<String, Object> params) {
    try {
      return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(params));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a script and returns its result object; its step lines become progress events. */
  public JsonNode run(String script, Map<String, Object> params) {
    return run(script, params, null);
  }

  /**
   * Runs a script that performs {@code plan}'s steps: events carry the plan's descriptions, index
   * and total, and a failing step is reported as finished unsuccessfully before the error is thrown.
   */
  public JsonNode run(String script, Map<String, Object> params, Plan plan) {
    return run(script, params, plan, null);
  }

  /**
   * As {@link #run(String, Map, Plan)}, with {@code secret} as the one line the script reads on its
   * stdin ({@code params} say {@code "rdpSecret": "stdin"}). stdin is neither an argument nor in
   * the environment, and the runner logs neither it nor anything else it writes to a process.
   */
  public JsonNode run(String script, Map<String, Object> params, Plan plan, String secret) {
    StepReporter reporter = new StepReporter(listener, plan, script);
    Duration limit = script.equals(HyperVPlanner.STATE_SCRIPT) && timeout.compareTo(READ_TIMEOUT) > 0 ? READ_TIMEOUT : timeout;
    try {
      Command command = Command.of(argv(script, params)).withTimeout(limit).allowingFailure().onStdout(reporter::line);
      // a runner timeout is an exception too: the open step is reported as failed either way
      CommandResult r = runner.run(secret == null ? command : command.withStdin(secret + "\n"));
      return HyperVProtocol.outcome(script, r.exitCode(), r.stdoutLines(), r.stderr());
    } catch (RuntimeException e) {
      reporter.failOpenStep();
      throw e;
    }
  }

  /** Turns protocol lines into events as they arrive (the runner already logs every line at debug level). */
  static final class StepReporter {
    private final ProgressListener listener;
    private final Map<String, String> descriptions = new LinkedHashMap<>();
    private final String source;
    private final int total;
    private int index;
    private String open;
    private long openSince;

    StepReporter(ProgressListener listener, Plan plan, String source) {
      this.listener = listener;
      this.source = source;
      if (plan != null) {
        plan.steps().forEach(s -> descriptions.put(s.id(), s.description()));
      }
      this.total = plan == null ? -1 : counted(plan).size();
    }

    /**
     * The steps that report progress: the script's and Java's own (forget-secret), in plan order.
     * Informational steps (cached, kept, keep-…) are never emitted: they do not count.
     */
    static List<String> counted(Plan plan) {
      return plan.steps().stream().map(dev.qubix.Step::id).filter(id -> !id.endsWith("-cached")
          && !id.endsWith("-kept") && !id.startsWith("keep-")).toList();
    }

    void line(String raw) {
      HyperVProtocol.Line l = HyperVProtocol.parseLine(raw);
      switch (l.kind()) {
        case STEP -> step(l.data().path("id").asText(), l.data().path("phase").asText(), l.data().path("message").asText(""));
        case BYTES -> emit(new ProgressEvent.BytesCopied(l.data().path("what").asText(), l.data().path("done").asLong(),
            l.data().path("total").asLong(-1)));
        case RESULT, ERROR, NOISE -> { }
      }
    }

    private void step(String id, String phase, String message) {
      if (phase.equals("start")) {
        open = id;
        openSince = System.nanoTime();
        emit(new ProgressEvent.StepStarted(id, descriptions.getOrDefault(id, id), ++index, total));
        return;
      }
      if (phase.equals("skip")) {
        emit(new ProgressEvent.Log(ProgressEvent.Log.Level.INFO, source, id + ": nothing to do, " + message));
      }
      emit(new ProgressEvent.StepFinished(id, Duration.ofNanos(System.nanoTime() - openSince), true));
      open = null;
    }

    void failOpenStep() {
      if (open != null) {
        emit(new ProgressEvent.StepFinished(open, Duration.ofNanos(System.nanoTime() - openSince), false));
        open = null;
      }
    }

    private void emit(ProgressEvent e) {
      ProgressListener.safely(listener, e);
    }
  }

  /**
   * Performs a step of {@code plan} that Java does itself (after the script), with the same events
   * a script step gets, numbered in the plan's order.
   */
  public void javaStep(Plan plan, String id, Runnable action) {
    Step step = plan.steps().stream().filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no step " + id + " in " + plan));
    List<String> counted = StepReporter.counted(plan);
    ProgressListener.safely(listener, new ProgressEvent.StepStarted(id, step.description(), counted.indexOf(id) + 1, counted.size()));
    long start = System.nanoTime();
    boolean ok = false;
    try {
      action.run();
      ok = true;
    } finally {
      ProgressListener.safely(listener, new ProgressEvent.StepFinished(id, Duration.ofNanos(System.nanoTime() - start), ok));
    }
  }

  /** Where the script is, as powershell.exe (a Windows program, also when called from WSL) opens it. */
  String scriptPathForPowerShell(String script) {
    ScriptsFolder folder = scriptsFolder();
    Path p = installed(folder).resolve(script);
    return folder.windows() + "\\" + p.getParent().getFileName() + "\\" + script;
  }

  /** Where the scripts live, as this JVM writes them and as powershell.exe opens them. */
  record ScriptsFolder(Path local, String windows) {}

  /**
   * {@code %LOCALAPPDATA%\Qubix\scripts} ({@link WindowsLocalAppData}). From WSL, its drive is
   * reached under QUBIX_WSL_MOUNT_ROOT (default /mnt, wsl.conf's automount root). Only when Windows'
   * LOCALAPPDATA cannot be found: the state directory, which Windows reaches over \\wsl.localhost
   * (a Group Policy execution policy may refuse that; the error then says so).
   */
  ScriptsFolder scriptsFolder() {
    String mountRoot = host.getenv("QUBIX_WSL_MOUNT_ROOT").orElse("/mnt").replaceAll("/+$", "");
    Optional<String> lad = WindowsLocalAppData.find(host, runner, stateDir, mountRoot);
    if (lad.isPresent() && (host.os() == HostInfo.Os.WINDOWS || (host.os() == HostInfo.Os.LINUX && host.wsl()))) {
      String win = lad.get().replaceAll("\\\\+$", "") + "\\Qubix\\scripts";
      if (host.os() == HostInfo.Os.WINDOWS) {
        return new ScriptsFolder(Path.of(win), win);
      }
      String rest = win.substring(3).replace('\\', '/');
      return new ScriptsFolder(Path.of(mountRoot + "/" + Character.toLowerCase(win.charAt(0)) + "/" + rest), win);
    }
    Path local = stateDir.resolve("hyperv").resolve("scripts").toAbsolutePath();
    if (host.os() == HostInfo.Os.LINUX && host.wsl()) {
      String distro = host.getenv("WSL_DISTRO_NAME").orElse(WslPaths.DEFAULT_DISTRO);
      return new ScriptsFolder(local, WslPaths.toWindows(distro, local.toString()));
    }
    return new ScriptsFolder(local, local.toString());
  }

  /**
   * Copies the scripts out of the jar once per content version. They are written to a private
   * folder first and moved into place in one step, so a second Qubix process never runs a
   * half-written script; the scripts are ASCII, so the BOM is only there for PowerShell 5.1.
   */
  Path installed(ScriptsFolder folder) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Map<String, byte[]> contents = new LinkedHashMap<>();
      for (String name : SCRIPTS) {
        byte[] b = resource(name);
        contents.put(name, b);
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update(b);
      }
      Path scripts = folder.local();
      Path dir = scripts.resolve(HexFormat.of().formatHex(sha.digest()).substring(0, 16));
      if (Files.isDirectory(dir)) {
        return dir;
      }
      Files.createDirectories(scripts);
      Path staging = Files.createTempDirectory(scripts, ".staging-");
      for (Map.Entry<String, byte[]> e : contents.entrySet()) {
        Files.write(staging.resolve(e.getKey()), concat(BOM, e.getValue()));
      }
      try {
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        if (!Files.isDirectory(dir)) {
          throw raced;
        }
        deleteStaging(staging, contents.keySet());   // another process installed the same version first
      }
      return dir;
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new QubixException("cannot install the Hyper-V scripts under " + stateDir + ": " + e.getMessage(), e);
    }
  }

  private static void deleteStaging(Path staging, Iterable<String> names) throws IOException {
    for (String name : names) {
      Files.deleteIfExists(staging.resolve(name));
    }
    Files.deleteIfExists(staging);
  }

  public static byte[] resource(String name) throws IOException {
    try (InputStream in = PowerShell.class.getResourceAsStream("/dev/qubix/hyperv/" + name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return in.readAllBytes();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
