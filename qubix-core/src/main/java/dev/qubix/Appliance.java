package dev.qubix;

import dev.qubix.event.ProgressListener;
import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.internal.ApplianceLock;
import dev.qubix.internal.BackendRegistry;
import dev.qubix.internal.PrebuiltImages;
import dev.qubix.internal.StateDirs;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.Availability;
import dev.qubix.spi.Backend;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.spi.ImageBuilder;
import dev.qubix.spi.ImageSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A declared appliance, not yet built or run: an immutable handle ({@code withX} returns a copy).
 * Nothing runs until {@link #build()}, {@link #up()}, {@link #status()} and friends are called.
 */
public final class Appliance {
  private final String machine;
  private final Path flake;
  private final String backend;
  private final Path stateDir;
  private final Path manifestFile;
  private final String overrides;
  private final ProgressListener listener;
  private final Duration timeout;
  private final Duration lockWait;
  private final ImageBuilder imageBuilder;
  private final List<String> nixOptions;
  private final HostInfo host;

  Appliance(String machine, Path flake, String backend, Path stateDir, Path manifestFile, String overrides,
      ProgressListener listener, Duration timeout, Duration lockWait, ImageBuilder imageBuilder,
      List<String> nixOptions, HostInfo host) {
    this.machine = machine;
    this.flake = flake;
    this.backend = backend;
    this.stateDir = stateDir;
    this.manifestFile = manifestFile;
    this.overrides = overrides;
    this.listener = listener;
    this.timeout = timeout;
    this.lockWait = lockWait;
    this.imageBuilder = imageBuilder;
    this.nixOptions = List.copyOf(nixOptions);
    this.host = host;
  }

  static Appliance of(String machine, HostInfo host) {
    return new Appliance(machine, null, null, null, null, null, ProgressListener.NONE, Duration.ofMinutes(60),
        Instance.DEFAULT_LOCK_WAIT, null, List.of(), host);
  }

  // ---- configuration ----

  /** The flake directory (default: {@code $QUBIX_FLAKE}, else {@code ./nix}). */
  public Appliance withFlake(Path dir) {
    return new Appliance(machine, Objects.requireNonNull(dir, "flake").toAbsolutePath(), backend, stateDir,
        manifestFile, overrides, listener, timeout, lockWait, imageBuilder, nixOptions, host);
  }

  /** A backend by name ("microvm", "hyperv"); default: {@code qubix.backend}, {@code $QUBIX_BACKEND}, else the best available. */
  public Appliance withBackend(String name) {
    if (name != null && !dev.qubix.manifest.internal.MachineValidator.NAME.matcher(name).matches()) {
      throw new ConfigurationException("backend name '" + dev.qubix.manifest.internal.MachineValidator.printable(name)
          + "' is not valid: use a backend name such as microvm or hyperv (qubixctl backends lists them)");
    }
    return new Appliance(machine, flake, name, stateDir, manifestFile, overrides, listener, timeout, lockWait,
        imageBuilder, nixOptions, host);
  }

  /** Where VMs, disks and caches live (default: {@code $XDG_STATE_HOME/qubix} or {@code %LOCALAPPDATA%\Qubix}). */
  public Appliance withStateDir(Path dir) {
    return new Appliance(machine, flake, backend, Objects.requireNonNull(dir, "stateDir").toAbsolutePath(),
        manifestFile, overrides, listener, timeout, lockWait, imageBuilder, nixOptions, host);
  }

  /** A prebuilt manifest JSON: no Nix runs, images come from its {@code images.*.path} fields. */
  public Appliance withManifest(Path file) {
    return new Appliance(machine, flake, backend, stateDir, Objects.requireNonNull(file, "manifest").toAbsolutePath(),
        overrides, listener, timeout, lockWait, imageBuilder, nixOptions, host);
  }

  /** An RFC 7396 JSON merge patch applied to this machine's manifest before validation, e.g. {@code {"cpuCount":4}}. */
  public Appliance withOverrides(String mergePatch) {
    return new Appliance(machine, flake, backend, stateDir, manifestFile, mergePatch, listener, timeout, lockWait,
        imageBuilder, nixOptions, host);
  }

  public Appliance withListener(ProgressListener l) {
    return new Appliance(machine, flake, backend, stateDir, manifestFile, overrides,
        Objects.requireNonNull(l, "listener"), timeout, lockWait, imageBuilder, nixOptions, host);
  }

  /** Upper bound for each external process (a Nix build, a VM operation). */
  public Appliance withTimeout(Duration t) {
    if (t == null || t.isNegative() || t.isZero()) {
      throw new ConfigurationException("timeout must be positive, got " + t);
    }
    return new Appliance(machine, flake, backend, stateDir, manifestFile, overrides, listener, t, lockWait,
        imageBuilder, nixOptions, host);
  }

  /** How long a change waits for another process that holds this VM's lock (default 30 s). */
  public Appliance withLockWait(Duration wait) {
    return new Appliance(machine, flake, backend, stateDir, manifestFile, overrides, listener, timeout,
        Objects.requireNonNull(wait, "lockWait"), imageBuilder, nixOptions, host);
  }

  /** Extra options passed to every {@code nix build} unchanged, e.g. {@code --builders ssh-ng://…}. */
  public Appliance withNixOptions(List<String> options) {
    return new Appliance(machine, flake, backend, stateDir, manifestFile, overrides, listener, timeout, lockWait,
        imageBuilder, options, host);
  }

  /** Uses this builder instead of the one ServiceLoader finds (qubix-nix). */
  public Appliance withImageBuilder(ImageBuilder builder) {
    return new Appliance(machine, flake, backend, stateDir, manifestFile, overrides, listener, timeout, lockWait,
        builder, nixOptions, host);
  }

  /**
   * Takes the manifest and images from a release folder (see {@link dev.qubix.release.Releases}): no Nix
   * runs; every file is checked against the release's SHA256SUMS before use and cached by its hash.
   */
  public Appliance withRelease(java.net.URI location) {
    return withImageBuilder(dev.qubix.release.internal.ReleaseImageBuilder.from(imageBuilder).withLocation(location));
  }

  /** {@link #withRelease(java.net.URI)} for an http(s) URL, a local folder, or {@code github:OWNER/REPO@TAG}. */
  public Appliance withRelease(String location) {
    return withRelease(dev.qubix.release.Releases.location(location));
  }

  /** Requires the release's SHA256SUMS to be signed ({@code SHA256SUMS.sig}) by this key. */
  public Appliance withReleaseKey(dev.qubix.release.ReleaseKey key) {
    return withImageBuilder(dev.qubix.release.internal.ReleaseImageBuilder.from(imageBuilder)
        .withKey(Objects.requireNonNull(key, "release key")));
  }

  /** {@link #withReleaseKey(dev.qubix.release.ReleaseKey)} from a public key or allowed_signers file. */
  public Appliance withReleaseKey(Path file) {
    return withReleaseKey(dev.qubix.release.ReleaseKey.read(file));
  }

  public String machine() {
    return machine;
  }

  public Path flake() {
    return flake != null ? flake : StateDirs.defaultFlake(host);
  }

  public Path stateDir() {
    return stateDir != null ? stateDir : StateDirs.defaultStateDir(host);
  }

  public Optional<Path> manifestFile() {
    return Optional.ofNullable(manifestFile);
  }

  Duration lockWait() {
    return lockWait;
  }

  // ---- operations ----

  /** The validated manifest of this machine: from the prebuilt file, the cache, or one Nix build of the manifest. */
  public MachineManifest manifest() {
    String doc = manifestFile != null ? ManifestReader.readDocument(manifestFile) : imageBuilder().manifestJson(buildContext());
    return ManifestReader.read(doc, machine, overrides);
  }

  /** Builds the images the backend needs (one Nix process; none with a prebuilt manifest). */
  public BuiltAppliance build() {
    Backend b = openBackend();
    MachineManifest m = manifest();
    return new BuiltAppliance(this, b, m, buildImages(b, m));
  }

  /** Creates the VM if it is missing, starts it if it is stopped; never rebuilds a live VM. */
  public Instance up() {
    Backend b = openBackend();
    requireAvailable(b);
    MachineManifest m = manifest();
    try (ApplianceLock l = lock("up")) {
      Optional<InstanceStatus> s = b.status(m);
      if (s.isPresent()) {
        if (!s.get().isRunning()) {
          b.start(m);
        }
        return b.instance(m).withLockWait(lockWait);
      }
      return new BuiltAppliance(this, b, m, buildImages(b, m)).recreateLocked();
    }
  }

  /** The VM's status, or empty when it does not exist. No Nix runs while the manifest cache is valid. */
  public Optional<InstanceStatus> status() {
    Backend b = openBackend();
    return b.status(manifest());
  }

  /** A handle on the existing VM, for stop/start/connect/destroy from a fresh JVM. */
  public Optional<Instance> instance() {
    Backend b = openBackend();
    MachineManifest m = manifest();
    return b.status(m).map(s -> b.instance(m).withLockWait(lockWait));
  }

  /** Removes the VM (if any); the home disk too only with {@link Purge#EVERYTHING}. */
  public void destroy(Purge purge) {
    Backend b = openBackend();
    requireAvailable(b);
    MachineManifest m = manifest();
    try (ApplianceLock l = lock(purge == Purge.EVERYTHING ? "destroy --purge" : "destroy")) {
      b.destroy(m, purge);
    }
  }

  /**
   * Replaces the VM's RDP password with a new random one (the old one stops working at the guest's next
   * boot). The VM must exist and be stopped. The password itself is never returned or printed.
   */
  public void rotateSecret() {
    Backend b = openBackend();
    requireAvailable(b);
    MachineManifest m = manifest();
    try (ApplianceLock l = lock("secret rotate")) {
      b.rotateSecret(m);
    }
  }

  /** What {@code op} would do, without doing it or building anything. Works for unavailable backends too. */
  public Plan plan(Operation op) {
    Backend b = openBackend();
    MachineManifest m = manifest();
    ImageSet images = manifestFile != null ? PrebuiltImages.resolve(m, b.imageKeys(), false) : ImageSet.empty();
    return b.plan(op, m, images);
  }

  /**
   * Removes cached base images that no VM uses; returns what was removed, and, as lines starting
   * with {@code "kept "}, what was kept and why (e.g. a microvm VM's GC roots).
   */
  public List<String> gc() {
    Backend b = openBackend();
    requireAvailable(b);
    MachineManifest m = manifest();
    try (ApplianceLock l = lock("gc")) {
      return b.gc(m);
    }
  }

  /** The backend this appliance uses, opened (nothing runs). */
  public Backend backend() {
    return openBackend();
  }

  // ---- internals ----

  private ImageSet buildImages(Backend b, MachineManifest m) {
    if (manifestFile != null) {
      return PrebuiltImages.resolve(m, b.imageKeys(), true);
    }
    return imageBuilder().build(buildContext(), m, b.imageKeys());
  }

  ApplianceLock lock(String operation) {
    return ApplianceLock.acquire(stateDir(), machine, operation, lockWait, listener);
  }

  Backend openBackend() {
    BackendProvider p = BackendRegistry.select(backend, host, BackendRegistry.providers());
    return p.open(backendContext());
  }

  void requireAvailable(Backend b) {
    BackendProvider p = BackendRegistry.byName(b.name(), BackendRegistry.providers());
    Availability a = p.probe(host);
    if (a instanceof Availability.Unavailable u) {
      throw new BackendUnavailableException("backend " + b.name() + " cannot run here: " + u);
    }
  }

  BackendContext backendContext() {
    return new BackendContext(stateDir(), new ProcessCommandRunner(listener), listener, Clock.systemUTC(), host,
        timeout, BackendContext.LOCAL);
  }

  BuildContext buildContext() {
    return new BuildContext(flake(), stateDir(), new ProcessCommandRunner(listener), listener, timeout, host,
        nixOptions);
  }

  private ImageBuilder imageBuilder() {
    if (imageBuilder != null) {
      return imageBuilder;
    }
    Path f = flake();
    if (!Files.isDirectory(f)) {
      throw new ConfigurationException("flake directory " + f + " does not exist: pass withFlake(dir) / --flake DIR, "
          + "set QUBIX_FLAKE, or use a prebuilt manifest with withManifest(file) / --manifest FILE");
    }
    for (ClassLoader cl : List.of(Appliance.class.getClassLoader(), Thread.currentThread().getContextClassLoader())) {
      Optional<ImageBuilder> found = ServiceLoader.load(ImageBuilder.class, cl).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new BackendUnavailableException("no image builder on the class path: add qubix-nix to build from a flake, "
        + "or use a prebuilt manifest with withManifest(file)");
  }



  @Override
  public String toString() {
    return "Appliance[" + machine + "]";
  }
}
