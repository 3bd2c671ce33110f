package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
      "destroy.ps1", "gc.ps1", "probe.ps1");
  private static final ObjectMapper JSON = new ObjectMapper();
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
    return List.of(executable(), "-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
        "-File", scriptPathForPowerShell(script), "-Params", encode(params));
  }

  public static String encode(Map<String, Object> params) {
    try {
      return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(params));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a script and returns its result object; steps become progress events. */
  public JsonNode run(String script, Map<String, Object> params) {
    Map<String, Integer> index = new LinkedHashMap<>();
    CommandResult r = runner.run(Command.of(argv(script, params)).withTimeout(timeout).allowingFailure()
        .onStdout(line -> report(line, index)));
    return HyperVProtocol.outcome(script, r.exitCode(), r.stdoutLines());
  }

  private void report(String line, Map<String, Integer> index) {
    HyperVProtocol.Line l = HyperVProtocol.parseLine(line);
    if (l.kind() == HyperVProtocol.Kind.STEP) {
      String id = l.data().path("id").asText();
      if ("start".equals(l.data().path("phase").asText())) {
        index.putIfAbsent(id, index.size() + 1);
        ProgressListener.safely(listener, new ProgressEvent.StepStarted(id, l.data().path("message").asText(id), index.get(id), -1));
      } else {
        ProgressListener.safely(listener, new ProgressEvent.StepFinished(id, Duration.ZERO, true));
      }
    } else if (l.kind() == HyperVProtocol.Kind.BYTES) {
      ProgressListener.safely(listener, new ProgressEvent.BytesCopied(l.data().path("what").asText(),
          l.data().path("done").asLong(), l.data().path("total").asLong(-1)));
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

  /** Copies the scripts out of the jar once per content version. */
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
      Path dir = stateDir.resolve("hyperv").resolve("scripts").resolve(HexFormat.of().formatHex(sha.digest()).substring(0, 16));
      if (!Files.isRegularFile(dir.resolve(".complete"))) {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : contents.entrySet()) {
          byte[] body = e.getValue();
          boolean hasBom = body.length >= 3 && body[0] == BOM[0] && body[1] == BOM[1] && body[2] == BOM[2];
          byte[] out = hasBom ? body : concat(BOM, body);
          Files.write(dir.resolve(e.getKey()), out);
        }
        Files.writeString(dir.resolve(".complete"), "");
      }
      return dir;
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new QubixException("cannot install the Hyper-V scripts under " + stateDir + ": " + e.getMessage(), e);
    }
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
