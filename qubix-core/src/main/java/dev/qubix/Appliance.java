package dev.qubix;

import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.internal.BackendRegistry;
import dev.qubix.internal.CoreBackendContext;
import dev.qubix.internal.Engine;
import dev.qubix.internal.PrebuiltImages;
import dev.qubix.internal.StateDirs;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.manifest.ManifestRules;
import dev.qubix.manifest.Overrides;
import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.HomeRequest;
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
  private final ApplianceSettings s;

  private Appliance(ApplianceSettings settings) {
    this.s = settings;
  }

  static Appliance of(String machine, HostInfo host) {
    return new Appliance(ApplianceSettings.defaults(machine, host));
  }

  // ---- configuration ----

  /** The flake directory (default: {@code $QUBIX_FLAKE}, else {@code ./nix}). */
  public Appliance withFlake(Path dir) {
    return new Appliance(s.withFlake(Objects.requireNonNull(dir, "flake").toAbsolutePath()));
  }

  /** A backend by name ("microvm", "hyperv"); default: {@code qubix.backend}, {@code $QUBIX_BACKEND}, else the best available. */
  public Appliance withBackend(String name) {
    if (name != null && !dev.qubix.manifest.internal.Names.isValid(name)) {
      throw new ConfigurationException("backend name '" + dev.qubix.manifest.internal.Names.printable(name)
          + "' is not valid: use a backend name such as microvm or hyperv (qubixctl backends lists them)");
    }
    return new Appliance(s.withBackend(name, null));
  }

  /**
   * This backend, whatever ServiceLoader finds: for tests and for backends that are not on the class
   * path as a service. Nothing global changes, so tests with different backends can run in parallel.
   */
  public Appliance withBackend(BackendProvider provider) {
    return new Appliance(s.withBackend(null, Objects.requireNonNull(provider, "provider")));
  }

  /** Where VMs, disks and caches live (default: {@code $XDG_STATE_HOME/qubix} or {@code %LOCALAPPDATA%\Qubix}). */
  public Appliance withStateDir(Path dir) {
    return new Appliance(s.withStateDir(Objects.requireNonNull(dir, "stateDir").toAbsolutePath()));
  }

  /** A prebuilt manifest JSON: no Nix runs, images come from its {@code images.*.path} fields. */
  public Appliance withManifest(Path file) {
    return new Appliance(s.withManifestFile(Objects.requireNonNull(file, "manifest").toAbsolutePath()));
  }

  /**
   * An RFC 7396 JSON merge patch applied to this machine's manifest before validation, e.g.
   * {@code {"cpuCount":4}}. Parsed now: a patch that is not a JSON object is refused here.
   */
  public Appliance withOverrides(String mergePatch) {
    return new Appliance(s.withOverrides(Overrides.parse(mergePatch)));
  }

  public Appliance withListener(dev.qubix.event.ProgressListener l) {
    return new Appliance(s.withListener(Objects.requireNonNull(l, "listener")));
  }

  /** Upper bound for each external process (a Nix build, a VM operation). */
  public Appliance withTimeout(Duration t) {
    if (t == null || t.isNegative() || t.isZero()) {
      throw new ConfigurationException("timeout must be positive, got " + t);
    }
    return new Appliance(s.withTimeout(t));
  }

  /** How long a change waits for another process that holds this VM's lock (default 30 s). */
  public Appliance withLockWait(Duration wait) {
    return new Appliance(s.withLockWait(Objects.requireNonNull(wait, "lockWait")));
  }

  /** Extra options passed to every {@code nix build} unchanged, e.g. {@code --builders ssh-ng://…}. */
  public Appliance withNixOptions(List<String> options) {
    return new Appliance(s.withNixOptions(options));
  }

  /** Uses this builder instead of the one ServiceLoader finds (qubix-nix). */
  public Appliance withImageBuilder(ImageBuilder builder) {
    return new Appliance(s.withImageBuilder(builder));
  }

  /**
   * Takes the manifest and images from a release folder (see {@link dev.qubix.release.Releases}): no Nix
   * runs; every file is checked against the release's SHA256SUMS before use and cached by its hash.
   */
  public Appliance withRelease(java.net.URI location) {
    return withImageBuilder(dev.qubix.release.internal.ReleaseImageBuilder.from(s.imageBuilder()).withLocation(location));
  }

  /** {@link #withRelease(java.net.URI)} for an http(s) URL, a local folder, or {@code github:OWNER/REPO@TAG}. */
  public Appliance withRelease(String location) {
    return withRelease(dev.qubix.release.Releases.location(location));
  }

  /** Requires the release's SHA256SUMS to be signed ({@code SHA256SUMS.sig}) by this key. */
  public Appliance withReleaseKey(dev.qubix.release.ReleaseKey key) {
    return withImageBuilder(dev.qubix.release.internal.ReleaseImageBuilder.from(s.imageBuilder())
        .withKey(Objects.requireNonNull(key, "release key")));
  }

  /** {@link #withReleaseKey(dev.qubix.release.ReleaseKey)} from a public key or allowed_signers file. */
  public Appliance withReleaseKey(Path file) {
    return withReleaseKey(dev.qubix.release.ReleaseKey.read(file));
  }

  /**
   * Runs the VM on a throwaway overlay over its home disk: the home is opened read-only and never
   * written; what the guest writes is discarded at stop and destroy. Takes effect at recreate (and
   * at up, which recreates a stopped VM of the other mode); a VM with no home disk yet starts from
   * the home image or blank and creates none.
   */
  public Appliance withDisposableHome() {
    return new Appliance(s.withHomeMode(HomeMode.DISPOSABLE));
  }

  /**
   * Every recreate first backs the home disk up ({@code before-recreate-<time>}), keeping the newest
   * {@code keep} of those. Without this, a recreate backs up only when the image version changes,
   * keeping one.
   */
  public Appliance withHomeBackups(int keep) {
    return new Appliance(s.withBeforeRecreate(new HomeRequest.BeforeRecreate(HomeRequest.BeforeRecreate.When.ALWAYS, keep)));
  }

  /** No automatic backup before a recreate, not even when the image version changes. */
  public Appliance withoutAutomaticHomeBackups() {
    return new Appliance(s.withBeforeRecreate(HomeRequest.BeforeRecreate.NEVER));
  }

  public String machine() {
    return s.machine();
  }

  public Path flake() {
    return s.flake() != null ? s.flake() : StateDirs.defaultFlake(s.host());
  }

  public Path stateDir() {
    return s.stateDir() != null ? s.stateDir() : StateDirs.defaultStateDir(s.host());
  }

  public Optional<Path> manifestFile() {
    return Optional.ofNullable(s.manifestFile());
  }

  /** The name of the backend this appliance uses (chosen as {@link #withBackend} says, or the best available). */
  public String backendName() {
    return provider().name();
  }

  // ---- operations ----

  /** The validated manifest of this machine: from the prebuilt file, the cache, or one Nix build of the manifest. */
  public MachineManifest manifest() {
    String doc = s.manifestFile() != null ? ManifestReader.readDocument(s.manifestFile())
        : imageBuilder().manifestJson(buildContext());
    return ManifestReader.read(doc, s.machine(), s.overrides(), backendRules());
  }

  /**
   * The chosen backend's rules for its own manifest section, reported with core's in one error. With
   * no usable backend there is none to ask: the manifest still reads (plan, manifest --json).
   */
  private ManifestRules backendRules() {
    try {
      return provider().manifestRules();
    } catch (BackendUnavailableException e) {
      return ManifestRules.NONE;
    }
  }

  /** Builds the images the backend needs (one Nix process; none with a prebuilt manifest). */
  public BuiltAppliance build() {
    Engine e = engine();
    MachineManifest m = manifest();
    return new BuiltAppliance(this, e, m, buildImages(e, m));
  }

  /** Creates the VM if it is missing, starts it if it is stopped; never rebuilds a live VM. */
  public Instance up() {
    Engine e = engine();
    e.requireAvailable();
    MachineManifest m = manifest();
    e.up(m, () -> buildImages(e, m), homeRequest());
    return new Instance(e, m);
  }

  /** The VM's status, or empty when it does not exist. No Nix runs while the manifest cache is valid. */
  public Optional<InstanceStatus> status() {
    return engine().status(manifest());
  }

  /** A handle on the existing VM, for stop/start/connect/destroy from a fresh JVM. */
  public Optional<Instance> instance() {
    Engine e = engine();
    MachineManifest m = manifest();
    return e.status(m).map(st -> new Instance(e, m));
  }

  /**
   * The VM's home disk: its backups, restore, export and import. Works while the VM exists and after
   * a destroy that kept the home (backups are kept by destroy, removed by a purge).
   */
  public Home home() {
    return new Home(engine(), manifest(), Clock.systemUTC());
  }

  /** Every VM the backend has in this state folder, of any machine (what {@code qubixctl ls} shows). */
  public List<InstanceStatus> vms() {
    return engine().list();
  }

  /** Removes the VM (if any); the home disk too only with {@link Purge#EVERYTHING}. */
  public void destroy(Purge purge) {
    Engine e = engine();
    e.requireAvailable();
    e.destroy(manifest(), purge);
  }

  /**
   * Replaces the VM's RDP password with a new random one (the old one stops working at the guest's next
   * boot). The VM must exist and be stopped. The password itself is never returned or printed.
   */
  public void rotateSecret() {
    Engine e = engine();
    e.requireAvailable();
    e.rotateSecret(manifest());
  }

  /** What {@code op} would do, without doing it or building anything. Works for unavailable backends too. */
  public Plan plan(Operation op) {
    Engine e = engine();
    MachineManifest m = manifest();
    ImageSet images = s.manifestFile() != null ? PrebuiltImages.resolve(m, e.images().keys(), false) : ImageSet.empty();
    return e.plan(op, m, images, homeRequest());
  }

  /**
   * Removes cached base images that no VM uses; returns what was removed, and, as lines starting
   * with {@code "kept "}, what was kept and why (e.g. a microvm VM's GC roots).
   */
  public List<String> gc() {
    Engine e = engine();
    e.requireAvailable();
    return e.gc(manifest());
  }

  // ---- internals ----

  /** The home options of recreate and up: this appliance's mode and its backups before a recreate. */
  HomeRequest homeRequest() {
    return new HomeRequest(Optional.empty(), Optional.empty(), s.homeMode(), s.beforeRecreate());
  }

  ImageSet buildImages(Engine e, MachineManifest m) {
    if (s.manifestFile() != null) {
      return PrebuiltImages.resolve(m, e.images().keys(), true);
    }
    return imageBuilder().build(buildContext(), m, e.images().keys());
  }

  private BackendProvider provider() {
    return s.provider() != null ? s.provider() : BackendRegistry.select(s.backend(), s.host(), BackendRegistry.providers());
  }

  /** A fresh engine on the chosen backend; opening one changes nothing. */
  Engine engine() {
    return new Engine(provider(), new CoreBackendContext(stateDir(), new ProcessCommandRunner(s.listener()), s.listener(),
        Clock.systemUTC(), s.host(), s.timeout()), s.lockWait());
  }

  BuildContext buildContext() {
    return BuildContext.of(flake(), stateDir(), new ProcessCommandRunner(s.listener()), s.listener(), s.timeout(), s.host(),
        s.nixOptions());
  }

  private ImageBuilder imageBuilder() {
    if (s.imageBuilder() != null) {
      return s.imageBuilder();
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
    return "Appliance[" + s.machine() + "]";
  }
}
