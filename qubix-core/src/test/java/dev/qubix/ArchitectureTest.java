package dev.qubix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.spi.BackendProvider;
import dev.qubix.spi.ImageBuilder;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The API/SPI boundary of ARCHITECTURE.md, checked on the sources and the compiled classes. */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/qubix");
  /** A class of the package {@code dev.qubix} itself (not a sub-package), named anywhere in a source. */
  private static final Pattern API_TYPE = Pattern.compile("\\bdev\\.qubix\\.([A-Z]\\w*)");
  /** The two plug-in points the public API names on purpose. */
  private static final Set<Class<?>> PLUG_INS = Set.of(BackendProvider.class, ImageBuilder.class);

  @Test
  void theSpiUsesOnlyValueTypesAndExceptionsOfTheApi() throws Exception {
    Set<String> used = new TreeSet<>();
    for (Path source : sources(MAIN.resolve("spi"))) {
      Matcher m = API_TYPE.matcher(Files.readString(source));
      while (m.find()) {
        used.add(m.group(1));
      }
    }
    List<String> handles = new ArrayList<>();
    for (String name : used) {
      Class<?> c = Class.forName("dev.qubix." + name);
      boolean value = c.isRecord() || c.isEnum() || c.isSealed() || Throwable.class.isAssignableFrom(c);
      if (!value) {
        handles.add(name);
      }
    }

    assertThat(used).as("what the SPI names of dev.qubix").contains("InstanceStatus", "Endpoint", "Operation")
        .doesNotContain("Instance", "Appliance", "BuiltAppliance");
    assertThat(handles).as("API types that are neither values nor exceptions, named by the SPI").isEmpty();
  }

  @Test
  void publicSignaturesOfTheApiNameNoSpiTypeButThePlugInPoints() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Path source : sources(MAIN)) {
      if (!source.getParent().equals(MAIN)) {
        continue;
      }
      String name = source.getFileName().toString().replace(".java", "");
      if (name.equals("package-info")) {
        continue;
      }
      Class<?> c = Class.forName("dev.qubix." + name);
      if (!Modifier.isPublic(c.getModifiers())) {
        continue;
      }
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers())) {
          check(leaks, c, m.getName(), m.getGenericReturnType());
          for (Type t : m.getGenericParameterTypes()) {
            check(leaks, c, m.getName(), t);
          }
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (Modifier.isPublic(k.getModifiers())) {
          for (Type t : k.getGenericParameterTypes()) {
            check(leaks, c, "<init>", t);
          }
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isPublic(f.getModifiers())) {
          check(leaks, c, f.getName(), f.getGenericType());
        }
      }
    }

    assertThat(leaks).isEmpty();
  }

  @Test
  void instanceHasNoPublicConstructorAndTheApplianceNoBackendAccessor() {
    assertThat(Instance.class.getConstructors()).isEmpty();
    assertThat(Stream.of(Appliance.class.getMethods()).map(Method::getName)).doesNotContain("backend");
  }

  private static void check(List<String> leaks, Class<?> owner, String member, Type type) {
    String text = type.getTypeName();
    Matcher m = Pattern.compile("dev\\.qubix\\.spi\\.(\\w+)").matcher(text);
    while (m.find()) {
      String spi = "dev.qubix.spi." + m.group(1);
      if (PLUG_INS.stream().noneMatch(p -> p.getName().equals(spi))) {
        leaks.add(owner.getSimpleName() + "." + member + " names " + spi);
      }
    }
  }

  private static List<Path> sources(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }
}
