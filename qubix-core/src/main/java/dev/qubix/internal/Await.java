package dev.qubix.internal;

import dev.qubix.OperationTimeoutException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one poll loop of Qubix: every readiness wait (QEMU running, a process gone, RDP answering)
 * asks its condition every {@code every}, reports {@link ProgressEvent.Waiting} while it waits,
 * and stops at {@code limit}. Callers decide what a timeout means (an error, or the next step of a
 * graceful-then-forced shutdown).
 */
public final class Await {
  /** How often a condition is asked, unless the caller says otherwise. */
  public static final Duration EVERY = Duration.ofMillis(100);

  private final ProgressListener listener;

  public Await(ProgressListener listener) {
    this.listener = listener;
  }

  /** Polls until {@code condition} yields a value; empty when {@code limit} passed first. */
  public <T> Optional<T> until(String what, Duration limit, Duration every, Supplier<Optional<T>> condition) {
    long start = System.nanoTime();
    while (true) {
      Optional<T> value = condition.get();
      if (value.isPresent()) {
        return value;
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (elapsed.compareTo(limit) >= 0) {
        return Optional.empty();
      }
      ProgressListener.safely(listener, new ProgressEvent.Waiting(what, elapsed, limit));
      sleep(every, what);
    }
  }

  /** True when {@code done} became true within {@code limit}. */
  public boolean until(String what, Duration limit, BooleanSupplier done) {
    return until(what, limit, EVERY, () -> done.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty()).isPresent();
  }

  private static void sleep(Duration d, String what) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperationTimeoutException("interrupted while waiting for " + what);
    }
  }
}
