package dev.qubix.junit.internal;

import dev.qubix.Appliance;
import dev.qubix.BuiltAppliance;
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
  /** Null for a reusable VM: it is meant to outlive this JVM. */
  private final Path owner;
  private final boolean reusable;
  private Instance instance;

  private Fixture(Appliance appliance, boolean purgeHome, Instance instance, ConsoleTail console, Path owner,
      boolean reusable) {
    this.appliance = appliance;
    this.purgeHome = purgeHome;
    this.instance = instance;
    this.console = console;
    this.owner = owner;
    this.reusable = reusable;
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
    return start(appliance, purgeHome, wait, consumers, false);
  }

  /**
   * As {@link #start(Appliance, boolean, WaitStrategy, List)}; with {@code reuse}, and when the
   * user opted in ({@link Reuse#enabled()}), a running VM made for the same manifest, images and
   * options is taken as it is, and closing the fixture leaves it running for the next run.
   */
  public static Fixture start(Appliance appliance, boolean purgeHome, WaitStrategy wait, List<Consumer<String>> consumers,
      boolean reuse) {
    Owners.destroyLeaked(appliance.stateDir());
    boolean reusing = reuse && Reuse.enabled();
    Instance started;
    Path owner = null;
    long offset;
    String hash = null;
    if (reusing) {
      BuiltAppliance built = appliance.build();
      hash = Reuse.hash(built, appliance.backendName(), "purgeHome=" + purgeHome + " wait=" + wait.description());
      Optional<Instance> running = appliance.instance().filter(i -> i.status().map(InstanceStatus::isRunning).orElse(false));
      if (running.isPresent() && Reuse.stored(appliance.stateDir(), appliance.machine()).equals(Optional.of(hash))) {
        LOG.info("{}: reusing the running fixture VM (manifest, images and options unchanged)", appliance.machine());
        started = running.get();
        // the whole console: what a wait looks for was written when this VM booted, in an earlier run
        offset = 0;
      } else {
        Reuse.forget(appliance.stateDir(), appliance.machine());
        offset = consoleEnd(appliance);
        started = built.recreate();
      }
    } else {
      // marked before the VM exists: a JVM killed during the boot leaks nothing either
      owner = Owners.mark(appliance, purgeHome);
      offset = consoleEnd(appliance);
      try {
        started = appliance.build().recreate();
      } catch (RuntimeException e) {
        Owners.unmark(owner);
        throw e;
      }
    }
    Optional<InstanceStatus> status = started.status();
    long from = offset;
    ConsoleTail console = status.map(s -> s.details().get("serialLog"))
        .map(log -> ConsoleTail.follow(Path.of(log), from, consumers))
        .orElseGet(() -> ConsoleTail.none("the " + started.backendName() + " backend keeps no console log"));
    Fixture fixture = new Fixture(appliance, purgeHome, started, console, owner, reusing);
    try {
      wait.waitUntilReady(started, console);
    } catch (RuntimeException e) {
      // a VM nobody will use must not outlive the failed fixture
      try {
        fixture.destroy();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    if (reusing) {
      Reuse.store(appliance.stateDir(), appliance.machine(), hash);
    }
    return fixture;
  }

  /** Where this boot's console lines will begin: the log survives a recreate. */
  private static long consoleEnd(Appliance appliance) {
    return appliance.status().map(s -> s.details().get("serialLog")).map(Path::of).map(ConsoleTail::sizeOf).orElse(0L);
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
    if (reusable && instance != null) {
      // left running for the next run; the hash stored at start says what it was made for
      instance = null;
      console.close();
      return;
    }
    destroy();
  }

  /** Stops and destroys the VM whatever the options (also a reusable one whose wait failed). */
  private synchronized void destroy() {
    if (instance == null) {
      return;
    }
    if (reusable) {
      Reuse.forget(appliance.stateDir(), appliance.machine());
    }
    Instance i = instance;
    instance = null;
    if (purgeHome) {
      console.close();
      i.destroy(Purge.EVERYTHING);
      unmarkOwner();
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
    unmarkOwner();
    if (stopFailure != null) {
      LOG.warn("{}: clean shutdown failed, destroyed it anyway: {}", i, stopFailure.getMessage());
    }
  }

  private void unmarkOwner() {
    if (owner != null) {
      Owners.unmark(owner);
    }
  }

  @Override
  public String toString() {
    return "Fixture[" + appliance.machine() + (isRunning() ? ", running" : ", destroyed") + "]";
  }
}
