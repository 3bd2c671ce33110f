package dev.qubix.junit.support;

import dev.qubix.Qubix;
import dev.qubix.junit.WaitStrategy;
import dev.qubix.junit.internal.Fixture;
import java.nio.file.Path;
import java.util.List;

/** A test JVM that starts a tiny-guest fixture and never stops it: the parent kills it. Args: FLAKE STATE_DIR. */
public final class LeakyJvm {
  private LeakyJvm() {}

  public static void main(String[] args) throws InterruptedException {
    Fixture f = Fixture.start(Qubix.appliance("tiny").withFlake(Path.of(args[0])).withBackend("microvm")
        .withStateDir(Path.of(args[1])), false, WaitStrategy.consoleLine("QUBIX-READY"), List.of());
    System.out.println("UP " + f.instance().name());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
