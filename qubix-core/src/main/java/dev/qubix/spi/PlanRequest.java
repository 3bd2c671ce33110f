package dev.qubix.spi;

import dev.qubix.Operation;
import dev.qubix.manifest.MachineManifest;
import java.time.Duration;
import java.util.Objects;

/**
 * What the engine asks a backend to plan. {@code images} is empty for a plan made before any build
 * (the backend then names the image it would use); {@code grace} is how long a stop waits for the
 * guest before forcing it off; {@code purpose} says whether the plan is only shown (a backend may
 * then look at its host more closely) or run (where the steps check for themselves); {@code home}
 * carries what home operations and recreate's home options need (a backend without home support
 * ignores it: the engine never asks it for those).
 */
public record PlanRequest(Operation operation, MachineManifest manifest, ImageSet images, Duration grace, Purpose purpose,
    HomeRequest home) {

  /** Whether a plan is shown ({@code qubixctl plan}) or run. */
  public enum Purpose { SHOW, RUN }

  public PlanRequest {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(manifest, "manifest");
    images = images == null ? ImageSet.empty() : images;
    grace = grace == null ? DEFAULT_GRACE : grace;
    purpose = purpose == null ? Purpose.RUN : purpose;
    home = home == null ? HomeRequest.NONE : home;
    if (operation == Operation.UP) {
      throw new IllegalArgumentException("UP is decided by the engine (start or recreate), never planned by a backend");
    }
  }

  /** A request without home options (persistent home, default backups before a recreate). */
  public PlanRequest(Operation operation, MachineManifest manifest, ImageSet images, Duration grace, Purpose purpose) {
    this(operation, manifest, images, grace, purpose, HomeRequest.NONE);
  }

  /** How long a stop waits for the guest to shut down before forcing it off. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(60);

  /** A plan to run, with the default grace. */
  public static PlanRequest of(Operation op, MachineManifest m, ImageSet images) {
    return new PlanRequest(op, m, images, DEFAULT_GRACE, Purpose.RUN);
  }

  /** A plan to show. */
  public static PlanRequest show(Operation op, MachineManifest m, ImageSet images) {
    return new PlanRequest(op, m, images, DEFAULT_GRACE, Purpose.SHOW);
  }

  /** The same request with these home options. */
  public PlanRequest withHome(HomeRequest h) {
    return new PlanRequest(operation, manifest, images, grace, purpose, h);
  }
}
