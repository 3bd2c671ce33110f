package dev.qubix.junit.internal;

import dev.qubix.Appliance;
import java.util.function.Supplier;

/**
 * What a test asked for: which appliance ({@code key} identifies it within a test run), how to
 * make its handle, and the lifecycle options. {@code origin} names the field or parameter for errors.
 */
public record FixtureSpec(String key, String origin, Supplier<Appliance> appliance, Options options) {

  /** Lifecycle options; every request for one appliance must agree on them. */
  public record Options(boolean shared, boolean purgeHome, boolean awaitRdp) {}

  public Fixture start() {
    return Fixture.start(appliance.get(), options.purgeHome(), options.awaitRdp());
  }
}
