package dev.qubix.junit.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-class fixtures of one test class, started on first request, closed together after the class. */
public final class ClassFixtures implements AutoCloseable {
  private final Map<String, Entry> byKey = new LinkedHashMap<>();

  private record Entry(FixtureSpec spec, Fixture fixture) {}

  public synchronized Fixture find(String key) {
    Entry e = byKey.get(key);
    return e == null ? null : e.fixture();
  }

  /** The fixture for {@code spec}, started now if this class has none yet. */
  public synchronized Fixture get(FixtureSpec spec) {
    Entry e = byKey.get(spec.key());
    if (e != null) {
      Specs.requireSameOptions(e.spec(), spec);
      return e.fixture();
    }
    Fixture started = spec.start();
    byKey.put(spec.key(), new Entry(spec, started));
    return started;
  }

  /** Closes every fixture, the last started first; one failing does not keep the others alive. */
  @Override
  public synchronized void close() {
    List<Entry> entries = new ArrayList<>(byKey.values());
    byKey.clear();
    RuntimeException failure = null;
    for (int i = entries.size() - 1; i >= 0; i--) {
      try {
        entries.get(i).fixture().close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
