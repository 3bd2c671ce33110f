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
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * Gives tests running appliances: {@code @ExtendWith(QubixExtension.class)}, then
 * {@code @QubixAppliance("tiny") Instance vm} as a field or parameter (see {@link QubixAppliance}).
 *
 * <p>Lifecycle. Every appliance a test class names in a field starts in {@code beforeAll}, before
 * the class's own {@code @BeforeAll} methods; one named only by a parameter starts when that
 * parameter is first resolved. Each starts with a fresh system disk ({@code build().recreate()})
 * and, unless {@code awaitRdp = false}, is ready when RDP answers. All fields and parameters of a
 * class that name the same appliance get the same VM (a nested class reuses its outer class's).
 * After the class it is stopped (15 s grace) and destroyed, keeping the home disk unless
 * {@code purgeHome = true}. With {@code shared = true} one VM serves every class of the run and is
 * destroyed when the run ends (JUnit closes the root store, which it does for
 * {@link AutoCloseable} values unless {@code junit.jupiter.extensions.store.close.autocloseable.enabled=false}).
 */
public final class QubixExtension implements BeforeAllCallback, AfterAllCallback, TestInstancePostProcessor,
    ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QubixExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
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
    for (Field f : Specs.instanceFields(testInstance.getClass(), false)) {
      f.setAccessible(true);
      f.set(testInstance, fixture(context, spec(f, testInstance.getClass())).instance());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ClassFixtures fixtures = context.getStore(NAMESPACE).remove(ClassFixtures.class, ClassFixtures.class);
    if (fixtures != null) {
      fixtures.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(QubixAppliance.class);
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
