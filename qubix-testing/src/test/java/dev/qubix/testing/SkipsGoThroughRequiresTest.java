package dev.qubix.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One rule for tools: every skip goes through {@link Requires}, which skips on a developer's machine
 * and fails under {@code CI=true}. A direct JUnit or AssertJ assumption would skip under CI too, so
 * a test class that uses one fails this test.
 */
class SkipsGoThroughRequiresTest {
  /** JUnit's and AssertJ's assumptions, JUnit 4's Assume, and a hand-thrown abort. */
  static final Pattern DIRECT_SKIP = Pattern.compile(
      "\\bAssumptions\\b|\\bAssume\\b|\\bassume(That|True|False)\\s*\\(|\\bassumingThat\\s*\\(|\\bTestAbortedException\\b");

  @Test
  void noTestClassSkipsOtherwiseThanThroughRequires() throws IOException {
    Path root = Requires.repoRoot();
    Path requires = root.resolve("qubix-testing/src/main/java/dev/qubix/testing/Requires.java");
    Path self = root.resolve("qubix-testing/src/test/java/dev/qubix/testing/SkipsGoThroughRequiresTest.java");

    List<String> offenders;
    try (Stream<Path> files = Files.walk(root)) {
      offenders = files
          .filter(p -> p.toString().endsWith(".java") && isTestCode(root.relativize(p).toString()))
          .filter(p -> !p.equals(requires) && !p.equals(self))
          .filter(p -> skipsDirectly(read(p)))
          .map(p -> root.relativize(p).toString())
          .toList();
    }

    assertThat(offenders).as("test classes that skip without Requires (use Requires.tool/that/missing)").isEmpty();
  }

  @Test
  void theRuleSeesEveryFormOfADirectSkip() {
    assertThat(List.of(
        "import static org.junit.jupiter.api.Assumptions.assumeTrue;",
        "import static org.assertj.core.api.Assumptions.assumeThat;",
        "Assumptions.abort(\"x\");",
        "assumeFalse (ci);",
        "assumingThat(x, () -> {});",
        "org.junit.Assume.assumeTrue(x);",
        "throw new TestAbortedException(\"x\");"))
        .allMatch(SkipsGoThroughRequiresTest::skipsDirectly);
    assertThat(List.of("Requires.tool(\"qemu-img\");", "Requires.that(kvm, \"/dev/kvm usable\");", "// presumed"))
        .noneMatch(SkipsGoThroughRequiresTest::skipsDirectly);
  }

  /** Every module's tests, and this module's own code: the helpers every test calls may not skip directly either. */
  static boolean isTestCode(String relative) {
    return relative.contains("src/test/java/") || relative.startsWith("qubix-testing/src/main/java/");
  }

  static boolean skipsDirectly(String source) {
    return DIRECT_SKIP.matcher(source).find();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
