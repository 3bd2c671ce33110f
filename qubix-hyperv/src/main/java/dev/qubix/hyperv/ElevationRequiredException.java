package dev.qubix.hyperv;

import dev.qubix.BackendUnavailableException;

/**
 * Hyper-V could run this, but not with the current rights: the same command from an elevated shell
 * would. Its own type (qubixctl exit code 4) so that {@code qubixctl.cmd} can ask Windows for
 * elevation exactly when Qubix has found it necessary, before any change, and for nothing else (a
 * missing Hyper-V, also a {@link BackendUnavailableException}, is not fixed by a UAC prompt).
 */
public final class ElevationRequiredException extends BackendUnavailableException {
  private static final long serialVersionUID = 1L;

  public ElevationRequiredException(String message) {
    super(message);
  }
}
