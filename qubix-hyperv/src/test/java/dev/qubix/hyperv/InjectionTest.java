package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.ManifestException;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile values in every string field of the manifest: each is either rejected by validation with
 * a message naming the field, or reaches PowerShell only inside the base64 parameter — never as a
 * separate or visible part of the argument vector.
 */
class InjectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATE = "{\"switchExists\":true,\"hostIpExists\":true,\"netNats\":[],\"vmExists\":false,"
      + "\"baseImageCached\":false,\"homeDiskExists\":false,\"ipAddresses\":[],\"uptimeSeconds\":0}";
  /** JSON pointers of the string fields, relative to the machine. */
  private static final List<String> FIELDS = List.of("/hostName", "/vmName", "/mdnsName", "/rdp/user", "/homeDisk/label",
      "/images/hyperv/package", "/images/home/package", "/hyperv/vmRoot", "/hyperv/switchName", "/hyperv/wslDistro");
  @TempDir Path state;

  static List<String> corpus() {
    List<String> c = new ArrayList<>(List.of(
        "'", "\"", "`", "$", "$(calc)", "$(Remove-Item C:\\ -Recurse)", "${env:PATH}", "@(1,2)", "; calc", "& calc",
        "| calc", "&& calc", "|| calc", "\ncalc", "\r\ncalc", "x\u0000y", "`$(calc)", "'; calc; '", "\"; calc; \"",
        "\u2018calc\u2019", "\u201ccalc\u201d", "\u2019; calc; \u2018", "$null", "$true", "-Force", "--%", "#comment",
        "<# block #>", "@\"\nhere\n\"@", "x`ny", "$([char]65)", "(calc)", "{calc}", "[calc]", "%PATH%", "!calc",
        "^calc", "calc.exe", "..\\..\\Windows", "C:\\Windows\\System32", "\\\\evil\\share", "x:y", "a*b", "a?b",
        "<calc>", "a>b", "a<b", "\u202eexe.gnp", "\u0000", "\t", " leading", "trailing ", "a b", "\u00e9\u00e8",
        "\u5c71\u7530", "\ud83d\ude00", "'+'", "\"+\"", "'$(calc)'", "\"$(calc)\"", "$env:USERNAME", "Invoke-Expression calc",
        "iex calc", "& { calc }", ". calc", "::qubix-result::{}", "::qubix-error::{\"message\":\"x\"}",
        "{\"a\":1}", "\\\"", "\\'", "%00", "%0a", "../", "..", ".", "-", "--", "+", "=", "==", "a=b", "${}", "$$", "$^",
        "$?", "$_", "@args", "$input", "[System.IO.File]::Delete('x')", "$(iwr evil)", "`0", "`a", "`e",
        "\u200bzero-width", "\ufeffbom", "\u00a0nbsp", "x\u2028y", "x\u0085y", "0x41", "1e9", "-1", "9999999999"));
    c.add("x".repeat(10_000));
    c.add("$(calc)".repeat(1_500));
    c.add("'".repeat(5_000));
    return c;
  }

  @Test
  void corpusIsLargeEnough() {
    assertThat(corpus()).hasSizeGreaterThanOrEqualTo(100);
  }

  @Test
  void hostileValuesAreRejectedOrTravelOnlyInsideTheBase64Parameter() throws Exception {
    int rejected = 0;
    int carried = 0;
    for (String field : FIELDS) {
      for (String hostile : corpus()) {
        for (String value : field.equals("/hyperv/vmRoot") ? List.of(hostile, "C:\\" + hostile) : List.of(hostile)) {
          MachineManifest m;
          try {
            m = ManifestReader.read(Fixtures.DHCP, "spotibox", patch(field, value));
          } catch (ManifestException e) {
            assertThat(e.getMessage()).as("message for %s", field).contains("/machines/spotibox" + field);
            rejected++;
            continue;
          }
          Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(STATE);
          new HyperVBackend(Fixtures.wslContext(state, ps)).recreate(m, Fixtures.images(true));
          assertThat(ps.calls).isNotEmpty();
          for (List<String> argv : ps.calls) {
            assertOnlyInBase64(argv, value, field);
          }
          carried++;
        }
      }
    }
    assertThat(rejected).isPositive();
    assertThat(carried).isPositive();
  }

  private static void assertOnlyInBase64(List<String> argv, String value, String field) throws Exception {
    assertThat(argv.subList(0, 6)).containsExactly("powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive",
        "-ExecutionPolicy", "Bypass");
    assertThat(argv).hasSize(10);
    assertThat(argv.get(6)).isEqualTo("-File");
    assertThat(argv.get(8)).isEqualTo("-Params");
    String b64 = argv.get(9);
    assertThat(b64).matches("[A-Za-z0-9+/=]+");
    if (value.length() >= 3 && !value.isBlank()) {
      for (int i = 0; i < argv.size(); i++) {
        if (i != 7 || !argv.get(7).contains("\\hyperv\\scripts\\")) {
          assertThat(argv.get(i)).as("argv[%d] for %s", i, field).doesNotContain(value);
        }
      }
    }
    JsonNode decoded = JSON.readTree(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
    assertThat(decoded.isObject()).isTrue();
  }

  private static String patch(String field, String value) {
    String[] parts = field.substring(1).split("/");
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      o = o.putObject(parts[i]);
    }
    o.put(parts[parts.length - 1], value);
    return root.toString();
  }
}
