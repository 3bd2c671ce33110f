package dev.qubix.release;

/** A file the release needs is not listed in its {@code SHA256SUMS}: Qubix uses no byte it cannot check. */
public final class UnlistedFileException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 12;

  public UnlistedFileException(String message) {
    super(message);
  }

  public UnlistedFileException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
