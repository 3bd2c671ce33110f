package dev.qubix.junit.internal;

import dev.qubix.BuiltAppliance;
import dev.qubix.manifest.ManifestWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * Reusing a fixture VM across test runs, Testcontainers style: only when the user opted in on
 * this machine ({@code -Dqubix.reuse.enable=true}, or {@code reuse.enable=true} in
 * {@code ~/.qubix.properties}), and only while the VM's manifest, images and fixture options hash
 * the same as when it was made ({@code <stateDir>/junit-reuse/<machine>.hash}).
 */
public final class Reuse {
  static final String DIR = "junit-reuse";

  private Reuse() {}

  /** The user's opt-in; a test class alone cannot turn reuse on. */
  public static boolean enabled() {
    String property = System.getProperty("qubix.reuse.enable");
    if (property != null) {
      return Boolean.parseBoolean(property);
    }
    Path file = Path.of(System.getProperty("user.home"), ".qubix.properties");
    if (!Files.isRegularFile(file)) {
      return false;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      return false;
    }
    return Boolean.parseBoolean(p.getProperty("reuse.enable", "false"));
  }

  /** What must stay the same for the VM to be reused: the normalized manifest, every image, the options. */
  public static String hash(BuiltAppliance built, String backend, String options) {
    StringBuilder sb = new StringBuilder();
    sb.append("backend=").append(backend).append('\n');
    sb.append("options=").append(options).append('\n');
    sb.append("manifest=").append(ManifestWriter.toJson(built.manifest())).append('\n');
    built.images().forEach((k, i) -> sb.append("image ").append(k).append('=')
        .append(i.file().toAbsolutePath()).append(' ').append(i.source()).append('\n'));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Optional<String> stored(Path stateDir, String machine) {
    try {
      return Optional.of(Files.readString(file(stateDir, machine)).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public static void store(Path stateDir, String machine, String hash) {
    try {
      Files.createDirectories(file(stateDir, machine).getParent());
      Files.writeString(file(stateDir, machine), hash + "\n");
    } catch (IOException e) {
      throw new IllegalStateException("cannot record the reusable fixture VM " + machine + ": " + e.getMessage(), e);
    }
  }

  public static void forget(Path stateDir, String machine) {
    try {
      Files.deleteIfExists(file(stateDir, machine));
    } catch (IOException e) {
      // a stale hash never matches a recreated VM's options anyway
    }
  }

  private static Path file(Path stateDir, String machine) {
    return stateDir.resolve(DIR).resolve(machine + ".hash");
  }
}
