package dev.qubix.hyperv.internal;

import dev.qubix.exec.Command;
import dev.qubix.exec.CommandResult;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.HostInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Windows' %LOCALAPPDATA% as a drive path (C:\Users\me\AppData\Local), also from inside WSL, where
 * the Windows environment is not inherited. Order: the environment (Windows, or WSL with
 * WSLENV=LOCALAPPDATA or LOCALAPPDATA/p), then a value cached in the state directory, then asking
 * cmd.exe once (from a drive folder: cmd.exe cannot start in a UNC working directory).
 */
final class WindowsLocalAppData {
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:\\\\.*");
  private static final Pattern MOUNTED = Pattern.compile("^/mnt/([a-z])/(.*)$");

  private WindowsLocalAppData() {}

  static Optional<String> find(HostInfo host, CommandRunner runner, Path stateDir, String mountRoot) {
    Optional<String> env = host.getenv("LOCALAPPDATA").map(WindowsLocalAppData::asDrivePath).filter(v -> DRIVE.matcher(v).matches());
    if (env.isPresent() || host.os() != HostInfo.Os.LINUX || !host.wsl()) {
      return env;
    }
    Path cache = stateDir.resolve("hyperv").resolve("windows-localappdata");
    try {
      if (Files.isRegularFile(cache)) {
        String cached = Files.readString(cache, StandardCharsets.UTF_8).strip();
        if (DRIVE.matcher(cached).matches()) {
          return Optional.of(cached);
        }
      }
      CommandResult r = runner.run(Command.of(List.of("cmd.exe", "/d", "/c", "echo %LOCALAPPDATA%"))
          .withWorkDir(Path.of(mountRoot, "c")).withTimeout(Duration.ofSeconds(30)).allowingFailure());
      Optional<String> asked = r.stdoutLines().stream().map(String::strip).filter(l -> DRIVE.matcher(l).matches()).findFirst();
      if (asked.isPresent()) {
        Files.createDirectories(cache.getParent());
        Files.writeString(cache, asked.get(), StandardCharsets.UTF_8);
      }
      return asked;
    } catch (IOException | RuntimeException e) {
      return Optional.empty();   // the caller falls back to the state directory and says so in the docs
    }
  }

  /** WSLENV's /p flag hands the value over as a Linux path: turn it back. */
  static String asDrivePath(String value) {
    Matcher m = MOUNTED.matcher(value);
    return m.matches() ? Character.toUpperCase(m.group(1).charAt(0)) + ":\\" + m.group(2).replace('/', '\\') : value;
  }
}
