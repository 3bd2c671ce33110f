package dev.qubix.release;

/** A compressed image is truncated or not valid gzip, although its checksum matched (the release was made broken). */
public final class CorruptImageException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 14;

  public CorruptImageException(String message) {
    super(message);
  }

  public CorruptImageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
