package dev.qubix.junit;

import dev.qubix.Appliance;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.junit.internal.Fixture;
import java.util.Objects;
import org.testcontainers.lifecycle.Startable;

/**
 * An appliance as a Testcontainers {@link Startable}, so it works as a {@code @Container} under
 * {@code @Testcontainers} beside real containers. No Docker is involved for it: Testcontainers only
 * calls {@link #start()} and {@link #stop()}.
 *
 * <pre>{@code
 * @Container
 * static QubixStartable TINY = QubixStartable.of(Qubix.appliance("tiny").withFlake(Path.of("nix")));
 * }</pre>
 *
 * <p>{@code start} makes the VM with a fresh system disk and, unless {@link #withoutAwaitRdp()},
 * waits until RDP answers; {@code stop} stops it (15 s grace) and destroys it, keeping the home
 * disk unless {@link #withPurgeHome()}. Configure with {@code withX} before starting: each returns
 * a new, unstarted adapter. Requires {@code org.testcontainers:testcontainers} on the class path.
 */
public final class QubixStartable implements Startable {
  private final Appliance appliance;
  private final boolean purgeHome;
  private final boolean awaitRdp;
  private Fixture fixture;

  private QubixStartable(Appliance appliance, boolean purgeHome, boolean awaitRdp) {
    this.appliance = Objects.requireNonNull(appliance, "appliance");
    this.purgeHome = purgeHome;
    this.awaitRdp = awaitRdp;
  }

  public static QubixStartable of(Appliance appliance) {
    return new QubixStartable(appliance, false, true);
  }

  /** Deletes the home disk too on {@link #stop()}. */
  public QubixStartable withPurgeHome() {
    return new QubixStartable(appliance, true, awaitRdp);
  }

  /** Considers the VM started once the backend runs it, without waiting for RDP. */
  public QubixStartable withoutAwaitRdp() {
    return new QubixStartable(appliance, purgeHome, false);
  }

  /** Makes the VM (fresh system disk, home kept); does nothing when already started. */
  @Override
  public synchronized void start() {
    if (fixture == null) {
      fixture = Fixture.start(appliance, purgeHome, awaitRdp);
    }
  }

  /** Stops and destroys the VM (home kept unless {@link #withPurgeHome()}); does nothing when not started. */
  @Override
  public synchronized void stop() {
    if (fixture != null) {
      Fixture f = fixture;
      fixture = null;
      f.close();
    }
  }

  public synchronized boolean isRunning() {
    return fixture != null;
  }

  public Appliance appliance() {
    return appliance;
  }

  /** The running VM; fails before {@link #start()} and after {@link #stop()}. */
  public synchronized Instance instance() {
    if (fixture == null) {
      throw new IllegalStateException(appliance + " is not started: call start(), or annotate the field "
          + "@Container in a @Testcontainers class");
    }
    return fixture.instance();
  }

  /** Where the guest's RDP endpoint is reachable from this host. */
  public Endpoint endpoint() {
    return instance().endpoint();
  }

  @Override
  public String toString() {
    return "QubixStartable[" + appliance.machine() + (isRunning() ? ", running" : "") + "]";
  }
}
