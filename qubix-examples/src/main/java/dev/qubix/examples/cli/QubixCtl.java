package dev.qubix.examples.cli;

import dev.qubix.Appliance;
import dev.qubix.BackendUnavailableException;
import dev.qubix.ConfigurationException;
import dev.qubix.Qubix;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code qubixctl}: the command line of the original PowerShell controller, on the Qubix API.
 * Exit codes: 0 ok; 1 the operation failed; 2 invalid input; 3 no usable backend; 4 Hyper-V needs an
 * elevated shell for this command (qubixctl.cmd then asks for elevation); 10-17 a release failure.
 */
// scope INHERIT gives every subcommand -h/--help, -V/--version and the exit code list
@Command(name = "qubixctl", mixinStandardHelpOptions = true, versionProvider = QubixCtl.Version.class,
    scope = ScopeType.INHERIT,
    description = "Build a declared NixOS appliance, run it as a disposable VM with a persistent home, connect over RDP.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:the operation failed", "2:invalid input (arguments or manifest)", "3:no usable backend",
        "4:needs an elevated shell (Windows; qubixctl.cmd asks for it)",
        "10:release: checksum mismatch", "11:release: signature missing or bad (with --release-key)",
        "12:release: file not listed in SHA256SUMS", "13:release: download failed (HTTP error, timeout)",
        "14:release: corrupt or truncated gzip", "15:release: manifest fails validation",
        "16:release: no image for this backend", "17:release: disk full"})
public final class QubixCtl {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int INVALID = 2;
  public static final int NO_BACKEND = 3;
  /** Hyper-V refused before any change because only an elevated shell may do this. */
  public static final int ELEVATION_REQUIRED = 4;

  /**
   * Every subcommand, in help order. Added by {@link #commandLine}, not by the annotation: picocli
   * reads each one's annotations up front (picocli's Java 5 classes stay out of the AppCDS
   * archive, so that is interpreted reflection), the biggest part of a short command's start-up.
   */
  static final java.util.Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private static java.util.Map<String, Class<?>> subcommands() {
    java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
    m.put("build", Commands.Build.class);
    m.put("up", Commands.Up.class);
    m.put("recreate", Commands.Recreate.class);
    m.put("start", Commands.Start.class);
    m.put("stop", Commands.Stop.class);
    m.put("status", Commands.Status.class);
    m.put("destroy", Commands.Destroy.class);
    m.put("connect", Commands.Connect.class);
    m.put("plan", Commands.PlanCmd.class);
    m.put("manifest", Commands.ManifestCmd.class);
    m.put("backends", Commands.Backends.class);
    m.put("gc", Commands.Gc.class);
    m.put("secret", SecretCommand.class);
    m.put("home", HomeCommand.class);
    m.put("ls", Commands.Ls.class);
    m.put("logs", Commands.Logs.class);
    m.put("release", ReleaseCommand.class);
    m.put("completion", Commands.Completion.class);
    m.put("help", CommandLine.HelpCommand.class);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Global options that take a value: their value is never a subcommand name. */
  private static final java.util.Set<String> VALUED = java.util.Set.of("--flake", "--manifest", "--backend",
      "--state-dir", "--overrides", "--release", "--release-key");

  /**
   * The command line for {@code args}: only the subcommand they name, when they name one that
   * needs no others; every subcommand for usage, help, completion, mistakes (suggestions need
   * all names) and anything unclear; none for a bare --version.
   */
  static CommandLine commandLine(QubixCtl top, String[] args) {
    CommandLine cl = new CommandLine(top);
    String named = null;
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (VALUED.contains(a)) {
        i++;
      } else if (a.equals("-V") || a.equals("--version")) {
        version = true;
      } else if (!a.startsWith("-")) {
        named = a;
        break;
      }
    }
    if (named != null && SUBCOMMANDS.containsKey(named) && !named.equals("help") && !named.equals("completion")) {
      cl.addSubcommand(named, SUBCOMMANDS.get(named));
    } else if (named != null || !version) {
      SUBCOMMANDS.forEach(cl::addSubcommand);
    }
    return cl;
  }

  @Option(names = "--flake", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Flake directory (default: $QUBIX_FLAKE, else ./nix).")
  Path flake;

  @Option(names = "--manifest", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Prebuilt manifest JSON: no Nix runs; images come from its images.*.path fields.")
  Path manifest;

  @Option(names = "--release", paramLabel = "URL-or-DIR", scope = ScopeType.INHERIT,
      description = "Run from a release folder: http(s) URL, folder, or github:OWNER/REPO@TAG. No Nix runs; every file "
          + "is checked against its SHA256SUMS and cached by hash.")
  String release;

  @Option(names = "--release-key", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Public key or allowed_signers file: the release's SHA256SUMS.sig must be signed by it.")
  Path releaseKey;

  @Option(names = "--backend", paramLabel = "NAME", scope = ScopeType.INHERIT,
      description = "Backend: hyperv, microvm, nspawn (default: $QUBIX_BACKEND, else the best available).")
  String backend;

  @Option(names = "--state-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "State directory (default: $QUBIX_STATE_DIR, $XDG_STATE_HOME/qubix or %%LOCALAPPDATA%%\\Qubix).")
  Path stateDir;

  @Option(names = "--overrides", paramLabel = "JSON", scope = ScopeType.INHERIT,
      description = "RFC 7396 merge patch applied to the machine's manifest, e.g. '{\"cpuCount\":4}'.")
  String overrides;

  @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable output on stdout.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Show Qubix's log and stack traces.")
  boolean verbose;

  PrintStream out = System.out;
  PrintStream err = System.err;
  /** The progress of this run's appliance, if one was made; cleared before every result or error. */
  ConsoleProgress progress;

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    String dir = System.getenv(ElevatedRelaunch.DIR_VARIABLE);
    if (code == ELEVATION_REQUIRED && dir != null && !dir.isBlank()) {
      prepareElevatedRun(Path.of(dir), args);
    }
    System.exit(code);
  }

  /**
   * qubixctl.cmd may ask for elevation (it set QUBIX_ELEVATE_DIR): leave it this exact command. If
   * that is impossible it does not ask, and this says why.
   */
  private static void prepareElevatedRun(Path dir, String[] args) {
    try {
      ElevatedRelaunch.write(dir, ElevatedRelaunch.current(args));
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("qubixctl: cannot ask for elevation: " + oneLine(e));
    }
  }

  /** Runs qubixctl and returns its exit code (used by tests too). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // the same line picocli prints, without loading picocli (most of a bare --version's time)
      out.println(new Version().getVersion()[0]);
      out.flush();
      return OK;
    }
    configureLog(java.util.Arrays.asList(args).contains("-v") || java.util.Arrays.asList(args).contains("--verbose"));
    QubixCtl top = new QubixCtl();
    top.out = out;
    top.err = err;
    CommandLine cl = commandLine(top, args);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExitCodeExceptionMapper(QubixCtl::exitCode);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      top.endTransientLine();
      line.getErr().println("qubixctl: " + oneLine(e));
      if (top.verbose) {
        e.printStackTrace(line.getErr());
      }
      return exitCode(e);
    });
    cl.setParameterExceptionHandler((e, args2) -> {
      PrintWriter w = e.getCommandLine().getErr();
      w.println("qubixctl: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      suggestion(e).ifPresent(w::println);
      return INVALID;
    });
    return cl.execute(args);
  }

  /**
   * Without -v, Qubix's warnings are for people: {@code qubixctl: warning: …}, like the CLI's own
   * errors; -v shows the whole log in slf4j-simple's format (thread, level, logger). Must run
   * before the first logger exists: SLF4J picks its provider once.
   */
  static void configureLog(boolean verbose) {
    if (verbose) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
      return;
    }
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // someone who sets slf4j-simple's level asked for slf4j-simple
      setIfAbsent("slf4j.provider", dev.qubix.examples.cli.internal.PeopleLog.class.getName());
      // else SLF4J announces the chosen provider on every run
      setIfAbsent("slf4j.internal.verbosity", "WARN");
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** picocli's "did you mean", worded the same for a mistyped command and a mistyped option. */
  static java.util.Optional<String> suggestion(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getSuggestions().isEmpty()) {
      return java.util.Optional.empty();
    }
    String prefix = e.getCommandLine().getCommandSpec().qualifiedName() + " ";
    return java.util.Optional.of("Did you mean: " + String.join(" or ",
        u.getSuggestions().stream().map(x -> prefix + x).toList()) + "?");
  }

  void endTransientLine() {
    if (progress != null) {
      progress.endTransientLine();
    }
  }

  static int exitCode(Throwable e) {
    if (e instanceof ConfigurationException || e instanceof CommandLine.ParameterException) {
      return INVALID;
    }
    if (e instanceof dev.qubix.hyperv.ElevationRequiredException) {
      return ELEVATION_REQUIRED;
    }
    if (e instanceof BackendUnavailableException) {
      return NO_BACKEND;
    }
    if (e instanceof dev.qubix.release.ReleaseException r) {
      return r.exitCode();
    }
    return FAILED;
  }

  /** The message without a stack trace; multi-line manifest errors stay readable. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** The appliance the global options describe. */
  Appliance appliance(String machine) {
    Appliance a = Qubix.appliance(machine);
    if (flake != null) {
      a = a.withFlake(flake);
    }
    if (manifest != null) {
      a = a.withManifest(manifest);
    }
    if (release != null) {
      a = a.withRelease(release);
    }
    if (releaseKey != null) {
      if (release == null) {
        throw new ConfigurationException("--release-key needs --release URL-or-DIR (the key checks a release's signature)");
      }
      a = a.withReleaseKey(releaseKey);
    }
    if (backend != null) {
      a = a.withBackend(backend);
    }
    if (stateDir != null) {
      a = a.withStateDir(stateDir);
    }
    if (overrides != null) {
      a = a.withOverrides(overrides);
    }
    progress = json ? ConsoleProgress.quiet(err, verbose) : ConsoleProgress.forTerminal(err, verbose);
    return a.withListener(progress);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = QubixCtl.class.getPackage().getImplementationVersion();
      return new String[] {"qubixctl " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
