package dev.qubix.release;

/** A release file's SHA-256 is not the one SHA256SUMS lists: the message names the file, the expected and the actual hash. */
public final class ChecksumMismatchException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 10;

  public ChecksumMismatchException(String message) {
    super(message);
  }

  public ChecksumMismatchException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
