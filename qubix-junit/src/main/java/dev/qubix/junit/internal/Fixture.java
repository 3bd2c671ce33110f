package dev.qubix.junit.internal;

import dev.qubix.Appliance;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.junit.GuestConsole;
import dev.qubix.junit.WaitStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running appliance owned by a test fixture: made with a fresh system disk, optionally
 * awaited until RDP answers (the default connect timeout, 3 min), destroyed when closed. Closing twice is harmless, so JUnit's store
 * and an explicit {@code afterAll} can both close it.
 */
public final class Fixture implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fixture.class);
  /** The guest gets this long to shut down cleanly before destroy, so the kept home disk is consistent. */
  static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final Appliance appliance;
  private final boolean purgeHome;
  private final ConsoleTail console;
  private final Path owner;
  private Instance instance;

  private Fixture(Appliance appliance, boolean purgeHome, Instance instance, ConsoleTail console, Path owner) {
    this.appliance = appliance;
    this.purgeHome = purgeHome;
    this.instance = instance;
    this.console = console;
    this.owner = owner;
  }

  /** Recreates the VM (fresh system disk, home kept) and, with {@code awaitRdp}, waits until RDP answers. */
  public static Fixture start(Appliance appliance, boolean purgeHome, boolean awaitRdp) {
    return start(appliance, purgeHome, awaitRdp ? WaitStrategy.rdp() : WaitStrategy.none(), List.of());
  }

  /**
   * Recreates the VM (fresh system disk, home kept), follows its console from where this boot
   * begins, and waits until {@code wait} says it is ready.
   */
  public static Fixture start(Appliance appliance, boolean purgeHome, WaitStrategy wait, List<Consumer<String>> consumers) {
    Owners.destroyLeaked(appliance.stateDir());
    // marked before the VM exists: a JVM killed during the boot leaks nothing either
    Path owner = Owners.mark(appliance, purgeHome);
    // the console log survives a recreate: this boot's lines begin at its current end
    long offset = appliance.status().map(s -> s.details().get("serialLog")).map(Path::of).map(ConsoleTail::sizeOf).orElse(0L);
    Instance started;
    try {
      started = appliance.build().recreate();
    } catch (RuntimeException e) {
      Owners.unmark(owner);
      throw e;
    }
    Optional<InstanceStatus> status = started.status();
    ConsoleTail console = status.map(s -> s.details().get("serialLog"))
        .map(log -> ConsoleTail.follow(Path.of(log), offset, consumers))
        .orElseGet(() -> ConsoleTail.none("the " + started.backendName() + " backend keeps no console log"));
    Fixture fixture = new Fixture(appliance, purgeHome, started, console, owner);
    try {
      wait.waitUntilReady(started, console);
    } catch (RuntimeException e) {
      // a VM nobody will use must not outlive the failed fixture
      try {
        fixture.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return fixture;
  }

  /** The guest's console since this fixture started it. */
  public GuestConsole console() {
    return console;
  }

  public Appliance appliance() {
    return appliance;
  }

  /** The running VM; fails once the fixture is closed. */
  public synchronized Instance instance() {
    if (instance == null) {
      throw new IllegalStateException(appliance + " was already destroyed by its fixture");
    }
    return instance;
  }

  public synchronized boolean isRunning() {
    return instance != null;
  }

  /** Stops the guest (forced after a grace period) and destroys the VM; the home disk stays unless purgeHome. */
  @Override
  public synchronized void close() {
    if (instance == null) {
      return;
    }
    Instance i = instance;
    instance = null;
    if (purgeHome) {
      console.close();
      i.destroy(Purge.EVERYTHING);
      Owners.unmark(owner);
      return;
    }
    // the clean shutdown is a courtesy to the kept home disk: if it fails, destroy still runs
    RuntimeException stopFailure = null;
    try {
      if (i.status().map(InstanceStatus::isRunning).orElse(false)) {
        i.stop(STOP_GRACE);
      }
    } catch (RuntimeException e) {
      stopFailure = e;
    }
    // after the shutdown, so log consumers see the guest's last lines; before destroy deletes the log
    console.close();
    try {
      i.destroy(Purge.KEEP_HOME);
    } catch (RuntimeException e) {
      if (stopFailure != null) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
    Owners.unmark(owner);
    if (stopFailure != null) {
      LOG.warn("{}: clean shutdown failed, destroyed it anyway: {}", i, stopFailure.getMessage());
    }
  }

  @Override
  public String toString() {
    return "Fixture[" + appliance.machine() + (isRunning() ? ", running" : ", destroyed") + "]";
  }
}
