package dev.qubix;

import java.util.List;

/** What an operation will do, computed without doing it. */
public record Plan(Operation operation, String backend, String machine, List<Step> steps) {

  public Plan {
    steps = List.copyOf(steps);
  }

  /** Numbered, one step a line. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(operation.cliName())
        .append(' ').append(machine).append(" on ").append(backend).append(':');
    for (int i = 0; i < steps.size(); i++) {
      sb.append("\n  ").append(i + 1).append(". ").append(steps.get(i).description());
    }
    return sb.toString();
  }
}
