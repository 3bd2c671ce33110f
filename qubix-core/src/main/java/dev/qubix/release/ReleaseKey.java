package dev.qubix.release;

import dev.qubix.ConfigurationException;
import dev.qubix.release.internal.SshWire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The public keys a release must be signed by: read from an OpenSSH {@code allowed_signers} file
 * ({@code principal [options] ssh-ed25519 AAAA… [comment]}) or a public key file
 * ({@code ssh-ed25519 AAAA… [comment]}). One or more lines; a signature by any of them passes.
 * Only Ed25519 keys: Java 17 verifies them without any library, and {@code ssh-keygen -t ed25519}
 * makes them everywhere.
 */
public final class ReleaseKey {
  /** The SSHSIG namespace Qubix signs and verifies releases in ({@code ssh-keygen -Y sign -n qubix-release}). */
  public static final String NAMESPACE = "qubix-release";
  private static final String ED25519 = "ssh-ed25519";

  private final List<byte[]> keys;   // each: the 32-byte Ed25519 public key
  private final String origin;

  private ReleaseKey(List<byte[]> keys, String origin) {
    this.keys = List.copyOf(keys);
    this.origin = origin;
  }

  /** Reads a key file (allowed_signers or public key, one key per line). */
  public static ReleaseKey read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigurationException("cannot read release key " + file + ": " + e.getMessage()
          + " (pass a public key such as ~/.ssh/id_ed25519.pub or an allowed_signers file)", e);
    }
    return parse(text, file.toString());
  }

  /** Parses key lines; {@code origin} names where they came from in error messages. */
  public static ReleaseKey parse(String text, String origin) {
    List<byte[]> found = new ArrayList<>();
    int lineNo = 0;
    for (String raw : text.split("\r?\n")) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      byte[] key = parseLine(line, origin + " line " + lineNo);
      if (key != null) {
        found.add(key);
      }
    }
    if (found.isEmpty()) {
      throw new ConfigurationException("release key " + origin + " holds no ssh-ed25519 key for namespace " + NAMESPACE
          + ": give a line like 'ssh-ed25519 AAAA… comment' (a .pub file) or 'release@example ssh-ed25519 AAAA…' (allowed_signers)");
    }
    return new ReleaseKey(found, origin);
  }

  /** The key, or null when an allowed_signers line limits it to other namespaces. */
  private static byte[] parseLine(String line, String where) {
    List<String> tokens = tokens(line);
    int at = -1;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t.equals(ED25519) || t.startsWith("ssh-") || t.startsWith("ecdsa-") || t.startsWith("sk-")) {
        at = i;
        break;
      }
    }
    if (at < 0 || at + 1 >= tokens.size()) {
      throw new ConfigurationException(where + ": no public key found: expected 'ssh-ed25519 AAAA…'");
    }
    if (!tokens.get(at).equals(ED25519)) {
      throw new ConfigurationException(where + ": " + tokens.get(at) + " keys are not supported: Qubix verifies "
          + "ssh-ed25519 signatures only (make a key with ssh-keygen -t ed25519)");
    }
    for (String option : tokens.subList(0, at)) {
      String o = option.toLowerCase(java.util.Locale.ROOT);
      if (o.equals("cert-authority")) {
        throw new ConfigurationException(where + ": cert-authority keys are not supported: list the signing key itself");
      }
      if (o.startsWith("namespaces=") && !List.of(unquote(option.substring(11)).split(",")).contains(NAMESPACE)) {
        return null;
      }
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(tokens.get(at + 1));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(where + ": the key is not valid base64");
    }
    SshWire.Reader r = new SshWire.Reader(blob);
    if (!r.string().equals(ED25519)) {
      throw new ConfigurationException(where + ": the key's type inside the base64 is not " + ED25519);
    }
    byte[] key = r.bytes();
    if (key.length != 32 || !r.atEnd()) {
      throw new ConfigurationException(where + ": not a 32-byte Ed25519 public key");
    }
    return key;
  }

  /** Splits on spaces, keeping {@code "quoted values"} (allowed_signers options) in one token. */
  private static List<String> tokens(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        cur.append(c);
      } else if (Character.isWhitespace(c) && !quoted) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  /** The raw 32-byte Ed25519 keys (copies). */
  public List<byte[]> ed25519Keys() {
    return keys.stream().map(byte[]::clone).toList();
  }

  /** Whether {@code key} (32 raw bytes) is one of these keys. */
  public boolean trusts(byte[] key) {
    return keys.stream().anyMatch(k -> MessageDigest.isEqual(k, key));
  }

  /** {@code SHA256:…} fingerprints, as {@code ssh-keygen -l} prints them. */
  public List<String> fingerprints() {
    return keys.stream().map(ReleaseKey::fingerprint).toList();
  }

  /** The {@code SHA256:…} fingerprint of a raw Ed25519 key, as {@code ssh-keygen -l} prints it. */
  public static String fingerprint(byte[] ed25519) {
    byte[] blob = new SshWire.Writer().string(ED25519).bytes(ed25519).toByteArray();
    try {
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ReleaseKey[" + origin + ": " + String.join(", ", fingerprints()) + "]";
  }
}
