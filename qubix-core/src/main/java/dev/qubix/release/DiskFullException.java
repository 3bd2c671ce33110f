package dev.qubix.release;

/** The disk filled (or would fill) while a release file was downloaded or unpacked; nothing half-written is used. */
public final class DiskFullException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 17;

  public DiskFullException(String message) {
    super(message);
  }

  public DiskFullException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
