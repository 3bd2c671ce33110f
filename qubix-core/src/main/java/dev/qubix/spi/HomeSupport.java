package dev.qubix.spi;

import dev.qubix.Operation;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a backend does with homes beyond keep (destroy) and purge. The engine refuses, before it
 * plans or locks anything, a home operation that is not in {@code operations}, a disposable home when
 * {@code disposable} is false, and an explicit backup before a recreate without HOME_BACKUP. A backend
 * that declares nothing ({@link #NONE}) never sees a home operation or a disposable request.
 */
public record HomeSupport(Set<Operation> operations, boolean disposable) {
  public HomeSupport {
    operations = Set.copyOf(operations);
    if (operations.stream().anyMatch(o -> !o.isHome())) {
      throw new IllegalArgumentException("only home operations belong in HomeSupport: " + operations);
    }
  }

  public static final HomeSupport NONE = new HomeSupport(Set.of(), false);

  /** Every home operation and the disposable mode. */
  public static HomeSupport all() {
    EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
    for (Operation o : Operation.values()) {
      if (o.isHome()) {
        ops.add(o);
      }
    }
    return new HomeSupport(ops, true);
  }

  public boolean supports(Operation op) {
    return operations.contains(op);
  }
}
