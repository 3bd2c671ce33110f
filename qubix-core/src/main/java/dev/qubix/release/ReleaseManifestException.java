package dev.qubix.release;

/** The release's {@code qubix-manifest.json} fails validation; the message names the JSON pointer and the release. */
public final class ReleaseManifestException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 15;

  public ReleaseManifestException(String message) {
    super(message);
  }

  public ReleaseManifestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
