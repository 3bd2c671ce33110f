package dev.qubix.nix;

import dev.qubix.ManifestEvaluationException;
import dev.qubix.QubixException;
import dev.qubix.exec.CommandResult;
import dev.qubix.manifest.FieldCursor;
import dev.qubix.manifest.ImageRef;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.nix.internal.BuildOutputs;
import dev.qubix.nix.internal.FlakeHash;
import dev.qubix.nix.internal.ImageFiles;
import dev.qubix.nix.internal.NixCommand;
import dev.qubix.nix.internal.NixGcRoots;
import dev.qubix.nix.internal.NixLog;
import dev.qubix.nix.internal.NixVersion;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.GcRoots;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageBuilder;
import dev.qubix.spi.ImageSet;
import dev.qubix.spi.ManifestCache;
import dev.qubix.spi.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds manifests and images with Nix: one {@code nix build} process per build, the manifest
 * included, so a warm build costs one process and a cold one two (the manifest says which images
 * to build). The manifest is cached under a hash of the flake's files: while it is valid,
 * status/start/stop/connect/destroy/plan run no Nix at all.
 */
public final class NixBuilder implements ImageBuilder {
  /** The flake output holding the manifest of every machine. */
  public static final String MANIFEST_ATTRIBUTE = "qubix-manifest-json";
  /** The Hyper-V backend's rule for hyperv.wslDistro (and nix/lib/manifest.nix's namePattern). */
  private static final Pattern WSL_DISTRO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  @Override
  public String manifestJson(BuildContext context) {
    Path flake = context.flake();
    String key = FlakeHash.cachedIn(context.stateDir().resolve("cache")).key(flake);
    ManifestCache cache = new ManifestCache(context.stateDir());
    Optional<String> cached = cache.get(source(flake), key);
    if (cached.isPresent()) {
      return cached.get();
    }
    NixCommand nix = NixCommand.forHost(context.host(), flake);
    List<String> paths = build(context, nix, List.of(MANIFEST_ATTRIBUTE));
    String json = readManifest(nix, paths.get(0));
    cache.put(source(flake), key, json);
    return json;
  }

  @Override
  public ImageSet build(BuildContext context, MachineManifest machine, Set<String> imageKeys) {
    Path flake = context.flake();
    String key = FlakeHash.cachedIn(context.stateDir().resolve("cache")).key(flake);
    NixCommand nix = NixCommand.forHost(context.host(), flake,
        manifestDistro(machine));
    List<ImageRef> wanted = new ArrayList<>();
    for (String k : imageKeys.stream().sorted().toList()) {
      machine.image(k).ifPresent(wanted::add);
    }
    List<String> attributes = new ArrayList<>();
    attributes.add(MANIFEST_ATTRIBUTE);
    wanted.forEach(i -> attributes.add(i.packageName()));

    Set<String> outputs = new LinkedHashSet<>(build(context, nix, attributes, buildRoot(context, nix, machine)));
    Map<String, String> outPaths = outputPaths(context, nix, wanted, outputs);
    // the manifest came out of the same process: refresh the cache with what was really built
    new ManifestCache(context.stateDir()).put(source(flake), key, readManifest(nix, outPaths.get(MANIFEST_ATTRIBUTE)));

    Map<String, Image> images = new LinkedHashMap<>();
    for (ImageRef ref : wanted) {
      String storePath = outPaths.get(ref.packageName());
      Path local = nix.localPath(storePath);
      String inside = ImageFiles.locate(ref, local, machine.pointer() + "/images/" + ref.key());
      images.put(ref.key(), new Image(ref.key(), ref.format(), inside.isEmpty() ? storePath : storePath + "/" + inside,
          inside.isEmpty() ? local : local.resolve(inside)));
    }
    return new ImageSet(images, nix.mode() == NixCommand.Mode.LOCAL
        ? new NixGcRoots(nix, context.runner(), context.timeout(), context.extraNixOptions()) : GcRoots.NONE);
  }

  /**
   * Where the build roots what it built until a VM roots it for itself: {@code
   * <stateDir>/gcroots/<vmName>/build}, {@code build-1}, … (earlier ones removed first, since a build
   * with fewer images would leave them). From Windows, inside the distribution: Hyper-V copies the
   * image out of the store, so the root only has to last until that copy is made.
   */
  private static String buildRoot(BuildContext context, NixCommand nix, MachineManifest machine) {
    if (nix.mode() == NixCommand.Mode.WSL) {
      return "/tmp/qubix-gcroots-" + machine.vmName() + "/build";
    }
    Path dir = context.stateDir().resolve("gcroots").resolve(machine.vmName());
    try {
      PrivateFiles.directories(context.stateDir(), dir);
      try (var old = Files.list(dir)) {
        for (Path link : old.filter(Files::isSymbolicLink).toList()) {
          Files.delete(link);
        }
      }
    } catch (IOException e) {
      throw new QubixException("cannot prepare the build's GC roots in " + dir + ": " + e.getMessage(), e);
    }
    return dir.resolve("build").toString();
  }

  /**
   * Which built store path belongs to which attribute. Nix 2.8 prints {@code --json} results sorted
   * (by derivation name, as measured), not in argument order, so results are matched through the
   * store paths the manifest carries ({@code images.*.storePath}, output paths without string
   * context); the one output left is the manifest. An image without one, or whose recorded path
   * was not built (a manifest evaluated under other options, e.g. {@code --override-input}), costs
   * one {@code nix eval} — correct, only slower.
   */
  private static Map<String, String> outputPaths(BuildContext context, NixCommand nix, List<ImageRef> wanted,
      Set<String> outputs) {
    Map<String, String> byAttribute = new LinkedHashMap<>();
    Set<String> left = new LinkedHashSet<>(outputs);
    for (ImageRef ref : wanted) {
      String path = ref.storePath();
      if (path == null || !outputs.contains(path)) {
        path = evalOutPath(context, nix, ref.packageName());
      }
      if (!outputs.contains(path)) {
        throw new QubixException("nix build did not report " + path + " for " + nix.flakeRef(ref.packageName())
            + " (it reported " + String.join(", ", outputs) + ")");
      }
      byAttribute.put(ref.packageName(), path);
      left.remove(path);
    }
    if (left.size() == 1) {
      byAttribute.put(MANIFEST_ATTRIBUTE, left.iterator().next());
    } else {
      byAttribute.put(MANIFEST_ATTRIBUTE, evalOutPath(context, nix, MANIFEST_ATTRIBUTE));
    }
    return byAttribute;
  }

  private static String evalOutPath(BuildContext context, NixCommand nix, String attribute) {
    CommandResult r = context.runner().run(nix.evalOutPath(attribute, context.extraNixOptions()).withTimeout(context.timeout()).allowingFailure());
    if (!r.ok()) {
      nix.checkNixFound(r);
      throw failure(nix.flakeRef(attribute), r.exitCode(), r.stderrTail(40));
    }
    return r.stdout().strip();
  }

  /** One nix process building every attribute; returns their store paths in order. */
  private static List<String> build(BuildContext context, NixCommand nix, List<String> attributes) {
    return build(context, nix, attributes, null);
  }

  private static List<String> build(BuildContext context, NixCommand nix, List<String> attributes, String outLink) {
    // read only where it matters, so an input-free flake's warm build stays one nix process
    if (NixVersion.locksNixpkgs(nix.lockFile())) {
      NixVersion.of(nix, context.runner()).requireForFlake(nix.lockFile(), nix.flakeRef(attributes.get(0)));
    }
    NixLog log = new NixLog(context.listener());
    CommandResult r = context.runner().run(nix.build(attributes, context.extraNixOptions(), outLink)
        .withTimeout(context.timeout())
        .onStderr(log::accept)
        .allowingFailure());
    if (!r.ok()) {
      nix.checkNixFound(r);
      if (NixVersion.mayBeTooOld(log.tail())) {
        NixVersion.of(nix, context.runner()).explainFailure(log.tail(), nix.flakeRef(attributes.get(0)));
      }
      throw failure(String.join(" ", attributes.stream().map(nix::flakeRef).toList()), r.exitCode(), log.tail());
    }
    return BuildOutputs.parse(r.stdout(), attributes.size());
  }

  /** The messages of nix/lib/manifest.nix's checks: "machine <name>: …" and "qubix manifest: …". */
  private static final Pattern MANIFEST_RULE = Pattern.compile("(?:^|\\s)error: ((?:machine \\S+: |qubix manifest: ).+)$");

  /** A manifest rule Nix reported is invalid input; anything else is a failed build. */
  static QubixException failure(String attributes, int exitCode, List<String> tail) {
    List<String> rules = tail.stream().map(l -> MANIFEST_RULE.matcher(l.strip())).filter(Matcher::find)
        .map(m -> m.group(1).strip()).distinct().toList();
    return rules.isEmpty() ? new NixBuildException(attributes, exitCode, tail)
        : new ManifestEvaluationException(attributes, rules, tail);
  }

  private static String readManifest(NixCommand nix, String storePath) {
    Path file = nix.localPath(storePath);
    try {
      if (!Files.isRegularFile(file)) {
        throw new QubixException("the flake output " + MANIFEST_ATTRIBUTE + " must be a single JSON file, but "
            + storePath + " is not a file");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new QubixException("cannot read the manifest " + file + ": " + e.getMessage(), e);
    }
  }

  private static String source(Path flake) {
    return flake.toAbsolutePath().normalize().toString();
  }

  /**
   * The WSL distribution the machine names ({@code hyperv.wslDistro}), where Nix runs on Windows.
   * The section is the Hyper-V backend's; this one field becomes a {@code wsl.exe -d} argument, so
   * it is held to the backend's rule here too, whichever rules the manifest was read with.
   */
  private static Optional<String> manifestDistro(MachineManifest machine) {
    return machine.section("hyperv").flatMap(section -> {
      FieldCursor hyperv = section.cursor();
      Optional<String> distro = hyperv.get("wslDistro").optionalText(WSL_DISTRO.asMatchPredicate(),
          "is not a WSL distribution name");
      hyperv.throwIfInvalid();
      return distro;
    });
  }
}
