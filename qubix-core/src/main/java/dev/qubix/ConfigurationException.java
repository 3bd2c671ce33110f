package dev.qubix;

/** Invalid input from the user (a name, a path, an option): nothing was started or changed. */
public class ConfigurationException extends QubixException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
