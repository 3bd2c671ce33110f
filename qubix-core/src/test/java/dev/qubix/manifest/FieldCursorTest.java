package dev.qubix.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.ManifestException;
import dev.qubix.ManifestException.Violation;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a backend reads its section with: typed values, and every broken rule with its full JSON pointer. */
class FieldCursorTest {
  private static final String BASE = ManifestReaderTest.resource("spotibox-v3.json");
  private static final String X = "/machines/spotibox/x";

  /** The section {@code x} holding {@code json}. */
  private static FieldCursor section(String json) {
    return ManifestReader.read(BASE, "spotibox", "{\"x\": " + json + "}").section("x").orElseThrow().cursor();
  }

  @Test
  void readsTypedValuesAndDefaults() {
    FieldCursor x = section("{\"s\": \"text\", \"n\": 2, \"big\": 8589934592, \"b\": true, \"e\": \"Debug\"}");

    assertThat(x.get("s").text()).isEqualTo("text");
    assertThat(x.get("n").integer(1, 2, null)).isEqualTo(2);
    assertThat(x.get("big").longValue(0, Long.MAX_VALUE, null, "any")).isEqualTo(8589934592L);
    assertThat(x.get("b").bool(false)).isTrue();
    assertThat(x.get("e").enumValue(Mode.class, "prod or debug")).isEqualTo(Mode.DEBUG);
    assertThat(x.get("absent").integer(1, 2, 2)).isEqualTo(2);
    assertThat(x.get("absent").optionalText()).isEmpty();
    assertThat(x.get("absent").bool(true)).isTrue();
    assertThat(x.violations()).isEmpty();
  }

  @Test
  void eachBrokenRuleIsRecordedWithItsPointerAndReadingGoesOn() {
    FieldCursor x = section("{\"s\": 5, \"n\": 3, \"b\": \"yes\", \"e\": \"fast\", \"a/b\": null}");

    assertThat(x.get("s").text()).isNull();
    assertThat(x.get("n").integer(1, 2, 2)).isNull();
    assertThat(x.get("b").bool(false)).isFalse();
    assertThat(x.get("e").optionalEnum(Mode.class, "prod or debug")).isEmpty();
    assertThat(x.get("a/b").text()).isNull();

    assertThat(x.violations()).containsExactly(
        new Violation(X + "/s", "5 must be a string"),
        new Violation(X + "/n", "3 is out of range: 1..2"),
        new Violation(X + "/b", "'yes' must be true or false"),
        new Violation(X + "/e", "'fast' is not allowed: use prod or debug"),
        new Violation(X + "/a~1b", "missing (required)"));
    assertThatThrownBy(x::throwIfInvalid).isInstanceOf(ManifestException.class).hasMessageStartingWith("5 problems");
  }

  @Test
  void checkedTextNamesTheValuePrintably() {
    FieldCursor x = section("{\"name\": \"a\\nb\", \"ok\": \"fine\"}");

    assertThat(x.get("name").optionalText(s -> !s.contains("\n"), "is not a name")).isEmpty();
    assertThat(x.get("ok").text(s -> !s.contains("\n"), "is not a name")).isEqualTo("fine");
    assertThat(x.violations()).containsExactly(new Violation(X + "/name", "'a\\u000ab' is not a name"));
  }

  @Test
  void windowsPathsMustBeAbsoluteWithoutDotSegmentsOrReservedCharacters() {
    FieldCursor x = section("{\"ok\": \"C:\\\\HyperV\\\\Qubix\", \"unc\": \"\\\\\\\\server\\\\share\\\\Qubix\", "
        + "\"relative\": \"HyperV\", \"dots\": \"C:\\\\a\\\\..\\\\b\", \"pipe\": \"C:\\\\a|b\"}");

    assertThat(x.get("ok").windowsPath()).isEqualTo("C:\\HyperV\\Qubix");
    assertThat(x.get("unc").windowsPath()).isEqualTo("\\\\server\\share\\Qubix");
    assertThat(x.get("relative").windowsPath()).isNull();
    assertThat(x.get("dots").windowsPath()).isNull();
    assertThat(x.get("pipe").windowsPath()).isNull();
    assertThat(x.violations()).extracting(Violation::message).containsExactly(
        "'HyperV' must be an absolute Windows path like C:\\HyperV\\Qubix or \\\\server\\share\\Qubix",
        "'C:\\a\\..\\b' must not contain '.' or '..' segments",
        "'C:\\a|b' contains a character Windows paths cannot hold (<>\"|?*: or a control character)");
  }

  @Test
  void listsAndParsedValuesNameTheElement() {
    FieldCursor x = section("{\"list\": [\"1.1.1.1\", 7, null]}");

    assertThat(x.get("list").items()).extracting(i -> i.parsed(Ipv4::parse, "is not an IPv4 address"))
        .containsExactly(Optional.of(Ipv4.of("1.1.1.1")), Optional.empty(), Optional.empty());
    assertThat(x.violations()).containsExactly(new Violation(X + "/list/1", "7 is not an IPv4 address"),
        new Violation(X + "/list/2", "null is not an IPv4 address"));
  }

  @Test
  void cursorsOfOneSectionAreIndependent() {
    ManifestSection s = ManifestReader.read(BASE, "spotibox", "{\"x\": {\"n\": 3}}").section("x").orElseThrow();
    FieldCursor first = s.cursor();
    first.get("n").integer(1, 2, null);

    assertThat(first.violations()).hasSize(1);
    assertThat(s.cursor().violations()).isEmpty();
  }
}
