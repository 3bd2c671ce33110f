package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.Plan;
import dev.qubix.QubixException;
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

/**
 * Runs the static scripts: one {@code powershell.exe} process per operation, parameters as one
 * base64(JSON) argument. The scripts are copied from the jar to {@code <stateDir>/hyperv/scripts/<hash>/}
 * (UTF-8 with BOM: PowerShell 5.1 reads BOM-less files as ANSI) and reused while unchanged.
 */
public final class PowerShell {
  /** Every script the product can run. */
  public static final List<String> SCRIPTS = List.of("qubix.psm1", "state.ps1", "recreate.ps1", "power.ps1",
      "destroy.ps1", "gc.ps1");
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

  /** Windows PowerShell 5.1 ships the Hyper-V module; pwsh has had breakages with it. Override: QUBIX_POWERSHELL. */
  String executable() {
    return host.getenv("QUBIX_POWERSHELL").orElse("powershell.exe");
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
    StepReporter reporter = new StepReporter(listener, plan, script);
    CommandResult r = runner.run(Command.of(argv(script, params)).withTimeout(timeout).allowingFailure()
        .onStdout(reporter::line));
    try {
      return HyperVProtocol.outcome(script, r.exitCode(), r.stdoutLines());
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
      this.total = plan == null ? -1 : (int) plan.steps().stream().filter(s -> !s.id().endsWith("-cached")
          && !s.id().endsWith("-kept")).count();
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

  /** Where the script is, as powershell.exe (a Windows program, also when called from WSL) opens it. */
  String scriptPathForPowerShell(String script) {
    Path p = installed().resolve(script);
    if (host.os() == HostInfo.Os.LINUX && host.wsl()) {
      String distro = host.getenv("WSL_DISTRO_NAME").orElse(WslPaths.DEFAULT_DISTRO);
      return WslPaths.toWindows(distro, p.toAbsolutePath().toString());
    }
    return p.toAbsolutePath().toString();
  }

  /**
   * Copies the scripts out of the jar once per content version. They are written to a private
   * folder first and moved into place in one step, so a second Qubix process never runs a
   * half-written script; the scripts are ASCII, so the BOM is only there for PowerShell 5.1.
   */
  Path installed() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Map<String, byte[]> contents = new LinkedHashMap<>();
      for (String name : SCRIPTS) {
        byte[] b = resource(name);
        contents.put(name, b);
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update(b);
      }
      Path scripts = stateDir.resolve("hyperv").resolve("scripts");
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
