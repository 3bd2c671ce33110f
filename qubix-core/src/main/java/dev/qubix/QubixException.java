package dev.qubix;

/** Root of every error Qubix raises. Messages say what failed and, where it can, how to fix it. */
public class QubixException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QubixException(String message) {
    super(message);
  }

  public QubixException(String message, Throwable cause) {
    super(message, cause);
  }
}
