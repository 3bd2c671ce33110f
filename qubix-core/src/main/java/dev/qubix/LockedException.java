package dev.qubix;

/** Another process (or thread) is changing the same VM; the message names it. */
public class LockedException extends QubixException {
  private static final long serialVersionUID = 1L;
  private final long holderPid;

  public LockedException(String message, long holderPid) {
    super(message);
    this.holderPid = holderPid;
  }

  /** The pid written by the holder, or -1 if it could not be read. */
  public long holderPid() {
    return holderPid;
  }
}
