package dev.qubix.examples.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code qubixctl.cmd} needs to run this very command again, elevated, after it exited with
 * {@link QubixCtl#ELEVATION_REQUIRED}: written into the folder the launcher names in
 * {@code QUBIX_ELEVATE_DIR} (under the user's %TEMP%).
 *
 * <p>Why Java writes it and not the batch file: this JVM holds the arguments exactly as they arrived,
 * while cmd.exe can only re-read {@code %*} through its own parser ({@code & ^ % ! ( )} and quotes).
 * Why files and not the environment: Windows does not pass the caller's environment through a UAC
 * prompt, and a process started with {@code -Verb RunAs} gets one command-line string, which would
 * mean quoting every argument for a second parser. So no argument is ever put into a command line:
 * <ul>
 *   <li>{@code java.args} is a JDK launcher argument file ({@code java @file}, JDK 9+): this JVM's
 *       options, class path, main class and arguments, each in double quotes with {@code \} and
 *       {@code "} escaped, in the charset the launcher reads it with (sun.jnu.encoding, Windows' ANSI
 *       code page — the one the first run's arguments came through, so whatever arrived can go
 *       again; anything else is refused);</li>
 *   <li>{@code elevated.b64} is the elevated PowerShell's {@code -EncodedCommand}: a fixed script in
 *       which every value (folder, java.exe, working directory, QUBIX_* variables) is a base64
 *       literal, never code, and which checks the argument file's SHA-256 before it runs java.</li>
 * </ul>
 */
public final class ElevatedRelaunch {
  /** The environment variable qubixctl.cmd sets when it may ask for elevation. */
  public static final String DIR_VARIABLE = "QUBIX_ELEVATE_DIR";
  static final String ARGFILE = "java.args";
  static final String ENCODED_COMMAND = "elevated.b64";

  /** Everything the elevated run needs; {@code env} holds only what should be carried over. */
  public record Launch(Path java, List<String> jvmOptions, String classPath, String mainClass, List<String> args,
      Path workingDir, Map<String, String> env, Charset argfileCharset) {
    public Launch {
      jvmOptions = List.copyOf(jvmOptions);
      args = List.copyOf(args);
      env = Map.copyOf(env);
    }
  }

  private ElevatedRelaunch() {}

  /** This JVM's own launch: the command qubixctl.cmd started, with the QUBIX_* variables it saw. */
  public static Launch current(String[] args) {
    Path javaExe = ProcessHandle.current().info().command().map(Path::of)
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java.exe"));
    List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
    String classPath = classPathAbsolute(System.getProperty("java.class.path"));
    Map<String, String> env = new TreeMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.toUpperCase(Locale.ROOT).startsWith("QUBIX_") && !k.equalsIgnoreCase(DIR_VARIABLE)) {
        env.put(k, v);
      }
    });
    String jnu = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
    return new Launch(javaExe, jvm, classPath, QubixCtl.class.getName(), List.of(args), Path.of("").toAbsolutePath(),
        env, Charset.forName(jnu));
  }

  /** The elevated process starts elsewhere (System32): a relative class path would not be found. */
  private static String classPathAbsolute(String cp) {
    List<String> parts = new ArrayList<>();
    for (String p : cp.split(java.io.File.pathSeparator)) {
      parts.add(p.isEmpty() ? p : Path.of(p).toAbsolutePath().toString());
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  /**
   * Writes {@code java.args} and {@code elevated.b64} into {@code dir}, which must not exist yet
   * (a folder someone else made is not trusted). Checks every argument first: on a refusal nothing
   * is written.
   */
  public static void write(Path dir, Launch launch) throws IOException {
    byte[] argfile = argfile(launch);
    String script = elevatedScript(dir, launch, sha256(argfile));
    Files.createDirectory(dir);
    Files.write(dir.resolve(ARGFILE), argfile);
    Files.writeString(dir.resolve(ENCODED_COMMAND),
        Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_16LE)), StandardCharsets.US_ASCII);
  }

  /** The launcher argument file: one quoted token per line. */
  static byte[] argfile(Launch l) {
    List<String> tokens = new ArrayList<>(l.jvmOptions());
    tokens.add("-cp");
    tokens.add(l.classPath());
    tokens.add(l.mainClass());
    tokens.addAll(l.args());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t.isEmpty()) {
        // the launcher drops an empty quoted token instead of passing ""
        throw new IllegalArgumentException(which(i, l) + " is empty: an argument file cannot carry it; run qubixctl "
            + "from an elevated shell (Run as administrator) instead");
      }
      sb.append(quote(t)).append('\n');
    }
    try {
      ByteBuffer b = l.argfileCharset().newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(sb));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("an argument holds characters that " + l.argfileCharset()
          + " (the code page java.exe reads its arguments in) cannot carry, so the elevated run would not get "
          + "them unchanged: run qubixctl from an elevated shell (Run as administrator) instead", e);
    }
  }

  private static String which(int i, Launch l) {
    int first = l.jvmOptions().size() + 3;
    return i >= first ? "argument " + (i - first + 1) : "JVM option " + (i + 1);
  }

  /** The argument-file syntax: inside double quotes only {@code \} escapes, {@code \n} etc. */
  static String quote(String token) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : token.toCharArray()) {
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\f' -> sb.append("\\f");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /**
   * The script the elevated PowerShell runs. Values are base64 literals decoded at run time, so no
   * path or variable can end a string or inject code; the window stays open so its output can be
   * read, and the script exits with java's exit code (Start-Process -PassThru hands it back).
   */
  static String elevatedScript(Path dir, Launch l, String argfileSha256) {
    StringBuilder env = new StringBuilder();
    l.env().forEach((k, v) -> env.append("  Set-Item -LiteralPath ('env:' + (D '").append(b64(k)).append("')) -Value (D '")
        .append(b64(v)).append("')\n"));
    return String.join("\n",
        "$ErrorActionPreference = 'Stop'",
        "function D([string] $s) { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($s)) }",
        "$rc = 1",
        "try {",
        "  $argfile = Join-Path (D '" + b64(dir.toString()) + "') '" + ARGFILE + "'",
        "  if ((Get-FileHash -Algorithm SHA256 -LiteralPath $argfile).Hash -ne '" + argfileSha256 + "') {",
        "    throw \"$argfile changed after qubixctl wrote it: not running it elevated\"",
        "  }",
        env + "  Set-Location -LiteralPath (D '" + b64(l.workingDir().toString()) + "')",
        "  & (D '" + b64(l.java().toString()) + "') ('@' + $argfile)",
        "  $rc = $LASTEXITCODE",
        "} catch {",
        "  [Console]::Error.WriteLine('qubixctl: ' + $_.Exception.Message)",
        "}",
        "Write-Host ''",
        "Read-Host \"qubixctl (elevated) exited with $rc; press Enter to close this window\" | Out-Null",
        "exit $rc",
        "");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
