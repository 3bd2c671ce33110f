package dev.qubix;

/** No backend can run here, or the chosen one cannot: the message says why and how to fix it. */
public class BackendUnavailableException extends QubixException {
  private static final long serialVersionUID = 1L;

  public BackendUnavailableException(String message) {
    super(message);
  }
}
