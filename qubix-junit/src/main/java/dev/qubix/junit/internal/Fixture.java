package dev.qubix.junit.internal;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import java.time.Duration;
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
  private Instance instance;

  private Fixture(Appliance appliance, boolean purgeHome, Instance instance) {
    this.appliance = appliance;
    this.purgeHome = purgeHome;
    this.instance = instance;
  }

  /** Recreates the VM (fresh system disk, home kept) and, with {@code awaitRdp}, waits until RDP answers. */
  public static Fixture start(Appliance appliance, boolean purgeHome, boolean awaitRdp) {
    Instance started = appliance.build().recreate();
    Fixture fixture = new Fixture(appliance, purgeHome, started);
    if (awaitRdp) {
      try {
        started.connect(ConnectOptions.defaults().withoutClient());
      } catch (RuntimeException e) {
        // a VM nobody will use must not outlive the failed fixture
        try {
          fixture.close();
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
    return fixture;
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
      i.destroy(Purge.EVERYTHING);
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
    try {
      i.destroy(Purge.KEEP_HOME);
    } catch (RuntimeException e) {
      if (stopFailure != null) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
    if (stopFailure != null) {
      LOG.warn("{}: clean shutdown failed, destroyed it anyway: {}", i, stopFailure.getMessage());
    }
  }

  @Override
  public String toString() {
    return "Fixture[" + appliance.machine() + (isRunning() ? ", running" : ", destroyed") + "]";
  }
}
