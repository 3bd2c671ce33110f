package dev.qubix.junit.internal;

import dev.qubix.Appliance;
import dev.qubix.Instance;
import dev.qubix.Qubix;
import dev.qubix.junit.QubixAppliance;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Reads {@link QubixAppliance} uses into {@link FixtureSpec}s and rejects misuse before any VM
 * starts, with a message that names the field or parameter and the fix.
 */
public final class Specs {
  private Specs() {}

  /** Every {@code @QubixAppliance} field of the class and its superclasses, superclass fields first. */
  public static List<Field> annotatedFields(Class<?> testClass) {
    List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, QubixAppliance.class,
        f -> true, HierarchyTraversalMode.TOP_DOWN);
    fields.forEach(Specs::checkField);
    return fields;
  }

  /** The {@code Instance} fields to inject; {@code statics} selects static or instance fields. */
  public static List<Field> instanceFields(Class<?> testClass, boolean statics) {
    return annotatedFields(testClass).stream()
        .filter(f -> f.getType() == Instance.class && Modifier.isStatic(f.getModifiers()) == statics)
        .toList();
  }

  /** The declared {@code static Appliance} fields: of the class, its superclasses, and the classes enclosing a nested one. */
  public static List<Field> applianceFields(Class<?> testClass) {
    List<Field> out = new ArrayList<>();
    for (Class<?> c = testClass; c != null; c = enclosingOfInner(c)) {
      annotatedFields(c).stream().filter(f -> f.getType() == Appliance.class).forEach(out::add);
    }
    return out;
  }

  /** The spec of a declared {@code static Appliance} field; reading it runs the class's static initialiser. */
  public static FixtureSpec forApplianceField(Field field) {
    QubixAppliance a = annotation(field);
    Appliance appliance = read(field);
    String where = describe(field);
    if (hasApplianceAttributes(a)) {
      throw new ExtensionConfigurationException("@QubixAppliance on " + where + " sets flake/manifest/backend/"
          + "stateDir/overrides, but the field already holds an Appliance: configure it with withFlake/withManifest/"
          + "withBackend/withStateDir/withOverrides instead");
    }
    if (!a.value().isEmpty() && !a.value().equals(appliance.machine())) {
      throw new ExtensionConfigurationException("@QubixAppliance(\"" + a.value() + "\") on " + where
          + " names another machine than the field's Appliance (\"" + appliance.machine() + "\"): drop the value");
    }
    return new FixtureSpec("field " + field.getDeclaringClass().getName() + "." + field.getName(), where,
        () -> appliance, options(a));
  }

  /**
   * The spec for an {@code Instance} field or parameter in {@code testClass}: the declared
   * Appliance field with the same machine name if there is one, else the annotation's attributes.
   */
  public static FixtureSpec forInstance(QubixAppliance a, String where, Class<?> testClass) {
    List<Field> declared = applianceFields(testClass).stream()
        .filter(f -> a.value().isEmpty() || read(f).machine().equals(a.value()))
        .toList();
    if (declared.size() > 1) {
      throw new ExtensionConfigurationException("@QubixAppliance on " + where + " matches " + declared.size()
          + " declared Appliance fields (" + String.join(", ", declared.stream().map(Specs::describe).toList())
          + "): name the machine, e.g. @QubixAppliance(\"tiny\"), and declare each machine once");
    }
    if (declared.size() == 1) {
      if (hasApplianceAttributes(a) || !options(a).equals(new FixtureSpec.Options(false, false, true))) {
        throw new ExtensionConfigurationException("@QubixAppliance on " + where + " uses the Appliance declared by "
            + describe(declared.get(0)) + ": set its options on that field's annotation, not here");
      }
      return forApplianceField(declared.get(0));
    }
    if (a.value().isEmpty()) {
      throw new ExtensionConfigurationException("@QubixAppliance on " + where + " names no machine: write "
          + "@QubixAppliance(\"tiny\"), or declare a static @QubixAppliance Appliance field in the test class");
    }
    String key = String.join("|", a.value(), a.flake(), a.manifest(), a.backend(), a.stateDir(), a.overrides());
    return new FixtureSpec("attributes " + key, where, () -> fromAttributes(a), options(a));
  }

  /** Fails when two of {@code specs} ask for one appliance with different options. */
  public static void requireConsistent(List<FixtureSpec> specs) {
    Map<String, FixtureSpec> byKey = new HashMap<>();
    for (FixtureSpec spec : specs) {
      FixtureSpec first = byKey.putIfAbsent(spec.key(), spec);
      if (first != null) {
        requireSameOptions(first, spec);
      }
    }
  }

  /** Two requests for one appliance must agree on how it lives, or one of them would be silently ignored. */
  public static void requireSameOptions(FixtureSpec existing, FixtureSpec requested) {
    if (!existing.options().equals(requested.options())) {
      throw new ExtensionConfigurationException(requested.origin() + " and " + existing.origin()
          + " ask for the same appliance with different options (" + requested.options() + " vs "
          + existing.options() + "): make them agree");
    }
  }

  /** The field's {@code @QubixAppliance}, directly or through a composed annotation. */
  public static QubixAppliance annotation(Field f) {
    return AnnotationSupport.findAnnotation(f, QubixAppliance.class).orElseThrow();
  }

  public static String describe(Field f) {
    return "field " + f.getDeclaringClass().getSimpleName() + "." + f.getName();
  }

  private static Appliance fromAttributes(QubixAppliance a) {
    Appliance appliance = Qubix.appliance(a.value());
    if (!a.flake().isEmpty()) {
      appliance = appliance.withFlake(Path.of(a.flake()));
    }
    if (!a.manifest().isEmpty()) {
      appliance = appliance.withManifest(Path.of(a.manifest()));
    }
    if (!a.backend().isEmpty()) {
      appliance = appliance.withBackend(a.backend());
    }
    if (!a.stateDir().isEmpty()) {
      appliance = appliance.withStateDir(Path.of(a.stateDir()));
    }
    if (!a.overrides().isEmpty()) {
      appliance = appliance.withOverrides(a.overrides());
    }
    return appliance;
  }

  private static FixtureSpec.Options options(QubixAppliance a) {
    return new FixtureSpec.Options(a.shared(), a.purgeHome(), a.awaitRdp());
  }

  private static boolean hasApplianceAttributes(QubixAppliance a) {
    return !(a.flake().isEmpty() && a.manifest().isEmpty() && a.backend().isEmpty() && a.stateDir().isEmpty() && a.overrides().isEmpty());
  }

  private static void checkField(Field f) {
    String where = describe(f);
    if (f.getType() == Appliance.class) {
      if (!Modifier.isStatic(f.getModifiers())) {
        throw new ExtensionConfigurationException("@QubixAppliance Appliance " + where
            + " must be static: the appliance starts before any test instance exists");
      }
    } else if (f.getType() == Instance.class) {
      if (Modifier.isFinal(f.getModifiers())) {
        throw new ExtensionConfigurationException("@QubixAppliance Instance " + where
            + " must not be final: QubixExtension assigns it");
      }
    } else {
      throw new ExtensionConfigurationException("@QubixAppliance on " + where + " of type "
          + f.getType().getSimpleName() + ": use dev.qubix.Instance (to receive the running VM) or a static "
          + "dev.qubix.Appliance (to declare it)");
    }
  }

  private static Appliance read(Field f) {
    Object value;
    try {
      f.setAccessible(true);
      value = f.get(null);
    } catch (IllegalAccessException | InaccessibleObjectException e) {
      throw new ExtensionConfigurationException("cannot read " + describe(f) + ": " + e.getMessage()
          + " (on the module path, open the test package to dev.qubix.junit)", e);
    }
    if (value == null) {
      throw new ExtensionConfigurationException(describe(f) + " is null: initialise it, e.g. "
          + "static Appliance TINY = Qubix.appliance(\"tiny\").withFlake(...)");
    }
    return (Appliance) value;
  }

  private static Class<?> enclosingOfInner(Class<?> c) {
    return c.isMemberClass() && !Modifier.isStatic(c.getModifiers()) ? c.getEnclosingClass() : null;
  }
}
