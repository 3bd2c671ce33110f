package dev.qubix.release;

/** A release key is required and {@code SHA256SUMS.sig} is missing, malformed, by another key, or does not match {@code SHA256SUMS}. */
public final class ReleaseSignatureException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 11;

  public ReleaseSignatureException(String message) {
    super(message);
  }

  public ReleaseSignatureException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
