package dev.qubix.release;

/** The release has no image for what the backend needs (e.g. a Hyper-V-only release on Linux). */
public final class MissingImageException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 16;

  public MissingImageException(String message) {
    super(message);
  }

  public MissingImageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
