package dev.qubix.release;

import dev.qubix.QubixException;

/**
 * A release could not be used. Each subclass is one way a release fails, with its own
 * {@link #exitCode()} for qubixctl; none of them changed anything: the VM and the release cache are
 * as they were (a partial download is kept only to be resumed, never used).
 */
public abstract sealed class ReleaseException extends QubixException
    permits ChecksumMismatchException, ReleaseSignatureException, UnlistedFileException, DownloadException,
        CorruptImageException, ReleaseManifestException, MissingImageException, DiskFullException {
  private static final long serialVersionUID = 1L;

  ReleaseException(String message) {
    super(message);
  }

  ReleaseException(String message, Throwable cause) {
    super(message, cause);
  }

  /** qubixctl's exit code for this failure (10–17; README lists them). */
  public abstract int exitCode();
}
