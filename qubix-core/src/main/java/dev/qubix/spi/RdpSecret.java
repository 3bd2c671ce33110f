package dev.qubix.spi;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A VM's own RDP password, as every backend makes it: 192 random bits from {@link SecureRandom}
 * in URL-safe Base64 without padding (32 characters). That alphabet has no ':' (chpasswd's
 * separator), no quote, no whitespace and no character XML, JSON or a shell would escape, so the
 * value passes unchanged through a fw_cfg file, a Hyper-V KVP item and {@code chpasswd}.
 */
public final class RdpSecret {
  /** What a stored secret must look like; anything else is refused rather than handed on. */
  public static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{22,128}");
  private static final int BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RdpSecret() {}

  public static String generate() {
    byte[] b = new byte[BYTES];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static boolean wellFormed(String secret) {
    return secret != null && FORMAT.matcher(secret).matches();
  }
}
