package dev.qubix.release;

/** A release file could not be fetched: an HTTP error (status and URL), a timeout (naming the URL), or a missing local file. */
public final class DownloadException extends ReleaseException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT_CODE = 13;

  public DownloadException(String message) {
    super(message);
  }

  public DownloadException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return EXIT_CODE;
  }
}
