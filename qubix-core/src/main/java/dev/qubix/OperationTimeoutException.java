package dev.qubix;

/** An operation or a wait did not finish in time; whatever process it ran was killed. */
public class OperationTimeoutException extends QubixException {
  private static final long serialVersionUID = 1L;

  public OperationTimeoutException(String message) {
    super(message);
  }
}
