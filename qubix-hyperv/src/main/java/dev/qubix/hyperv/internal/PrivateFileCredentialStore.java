package dev.qubix.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.QubixException;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The store for Java inside WSL, which cannot call Windows' Credential Manager: one {@code 0600}
 * file per credential under {@code <stateDir>/hyperv/credentials/} ({@code 0700}), in the WSL
 * distribution's own file system, like the microvm backend's secret. mstsc cannot read it, so
 * {@code connect} from WSL leaves the password prompt to mstsc.
 */
public final class PrivateFileCredentialStore implements CredentialStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path stateDir;
  private final Path dir;

  public PrivateFileCredentialStore(Path stateDir) {
    this.stateDir = stateDir;
    this.dir = stateDir.resolve("hyperv").resolve("credentials");
  }

  private Path file(String target) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(target.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      return dir.resolve(HexFormat.of().formatHex(h).substring(0, 32) + ".json");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<String> read(String target) {
    Path f = file(target);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(f.toFile()).path("secret").asText());
    } catch (IOException e) {
      // the message names the file, never its content
      throw new QubixException("cannot read the credential " + target + " from " + f + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void write(String target, String user, String secret, String comment) {
    Path f = file(target);
    ObjectNode o = JSON.createObjectNode().put("target", target).put("user", user).put("comment", comment).put("secret", secret);
    try {
      PrivateFiles.directories(stateDir, dir);
      Path tmp = Files.createTempFile(dir, "credential", ".tmp");   // 0600 on POSIX
      try {
        PrivateFiles.write(tmp, JSON.writeValueAsBytes(o));
        try {
          Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new QubixException("cannot store the credential " + target + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(String target) {
    try {
      Files.deleteIfExists(file(target));
    } catch (IOException e) {
      throw new QubixException("cannot delete the credential " + target + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Entry> list(String prefix) {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
        JsonNode n = JSON.readTree(f.toFile());
        String target = n.path("target").asText();
        if (target.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))) {
          out.add(new Entry(target, n.path("comment").asText()));
        }
      }
      return out;
    } catch (IOException e) {
      throw new QubixException("cannot list the credentials in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean servesMstsc() {
    return false;
  }

  @Override
  public String describe() {
    return dir + " (0600 files; Java in WSL cannot reach Windows Credential Manager)";
  }
}
