package dev.qubix.junit;

import java.util.List;

/**
 * What the guest wrote on its console (microvm: the serial log) since its fixture started it,
 * line by line; empty for backends that keep no console log.
 */
public interface GuestConsole {
  /** Every line so far (the most recent 10,000), without line endings. */
  List<String> lines();

  /** The last {@code n} lines. */
  default List<String> tail(int n) {
    List<String> all = lines();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  /** Where the lines come from, for messages: a file, or why there is none. */
  String source();
}
