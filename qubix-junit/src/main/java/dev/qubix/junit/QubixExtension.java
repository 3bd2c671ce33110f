package dev.qubix.junit;

import dev.qubix.Appliance;
import dev.qubix.Instance;
import dev.qubix.junit.internal.ClassFixtures;
import dev.qubix.junit.internal.Fixture;
import dev.qubix.junit.internal.FixtureSpec;
import dev.qubix.junit.internal.Specs;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.qubix.Endpoint;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * Gives tests running appliances, two ways: declaratively, {@code @QubixAppliance("tiny") Instance vm}
 * as a field or parameter (the annotation registers this extension; see {@link QubixAppliance}),
 * or programmatically, {@code @RegisterExtension static QubixExtension vm = QubixExtension.of(appliance)…}
 * (see {@link #of}).
 *
 * <p>Lifecycle (declarative). Every appliance a test class names in a field starts in {@code beforeAll}, before
 * the class's own {@code @BeforeAll} methods; one named only by a parameter starts when that
 * parameter is first resolved. Each starts with a fresh system disk ({@code build().recreate()})
 * and, unless {@code awaitRdp = false}, is ready when RDP answers. All fields and parameters of a
 * class that name the same appliance get the same VM (a nested class reuses its outer class's).
 * After the class it is stopped (15 s grace) and destroyed, keeping the home disk unless
 * {@code purgeHome = true}. With {@code shared = true} one VM serves every class of the run and is
 * destroyed when the run ends (JUnit closes the root store, which it does for
 * {@link AutoCloseable} values unless {@code junit.jupiter.extensions.store.close.autocloseable.enabled=false}).
 */
public final class QubixExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback, TestInstancePostProcessor, ParameterResolver, TestExecutionExceptionHandler {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QubixExtension.class);
  /** Console lines attached to a failing test's exception. */
  static final int FAILURE_LINES = 30;

  /** Null for the declarative extension ({@code @QubixAppliance}); set for one made by {@link #of}. */
  private final Built built;
  private Fixture running;
  private boolean perTest;

  /** What {@link #of} and the {@code withX} methods configure. */
  private record Built(Appliance appliance, boolean purgeHome, WaitStrategy readiness, List<Consumer<String>> consumers,
      boolean reuse) {}

  /** The declarative extension: JUnit makes it for {@code @QubixAppliance} (or {@code @ExtendWith}). */
  public QubixExtension() {
    this(null);
  }

  private QubixExtension(Built built) {
    this.built = built;
  }

  /**
   * A programmatic fixture, Testcontainers style:
   * <pre>{@code
   * @RegisterExtension
   * static QubixExtension vm = QubixExtension.of(Qubix.appliance("tiny").withFlake(Path.of("nix")))
   *     .waitingFor(WaitStrategy.consoleLine("QUBIX-READY"))
   *     .withLogConsumer(LoggerFactory.getLogger("guest"));
   * }</pre>
   * A static field gives one VM per class (made before {@code @BeforeAll} methods run, destroyed
   * after the class); an instance field one VM per test. It waits for RDP unless told otherwise,
   * keeps the home disk unless {@link #withPurgeHome()}, and attaches the guest's last console
   * lines to a failing test's exception.
   */
  public static QubixExtension of(Appliance appliance) {
    return new QubixExtension(new Built(java.util.Objects.requireNonNull(appliance, "appliance"), false,
        WaitStrategy.rdp(), List.of(), false));
  }

  /** Deletes the home disk too when the VM is destroyed. */
  public QubixExtension withPurgeHome() {
    Built b = requireBuilt("withPurgeHome");
    return new QubixExtension(new Built(b.appliance(), true, b.readiness(), b.consumers(), b.reuse()));
  }

  /** The VM is ready once every one of {@code strategies} is satisfied, in order (default: {@link WaitStrategy#rdp()}). */
  public QubixExtension waitingFor(WaitStrategy... strategies) {
    Built b = requireBuilt("waitingFor");
    WaitStrategy w = strategies.length == 1 ? strategies[0] : WaitStrategy.allOf(strategies);
    return new QubixExtension(new Built(b.appliance(), b.purgeHome(), w, b.consumers(), b.reuse()));
  }

  /** Hands every console line of the guest to {@code consumer}, on a console thread, as it is written. */
  public QubixExtension withLogConsumer(Consumer<String> consumer) {
    Built b = requireBuilt("withLogConsumer");
    List<Consumer<String>> all = new ArrayList<>(b.consumers());
    all.add(java.util.Objects.requireNonNull(consumer, "consumer"));
    return new QubixExtension(new Built(b.appliance(), b.purgeHome(), b.readiness(), all, b.reuse()));
  }

  /**
   * Keeps the VM running after the tests and takes it as it is in the next run, while its
   * manifest, images and these options hash the same (else it is recreated). Off unless the user
   * opted in on this machine: {@code -Dqubix.reuse.enable=true}, or {@code reuse.enable=true} in
   * {@code ~/.qubix.properties}; without that it is an ordinary fixture. A reused VM is never
   * destroyed for you: {@code qubixctl destroy MACHINE} does that.
   */
  public QubixExtension withReuse() {
    Built b = requireBuilt("withReuse");
    return new QubixExtension(new Built(b.appliance(), b.purgeHome(), b.readiness(), b.consumers(), true));
  }

  /** Logs every console line of the guest at INFO on {@code logger}. */
  public QubixExtension withLogConsumer(org.slf4j.Logger logger) {
    return withLogConsumer(line -> logger.info("{}", line));
  }

  /** The running VM; fails outside the fixture's lifetime. */
  public synchronized Instance instance() {
    return requireRunning().instance();
  }

  /** Where the guest's RDP endpoint is reachable from this host. */
  public Endpoint endpoint() {
    return instance().endpoint();
  }

  /** The guest's console since this fixture started it. */
  public synchronized GuestConsole console() {
    return requireRunning().console();
  }

  public Appliance appliance() {
    return requireBuilt("appliance").appliance();
  }

  private Built requireBuilt(String method) {
    if (built == null) {
      throw new IllegalStateException(method + "() configures an extension made by QubixExtension.of(appliance)");
    }
    return built;
  }

  private Fixture requireRunning() {
    requireBuilt("instance");
    if (running == null) {
      throw new IllegalStateException(built.appliance() + " is not running: the fixture lives while the class "
          + "(static @RegisterExtension field) or the test (instance field) runs");
    }
    return running;
  }

  private synchronized void startBuilt(boolean forOneTest) {
    if (running == null) {
      running = Fixture.start(built.appliance(), built.purgeHome(), built.readiness(), built.consumers(), built.reuse());
      perTest = forOneTest;
    }
  }

  private synchronized void stopBuilt() {
    if (running != null) {
      Fixture f = running;
      running = null;
      f.close();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (built != null) {
      startBuilt(true);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (built != null && perTest) {
      stopBuilt();
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    Fixture f;
    synchronized (this) {
      f = running;
    }
    if (f != null) {
      List<String> tail = f.console().tail(FAILURE_LINES);
      failure.addSuppressed(new GuestConsoleLines(f.instance().name() + ": last " + tail.size()
          + " console lines (" + f.console().source() + "):\n  " + String.join("\n  ", tail)));
    }
    throw failure;
  }

  /** Carries the guest's last console lines on a failing test's exception (as a suppressed one). */
  static final class GuestConsoleLines extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GuestConsoleLines(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    if (built != null) {
      startBuilt(false);
      return;
    }
    Class<?> testClass = context.getRequiredTestClass();
    // every spec first: misuse fails the class before any VM starts
    List<FixtureSpec> specs = new ArrayList<>();
    for (Field f : Specs.annotatedFields(testClass)) {
      if (f.getType() == Appliance.class) {
        specs.add(Specs.forApplianceField(f));
      }
    }
    List<Field> instanceFields = Specs.instanceFields(testClass, false);
    List<Field> staticFields = Specs.instanceFields(testClass, true);
    instanceFields.forEach(f -> specs.add(spec(f, testClass)));
    staticFields.forEach(f -> specs.add(spec(f, testClass)));
    Specs.requireConsistent(specs);

    specs.forEach(spec -> fixture(context, spec));
    for (Field f : staticFields) {
      f.setAccessible(true);
      f.set(null, fixture(context, spec(f, testClass)).instance());
    }
  }

  @Override
  public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws IllegalAccessException {
    if (built != null) {
      return;
    }
    for (Field f : Specs.instanceFields(testInstance.getClass(), false)) {
      f.setAccessible(true);
      f.set(testInstance, fixture(context, spec(f, testInstance.getClass())).instance());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (built != null) {
      stopBuilt();
      return;
    }
    ClassFixtures fixtures = context.getStore(NAMESPACE).remove(ClassFixtures.class, ClassFixtures.class);
    if (fixtures != null) {
      fixtures.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    // only the declarative extension resolves parameters: two resolvers for one would fail the test
    return built == null && parameter.isAnnotated(QubixAppliance.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Parameter p = parameter.getParameter();
    String where = "parameter " + p.getName() + " of " + p.getDeclaringExecutable().getName();
    if (p.getType() != Instance.class) {
      throw new ParameterResolutionException("@QubixAppliance on " + where + " of type "
          + p.getType().getSimpleName() + ": declare it as dev.qubix.Instance");
    }
    QubixAppliance a = parameter.findAnnotation(QubixAppliance.class).orElseThrow();
    return fixture(context, Specs.forInstance(a, where, context.getRequiredTestClass())).instance();
  }

  private static FixtureSpec spec(Field f, Class<?> testClass) {
    return Specs.forInstance(Specs.annotation(f), Specs.describe(f), testClass);
  }

  /** The running fixture for {@code spec}: the run's shared one, an enclosing class's, or this class's (started now). */
  private static Fixture fixture(ExtensionContext context, FixtureSpec spec) {
    if (spec.options().shared()) {
      return context.getRoot().getStore(NAMESPACE)
          .getOrComputeIfAbsent("shared " + spec.key(), k -> new SharedFixture(spec, spec.start()), SharedFixture.class)
          .fixtureFor(spec);
    }
    ExtensionContext classContext = classContext(context);
    for (Optional<ExtensionContext> c = Optional.of(classContext); c.isPresent(); c = c.get().getParent()) {
      ClassFixtures outer = c.get().getStore(NAMESPACE).get(ClassFixtures.class, ClassFixtures.class);
      Fixture found = outer == null ? null : outer.find(spec.key());
      if (found != null) {
        return outer.get(spec);
      }
    }
    return classContext.getStore(NAMESPACE)
        .getOrComputeIfAbsent(ClassFixtures.class, k -> new ClassFixtures(), ClassFixtures.class)
        .get(spec);
  }

  /** The context of the innermost test class: method and invocation contexts belong to it. */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  /** A run-wide fixture in the root store; JUnit closes it when the run ends. */
  private record SharedFixture(FixtureSpec spec, Fixture fixture) implements AutoCloseable {
    Fixture fixtureFor(FixtureSpec requested) {
      Specs.requireSameOptions(spec, requested);
      return fixture;
    }

    @Override
    public void close() {
      fixture.close();
    }
  }
}
